package store_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// createRound is a write for the claim tests: a round of the name.
func createRound(name string) func(q *store.Queries) error {
	return func(q *store.Queries) error {
		_, err := q.CreateRound(round.Round{Name: name, HourlyRate: 280, CreatedAt: t0})
		return err
	}
}

func roundNames(t *testing.T, st *store.Store) []string {
	t.Helper()
	var names []string
	for _, r := range must[[]round.Round](t)(st.Q(ctx).Rounds()) {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	return names
}

func wantReplay(t *testing.T, err error, want store.Outcome) {
	t.Helper()
	var rep *store.Replay
	if !errors.As(err, &rep) {
		t.Fatalf("err = %v, want a replay of %+v", err, want)
	}
	if rep.Outcome.Status != want.Status || rep.Outcome.Location != want.Location ||
		rep.Outcome.ContentType != want.ContentType || string(rep.Outcome.Body) != string(want.Body) {
		t.Fatalf("replayed %+v, want %+v", rep.Outcome, want)
	}
}

// TestClaim: a request's writes under an idempotency key are committed with
// the key and the outcome, or not at all; a later request with the key gets
// the outcome and writes nothing.
func TestClaim(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		first := store.Outcome{Status: http.StatusSeeOther, Location: "/l/x?meddelande=sparad", ContentType: "text/html", Body: []byte("åäö")}

		// Two writes of one request, then the outcome: one transaction.
		c1ctx, c1 := st.Claim(ctx, "nyckel-1")
		check(t, st.InTx(c1ctx, createRound("A")))
		if !c1.Active() {
			t.Fatal("the claim is not active after a write")
		}
		// Reads with the request's context see its writes (and on SQLite
		// do not wait for its write lock).
		if _, err := st.Q(c1ctx).RoundByName("A"); err != nil {
			t.Fatalf("Q in the claimed request: %v", err)
		}
		check(t, st.ReadTx(c1ctx, func(q *store.Queries) error { _, err := q.RoundByName("A"); return err }))
		check(t, st.InTx(c1ctx, createRound("B")))
		check(t, c1.Commit(first))
		if got := roundNames(t, st); !slices.Equal(got, []string{"A", "B"}) {
			t.Fatalf("rounds %v after the commit, want [A B]", got)
		}

		// The same key again: its write is rolled back when it finds the
		// key stored, and it gets the first outcome.
		c2ctx, c2 := st.Claim(ctx, "nyckel-1")
		check(t, st.InTx(c2ctx, createRound("C")))
		wantReplay(t, c2.Commit(store.Outcome{Status: http.StatusSeeOther, Location: "/annat"}), first)
		if c2.Active() {
			t.Fatal("the repeat still holds its transaction after the replay")
		}
		if got := roundNames(t, st); !slices.Equal(got, []string{"A", "B"}) {
			t.Fatalf("rounds %v after the repeat, want [A B]", got)
		}
		// A repeat that was refused asks for the first outcome; a request
		// whose key was never stored gets none.
		_, c2b := st.Claim(ctx, "nyckel-1")
		rep, err := c2b.Stored()
		wantReplay(t, errOf(rep, err), first)
		_, c2c := st.Claim(ctx, "aldrig-lagrad")
		if rep, err := c2c.Stored(); rep != nil || err != nil {
			t.Fatalf("Stored of a key never stored = %v, %v; want nil, nil", rep, err)
		}

		// A write that fails undoes the request's writes; the key is not
		// kept, so a repeat does the work.
		c3ctx, c3 := st.Claim(ctx, "nyckel-2")
		check(t, st.InTx(c3ctx, createRound("D")))
		boom := errors.New("boom")
		if err := st.InTx(c3ctx, func(q *store.Queries) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if c3.Active() {
			t.Fatal("the claim is still active after a failed write")
		}
		check(t, c3.Commit(store.Outcome{Status: http.StatusUnprocessableEntity})) // nothing to commit
		c4ctx, c4 := st.Claim(ctx, "nyckel-2")
		check(t, st.InTx(c4ctx, createRound("E")))
		check(t, c4.Commit(store.Outcome{Status: http.StatusSeeOther}))

		// A request that wrote and then failed (Rollback) stores nothing.
		c5ctx, c5 := st.Claim(ctx, "nyckel-3")
		check(t, st.InTx(c5ctx, createRound("F")))
		c5.Rollback()
		// A request that never wrote keeps no key.
		_, c6 := st.Claim(ctx, "nyckel-4")
		check(t, c6.Commit(store.Outcome{Status: http.StatusOK}))
		for _, key := range []string{"nyckel-3", "nyckel-4"} {
			cctx, c := st.Claim(ctx, key)
			check(t, st.InTx(cctx, createRound("G "+key)))
			check(t, c.Commit(store.Outcome{Status: http.StatusSeeOther}))
		}
		if got, want := roundNames(t, st), []string{"A", "B", "E", "G nyckel-3", "G nyckel-4"}; !slices.Equal(got, want) {
			t.Fatalf("rounds %v, want %v", got, want)
		}

		// Keys expire: a key older than IdempotencyKeyLife is deleted, and
		// its repeat is a new request.
		check(t, st.AgeIdempotencyKeys(ctx, time.Now().Add(-store.IdempotencyKeyLife-time.Minute)))
		c7ctx, c7 := st.Claim(ctx, "nyckel-1")
		check(t, st.InTx(c7ctx, createRound("H")))
		check(t, c7.Commit(first))
		if got := roundNames(t, st); !slices.Contains(got, "H") {
			t.Fatalf("rounds %v: the expired key's repeat wrote nothing", got)
		}
	})
}

