package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store/storetest"
)

// BenchmarkSubmitPost times one respondent's post of a complete form
// through its personal link, under a fresh idempotency key as a browser
// sends it, through the real router with the request handed to the handler
// directly: the server's and the database's work for one form, one at a
// time (inventera bench measures 50 clients at once). statements/op counts
// the SQL statements sent (BEGIN and COMMIT are two more round trips).
func BenchmarkSubmitPost(b *testing.B) {
	st := storetest.MustOpen(b)
	h, m, _ := benchServer(b, st)
	ctx := context.Background()
	r, err := m.CreateRound(ctx, manage.System("bench"), manage.RoundInput{Name: "Inlämningar", HourlyRate: "280"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.AddKommun(ctx, manage.System("bench"), r.ID, "Borlänge", "47 000"); err != nil {
		b.Fatal(err)
	}
	_, link, err := m.AddUnit(ctx, manage.System("bench"), r.ID, manage.UnitInput{Name: "Socialnämnden", Kommuner: []string{"Borlänge"}})
	if err != nil {
		b.Fatal(err)
	}
	path := "/l/" + link[strings.LastIndex(link, "/")+1:] + "/ny"
	var statements atomic.Int64
	if err := st.Trace(func(string) { statements.Add(1) }); err != nil {
		b.Fatal(err)
	}
	vals := validForm()
	b.ReportAllocs()
	before := statements.Load()
	for b.Loop() {
		vals.Set("idem", staff.RandomToken(18))
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(vals.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(statements.Load()-before)/float64(b.N), "statements/op")
}
