package comparison_test

import (
	"context"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestComparedWithKeptRound: a published predecessor is read once and
// kept, and gives the same comparison as its own report; one that is not
// published is read each time, so a change to it shows at once; whoever
// may not read the predecessor's report gets no comparison, kept or not.
func TestComparedWithKeptRound(t *testing.T) {
	st := storetest.MustOpen(t)
	now := func() time.Time { return time.Date(2010, 12, 1, 9, 0, 0, 0, time.UTC) }
	m := &manage.Service{Store: st, Keys: round.LinkKey("test-key-test-key-test-key-test-key"), Now: now}
	svc, err := comparison.NewService(m, form.MustEvaluation(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Settle) // before the database closes
	ctx := context.Background()
	sys := manage.System("test")
	opt := natgen.Options{Kommuner: 4, UnitsPerKommun: 2, EvaluationsPerKommun: 6}
	ds := natgen.Generate(opt)
	first, err := m.ImportDataset(ctx, sys, "Omgång 1", round.DefaultHourlyRate, ds)
	if err != nil {
		t.Fatal(err)
	}
	second, err := m.ImportDataset(ctx, sys, "Omgång 2", round.DefaultHourlyRate, natgen.Generate(opt))
	if err != nil {
		t.Fatal(err)
	}
	previousEvaluations := func() int {
		t.Helper()
		rep, err := svc.LoadCompared(ctx, sys, second.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Aggregate.Network.Previous.Evaluations
	}

	// Not published: an exclusion in the first round shows at once.
	before := previousEvaluations()
	_, data, err := m.ReportData(ctx, sys, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, u := range data.Units {
		if len(u.Evaluations) > 0 {
			id = u.Evaluations[0].ID
			break
		}
	}
	if err := m.Exclude(ctx, sys, first.ID, id, "Ingen utvärdering"); err != nil {
		t.Fatal(err)
	}
	if got := previousEvaluations(); got != before-1 {
		t.Errorf("after an exclusion in the unpublished earlier round: previous %d evaluations, want %d", got, before-1)
	}

	// Published: kept, and the same as its own report.
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := m.SetState(ctx, sys, first.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	own, err := svc.Load(ctx, sys, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := previousEvaluations(); got != own.Aggregate.Network.Evaluations {
			t.Errorf("compared with the published round: previous %d evaluations, its own report %d", got, own.Aggregate.Network.Evaluations)
		}
	}

	// A projektledare of a kommun that takes part in the second round
	// only may not read the first round's report, kept or not.
	if _, err := m.AddKommun(ctx, sys, second.ID, "Nyby", ""); err != nil {
		t.Fatal(err)
	}
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := m.SetState(ctx, sys, second.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	pl := manage.Actor{Email: "pl@nyby.example", Role: staff.Projektledare, Kommun: "Nyby"}
	if _, err := svc.Load(ctx, pl, second.ID); err != nil {
		t.Fatalf("the projektledare cannot read the second round's report: %v", err)
	}
	if _, err := svc.LoadCompared(ctx, pl, second.ID, first.ID); apperror.Code(err) != apperror.NotFound && apperror.Code(err) != apperror.Forbidden {
		t.Errorf("projektledare compares with a round their kommun is not in: %v, want a refusal", err)
	}
}