// errOf is Stored's answer as an error, for wantReplay.
func errOf(rep *store.Replay, err error) error {
	if err != nil || rep == nil {
		return err
	}
	return rep
}

// TestClaimAcrossInstances: two instances get the same key at the same
// time, both write, and both try to store the key: one of them stores its
// writes and outcome, the other's writes are rolled back and it replays the
// first's outcome, on either database. SQLite's second instance waits to
// begin until the first has committed; on PostgreSQL both write side by
// side and the one to store the key first wins (B here, as A waits to
// commit until B has had time to), the other waiting on the key until the
// winner commits.
func TestClaimAcrossInstances(t *testing.T) {
	storetest.BothShared(t, 2, store.Options{}, func(t *testing.T, stores []*store.Store) {
		a, b := stores[0], stores[1]
		outcomes := map[string]store.Outcome{
			"A": {Status: http.StatusOK, ContentType: "application/json", Body: []byte(`{"id":1}`)},
			"B": {Status: http.StatusSeeOther, Location: "/b"},
		}

		actx, ca := a.Claim(ctx, "samma-nyckel")
		defer ca.Rollback() // a failed test must not leave A's transaction open
		check(t, a.InTx(actx, createRound("A")))

		var (
			berr error
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			bctx, cb := b.Claim(context.Background(), "samma-nyckel")
			defer cb.Rollback()
			if berr = b.InTx(bctx, createRound("B")); berr == nil {
				berr = cb.Commit(outcomes["B"])
			}
		}()
		select {
		case <-done:
		case <-time.After(300 * time.Millisecond):
		}
		aerr := ca.Commit(outcomes["A"])
		<-done

		winner, loser, lerr := "A", "B", berr
		if aerr != nil {
			winner, loser, lerr = "B", "A", aerr
			check(t, berr)
		}
		t.Logf("%s stored the key, %s replayed it", winner, loser)
		wantReplay(t, lerr, outcomes[winner])
		if got := roundNames(t, a); !slices.Equal(got, []string{winner}) {
			t.Fatalf("rounds %v, want [%s] only", got, winner)
		}
	})
}

// TestWarm: Warm leaves the connections it opened idle in the pool, never
// more than the pool holds (asking for more must not wait for ever), and
// on SQLite opens nothing.
func TestWarm(t *testing.T) {
	storetest.BothShared(t, 1, store.Options{MaxOpenConns: 3}, func(t *testing.T, stores []*store.Store) {
		st := stores[0]
		before := st.Stats()
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		check(t, st.Warm(ctx, 10))
		after := st.Stats()
		if st.Dialect() != "postgres" {
			if after.Opened != before.Opened {
				t.Fatalf("SQLite: Warm opened %d connections, want none", after.Opened-before.Opened)
			}
			return
		}
		if after.Idle != 3 || after.InUse != 0 || after.Open != 3 {
			t.Fatalf("after Warm(10) on a pool of 3: %d open, %d idle, %d in use; want 3 idle", after.Open, after.Idle, after.InUse)
		}
		// The warmed connections serve the next queries: none is opened.
		for range 5 {
			if _, err := st.Q(ctx).Rounds(); err != nil {
				t.Fatal(err)
			}
		}
		if got := st.Stats().Opened; got != after.Opened {
			t.Fatalf("%d connections opened after Warm, want 0", got-after.Opened)
		}
	})
}
