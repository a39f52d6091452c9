package store

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

type evaluationRow struct {
	ID           int64 `gorm:"primaryKey"`
	RoundID      int64
	UnitID       int64
	Complete     bool
	Answers      string // JSON object code → canonical value
	Facts        []byte // facts.Encode of a complete evaluation's answers; nil for a draft
	FactsVersion int    // the facts.Version that wrote Facts
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64 // see round.Evaluation.Version
}

func (evaluationRow) TableName() string { return "evaluations" }

func (r evaluationRow) domain() (round.Evaluation, error) {
	var a form.Answers
	if err := json.Unmarshal([]byte(r.Answers), &a); err != nil {
		return round.Evaluation{}, fmt.Errorf("store: evaluation %d: decode answers: %w", r.ID, err)
	}
	if a == nil {
		a = form.Answers{}
	}
	return round.Evaluation{ID: r.ID, RoundID: r.RoundID, UnitID: r.UnitID, Complete: r.Complete,
		Answers: a, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}, nil
}

func encodeAnswers(a form.Answers) (string, error) {
	if a == nil {
		a = form.Answers{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("store: encode answers: %w", err)
	}
	return string(b), nil
}

// newEvaluationRow is the row of an evaluation: its answers and, in the
// same row, the facts a report reads of them.
func newEvaluationRow(e round.Evaluation) (evaluationRow, error) {
	js, err := encodeAnswers(e.Answers)
	if err != nil {
		return evaluationRow{}, err
	}
	return evaluationRow{RoundID: e.RoundID, UnitID: e.UnitID, Complete: e.Complete, Answers: js,
		Facts: deriveFacts(e.Complete, e.Answers), FactsVersion: facts.Version,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: 1}, nil
}

// deriveFacts is the facts column of an evaluation: the encoded facts of a
// complete one; nil for a draft, which no report counts, and for answers
// that facts.From cannot read (a report counting that evaluation reads its
// answers instead, and says what is wrong with them).
func deriveFacts(complete bool, a form.Answers) []byte {
	if !complete {
		return nil
	}
	f, err := facts.From(a)
	if err != nil {
		return nil
	}
	return facts.Encode(nil, &f)
}

// CreateEvaluation stores a new evaluation and returns it with its ID, at
// version 1.
func (t *Queries) CreateEvaluation(e round.Evaluation) (round.Evaluation, error) {
	row, err := newEvaluationRow(e)
	if err != nil {
		return round.Evaluation{}, err
	}
	if err := t.db.Create(&row).Error; err != nil {
		return round.Evaluation{}, fmt.Errorf("store: create evaluation: %w", err)
	}
	e.ID, e.Version = row.ID, row.Version
	return e, nil
}

// UpdateEvaluation replaces an evaluation's answers and completeness if it
// is still at e.Version (the version the caller read), and returns the new
// version, one more. Every write goes through here, so every write advances
// the version. An evaluation changed since e.Version was read is refused
// with apperror.Conflict and nothing is written; one that does not exist
// (or is another unit's) is NotFound.
func (t *Queries) UpdateEvaluation(e round.Evaluation) (int64, error) {
	row, err := newEvaluationRow(e)
	if err != nil {
		return 0, err
	}
	res := t.db.Model(&evaluationRow{}).Where("id = ? AND unit_id = ? AND version = ?", e.ID, e.UnitID, e.Version).
		Updates(map[string]any{"answers": row.Answers, "complete": row.Complete, "facts": row.Facts,
			"facts_version": row.FactsVersion, "updated_at": e.UpdatedAt, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return 0, fmt.Errorf("store: update evaluation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := t.Evaluation(e.UnitID, e.ID); err != nil {
			return 0, err
		}
		return 0, apperror.New(apperror.Conflict, "Utvärderingen har ändrats av någon annan under tiden. Öppna den igen och gör om ändringen.")
	}
	return e.Version + 1, nil
}

// EvaluationChanges lists the audit events that record the evaluation's
// changes after version `after`, newest version first: the events that
// carry the version their change made (see AuditEvent.EvaluationVersion).
func (t *Queries) EvaluationChanges(evaluationID, after int64) ([]AuditEvent, error) {
	var out []AuditEvent
	err := t.db.Where("evaluation_id = ? AND evaluation_version > ?", evaluationID, after).
		Order("evaluation_version DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: evaluation changes: %w", err)
	}
	return out, nil
}

// DeleteEvaluation removes one of a unit's evaluations.
func (t *Queries) DeleteEvaluation(unitID, id int64) error {
	res := t.db.Where("id = ? AND unit_id = ?", id, unitID).Delete(&evaluationRow{})
	if res.Error != nil {
		return fmt.Errorf("store: delete evaluation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "Utvärderingen finns inte.")
	}
	return nil
}

// Evaluation returns one of a unit's evaluations.
func (t *Queries) Evaluation(unitID, id int64) (round.Evaluation, error) {
	var row evaluationRow
	if err := t.db.Where("id = ? AND unit_id = ?", id, unitID).First(&row).Error; err != nil {
		return round.Evaluation{}, notFound(err, "Utvärderingen")
	}
	return row.domain()
}

// UnitEvaluations lists a unit's evaluations in the order they were added.
func (t *Queries) UnitEvaluations(unitID int64) ([]round.Evaluation, error) {
	var rows []evaluationRow
	if err := t.db.Where("unit_id = ?", unitID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list evaluations: %w", err)
	}
	return decodeEvaluations(rows)
}

// RoundEvaluations lists every evaluation of a round.
func (t *Queries) RoundEvaluations(roundID int64) ([]round.Evaluation, error) {
	var rows []evaluationRow
	if err := t.db.Where("round_id = ?", roundID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list round evaluations: %w", err)
	}
	return decodeEvaluations(rows)
}

// EvaluationCounts returns the number of evaluations per unit of a round.
func (t *Queries) EvaluationCounts(roundID int64) (map[int64]int, error) {
	type count struct {
		UnitID int64
		N      int
	}
	var cs []count
	if err := t.db.Raw(`SELECT unit_id, COUNT(*) AS n FROM evaluations WHERE round_id = ? GROUP BY unit_id`, roundID).Scan(&cs).Error; err != nil {
		return nil, fmt.Errorf("store: count evaluations: %w", err)
	}
	out := make(map[int64]int, len(cs))
	for _, c := range cs {
		out[c.UnitID] = c.N
	}
	return out, nil
}

func decodeEvaluations(rows []evaluationRow) ([]round.Evaluation, error) {
	out := make([]round.Evaluation, len(rows))
	for i, r := range rows {
		e, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// CreateEvaluations stores many evaluations in batches (an import), each at
// version 1.
func (t *Queries) CreateEvaluations(es []round.Evaluation) error {
	rows := make([]evaluationRow, len(es))
	for i, e := range es {
		row, err := newEvaluationRow(e)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	if len(rows) == 0 {
		return nil
	}
	if err := t.db.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("store: create evaluations: %w", err)
	}
	return nil
}

// EvaluationsByID returns the round's evaluations with the IDs that still
// exist, by ID.
func (t *Queries) EvaluationsByID(roundID int64, ids []int64) (map[int64]round.Evaluation, error) {
	out := make(map[int64]round.Evaluation, len(ids))
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		var rows []evaluationRow
		if err := t.db.Where("round_id = ? AND id IN ?", roundID, batch).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: evaluations by id: %w", err)
		}
		evs, err := decodeEvaluations(rows)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			out[e.ID] = e
		}
	}
	return out, nil
}
