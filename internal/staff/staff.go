// Package staff is the staff side's accounts: samordnare, projektledare and
// styrgrupp, with a display name; their passwords (bcrypt), one-time
// passwords that must be changed at the next login, and server-side sessions
// with a CSRF token each. It decides who may create, list, disable and reset
// accounts (the samordnare, or the command line), logs each such change in
// the security log, and matches a projektledare's kommun against the names
// the rounds know, suggesting the nearest ones for a typo.
package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Roles.
const (
	Samordnare    = "samordnare"
	Projektledare = "projektledare"
	Styrgrupp     = "styrgrupp"
)

// SessionLifetime is how long a login lasts without a new login.
const SessionLifetime = 8 * time.Hour

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Service manages accounts and sessions.
type Service struct {
	Store *store.Store
	Now   func() time.Time
}

// Session is a logged-in user with the session's CSRF token.
type Session struct {
	ID    int64 // the session's row, kept when the password changes
	User  store.User
	CSRF  string
	Token string // only set right after login, for the cookie
}

// DisplayName is how the logged-in staff member is named on pages.
func (s Session) DisplayName() string { return DisplayName(s.User) }

// MustChangePassword tells whether the account logged in with a one-time
// password: until it chooses its own, it may do nothing else.
func (s Session) MustChangePassword() bool { return s.User.MustChangePassword }

// Coordinator tells whether the staff member runs the whole network (the
// samordnare): rounds, kommuner, state changes, carry-forward.
func (s Session) Coordinator() bool { return s.User.Role == Samordnare }

// RunsRounds tells whether the staff member works in rounds (samordnare and
// projektledare); the styrgrupp only reads published reports.
func (s Session) RunsRounds() bool { return s.User.Role == Samordnare || s.User.Role == Projektledare }

// ManagesAccounts tells whether the staff member may list, create, disable
// and reset accounts (the samordnare).
func (s Session) ManagesAccounts() bool { return s.User.Role == Samordnare }

// Admin is the logged-in staff member as the one managing accounts.
func (s Session) Admin(client string) Admin {
	return Admin{Email: s.User.Email, Role: s.User.Role, Client: client}
}

// Roles lists the roles an account may have, in the order forms offer them.
func Roles() []string { return []string{Samordnare, Projektledare, Styrgrupp} }

// RoleLabel is the Swedish name of a role.
func RoleLabel(role string) string {
	switch role {
	case Samordnare:
		return "Samordnare"
	case Projektledare:
		return "Projektledare"
	case Styrgrupp:
		return "Styrgrupp"
	}
	return role
}

// Login checks a password and opens a session.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	wrong := apperror.New(apperror.Unauthorized, "Fel e-postadress eller lösenord.")
	u, err := s.Store.Q(ctx).UserByEmail(email)
	if err != nil {
		if apperror.Code(err) == apperror.NotFound {
			// Spend the same time as a real check, so timing does not tell
			// which addresses have accounts.
			bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z1Y2QEJ4G6eH7bOGEG4xPUu."), []byte(password))
			return Session{}, wrong
		}
		return Session{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return Session{}, wrong
	}
	// Only someone who knows the password learns that the account is
	// disabled.
	if u.DisabledAt != nil {
		return Session{}, apperror.New(apperror.Unauthorized, "Kontot är avstängt. Kontakta samordnaren om du behöver komma åt inventera.")
	}
	token := RandomToken(32)
	csrf := RandomToken(32)
	now := s.Now()
	row := store.Session{TokenHash: round.HashToken(token), UserID: u.ID,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if row, err = q.CreateSession(row); err != nil {
			return err
		}
		return q.RecordLogin(u.ID, now)
	})
	if err != nil {
		return Session{}, err
	}
	u.LastLoginAt = &now
	return Session{ID: row.ID, User: u, CSRF: csrf, Token: token}, nil
}

// Authenticate returns the session for a cookie token.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, apperror.New(apperror.Unauthorized, "Du behöver logga in.")
	}
	sess, u, err := s.Store.Q(ctx).SessionUser(round.HashToken(token), s.Now())
	if err != nil {
		if apperror.Code(err) == apperror.NotFound {
			return Session{}, apperror.New(apperror.Unauthorized, "Du behöver logga in.")
		}
		return Session{}, err
	}
	if u.DisabledAt != nil {
		return Session{}, apperror.New(apperror.Unauthorized, "Du behöver logga in.")
	}
	return Session{ID: sess.ID, User: u, CSRF: sess.CSRFToken}, nil
}

// Logout ends the session of a cookie token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.Store.Q(ctx).DeleteSession(round.HashToken(token))
}

// RandomToken returns n random bytes, base64url-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("staff: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
