package guard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

// clock is the injected Now: tests move it by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newGuard(t *testing.T) (*guard.Guard, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2009, 11, 2, 8, 0, 0, 0, time.UTC)}
	return &guard.Guard{Store: storetest.MustOpen(t), Policy: guard.DefaultPolicy(), Now: c.now}, c
}

func kinds(t *testing.T, g *guard.Guard) map[string]int {
	t.Helper()
	evs, err := g.Events(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range evs {
		out[e.Kind]++
	}
	return out
}

// refused tells whether CheckLogin refuses, failing the test on any error
// other than the throttle's.
func refused(t *testing.T, g *guard.Guard, email, client string) bool {
	t.Helper()
	err := g.CheckLogin(ctx, email, client)
	if err != nil && apperror.Code(err) != apperror.TooMany {
		t.Fatalf("CheckLogin(%s, %s): %v", email, client, err)
	}
	return err != nil
}

func fail(t *testing.T, g *guard.Guard, email, client string) {
	t.Helper()
	if err := g.LoginFailed(ctx, email, client); err != nil {
		t.Fatal(err)
	}
}

const (
	account  = "samordnare@borlange.se"
	attacker = "203.0.113.66"
	owner    = "198.51.100.7"
)

// TestLoginDelayGrows follows one client guessing one account's password:
// five free tries, then waits of 1, 2, 4, 8 and 15 minutes (the cap), each
// ending exactly when it should, on the injected clock.
func TestLoginDelayGrows(t *testing.T) {
	g, c := newGuard(t)
	for i := range 4 {
		fail(t, g, account, attacker)
		if refused(t, g, account, attacker) {
			t.Fatalf("refused after %d failures, want 5 free tries", i+1)
		}
	}
	for i, wait := range []time.Duration{1, 2, 4, 8, 15, 15} {
		wait *= time.Minute
		fail(t, g, account, attacker)
		c.advance(wait - time.Second)
		if !refused(t, g, account, attacker) {
			t.Fatalf("failure %d: let in after %v, want a wait of %v", 5+i, wait-time.Second, wait)
		}
		if refused(t, g, account, owner) {
			t.Fatalf("failure %d: the owner's client is refused too", 5+i)
		}
		c.advance(time.Second)
		if refused(t, g, account, attacker) {
			t.Fatalf("failure %d: still refused after the %v wait", 5+i, wait)
		}
	}
	k := kinds(t, g)
	if k["inloggning_misslyckad"] != 10 || k["konto_last"] != 6 {
		t.Errorf("security log = %v, want 10 failures and 6 waits", k)
	}
}

func TestLoginWaitMessage(t *testing.T) {
	g, c := newGuard(t)
	for range 5 {
		fail(t, g, account, attacker)
	}
	c.advance(10 * time.Second)
	err := g.CheckLogin(ctx, account, attacker)
	if got, want := apperror.Message(err), "Vänta 1 minut och"; !strings.Contains(got, want) {
		t.Errorf("message %q, want it to contain %q", got, want)
	}
}

// TestStrangerCannotLockOwnerOut: an attack from one client neither keeps the
// owner out nor is reset by the owner's login.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	g, c := newGuard(t)
	for range 12 {
		fail(t, g, account, attacker)
	}
	if !refused(t, g, account, attacker) {
		t.Fatal("the attacking client is let in")
	}
	if refused(t, g, account, owner) {
		t.Fatal("the owner's client is refused during the attack")
	}
	if err := g.LoginSucceeded(ctx, account, owner); err != nil {
		t.Fatal(err)
	}
	if !refused(t, g, account, attacker) {
		t.Fatal("the owner's login let the attacker in again")
	}
	// The owner's own typos do not add to the attacker's count, nor its to theirs.
	for range 4 {
		fail(t, g, account, owner)
	}
	if refused(t, g, account, owner) {
		t.Fatal("four typos refused the owner")
	}
	// A login from a client clears that client's count.
	c.advance(15 * time.Minute)
	if err := g.LoginSucceeded(ctx, account, attacker); err != nil {
		t.Fatal(err)
	}
	fail(t, g, account, attacker)
	if refused(t, g, account, attacker) {
		t.Fatal("one failure after a login refused the client")
	}
}

// TestClientThrottledAcrossAccounts: 20 failures from one client, one per
// account, refuse that client for every account for 15 minutes.
func TestClientThrottledAcrossAccounts(t *testing.T) {
	g, c := newGuard(t)
	for i := range 20 {
		if refused(t, g, "x@example.se", attacker) {
			t.Fatalf("refused after %d failures", i)
		}
		fail(t, g, fmt.Sprintf("konto%d@example.se", i), attacker)
	}
	for _, email := range []string{"konto0@example.se", "ny@example.se", account} {
		if !refused(t, g, email, attacker) {
			t.Errorf("%s: the client is let in after 20 failures", email)
		}
		if refused(t, g, email, owner) {
			t.Errorf("%s: another client is refused", email)
		}
	}
	if k := kinds(t, g); k["klient_strypt"] != 1 || k["konto_last"] != 0 {
		t.Errorf("security log = %v, want one throttled client and no account waits", k)
	}
	c.advance(15 * time.Minute)
	if refused(t, g, account, attacker) {
		t.Error("still refused after 15 minutes")
	}
}

// TestLinkGuesses: 20 misses from a client throttle it for links, others not.
func TestLinkGuesses(t *testing.T) {
	g, c := newGuard(t)
	for i := range 20 {
		if err := g.CheckLinkClient(ctx, attacker); err != nil {
			t.Fatalf("refused after %d misses: %v", i, err)
		}
		if err := g.LinkMiss(ctx, attacker); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.CheckLinkClient(ctx, attacker); apperror.Code(err) != apperror.TooMany {
		t.Errorf("after 20 misses: %v, want too many", err)
	}
	if err := g.CheckLinkClient(ctx, owner); err != nil {
		t.Errorf("another client: %v", err)
	}
	if k := kinds(t, g); k["lank_okand"] != 19 || k["lank_strypt"] != 1 {
		t.Errorf("security log = %v", k)
	}
	c.advance(15 * time.Minute)
	if err := g.CheckLinkClient(ctx, attacker); err != nil {
		t.Errorf("after the lock: %v", err)
	}
}
