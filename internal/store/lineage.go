package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/inventera/inventera/internal/apperror"
)

// Lineage across rounds: a round carried forward records the round it came
// from (rounds.previous_round_id), and its units and evaluations the ones
// they continue (units.previous_unit_id, evaluations.previous_evaluation_id).

// SetPreviousRound records the round a round was carried forward from.
func (t *Queries) SetPreviousRound(roundID, previousID int64) error {
	if err := t.db.Exec(`UPDATE rounds SET previous_round_id = ? WHERE id = ?`, previousID, roundID).Error; err != nil {
		return fmt.Errorf("store: set previous round: %w", err)
	}
	return nil
}

// PreviousRoundID returns the round a round was carried forward from, 0
// when none.
func (t *Queries) PreviousRoundID(roundID int64) (int64, error) {
	var id sql.NullInt64
	err := t.db.Raw(`SELECT previous_round_id FROM rounds WHERE id = ?`, roundID).Row().Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperror.New(apperror.NotFound, "Omgången finns inte.")
	}
	if err != nil {
		return 0, fmt.Errorf("store: previous round: %w", err)
	}
	return id.Int64, nil
}

// SetUnitLineage records, for each unit ID, the unit it continues.
func (t *Queries) SetUnitLineage(previous map[int64]int64) error {
	return t.setLineage("units", "previous_unit_id", previous)
}

// SetEvaluationLineage records, for each evaluation ID, the evaluation it
// continues.
func (t *Queries) SetEvaluationLineage(previous map[int64]int64) error {
	return t.setLineage("evaluations", "previous_evaluation_id", previous)
}

// setLineage sets a lineage column in batches of one UPDATE each: on
// PostgreSQL joined with a VALUES list, on SQLite by a CASE.
func (t *Queries) setLineage(table, column string, previous map[int64]int64) error {
	ids := make([]int64, 0, len(previous))
	for id := range previous {
		ids = append(ids, id)
	}
	size := 300
	if t.postgres {
		size = 2000
	}
	for start := 0; start < len(ids); start += size {
		batch := ids[start:min(start+size, len(ids))]
		var sb strings.Builder
		args := make([]any, 0, 2*len(batch)+1)
		if t.postgres {
			sb.WriteString(`UPDATE ` + table + ` AS t SET ` + column + ` = v.p FROM (VALUES `)
			for i, id := range batch {
				if i > 0 {
					sb.WriteString(`, `)
				}
				sb.WriteString(`(CAST(? AS BIGINT), CAST(? AS BIGINT))`)
				args = append(args, id, previous[id])
			}
			sb.WriteString(`) AS v(id, p) WHERE t.id = v.id`)
		} else {
			sb.WriteString(`UPDATE ` + table + ` SET ` + column + ` = CASE id`)
			for _, id := range batch {
				sb.WriteString(` WHEN ? THEN ?`)
				args = append(args, id, previous[id])
			}
			sb.WriteString(` END WHERE id IN ?`)
			args = append(args, batch)
		}
		if err := t.db.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("store: set %s: %w", column, err)
		}
	}
	return nil
}

// UnitLineage returns the round's units that continue a unit of an earlier
// round: unit ID → earlier unit ID.
func (t *Queries) UnitLineage(roundID int64) (map[int64]int64, error) {
	return t.lineage(`SELECT id, previous_unit_id FROM units WHERE round_id = ? AND previous_unit_id IS NOT NULL`, roundID)
}

