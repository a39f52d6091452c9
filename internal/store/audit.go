package store

import (
	"fmt"
	"time"
)

// AuditEvent is one recorded change: who, when, what, old → new.
type AuditEvent struct {
	ID           int64 `gorm:"primaryKey"`
	At           time.Time
	Actor        string
	RoundID      *int64
	UnitID       *int64
	EvaluationID *int64
	Action       string
	Field        string
	OldValue     string
	NewValue     string
}

func (AuditEvent) TableName() string { return "audit_events" }

// Audit records events in the transaction, so a change and its trail land
// together or not at all.
func (t *Queries) Audit(events ...AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := t.db.CreateInBatches(events, 200).Error; err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditTrail lists a round's events, newest first.
func (t *Queries) AuditTrail(roundID int64, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	if err := t.db.Where("round_id = ?", roundID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: audit trail: %w", err)
	}
	return out, nil
}
