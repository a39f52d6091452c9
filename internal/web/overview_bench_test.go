package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
	"github.com/inventera/inventera/internal/web"
)

// nationalUnitsPerKommun gives the national round of issue 13: 290
// kommuner × 20 own units = 5 800 units (and natgen's shared ones).
const nationalUnitsPerKommun = 20

// BenchmarkRoundOverviewNational times the round's progress page of a
// national round (290 kommuner, 5 800 units, 29 000 evaluations) through
// the real router, as server time: the request goes to the handler
// directly, without a network in between. The target is < 300 ms.
// queries/op counts the SQL statements of one page view, the session's
// included; it does not grow with the round (TestRoundOverviewQueries).
func BenchmarkRoundOverviewNational(b *testing.B) {
	st := storetest.MustOpen(b)
	h, m, stf := benchServer(b, st)
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	m.BaseURL = ts.URL

	ctx := context.Background()
	ds := natgen.Generate(natgen.Options{UnitsPerKommun: nationalUnitsPerKommun})
	r, err := m.ImportDataset(ctx, manage.System("bench"), "Nationell omgång", round.DefaultHourlyRate, ds)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d kommuner, %d units", len(ds.Kommuner), len(ds.Units))

	samordnare := benchLogin(b, ts.URL, stf, "samordnare@bench.example", staff.Samordnare, "")
	pl := benchLogin(b, ts.URL, stf, "pl@bench.example", staff.Projektledare, ds.Kommuner[0].Name)
	page := fmt.Sprintf("/admin/omgangar/%d", r.ID)
	var queries atomic.Int64
	if err := st.Trace(func(string) { queries.Add(1) }); err != nil {
		b.Fatal(err)
	}

	for _, bc := range []struct {
		name    string
		cookies []*http.Cookie
		path    string
	}{
		{"samordnare", samordnare, page},
		{"samordnare-filter", samordnare, page + "?status=inskickad&omrade=" + url.QueryEscape("Vård och omsorg") + "&sida=3"},
		{"samordnare-sok", samordnare, page + "?sok=social"},
		{"projektledare", pl, page},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var bytes int
			before := queries.Load()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				for _, c := range bc.cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", bc.path, rec.Code)
				}
				bytes = rec.Body.Len()
			}
			b.ReportMetric(float64(bytes), "page-bytes")
			b.ReportMetric(float64(queries.Load()-before)/float64(b.N), "queries/op")
		})
	}
}

// benchServer is the web server as serve wires it over st, for the
// benchmarks: its routes, and the services to set a round up with.
func benchServer(b *testing.B, st *store.Store) (http.Handler, *manage.Service, *staff.Service) {
	now := func() time.Time { return time.Now().UTC() }
	def := form.MustEvaluation()
	m := &manage.Service{Store: st, Keys: round.LinkKey("bench-key-bench-key-bench-key-bench-key"), Now: now}
	stf := &staff.Service{Store: st, Now: now}
	reports, err := comparison.NewService(m, def, now)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(web.Config{}, web.Deps{Form: def, Respond: &respond.Service{Store: st, Form: def, Now: now},
		Manage: m, Staff: stf, Reports: reports, Guard: &guard.Guard{Store: st, Policy: guard.DefaultPolicy(), Now: now}, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Settle) // reports are kept after they are served
	return srv.Handler(), m, stf
}

// benchLogin makes a staff account and logs it in; it returns the session's
// cookies.
func benchLogin(b *testing.B, base string, stf *staff.Service, email, role, kommun string) []*http.Cookie {
	b.Helper()
	if _, _, err := stf.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: email, Role: role, Kommun: kommun, Password: "ett-langt-losenord"}); err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/logga-in")
	if err != nil {
		b.Fatal(err)
	}
	body := readAll(resp)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.Fatal("no csrf field on the login page")
	}
	resp, err = c.PostForm(base+"/logga-in", url.Values{"csrf": {m[1]}, "epost": {email}, "losenord": {"ett-langt-losenord"}})
	if err != nil {
		b.Fatal(err)
	}
	readAll(resp)
	if resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	u, _ := url.Parse(base)
	return jar.Cookies(u)
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
