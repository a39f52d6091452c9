package store

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/pace"
	"github.com/inventera/inventera/internal/round"
)

// pacedRows is how many rows a long read reads between points where a
// report build gives way to queued requests (package pace).
const pacedRows = 1024

// RoundAnswers lists a round's evaluations as a report or an export reads
// them: ID, unit, completeness, answers and exclusion by the review
// (round.Evaluation.Excluded), without timestamps, scanned without gorm's
// reflection (a national round has 30 000).
func (t *Queries) RoundAnswers(roundID int64) ([]round.Evaluation, error) {
	excluded, err := t.Exclusions(roundID)
	if err != nil {
		return nil, err
	}
	rows, err := t.db.Raw(`SELECT id, unit_id, complete, answers FROM evaluations WHERE round_id = ? ORDER BY id`, roundID).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: list round answers: %w", err)
	}
	defer rows.Close()
	var (
		out  []round.Evaluation
		keys = map[string]string{}
		raw  sql.RawBytes
	)
	for rows.Next() {
		e := round.Evaluation{RoundID: roundID}
		if err := rows.Scan(&e.ID, &e.UnitID, &e.Complete, &raw); err != nil {
			return nil, fmt.Errorf("store: list round answers: %w", err)
		}
		if e.Answers, err = decodeAnswers(raw, keys); err != nil {
			return nil, fmt.Errorf("store: evaluation %d: decode answers: %w", e.ID, err)
		}
		if x, ok := excluded[e.ID]; ok {
			e.Excluded = &x
		}
		if out = append(out, e); len(out)%pacedRows == 0 {
			pace.Point(t.ctx)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list round answers: %w", err)
	}
	return out, nil
}

// answersChunk is how many evaluations EvaluationAnswers reads per query.
const answersChunk = 500

// EvaluationAnswers reads the answers of a round's evaluations by ID and
// calls yield once for each, with its index in ids, in no particular
// order; ids must be distinct. It reads answersChunk at a time, so a writer of a round's answers
// (the XLSX report's raw sheets) holds a chunk of them, never the round.
// An ID that is not one of the round's evaluations is an error.
//
// A cancelled context stops it between chunks (on SQLite a statement runs
// to its end, see Store.runUnder).
func (t *Queries) EvaluationAnswers(roundID int64, ids []int64, yield func(i int, a form.Answers) error) error {
	db, ctx := t.db, t.ctx
	index := make(map[int64]int, min(len(ids), answersChunk))
	keys := map[string]string{}
	for start := 0; start < len(ids); start += answersChunk {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: read answers: %w", err)
			}
		}
		pace.Point(ctx)
		chunk := ids[start:min(start+answersChunk, len(ids))]
		clear(index)
		for i, id := range chunk {
			index[id] = start + i
		}
		if err := chunkAnswers(db, roundID, chunk, index, keys, yield); err != nil {
			return err
		}
	}
	return nil
}

func chunkAnswers(db *gorm.DB, roundID int64, chunk []int64, index map[int64]int, keys map[string]string, yield func(int, form.Answers) error) error {
	rows, err := db.Raw(`SELECT id, answers FROM evaluations WHERE round_id = ? AND id IN ?`, roundID, chunk).Rows()
	if err != nil {
		return fmt.Errorf("store: read answers: %w", err)
	}
	defer rows.Close()
	var (
		id   int64
		raw  sql.RawBytes
		seen int
	)
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return fmt.Errorf("store: read answers: %w", err)
		}
		i, ok := index[id]
		if !ok {
			return fmt.Errorf("store: read answers: evaluation %d was not asked for", id)
		}
		a, err := decodeAnswers(raw, keys)
		if err != nil {
			return fmt.Errorf("store: evaluation %d: decode answers: %w", id, err)
		}
		if err := yield(i, a); err != nil {
			return err
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read answers: %w", err)
	}
	if seen != len(index) {
		return fmt.Errorf("store: read answers: %d of %d evaluations are not of round %d", len(index)-seen, len(index), roundID)
	}
	return nil
}

// decodeAnswers reads the flat JSON object of strings encodeAnswers writes.
// Keys are shared through intern (one string per field code for the whole
// round); a value with an escape falls back to encoding/json.
func decodeAnswers(b []byte, intern map[string]string) (form.Answers, error) {
	n := 0
	for _, c := range b {
		if c == ':' {
			n++
		}
	}
	a := make(form.Answers, n)
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return slowAnswers(b)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return a, nil
	}
	for {
		k, j, ok := plainString(b, i)
		if !ok {
			return slowAnswers(b)
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return slowAnswers(b)
		}
		i = skipSpace(b, i+1)
		v, j, ok := plainString(b, i)
		if !ok {
			return slowAnswers(b)
		}
		key, seen := intern[string(k)]
		if !seen {
			key = string(k)
			intern[key] = key
		}
		a[key] = string(v)
		i = skipSpace(b, j)
		if i >= len(b) {
			return slowAnswers(b)
		}
		if b[i] == '}' {
			return a, nil
		}
		if b[i] != ',' {
			return slowAnswers(b)
		}
		i = skipSpace(b, i+1)
	}
}

// plainString returns the contents of the string starting at b[i] when it
// has no escapes.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, j, false
		}
	}
	return nil, len(b), false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func slowAnswers(b []byte) (form.Answers, error) {
	var a form.Answers
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, err
	}
	if a == nil {
		a = form.Answers{}
	}
	return a, nil
}
