package store

import (
	"fmt"
	"time"
)

// MailLogEntry records one invitation or reminder and whether the SMTP
// server accepted it.
type MailLogEntry struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	UnitID    int64
	At        time.Time
	Kind      string // "inbjudan" or "paminnelse"
	Recipient string
	SentBy    string
	OK        bool `gorm:"column:ok"`
	Error     string
}

func (MailLogEntry) TableName() string { return "mail_log" }

// LogMail records a send.
func (t *Queries) LogMail(e MailLogEntry) error {
	if err := t.db.Create(&e).Error; err != nil {
		return fmt.Errorf("store: log mail: %w", err)
	}
	return nil
}

// MailLog lists a round's sends, newest first.
func (t *Queries) MailLog(roundID int64) ([]MailLogEntry, error) {
	var out []MailLogEntry
	if err := t.db.Where("round_id = ?", roundID).Order("id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: mail log: %w", err)
	}
	return out, nil
}

// UsersByRole lists staff accounts with a role.
func (t *Queries) UsersByRole(role string) ([]User, error) {
	var out []User
	if err := t.db.Where("role = ?", role).Order(t.byText("email") + ", id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: users by role: %w", err)
	}
	return out, nil
}
