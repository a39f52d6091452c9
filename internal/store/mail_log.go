package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MailLogEntry records one mail to a unit (invitation, reminder, new link)
// and whether the SMTP server accepted it, or that staff sent the link by
// hand. Pending is a send under way: claimed, not yet answered.
type MailLogEntry struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	UnitID    int64
	At        time.Time
	Kind      string // a round.SendKind
	Recipient string
	SentBy    string
	OK        bool `gorm:"column:ok"`
	Pending   bool
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

// StartMail records a send about to be made (pending) and returns its ID
// for FinishMail.
func (t *Queries) StartMail(e MailLogEntry) (int64, error) {
	e.ID, e.Pending, e.OK = 0, true, false
	if err := t.db.Create(&e).Error; err != nil {
		return 0, fmt.Errorf("store: start mail: %w", err)
	}
	return e.ID, nil
}

// FinishMail records the SMTP server's answer to a pending send.
func (t *Queries) FinishMail(id int64, ok bool, errText string) error {
	err := t.db.Model(&MailLogEntry{}).Where("id = ?", id).
		Updates(map[string]any{"pending": false, "ok": ok, "error": errText}).Error
	if err != nil {
		return fmt.Errorf("store: finish mail: %w", err)
	}
	return nil
}

// LastMailed returns, per unit of the round, when each address last got
// one of the kinds of mail — accepted by the server or being sent now —
// keyed by unit and then by the address in lower case.
func (t *Queries) LastMailed(roundID int64, kinds []string) (map[int64]map[string]time.Time, error) {
	return t.lastMailed(t.db.Where("round_id = ?", roundID), kinds)
}

// LastMailedUnit is LastMailed for one unit.
func (t *Queries) LastMailedUnit(unitID int64, kinds []string) (map[string]time.Time, error) {
	m, err := t.lastMailed(t.db.Where("unit_id = ?", unitID), kinds)
	if err != nil {
		return nil, err
	}
	return m[unitID], nil
}

func (t *Queries) lastMailed(scope *gorm.DB, kinds []string) (map[int64]map[string]time.Time, error) {
	var rows []MailLogEntry
	err := scope.Model(&MailLogEntry{}).Select("unit_id", "recipient", "at").
		Where("kind IN ? AND (ok = ? OR pending = ?)", kinds, true, true).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: last mailed: %w", err)
	}
	out := map[int64]map[string]time.Time{}
	for _, r := range rows {
		byAddr := out[r.UnitID]
		if byAddr == nil {
			byAddr = map[string]time.Time{}
			out[r.UnitID] = byAddr
		}
		addr := strings.ToLower(r.Recipient)
		if r.At.After(byAddr[addr]) {
			byAddr[addr] = r.At
		}
	}
	return out, nil
}

// UnitMailLog lists a unit's sends, newest first.
func (t *Queries) UnitMailLog(unitID int64) ([]MailLogEntry, error) {
	var out []MailLogEntry
	if err := t.db.Where("unit_id = ?", unitID).Order("at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: unit mail log: %w", err)
	}
	return out, nil
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
