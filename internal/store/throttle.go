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
	row, exists, err := t.lockThrottle(key, now)
	if err != nil {
		return 0, time.Time{}, err
	}
	if now.Sub(row.WindowStart) >= window {
		row.WindowStart, row.Hits = now, 0
	}
	row.Hits++
	if row.Hits >= limit && (row.LockedUntil == nil || !row.LockedUntil.After(now)) {
		until := now.Add(lockFor)
		row.LockedUntil = &until
	}
	if err := t.saveThrottle(row, exists); err != nil {
		return 0, time.Time{}, err
	}
	return row.Hits, row.lockedAt(now), nil
}

// Backoff counts one failure for key and locks the key for a delay that
// grows with each failure from the free-th on: base at the free-th, then
// 2·base, 4·base … never longer than maxDelay. Its window slides: window_start
// holds the latest failure, and the count starts over once quiet has passed
// since both the latest failure and the end of its lock. It returns the
// count, until when the key is locked (zero when not) and the delay of the
// lock this failure set (zero when it set none). Run it inside InTx (see
// Hit).
func (t *Queries) Backoff(key string, now time.Time, free int, base, maxDelay, quiet time.Duration) (int, time.Time, time.Duration, error) {
	row, exists, err := t.lockThrottle(key, now)
	if err != nil {
		return 0, time.Time{}, 0, err
	}
	last := row.WindowStart
	if row.LockedUntil != nil && row.LockedUntil.After(last) {
		last = *row.LockedUntil
	}
	if now.Sub(last) >= quiet {
		row.Hits, row.LockedUntil = 0, nil
	}
	row.WindowStart = now
	row.Hits++
	var delay time.Duration
	if row.Hits >= free {
		delay = base
		for i := free; i < row.Hits && delay < maxDelay; i++ {
			delay *= 2
		}
		delay = min(delay, maxDelay)
		until := now.Add(delay)
		if row.LockedUntil == nil || until.After(*row.LockedUntil) {
			row.LockedUntil = &until
		}
	}
	if err := t.saveThrottle(row, exists); err != nil {
		return 0, time.Time{}, 0, err
	}
	return row.Hits, row.lockedAt(now), delay, nil
}

// lockThrottle reads key's row for an update in this transaction; a key
// never counted gives a row with no hits whose window starts now. On
// PostgreSQL the row is created if missing and locked (FOR UPDATE), so
// exists is then always true.
func (t *Queries) lockThrottle(key string, now time.Time) (throttleRow, bool, error) {
	db := t.db
	if t.postgres {
		if err := t.db.Exec(`INSERT INTO throttle (key, window_start, hits) VALUES (?, ?, 0) ON CONFLICT (key) DO NOTHING`,
			key, now).Error; err != nil {
			return throttleRow{}, false, fmt.Errorf("store: throttle: %w", err)
		}
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row throttleRow
	err := db.Where("key = ?", key).First(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return throttleRow{Key: key, WindowStart: now}, false, nil
	case err != nil:
		return throttleRow{}, false, fmt.Errorf("store: throttle: %w", err)
	}
	return row, true, nil
}

// saveThrottle writes back a row from lockThrottle.
func (t *Queries) saveThrottle(row throttleRow, exists bool) error {
	var err error
	if exists {
		err = t.db.Model(&throttleRow{}).Where("key = ?", row.Key).Updates(map[string]any{
			"window_start": row.WindowStart, "hits": row.Hits, "locked_until": row.LockedUntil}).Error
	} else {
		err = t.db.Create(&row).Error
	}
	if err != nil {
		return fmt.Errorf("store: throttle: %w", err)
	}
	return nil
}

// lockedAt is until when the row is locked at now; zero when it is not.
func (r throttleRow) lockedAt(now time.Time) time.Time {
	if r.LockedUntil != nil && r.LockedUntil.After(now) {
		return *r.LockedUntil
	}
	return time.Time{}
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
	return row.lockedAt(now), nil
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
	Kind    string // inloggning, inloggning_misslyckad, konto_last, klient_strypt, lank_okand, lank_strypt, lank_aterkallad, csrf_nekad
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
