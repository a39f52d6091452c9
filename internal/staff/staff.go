// Package staff is the staff side's accounts: samordnare, projektledare and
// styrgrupp, their passwords (bcrypt) and server-side sessions with a CSRF
// token each.
package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/mail"
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
	User  store.User
	CSRF  string
	Token string // only set right after login, for the cookie
}

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

// AddUser creates an account. An empty password generates a one-time
// password, which is returned.
func (s *Service) AddUser(ctx context.Context, email, role, kommun, password string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := mail.ParseAddress(email); err != nil || !strings.Contains(email, "@") {
		return "", apperror.New(apperror.Invalid, "”%s” är ingen giltig e-postadress.", email)
	}
	switch role {
	case Samordnare, Styrgrupp:
	case Projektledare:
		if strings.TrimSpace(kommun) == "" {
			return "", apperror.New(apperror.Invalid, "En projektledare måste höra till en kommun (--kommun).")
		}
	default:
		return "", apperror.New(apperror.Invalid, "Okänd roll ”%s”: välj samordnare, projektledare eller styrgrupp.", role)
	}
	if password == "" {
		password = RandomToken(12)
	}
	if len([]rune(password)) < MinPasswordLength {
		return "", apperror.New(apperror.Invalid, "Lösenordet måste ha minst %d tecken.", MinPasswordLength)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", apperror.New(apperror.Invalid, "Lösenordet kan inte användas (högst 72 byte).")
	}
	_, err = s.Store.Q(ctx).CreateUser(store.User{Email: email, PasswordHash: string(hash), Role: role,
		Kommun: strings.TrimSpace(kommun), CreatedAt: s.Now()})
	if err != nil {
		return "", err
	}
	return password, nil
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
	token := RandomToken(32)
	csrf := RandomToken(32)
	now := s.Now()
	err = s.Store.Q(ctx).CreateSession(store.Session{TokenHash: round.HashToken(token), UserID: u.ID,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)})
	if err != nil {
		return Session{}, err
	}
	return Session{User: u, CSRF: csrf, Token: token}, nil
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
	return Session{User: u, CSRF: sess.CSRFToken}, nil
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

// ResetPassword sets a new password for an existing account.
func (s *Service) ResetPassword(ctx context.Context, email, password string) error {
	if len([]rune(password)) < MinPasswordLength {
		return apperror.New(apperror.Invalid, "Lösenordet måste ha minst %d tecken.", MinPasswordLength)
	}
	u, err := s.Store.Q(ctx).UserByEmail(strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return apperror.New(apperror.Invalid, "Lösenordet kan inte användas (högst 72 byte).")
	}
	return s.Store.Q(ctx).SetPassword(u.ID, string(hash))
}
