package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

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
// excluded comes with its answers too, as the report lists it by name. A
// report reads only these: a few dozen bytes per evaluation, where
// decoding every answer cost ten times as much (see internal/natgen's
// BenchmarkReportData).
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
	// a join on every row.
	excluded, err := t.Exclusions(roundID)
	if err != nil {
		return nil, err
	}
	query := unitFactsSQLite
	if t.postgres {
		query = unitFactsPostgres
	}
	rows, err := db.Raw(query, roundID).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: list round facts: %w", err)
	}
	defer rows.Close()
	u := unitFacts{
		roundID:  roundID,
		excluded: excluded,
		out:      make([]round.Evaluation, 0, n),
		slab:     make([]facts.Facts, 0, n), // one allocation, not one per evaluation
	}
	for rows.Next() {
		if err := rows.Scan(&u.unitID, &u.ids, &u.complete, &u.lengths, &u.facts); err != nil {
			return nil, fmt.Errorf("store: list round facts: %w", err)
		}
		before := len(u.out)
		if err := u.add(); err != nil {
			return nil, fmt.Errorf("store: list round facts: unit %d: %w", u.unitID, err)
		}
		if len(u.out)/pacedRows != before/pacedRows {
			pace.Point(t.ctx)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list round facts: %w", err)
	}
	// Those the report needs the answers of: the excluded (listed by
	// name) and any whose facts could not be read.
	missing := map[int64]int{}
	for i, e := range u.out {
		if e.Complete && (e.Facts == nil || e.Excluded != nil) {
			missing[e.ID] = i
		}
	}
	if len(missing) > 0 {
		if err := t.answersOf(missing, u.out); err != nil {
			return nil, err
		}
	}
	return u.out, nil
}

// The queries of RoundFacts return one row per unit: its ID, its
// evaluations' IDs (comma-separated), completeness ('1' or '0' each), the
// byte length of their facts (comma-separated) and the facts one after
// the other. A row per unit rather than per evaluation, because handing a
// row from the database to Go costs more than the row's bytes: at 290 000
// evaluations (13 000 units) the list took 0.43–0.52 s, the rows by unit
// 0.17–0.21 s. Both are listed in ID order: on SQLite by the index
// evaluations_round_facts (migration 13), which the query reads alone, not
// the rows, and which the aggregates read in order (an ORDER BY in each
// aggregate would sort every unit again, and cost as much as the rows);
// unitFacts.add puts a unit's evaluations in order if it ever gets them
// otherwise.
const (
	unitFactsSQLite = `SELECT unit_id, group_concat(id, ','), group_concat(complete, ''),
	group_concat(ifnull(length(CAST(facts AS BLOB)), 0), ','), CAST(group_concat(ifnull(facts, x''), '') AS BLOB)
FROM evaluations WHERE round_id = ? GROUP BY unit_id ORDER BY unit_id`
	unitFactsPostgres = `SELECT unit_id, string_agg(id::text, ',' ORDER BY id), string_agg(complete::int::text, '' ORDER BY id),
	string_agg(coalesce(length(facts), 0)::text, ',' ORDER BY id), string_agg(coalesce(facts, ''::bytea), ''::bytea ORDER BY id)
FROM evaluations WHERE round_id = ? GROUP BY unit_id ORDER BY unit_id`
)

// unitFacts turns the rows of RoundFacts' query into evaluations.
type unitFacts struct {
	roundID  int64
	excluded map[int64]round.Exclusion
	out      []round.Evaluation
	slab     []facts.Facts

	// The row being read.
	unitID                        int64
	ids, complete, lengths, facts sql.RawBytes
}

// errUnpairedLists: a row of lists (RoundFacts, EvaluationLineage) that do
// not pair up; a defect, not data.
var errUnpairedLists = errors.New("malformed row of lists")

// add appends the evaluations of the row read.
func (u *unitFacts) add() error {
	// One string for all of the unit's facts: the titles decoded from it
	// are parts of it, not a string each.
	all := string(u.facts)
	ids, lengths := u.ids, u.lengths
	start := len(u.out)
	for _, c := range u.complete {
		var id, size int64
		var ok bool
		if id, ids, ok = nextNumber(ids); !ok {
			return errUnpairedLists
		}
		if size, lengths, ok = nextNumber(lengths); !ok || size > int64(len(all)) {
			return errUnpairedLists
		}
		e := round.Evaluation{ID: id, RoundID: u.roundID, UnitID: u.unitID, Complete: c == '1'}
		if x, ok := u.excluded[id]; ok {
			e.Excluded = &x
		}
		piece := all[:size]
		all = all[size:]
		if e.Complete {
			// Missing or unreadable facts leave e.Facts nil, and
			// RoundFacts reads the answers instead.
			if len(u.slab) == cap(u.slab) { // evaluations added since the count
				u.slab = make([]facts.Facts, 0, 64)
			}
			u.slab = u.slab[:len(u.slab)+1]
			f := &u.slab[len(u.slab)-1]
			var err error
			if *f, err = facts.DecodeString(piece); err == nil {
				e.Facts = f
			} else {
				u.slab = u.slab[:len(u.slab)-1]
			}
		}
		u.out = append(u.out, e)
	}
	if len(ids) != 0 || len(lengths) != 0 || len(all) != 0 {
		return errUnpairedLists
	}
	own := u.out[start:]
	if !slices.IsSortedFunc(own, byID) {
		slices.SortFunc(own, byID)
	}
	return nil
}

func byID(a, b round.Evaluation) int { return cmp.Compare(a.ID, b.ID) }

// nextNumber reads a non-negative decimal number up to the next comma.
func nextNumber(b []byte) (n int64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && b[i] != ','; i++ {
		c := b[i]
		if c < '0' || c > '9' || i >= 18 {
			return 0, b, false
		}
		n = n*10 + int64(c-'0')
	}
	if i == 0 {
		return 0, b, false
	}
	if i < len(b) {
		i++ // the comma
	}
	return n, b[i:], true
}

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
