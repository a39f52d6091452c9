// Package guard throttles what an attacker would repeat: guessing personal
// links and passwords. Its counters live in the database, so several
// instances behind a load balancer throttle as one, and it writes the
// security log (logins, failures, lockouts, throttled clients).
package guard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/store"
)

// Policy holds the limits.
type Policy struct {
	LinkMisses int           // unknown or revoked links per client per window before 429
	LinkWindow time.Duration //
	LinkLock   time.Duration //

	// Failed logins count per account and client: after LoginFreeFailures
	// wrong passwords from one client, that client waits LoginDelay before
	// it may try that account again, and twice as long after each further
	// failure, up to LoginMaxDelay. Other clients are not held up, so a
	// stranger guessing cannot lock the owner out. The count is forgotten
	// LoginForget after the last failure and its wait, or at a login.
	LoginFreeFailures int
	LoginDelay        time.Duration
	LoginMaxDelay     time.Duration
	LoginForget       time.Duration

	ClientLoginFails  int           // failed logins per client per window, whatever the account, before 429
	ClientLoginWindow time.Duration //
	ClientLoginLock   time.Duration //
}

// DefaultPolicy is what the service runs with.
func DefaultPolicy() Policy {
	return Policy{
		LinkMisses: 20, LinkWindow: 10 * time.Minute, LinkLock: 15 * time.Minute,
		LoginFreeFailures: 5, LoginDelay: time.Minute, LoginMaxDelay: 15 * time.Minute, LoginForget: 24 * time.Hour,
		ClientLoginFails: 20, ClientLoginWindow: 15 * time.Minute, ClientLoginLock: 15 * time.Minute,
	}
}

// Guard applies the policy.
type Guard struct {
	Store  *store.Store
	Policy Policy
	Now    func() time.Time
}

// minutes is a wait in whole minutes, rounded up, in Swedish.
func minutes(until, now time.Time) string {
	n := int((until.Sub(now) + time.Minute - 1) / time.Minute)
	if n <= 1 {
		return "1 minut"
	}
	return fmt.Sprintf("%d minuter", n)
}

func tooMany(until time.Time, now time.Time) error {
	return apperror.New(apperror.TooMany, "För många misslyckade försök från din anslutning. Vänta %s och försök igen.", minutes(until, now))
}

// accountKey is the throttle key of one account tried from one client. The
// client (an IP address) comes first and holds no "|", so the key is
// unambiguous; an address too long to be an account's is hashed to keep the
// key short.
func accountKey(email, client string) string {
	if len(email) > 254 {
		sum := sha256.Sum256([]byte(email))
		email = "sha256:" + hex.EncodeToString(sum[:])
	}
	return "konto:" + client + "|" + email
}

// CheckLinkClient refuses a client that has guessed too many links.
func (g *Guard) CheckLinkClient(ctx context.Context, client string) error {
	now := g.Now()
	until, err := g.Store.Q(ctx).LockedUntil("lank:"+client, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return tooMany(until, now)
	}
	return nil
}

// LinkMiss counts an unknown link from a client and logs it; the client is
// throttled once it reaches the limit.
func (g *Guard) LinkMiss(ctx context.Context, client string) error {
	now := g.Now()
	return g.Store.InTx(ctx, func(q *store.Queries) error {
		hits, until, err := q.Hit("lank:"+client, now, g.Policy.LinkWindow, g.Policy.LinkMisses, g.Policy.LinkLock)
		if err != nil {
			return err
		}
		kind := "lank_okand"
		if !until.IsZero() && hits == g.Policy.LinkMisses {
			kind = "lank_strypt"
		}
		return q.LogSecurity(store.SecurityEvent{At: now, Kind: kind, Client: client})
	})
}

// CheckLogin refuses a login attempt from a client that has failed too
// often, for any account or for this one. Other clients may still log in to
// the account.
func (g *Guard) CheckLogin(ctx context.Context, email, client string) error {
	now := g.Now()
	q := g.Store.Q(ctx)
	if until, err := q.LockedUntil("klient:"+client, now); err != nil {
		return err
	} else if !until.IsZero() {
		return tooMany(until, now)
	}
	until, err := q.LockedUntil(accountKey(email, client), now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return apperror.New(apperror.TooMany, "För många felaktiga lösenord för det här kontot från din anslutning. Vänta %s och försök igen, eller be samordnaren om ett nytt lösenord.", minutes(until, now))
	}
	return nil
}

// LoginFailed counts a failed login for the account from the client, and
// for the client whatever the account, and logs it: each wait it sets for
// the account ("konto_last", with the wait) and the client's throttling
// ("klient_strypt") too.
func (g *Guard) LoginFailed(ctx context.Context, email, client string) error {
	now := g.Now()
	p := g.Policy
	return g.Store.InTx(ctx, func(q *store.Queries) error {
		hits, _, delay, err := q.Backoff(accountKey(email, client), now, p.LoginFreeFailures, p.LoginDelay, p.LoginMaxDelay, p.LoginForget)
		if err != nil {
			return err
		}
		clientHits, clientUntil, err := q.Hit("klient:"+client, now, p.ClientLoginWindow, p.ClientLoginFails, p.ClientLoginLock)
		if err != nil {
			return err
		}
		events := []store.SecurityEvent{{At: now, Kind: "inloggning_misslyckad", Subject: email, Client: client}}
		if delay > 0 {
			events = append(events, store.SecurityEvent{At: now, Kind: "konto_last", Subject: email, Client: client,
				Detail: fmt.Sprintf("%d felaktiga lösenord från klienten; den väntar %s", hits, minutes(now.Add(delay), now))})
		}
		if !clientUntil.IsZero() && clientHits == p.ClientLoginFails {
			events = append(events, store.SecurityEvent{At: now, Kind: "klient_strypt", Client: client,
				Detail: fmt.Sprintf("%d misslyckade inloggningar", clientHits)})
		}
		for _, e := range events {
			if err := q.LogSecurity(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoginSucceeded clears the account's failures from this client (not from
// others: an attacker elsewhere keeps waiting) and logs the login.
func (g *Guard) LoginSucceeded(ctx context.Context, email, client string) error {
	return g.Store.InTx(ctx, func(q *store.Queries) error {
		if err := q.ClearThrottle(accountKey(email, client)); err != nil {
			return err
		}
		return q.LogSecurity(store.SecurityEvent{At: g.Now(), Kind: "inloggning", Subject: email, Client: client})
	})
}

// Log records another security event (logout, link revocation, CSRF refusal).
func (g *Guard) Log(ctx context.Context, kind, subject, client, detail string) error {
	return g.Store.Q(ctx).LogSecurity(store.SecurityEvent{At: g.Now(), Kind: kind, Subject: subject, Client: client, Detail: detail})
}

// Events lists the newest security events first.
func (g *Guard) Events(ctx context.Context, limit int) ([]store.SecurityEvent, error) {
	return g.Store.Q(ctx).SecurityEvents(limit)
}
