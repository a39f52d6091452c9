package comparison

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/report"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

// newService imports a generated round of 12 kommuner into a fresh store
// (SQLite, or PostgreSQL when INVENTERA_TEST_DATABASE_URL is set).
func newService(t *testing.T) (*Service, *manage.Service, round.Round, round.Dataset) {
	t.Helper()
	st := storetest.MustOpen(t)
	now := func() time.Time { return time.Date(2010, 1, 14, 9, 0, 0, 0, time.UTC) }
	m := &manage.Service{Store: st, Keys: round.LinkKey("comparison-key-comparison-key-comparison"), Now: now}
	ds := natgen.Generate(natgen.Options{Kommuner: 12, UnitsPerKommun: 3, EvaluationsPerKommun: 40})
	r, err := m.ImportDataset(ctx, manage.System("test"), "Omgång", round.DefaultHourlyRate, ds)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(m, form.MustEvaluation(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Settle) // before the database closes
	return svc, m, r, ds
}

// jsonOf is the JSON report of a round's data, aggregated and rendered
// directly.
func jsonOf(t *testing.T, r round.Round, ds round.Dataset) []byte {
	t.Helper()
	agg, err := aggregate.Compute(r, ds)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.JSON(&b, agg); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReportFromFactsEqualsAnswers: the report built from the facts the
// store keeps is the one built from the stored answers — as imported and
// after a respondent has changed an evaluation through the web's
// service — and the XLSX report carries the stored answers.
func TestReportFromFactsEqualsAnswers(t *testing.T) {
	svc, m, r, _ := newService(t)
	actor := manage.System("test")

	fromAnswers := func(ds round.Dataset) []byte { return jsonOf(t, r, ds) }
	check := func(what string, want []byte) {
		t.Helper()
		var got bytes.Buffer
		rep, err := svc.Build(ctx, actor, r.ID, 0, JSON, &got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: the report from stored facts differs from the one from the answers", what)
		}
		for _, u := range rep.Data.Units {
			for _, e := range u.Evaluations {
				if e.Facts == nil || e.Answers != nil {
					t.Fatalf("%s: the JSON report loaded answers (%v) or no facts", what, e.Answers)
				}
			}
		}
	}
	// A respondent changes one of a submitted unit's evaluations: it is no
	// longer used at all, and is a user survey.
	_, stored, err := m.ReportDataWithAnswers(ctx, actor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("stored", fromAnswers(stored))
	var unit round.UnitData
	for _, u := range stored.Units {
		if len(u.Evaluations) > 0 {
			unit = u
			break
		}
	}
	e := unit.Evaluations[0]
	a := e.Answers.Clone()
	a["anvandning"], a["brukarundersokning"], a["malgrupp"], a["metod"] = "inte_alls", "ja", "Vårdnadshavare", "fokusgrupp"
	if err := m.Store.InTx(ctx, func(q *store.Queries) error {
		cur, err := q.Evaluation(unit.ID, e.ID)
		if err != nil {
			return err
		}
		cur.Answers, cur.UpdatedAt = a, time.Now()
		_, err = q.UpdateEvaluation(cur)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, changed, err := m.ReportDataWithAnswers(ctx, actor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fromAnswers(changed)
	if bytes.Equal(want, fromAnswers(stored)) {
		t.Fatal("the change did not change the report; the test proves nothing")
	}
	check("changed", want)

	// XLSX: its data sheets are the stored answers.
	var x bytes.Buffer
	if _, err := svc.Build(ctx, actor, r.ID, 0, XLSX, &x); err != nil {
		t.Fatal(err)
	}
	back, err := sheet.ReadXLSX(ctx, bytes.NewReader(x.Bytes()), form.MustEvaluation(), sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.EvaluationCount(), changed.EvaluationCount(); got != want {
		t.Fatalf("the XLSX report carries %d evaluations, want %d", got, want)
	}
	found := false
	for _, u := range back.Units {
		for _, be := range u.Evaluations {
			found = found || reflect.DeepEqual(be.Answers, a)
		}
	}
	if !found {
		t.Error("the XLSX report lacks the changed evaluation's answers")
	}

	// A report loaded for JSON cannot be written as XLSX without answers.
	rep, err := svc.Load(ctx, actor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Write(&x, rep, XLSX); err == nil {
		t.Error("wrote an XLSX report without the answers")
	}
	if _, err := svc.Build(ctx, actor, r.ID, 0, "pdf", &x); err == nil {
		t.Error("built a report in an unknown format")
	}
}

// TestBuildsWaitForASlot: with every slot taken, a build waits, and gives
// up when its request does; once a slot is free it runs.
func TestBuildsWaitForASlot(t *testing.T) {
	svc, _, r, _ := newService(t)
	actor := manage.System("test")
	for range cap(svc.slots) {
		svc.slots <- struct{}{}
	}
	for _, c := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"build", func(ctx context.Context) error {
			_, err := svc.Build(ctx, actor, r.ID, 0, HTML, &bytes.Buffer{})
			return err
		}},
		{"load", func(ctx context.Context) error { _, err := svc.Load(ctx, actor, r.ID); return err }},
	} {
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		err := c.run(short)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with every slot taken: %v, want it to wait until its context ends", c.name, err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := svc.Build(ctx, actor, r.ID, 0, JSON, &bytes.Buffer{})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("built while every slot was taken (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-svc.slots
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(svc.slots) != cap(svc.slots)-1 {
		t.Errorf("%d slots taken after the build, want %d", len(svc.slots), cap(svc.slots)-1)
	}
}
