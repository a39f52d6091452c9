package manage_test

import (
	"reflect"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// TestReportSnapshot: ReportSnapshot gives the report's data with the
// facts, and reads the answers of its snapshot, not those saved since.
func TestReportSnapshot(t *testing.T) {
	f := newFixture(t)
	unit := f.units["Socialnämnden/Heby"]
	a := natgen.Answers(1, 1, form.ModeForm)
	var e round.Evaluation
	if err := f.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		if e, err = q.CreateEvaluation(round.Evaluation{RoundID: f.round.ID, UnitID: unit.ID, Complete: true, Answers: a,
			CreatedAt: f.clock, UpdatedAt: f.clock}); err != nil {
			return err
		}
		return q.SetUnitResponse(unit.ID, round.Submitted, "", f.clock)
	}); err != nil {
		t.Fatal(err)
	}
	called := false
	err := f.m.ReportSnapshot(ctx, f.system, f.round.ID, func(r round.Round, ds round.Dataset, answers func([]int64, func(int, form.Answers) error) error) error {
		called = true
		var loaded []round.Evaluation
		for _, u := range ds.Units {
			loaded = append(loaded, u.Evaluations...)
		}
		if r.ID != f.round.ID || len(loaded) != 1 || loaded[0].ID != e.ID || loaded[0].Facts == nil || loaded[0].Answers != nil {
			t.Fatalf("round %d, evaluations %+v: want the one evaluation with its facts", r.ID, loaded)
		}
		// Saved meanwhile, by another transaction.
		if err := f.st.InTx(ctx, func(q *store.Queries) error {
			cur, err := q.Evaluation(unit.ID, e.ID)
			if err != nil {
				return err
			}
			cur.Answers = cur.Answers.Clone()
			cur.Answers["benamning"] = "Ändrad under rapporten"
			_, err = q.UpdateEvaluation(cur)
			return err
		}); err != nil {
			return err
		}
		var got form.Answers
		if err := answers([]int64{e.ID}, func(i int, a form.Answers) error {
			got = a
			return nil
		}); err != nil {
			return err
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("answers %v, want those of the snapshot %v", got, a)
		}
		return nil
	})
	if err != nil || !called {
		t.Fatalf("ReportSnapshot: %v (called: %v)", err, called)
	}
}
