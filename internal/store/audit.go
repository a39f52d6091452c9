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
	// EvaluationVersion is, for a change of an evaluation's answers, the
	// version the change made (round.Evaluation.Version after it). Every
	// field it changed has an event with it, and a change of no field one
	// event with Field "", so the answers at an earlier version can be
	// recovered from the later events' old values. nil for other events.
	EvaluationVersion *int64
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

// AuditScope narrows a round's trail to what one reader may see.
type AuditScope struct {
	// UnitID keeps only that unit's events; 0 keeps every unit's.
	UnitID int64
	// Kommun, when set, keeps the events of the kommun's units (shared ones
	// included) and, of the round-level events (no unit), those whose action
	// is in RoundWide, those whose field "kommun" names the kommun, and those
	// Actor recorded.
	Kommun    string
	RoundWide []string
	Actor     string
}

// ScopedAuditTrail lists a round's events within the scope, newest first.
func (t *Queries) ScopedAuditTrail(roundID int64, scope AuditScope, limit int) ([]AuditEvent, error) {
	db := t.db.Where("round_id = ?", roundID)
	if scope.UnitID != 0 {
		db = db.Where("unit_id = ?", scope.UnitID)
	}
	if scope.Kommun != "" {
		roundWide := scope.RoundWide
		if len(roundWide) == 0 {
			roundWide = []string{""}
		}
		db = db.Where(`(unit_id IN (SELECT uk.unit_id FROM unit_kommuner uk JOIN kommuner k ON k.id = uk.kommun_id WHERE k.round_id = ? AND k.name = ?)
 OR (unit_id IS NULL AND (action IN ? OR (field = 'kommun' AND (new_value = ? OR old_value = ?)) OR actor = ?)))`,
			roundID, scope.Kommun, roundWide, scope.Kommun, scope.Kommun, scope.Actor)
	}
	var out []AuditEvent
	if err := db.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: audit trail: %w", err)
	}
	return out, nil
}
