package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestPoolKeepsConnections: on PostgreSQL the pool keeps as many idle
// connections as it may open, so bursts of concurrent transactions reuse
// them instead of opening new ones, and never exceed MaxOpenConns.
func TestPoolKeepsConnections(t *testing.T) {
	const maxOpen = 5
	st := storetest.OpenPostgresN(t, 1, store.Options{MaxOpenConns: maxOpen})[0]
	burst := func() {
		var wg sync.WaitGroup
		for range 2 * maxOpen {
			wg.Add(1)
			go func() {
				defer wg.Done()
				check(t, st.ReadTx(ctx, func(q *store.Queries) error {
					_, err := q.Rounds()
					time.Sleep(20 * time.Millisecond)
					return err
				}))
			}()
		}
		wg.Wait()
	}
	burst()
	warm := st.Stats()
	if warm.MaxOpen != maxOpen || warm.Open > maxOpen || warm.Idle != warm.Open || warm.Open < 2 {
		t.Fatalf("after a burst: %+v; want MaxOpen %d, every open connection idle, more than Go's default 2", warm, maxOpen)
	}
	for range 5 {
		burst()
	}
	after := st.Stats()
	if opened := after.Opened - warm.Opened; opened > int64(maxOpen-warm.Open) {
		t.Errorf("%d connections opened by 5 more bursts (%d open after the first), want at most %d", opened, warm.Open, maxOpen-warm.Open)
	}
	if after.Open > maxOpen {
		t.Errorf("%d connections open, want at most %d", after.Open, maxOpen)
	}
	if after.Statements <= warm.Statements || after.Transactions < warm.Transactions+5*2*maxOpen {
		t.Errorf("statements %d → %d, transactions %d → %d: not counted", warm.Statements, after.Statements, warm.Transactions, after.Transactions)
	}
}
