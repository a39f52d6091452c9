// Package guard throttles what an attacker would repeat: guessing personal
// links and passwords. Its counters live in the database, so several
// instances behind a load balancer throttle as one, and it writes the
// security log (logins, failures, lockouts, throttled clients).
package guard

import (
	"context"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/store"
)

// Policy holds the limits.
type Policy struct {
	LinkMisses       int           // unknown links per client per window before 429
	LinkWindow       time.Duration //
	LinkLock         time.Duration //
	LoginFailures    int           // failed logins per account per window before the account locks
	LoginWindow      time.Duration //
	LoginLock        time.Duration //
	ClientLoginFails int           // failed logins per client per window before 429
}

// DefaultPolicy is what the service runs with.
func DefaultPolicy() Policy {
	return Policy{
		LinkMisses: 20, LinkWindow: 10 * time.Minute, LinkLock: 15 * time.Minute,
		LoginFailures: 5, LoginWindow: 15 * time.Minute, LoginLock: 15 * time.Minute,
		ClientLoginFails: 20,
	}
}

// Guard applies the policy.
type Guard struct {
	Store  *store.Store
	Policy Policy
	Now    func() time.Time
}

func tooMany(until time.Time, now time.Time) error {
	minutes := int(until.Sub(now).Minutes()) + 1
	return apperror.New(apperror.TooMany, "För många misslyckade försök från din anslutning. Vänta %d minuter och försök igen.", minutes)
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

// CheckLogin refuses a login attempt for a locked account or client.
func (g *Guard) CheckLogin(ctx context.Context, email, client string) error {
	now := g.Now()
	q := g.Store.Q(ctx)
	if until, err := q.LockedUntil("klient:"+client, now); err != nil {
		return err
	} else if !until.IsZero() {
		return tooMany(until, now)
	}
	until, err := q.LockedUntil("konto:"+email, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return apperror.New(apperror.TooMany, "Kontot är tillfälligt låst efter för många felaktiga lösenord. Försök igen om %d minuter, eller be samordnaren om ett nytt lösenord.", int(until.Sub(now).Minutes())+1)
	}
	return nil
}

// LoginFailed counts a failed login for the account and the client.
func (g *Guard) LoginFailed(ctx context.Context, email, client string) error {
	now := g.Now()
	p := g.Policy
	return g.Store.InTx(ctx, func(q *store.Queries) error {
		hits, until, err := q.Hit("konto:"+email, now, p.LoginWindow, p.LoginFailures, p.LoginLock)
		if err != nil {
			return err
		}
		if _, _, err := q.Hit("klient:"+client, now, p.LoginWindow, p.ClientLoginFails, p.LoginLock); err != nil {
			return err
		}
		events := []store.SecurityEvent{{At: now, Kind: "inloggning_misslyckad", Subject: email, Client: client}}
		if !until.IsZero() && hits == p.LoginFailures {
			events = append(events, store.SecurityEvent{At: now, Kind: "konto_last", Subject: email, Client: client})
		}
		for _, e := range events {
			if err := q.LogSecurity(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoginSucceeded clears the account's failures and logs the login.
func (g *Guard) LoginSucceeded(ctx context.Context, email, client string) error {
	return g.Store.InTx(ctx, func(q *store.Queries) error {
		if err := q.ClearThrottle("konto:" + email); err != nil {
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
