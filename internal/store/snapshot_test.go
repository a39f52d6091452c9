package store_test

import (
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestReadTxIsOneSnapshot: a report reads kommuner, units and evaluations in
// several statements; a submission committed between them must not show
// in the later ones (on PostgreSQL, REPEATABLE READ; on SQLite, the WAL
// reader's snapshot). And a reading transaction cannot write.
func TestReadTxIsOneSnapshot(t *testing.T) {
	st := storetest.MustOpen(t)
	q := st.Q(ctx)
	r := network(t, q, "Heby")
	u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Heby"}}))
	add := func(name string) {
		t.Helper()
		check(t, st.InTx(ctx, func(q *store.Queries) error {
			_, err := q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: true,
				Answers: form.Answers{"benamning": name}, CreatedAt: t0, UpdatedAt: t0})
			return err
		}))
	}
	add("Före")
	var first, second int
	err := st.ReadTx(ctx, func(q *store.Queries) error {
		evs, err := q.RoundFacts(r.ID)
		if err != nil {
			return err
		}
		first = len(evs)
		add("Under rapporten") // commits in a transaction of its own
		if evs, err = q.RoundFacts(r.ID); err != nil {
			return err
		}
		second = len(evs)
		return nil
	})
	check(t, err)
	if st.Dialect() == "postgres" {
		err := st.ReadTx(ctx, func(q *store.Queries) error { return q.TouchUnit(u.ID, t0, false) })
		if err == nil {
			t.Error("a reading transaction wrote on PostgreSQL; want it READ ONLY")
		}
	}
	if first != 1 || second != 1 {
		t.Errorf("one reading transaction saw %d, then %d evaluations; want 1 both times (one snapshot)", first, second)
	}
	if n := len(must[[]round.Evaluation](t)(q.RoundFacts(r.ID))); n != 2 {
		t.Errorf("after it, %d evaluations; want 2", n)
	}
}
