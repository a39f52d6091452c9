package store_test

import (
	"context"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestCancelledTransactionStoresNothing: on SQLite a transaction's
// statements run without the request's cancellation (Store.runUnder), so
// that mattn/go-sqlite3 does not give every row a goroutine; a request
// whose client goes away halfway still stores nothing of what it wrote.
func TestCancelledTransactionStoresNothing(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		reqCtx, cancel := context.WithCancel(ctx)
		err := st.InTx(reqCtx, func(q *store.Queries) error {
			if _, err := q.CreateRound(round.Round{Name: "Före avbrottet", HourlyRate: 280, CreatedAt: t0}); err != nil {
				return err
			}
			cancel() // the client goes away
			_, err := q.CreateRound(round.Round{Name: "Efter avbrottet", HourlyRate: 280, CreatedAt: t0})
			return err
		})
		if err == nil {
			t.Fatal("a transaction whose request was cancelled committed")
		}
		q := st.Q(ctx)
		for _, name := range []string{"Före avbrottet", "Efter avbrottet"} {
			if r, err := q.RoundByName(name); apperror.Code(err) != apperror.NotFound {
				t.Errorf("round %q after the cancelled transaction: %+v, %v; want not found", name, r, err)
			}
		}
	})
}
