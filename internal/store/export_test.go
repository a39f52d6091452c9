package store

import (
	"context"
	"time"
)

// MigrationCount is the number of migrations, the schema version a
// migrated database reports.
func MigrationCount() int { return len(migrations) }

// Migrate applies pending migrations again, as Open does.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx) }

// CountRows counts a table's rows (Raw(...).Scan into an int, as the
// store's own counts do).
func CountRows(q *Queries, table string, n *int) error {
	return q.db.Raw("SELECT COUNT(*) FROM " + table).Scan(n).Error
}

// AgeIdempotencyKeys makes every stored idempotency key as old as at says
// and lets the next claim purge expired keys at once.
func (s *Store) AgeIdempotencyKeys(ctx context.Context, at time.Time) error {
	s.lastPurge.Store(0)
	return s.db.WithContext(ctx).Exec(`UPDATE idempotency_keys SET created_at = ?`, at).Error
}
