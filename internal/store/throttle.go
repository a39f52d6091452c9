package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type throttleRow struct {
	Key         string `gorm:"primaryKey"`
	WindowStart time.Time
	Hits        int
	LockedUntil *time.Time
}

func (throttleRow) TableName() string { return "throttle" }

// Hit counts one event for key in a fixed window and returns the count so
// far in the current window, and until when the key is locked (zero when
// not). When the count reaches limit, the key is locked for lockFor. Run it
// inside InTx so concurrent instances count the same row: on PostgreSQL the
// row is created if missing and then locked (FOR UPDATE) until the
// transaction ends, so no hit is lost between reading and writing the count.
func (t *Queries) Hit(key string, now time.Time, window time.Duration, limit int, lockFor time.Duration) (int, time.Time, error) {
	db := t.db
	if t.postgres {
		// A new row counts no hits and its window starts now; the update
		// below counts this one.
		if err := t.db.Exec(`INSERT INTO throttle (key, window_start, hits) VALUES (?, ?, 0) ON CONFLICT (key) DO NOTHING`,
			key, now).Error; err != nil {
			return 0, time.Time{}, fmt.Errorf("store: throttle: %w", err)
		}
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row throttleRow
	err := db.Where("key = ?", key).First(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		row = throttleRow{Key: key, WindowStart: now, Hits: 1}
		if limit <= 1 {
			until := now.Add(lockFor)
			row.LockedUntil = &until
		}
		if err := t.db.Create(&row).Error; err != nil {
			return 0, time.Time{}, fmt.Errorf("store: throttle: %w", err)
		}
	case err != nil:
		return 0, time.Time{}, fmt.Errorf("store: throttle: %w", err)
	default:
		if now.Sub(row.WindowStart) >= window {
			row.WindowStart, row.Hits = now, 0
		}
		row.Hits++
		if row.Hits >= limit && (row.LockedUntil == nil || !row.LockedUntil.After(now)) {
			until := now.Add(lockFor)
			row.LockedUntil = &until
		}
		if err := t.db.Model(&throttleRow{}).Where("key = ?", key).Updates(map[string]any{
			"window_start": row.WindowStart, "hits": row.Hits, "locked_until": row.LockedUntil}).Error; err != nil {
			return 0, time.Time{}, fmt.Errorf("store: throttle: %w", err)
		}
	}
	if row.LockedUntil != nil && row.LockedUntil.After(now) {
		return row.Hits, *row.LockedUntil, nil
	}
	return row.Hits, time.Time{}, nil
}

// LockedUntil tells until when key is locked; zero when it is not.
func (t *Queries) LockedUntil(key string, now time.Time) (time.Time, error) {
	var row throttleRow
	err := t.db.Where("key = ?", key).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: throttle: %w", err)
	}
	if row.LockedUntil != nil && row.LockedUntil.After(now) {
		return *row.LockedUntil, nil
	}
	return time.Time{}, nil
}

// ClearThrottle forgets key (after a successful login).
func (t *Queries) ClearThrottle(key string) error {
	if err := t.db.Where("key = ?", key).Delete(&throttleRow{}).Error; err != nil {
		return fmt.Errorf("store: throttle: %w", err)
	}
	return nil
}

// SecurityEvent is one entry of the security log.
type SecurityEvent struct {
	ID      int64 `gorm:"primaryKey"`
	At      time.Time
	Kind    string // inloggning, inloggning_misslyckad, konto_last, lank_okand, lank_strypt, lank_aterkallad, csrf_nekad
	Subject string // the account or unit concerned
	Client  string // the client's address
	Detail  string
}

func (SecurityEvent) TableName() string { return "security_events" }

// LogSecurity records a security event.
func (t *Queries) LogSecurity(e SecurityEvent) error {
	if err := t.db.Create(&e).Error; err != nil {
		return fmt.Errorf("store: security log: %w", err)
	}
	return nil
}

// SecurityEvents lists the newest events first.
func (t *Queries) SecurityEvents(limit int) ([]SecurityEvent, error) {
	var out []SecurityEvent
	if err := t.db.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: security log: %w", err)
	}
	return out, nil
}
