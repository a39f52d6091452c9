package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/pace"
	"github.com/inventera/inventera/internal/round"
)

// RoundFacts lists the evaluations of a round as a report counts them: ID,
// unit, completeness and, for a complete one, its facts (package facts),
// unit by unit (by unit ID), each unit's in the order they were added,
// without answers or timestamps, each with its exclusion by the review
// (round.Evaluation.Excluded). A draft comes without facts and answers
// (the report only counts it as not sent in); an evaluation the review
// excluded comes with its answers too, as the report lists it by name. A report reads only these: a few dozen
// bytes per evaluation, one column, where decoding every answer cost ten
// times as much (see internal/natgen's BenchmarkReportData).
//
// An evaluation whose facts are missing or unreadable (its answers could
// not be read when it was written, or a newer version wrote them) comes
// with its answers instead, and aggregation reads those.
func (t *Queries) RoundFacts(roundID int64) ([]round.Evaluation, error) {
	db := t.db
	// The round's size, from the index alone, so that the list is
	// allocated once.
	var n int
	if err := db.Raw(`SELECT COUNT(*) FROM evaluations WHERE round_id = ?`, roundID).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("store: count round evaluations: %w", err)
	}
	// The few the review excluded, from their own table rather than by
	// a join on every row: a column less to hand from C to Go per row.
	excluded, err := t.Exclusions(roundID)
	if err != nil {
		return nil, err
	}
	rows, err := db.Raw(roundFactsQuery, roundID).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: list round facts: %w", err)
	}
	defer rows.Close()
	var (
		out     = make([]round.Evaluation, 0, n)
		slab    = make([]facts.Facts, 0, n) // one allocation, not one per evaluation
		missing = map[int64]int{}
		raw     sql.RawBytes
	)
	for rows.Next() {
		if len(out)%pacedRows == pacedRows-1 {
			pace.Point(t.ctx)
		}
		e := round.Evaluation{RoundID: roundID}
		if err := rows.Scan(&e.ID, &e.UnitID, &e.Complete, &raw); err != nil {
			return nil, fmt.Errorf("store: list round facts: %w", err)
		}
		if x, ok := excluded[e.ID]; ok {
			e.Excluded = &x
		}
		if !e.Complete {
			out = append(out, e)
			continue
		}
		if e.Excluded != nil {
			missing[e.ID] = len(out)
		}
		f, err := facts.Decode(raw)
		if err != nil {
			missing[e.ID] = len(out)
		} else {
			if len(slab) == cap(slab) { // evaluations added since the count
				slab = make([]facts.Facts, 0, 64)
			}
			slab = append(slab, f)
			e.Facts = &slab[len(slab)-1]
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list round facts: %w", err)
	}
	if len(missing) > 0 {
		if err := t.answersOf(missing, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// roundFactsQuery is RoundFacts' query. On SQLite it reads the index
// evaluations_round_facts alone (migration 13), not the rows.
const roundFactsQuery = `SELECT id, unit_id, complete, facts FROM evaluations WHERE round_id = ? ORDER BY unit_id, id`

// answersOf fills in the answers of the evaluations whose index in out
// missing gives by ID.
func (t *Queries) answersOf(missing map[int64]int, out []round.Evaluation) error {
	ids := make([]int64, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	keys := map[string]string{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := t.db.Raw(`SELECT id, answers FROM evaluations WHERE id IN ?`, chunk).Rows()
		if err != nil {
			return fmt.Errorf("store: read answers: %w", err)
		}
		for rows.Next() {
			var (
				id  int64
				raw sql.RawBytes
			)
			if err := rows.Scan(&id, &raw); err != nil {
				rows.Close()
				return fmt.Errorf("store: read answers: %w", err)
			}
			a, err := decodeAnswers(raw, keys)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: evaluation %d: decode answers: %w", id, err)
			}
			out[missing[id]].Answers = a
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: read answers: %w", err)
		}
	}
	return nil
}

// factsBatch is how many evaluations deriveMissingFacts updates per
// transaction.
const factsBatch = 500

// deriveMissingFacts derives the facts of the evaluations stored without
// current ones: every evaluation of a database from before the facts
// column (facts_version 0), or all of them when facts.Version changes. It
// runs at Open, after the migrations, in transactions of factsBatch rows,
// so a large database converts without one huge transaction; an instance
// stopped halfway goes on where it stopped. On PostgreSQL each batch takes
// the migration lock, so instances starting together do not both convert.
// Writes keep the facts in step from then on (newEvaluationRow).
func (s *Store) deriveMissingFacts(ctx context.Context) (int, error) {
	var stale []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM evaluations WHERE facts_version < ? LIMIT 1`, facts.Version).Scan(&stale).Error; err != nil {
		return 0, fmt.Errorf("store: derive report facts: %w", err)
	}
	if len(stale) == 0 {
		return 0, nil // no write transaction when there is nothing to do
	}
	total := 0
	for {
		n := 0
		err := s.InTx(ctx, func(tx *Queries) error {
			if s.dialect == "postgres" {
				if err := tx.db.Exec(`SELECT pg_advisory_xact_lock(?)`, migrationLock).Error; err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
			type stale struct {
				ID       int64
				Complete bool
				Answers  string
			}
			var rows []stale
			if err := tx.db.Raw(`SELECT id, complete, answers FROM evaluations WHERE facts_version < ? ORDER BY id LIMIT ?`,
				facts.Version, factsBatch).Scan(&rows).Error; err != nil {
				return err
			}
			keys := map[string]string{}
			for _, r := range rows {
				a, err := decodeAnswers([]byte(r.Answers), keys)
				if err != nil {
					return fmt.Errorf("evaluation %d: decode answers: %w", r.ID, err)
				}
				if err := tx.db.Exec(`UPDATE evaluations SET facts = ?, facts_version = ? WHERE id = ?`,
					deriveFacts(r.Complete, a), facts.Version, r.ID).Error; err != nil {
					return err
				}
			}
			n = len(rows)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: derive report facts: %w", err)
		}
		total += n
		if n < factsBatch {
			return total, nil
		}
	}
}
