package store_test

import (
	"reflect"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestEvaluationAnswers: the answers of a round's evaluations by ID, each
// given with its index in the IDs asked for, over more than one query's
// worth; an evaluation of another round is refused.
func TestEvaluationAnswers(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		var many []round.Evaluation
		for i := range 1203 {
			many = append(many, round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: i%3 != 0,
				Answers: natgen.Answers(3, i, form.ModeImport), CreatedAt: t0, UpdatedAt: t0})
		}
		check(t, q.CreateEvaluations(many))
		stored := must[[]round.Evaluation](t)(q.UnitEvaluations(u.ID))
		// Asked for backwards, so that the order of the IDs is not the
		// order of the rows.
		var ids []int64
		want := map[int64]form.Answers{}
		for i := len(stored) - 1; i >= 0; i-- {
			ids = append(ids, stored[i].ID)
			want[stored[i].ID] = stored[i].Answers
		}
		got := map[int64]form.Answers{}
		check(t, q.EvaluationAnswers(r.ID, ids, func(i int, a form.Answers) error {
			if _, ok := got[ids[i]]; ok {
				t.Fatalf("evaluation %d given twice", ids[i])
			}
			got[ids[i]] = a
			return nil
		}))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d answers read, want the %d stored", len(got), len(want))
		}

		other := must[round.Round](t)(q.CreateRound(round.Round{Name: "Resultatstyrning 2010", HourlyRate: 280, CreatedAt: t0}))
		must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: other.ID, Name: "Falun"}))
		ou := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: other.ID, Name: "Miljönämnden", Kommuner: []string{"Falun"}}))
		oe := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: other.ID, UnitID: ou.ID, Complete: true,
			Answers: natgen.Answers(3, 0, form.ModeForm), CreatedAt: t0, UpdatedAt: t0}))
		if err := q.EvaluationAnswers(r.ID, []int64{ids[0], oe.ID}, func(int, form.Answers) error { return nil }); err == nil {
			t.Fatal("read the answers of another round's evaluation")
		}
	})
}
