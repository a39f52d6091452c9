package store

import "context"

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