// EvaluationLineage returns the round's evaluations that continue an
// evaluation of an earlier round: evaluation ID → earlier evaluation ID.
//
// The links come a unit per row, as two lists of IDs, for the reason
// RoundFacts' rows do: at 290 000 evaluations a row per link took
// 0.19–0.36 s, a row per unit 0.07–0.08 s. Each row read feeds both lists
// at once, so their IDs pair up in whatever order the database reads them.
func (t *Queries) EvaluationLineage(roundID int64) (map[int64]int64, error) {
	query := evaluationLineageSQLite
	if t.postgres {
		query = evaluationLineagePostgres
	}
	rows, err := t.db.Raw(query, roundID).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: evaluation lineage: %w", err)
	}
	defer rows.Close()
	type link struct{ id, prev int64 }
	var (
		links     []link
		ids, prev sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&ids, &prev); err != nil {
			return nil, fmt.Errorf("store: evaluation lineage: %w", err)
		}
		for len(ids) > 0 || len(prev) > 0 {
			var l link
			var ok1, ok2 bool
			l.id, ids, ok1 = nextNumber(ids)
			l.prev, prev, ok2 = nextNumber(prev)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("store: evaluation lineage: %w", errUnpairedLists)
			}
			links = append(links, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: evaluation lineage: %w", err)
	}
	out := make(map[int64]int64, len(links))
	for _, l := range links {
		out[l.id] = l.prev
	}
	return out, nil
}

// EvaluationLineage's queries. On SQLite it reads the index
// evaluations_round_facts alone (migration 13), not the rows.
const (
	evaluationLineageSQLite = `SELECT group_concat(id, ','), group_concat(previous_evaluation_id, ',')
FROM evaluations WHERE round_id = ? AND previous_evaluation_id IS NOT NULL GROUP BY unit_id`
	evaluationLineagePostgres = `SELECT string_agg(id::text, ','), string_agg(previous_evaluation_id::text, ',')
FROM evaluations WHERE round_id = ? AND previous_evaluation_id IS NOT NULL GROUP BY unit_id`
)

// UnitEvaluationLineage is EvaluationLineage for one unit's evaluations.
func (t *Queries) UnitEvaluationLineage(unitID int64) (map[int64]int64, error) {
	return t.lineage(`SELECT id, previous_evaluation_id FROM evaluations WHERE unit_id = ? AND previous_evaluation_id IS NOT NULL`, unitID)
}

// PreviousUnitID returns the unit a unit continues, 0 when none.
func (t *Queries) PreviousUnitID(unitID int64) (int64, error) {
	m, err := t.lineage(`SELECT id, previous_unit_id FROM units WHERE id = ? AND previous_unit_id IS NOT NULL`, unitID)
	if err != nil {
		return 0, err
	}
	return m[unitID], nil
}

// UnitPageLineage is UnitEvaluationLineage and PreviousUnitID in one round
// trip, for the unit's page: the evaluations carried forward into the unit
// (evaluation ID → its previous), and the unit it continues (0 when none).
func (t *Queries) UnitPageLineage(unitID int64) (map[int64]int64, int64, error) {
	rows, err := t.db.Raw(`SELECT 0, id, previous_unit_id FROM units WHERE id = ? AND previous_unit_id IS NOT NULL
		UNION ALL SELECT 1, id, previous_evaluation_id FROM evaluations WHERE unit_id = ? AND previous_evaluation_id IS NOT NULL`, unitID, unitID).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("store: unit lineage: %w", err)
	}
	defer rows.Close()
	evaluations, previousUnit := map[int64]int64{}, int64(0)
	for rows.Next() {
		var kind, id, prev int64
		if err := rows.Scan(&kind, &id, &prev); err != nil {
			return nil, 0, fmt.Errorf("store: unit lineage: %w", err)
		}
		if kind == 0 {
			previousUnit = prev
		} else {
			evaluations[id] = prev
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: unit lineage: %w", err)
	}
	return evaluations, previousUnit, nil
}

func (t *Queries) lineage(query string, id int64) (map[int64]int64, error) {
	type link struct{ ID, Prev int64 }
	rows, err := t.db.Raw(query, id).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: lineage: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.ID, &l.Prev); err != nil {
			return nil, fmt.Errorf("store: lineage: %w", err)
		}
		out[l.ID] = l.Prev
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: lineage: %w", err)
	}
	return out, nil
}

// SetKommunkod gives a kommun its kommunkod (see round.ParseKommunkod).
func (t *Queries) SetKommunkod(kommunID int64, code string) error {
	err := t.db.Model(&kommunRow{}).Where("id = ?", kommunID).Update("kommunkod", code).Error
	if err != nil {
		if isUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "Kommunkoden %s finns redan i omgången.", code)
		}
		return fmt.Errorf("store: set kommunkod: %w", err)
	}
	return nil
}
