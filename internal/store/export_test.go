package store

import (
	"context"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/facts"
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

// OpenAt opens a database migrated to schema version only, as an inventera
// of that version left it (tests of later migrations put data in it, then
// Open it).
func OpenAt(ctx context.Context, opt Options, version int) (*Store, error) {
	return open(ctx, opt, version)
}

// FactsMigration is the schema version that adds the evaluations' facts.
func FactsMigration() int {
	for i, m := range migrations {
		if strings.Contains(m, "ADD COLUMN facts ") {
			return i + 1
		}
	}
	panic("store: no migration adds evaluations.facts")
}

// Exec runs a statement as it is: tests write rows the way an older
// version did.
func Exec(q *Queries, sql string, args ...any) error { return q.db.Exec(sql, args...).Error }

// StaleFacts counts the evaluations whose facts are not derived by the
// current facts.Version.
func StaleFacts(q *Queries) (int, error) {
	var n int
	err := q.db.Raw(`SELECT COUNT(*) FROM evaluations WHERE facts_version < ?`, facts.Version).Scan(&n).Error
	return n, err
}

// FactsColumn returns an evaluation's stored facts (nil when NULL).
func FactsColumn(q *Queries, id int64) ([]byte, error) {
	var b []byte
	err := q.db.Raw(`SELECT facts FROM evaluations WHERE id = ?`, id).Row().Scan(&b)
	return b, err
}

// ReportQueryPlans are SQLite's query plans for what a report reads of a
// round's evaluations, by query (RoundFacts, EvaluationLineage), one line
// per step.
func ReportQueryPlans(q *Queries, roundID int64) (map[string][]string, error) {
	out := map[string][]string{}
	for name, query := range map[string]string{"RoundFacts": unitFactsSQLite, "EvaluationLineage": evaluationLineageSQLite} {
		rows, err := q.db.Raw("EXPLAIN QUERY PLAN "+query, roundID).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				rows.Close()
				return nil, err
			}
			out[name] = append(out[name], detail)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
