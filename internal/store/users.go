package store

import (
	"fmt"
	"time"

	"github.com/inventera/inventera/internal/apperror"
)

// User is a staff account (samordnare, projektledare, styrgrupp).
type User struct {
	ID                 int64 `gorm:"primaryKey"`
	Email              string
	Name               string // display name; "" for accounts made before names
	PasswordHash       string
	Role               string
	Kommun             string
	CreatedAt          time.Time
	DisabledAt         *time.Time // set while the account may not log in
	MustChangePassword bool       // a one-time password, to be changed at the next login
	LastLoginAt        *time.Time
}

func (User) TableName() string { return "users" }

// CreateUser stores a staff account.
func (t *Queries) CreateUser(u User) (User, error) {
	if err := t.db.Create(&u).Error; err != nil {
		if isUniqueViolation(err) {
			return User{}, apperror.New(apperror.Conflict, "Det finns redan en användare med e-postadressen %s.", u.Email)
		}
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// UserByEmail finds a staff account by e-mail (stored lower-case).
func (t *Queries) UserByEmail(email string) (User, error) {
	var u User
	if err := t.db.Where("email = ?", email).First(&u).Error; err != nil {
		return User{}, notFound(err, "Användaren")
	}
	return u, nil
}

// UserByID finds a staff account.
func (t *Queries) UserByID(id int64) (User, error) {
	var u User
	if err := t.db.Where("id = ?", id).First(&u).Error; err != nil {
		return User{}, notFound(err, "Kontot")
	}
	return u, nil
}

// Users lists every staff account by e-mail (code point order).
func (t *Queries) Users() ([]User, error) {
	var out []User
	if err := t.db.Order(t.byText("email") + ", id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// SetPassword replaces a user's password hash; mustChange marks it a
// one-time password to be changed at the next login.
func (t *Queries) SetPassword(id int64, hash string, mustChange bool) error {
	if err := t.db.Model(&User{}).Where("id = ?", id).Updates(map[string]any{
		"password_hash": hash, "must_change_password": mustChange}).Error; err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	return nil
}

// SetUserDisabled disables an account from at, or enables it (nil).
func (t *Queries) SetUserDisabled(id int64, at *time.Time) error {
	if err := t.db.Model(&User{}).Where("id = ?", id).Update("disabled_at", at).Error; err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	return nil
}

// RecordLogin notes when an account last logged in.
func (t *Queries) RecordLogin(id int64, at time.Time) error {
	if err := t.db.Model(&User{}).Where("id = ?", id).Update("last_login_at", at).Error; err != nil {
		return fmt.Errorf("store: record login: %w", err)
	}
	return nil
}

// Session is a logged-in staff member's server-side session.
type Session struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	UserID    int64
	CSRFToken string `gorm:"column:csrf_token"`
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (Session) TableName() string { return "sessions" }

// CreateSession stores a session and returns it with its ID.
func (t *Queries) CreateSession(s Session) (Session, error) {
	if err := t.db.Create(&s).Error; err != nil {
		return Session{}, fmt.Errorf("store: create session: %w", err)
	}
	return s, nil
}

// DeleteSession ends a session.
func (t *Queries) DeleteSession(tokenHash string) error {
	if err := t.db.Where("token_hash = ?", tokenHash).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of an account except the one with
// the ID keep (0 keeps none).
func (t *Queries) DeleteUserSessions(userID, keep int64) error {
	if err := t.db.Where("user_id = ? AND id <> ?", userID, keep).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (t *Queries) DeleteExpiredSessions(now time.Time) error {
	return t.db.Where("expires_at <= ?", now).Delete(&Session{}).Error
}
