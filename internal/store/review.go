package store

import (
	"fmt"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

// The working group's review: evaluations ruled out of scope
// (review_exclusions, one row per excluded evaluation) and questions to the
// units (review_questions).

type exclusionRow struct {
	EvaluationID int64 `gorm:"primaryKey;autoIncrement:false"`
	RoundID      int64
	Reason       string
	ExcludedBy   string
	ExcludedAt   time.Time
}

func (exclusionRow) TableName() string { return "review_exclusions" }

// Exclude records that an evaluation of the round is out of scope.
func (t *Queries) Exclude(roundID, evaluationID int64, x round.Exclusion) error {
	row := exclusionRow{EvaluationID: evaluationID, RoundID: roundID, Reason: x.Reason, ExcludedBy: x.By, ExcludedAt: x.At}
	if err := t.db.Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			return apperror.New(apperror.Conflict, "Utvärderingen är redan markerad som utanför avgränsningen.")
		}
		return fmt.Errorf("store: exclude evaluation: %w", err)
	}
	return nil
}

// Include removes an evaluation's exclusion.
func (t *Queries) Include(evaluationID int64) error {
	res := t.db.Where("evaluation_id = ?", evaluationID).Delete(&exclusionRow{})
	if res.Error != nil {
		return fmt.Errorf("store: include evaluation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.Conflict, "Utvärderingen är inte markerad som utanför avgränsningen.")
	}
	return nil
}

// Exclusions returns the round's excluded evaluations: evaluation ID → why.
func (t *Queries) Exclusions(roundID int64) (map[int64]round.Exclusion, error) {
	var rows []exclusionRow
	if err := t.db.Where("round_id = ?", roundID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list exclusions: %w", err)
	}
	out := make(map[int64]round.Exclusion, len(rows))
	for _, r := range rows {
		out[r.EvaluationID] = round.Exclusion{Reason: r.Reason, By: r.ExcludedBy, At: r.ExcludedAt}
	}
	return out, nil
}

// Exclusion returns an evaluation's exclusion, nil when it is not excluded.
func (t *Queries) Exclusion(evaluationID int64) (*round.Exclusion, error) {
	var rows []exclusionRow
	if err := t.db.Where("evaluation_id = ?", evaluationID).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: exclusion: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	r := rows[0]
	return &round.Exclusion{Reason: r.Reason, By: r.ExcludedBy, At: r.ExcludedAt}, nil
}

type questionRow struct {
	ID           int64 `gorm:"primaryKey"`
	RoundID      int64
	UnitID       int64
	EvaluationID int64
	AskedBy      string
	Text         string
	AskedAt      time.Time
	Answer       string
	AnsweredBy   string
	AnsweredAt   *time.Time
	ClosedBy     string
	ClosedAt     *time.Time
}

func (questionRow) TableName() string { return "review_questions" }

func (r questionRow) domain() round.Question {
	return round.Question{ID: r.ID, RoundID: r.RoundID, UnitID: r.UnitID, EvaluationID: r.EvaluationID,
		AskedBy: r.AskedBy, Text: r.Text, AskedAt: r.AskedAt, Answer: r.Answer, AnsweredBy: r.AnsweredBy,
		AnsweredAt: r.AnsweredAt, ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt}
}

// CreateQuestion stores a new question and returns it with its ID.
func (t *Queries) CreateQuestion(q round.Question) (round.Question, error) {
	row := questionRow{RoundID: q.RoundID, UnitID: q.UnitID, EvaluationID: q.EvaluationID,
		AskedBy: q.AskedBy, Text: q.Text, AskedAt: q.AskedAt}
	if err := t.db.Create(&row).Error; err != nil {
		return round.Question{}, fmt.Errorf("store: create question: %w", err)
	}
	return row.domain(), nil
}

// Question returns a question by ID.
func (t *Queries) Question(id int64) (round.Question, error) {
	var row questionRow
	if err := t.db.First(&row, id).Error; err != nil {
		return round.Question{}, notFound(err, "Frågan")
	}
	return row.domain(), nil
}

// AnswerQuestion records a unit's answer to an open question; answering
// again replaces the answer.
func (t *Queries) AnswerQuestion(id int64, answer, by string, at time.Time) error {
	res := t.db.Model(&questionRow{}).Where("id = ? AND closed_at IS NULL", id).
		Updates(map[string]any{"answer": answer, "answered_by": by, "answered_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: answer question: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.Conflict, "Frågan är redan avslutad.")
	}
	return nil
}

// CloseQuestion closes an open question.
func (t *Queries) CloseQuestion(id int64, by string, at time.Time) error {
	res := t.db.Model(&questionRow{}).Where("id = ? AND closed_at IS NULL", id).
		Updates(map[string]any{"closed_by": by, "closed_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: close question: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.Conflict, "Frågan är redan avslutad.")
	}
	return nil
}

// RoundQuestions lists a round's questions in the order they were asked.
func (t *Queries) RoundQuestions(roundID int64) ([]round.Question, error) {
	return t.questions("round_id = ?", roundID)
}

// UnitQuestions lists a unit's questions in the order they were asked.
func (t *Queries) UnitQuestions(unitID int64) ([]round.Question, error) {
	return t.questions("unit_id = ?", unitID)
}

// EvaluationQuestions lists an evaluation's questions in the order they
// were asked.
func (t *Queries) EvaluationQuestions(evaluationID int64) ([]round.Question, error) {
	return t.questions("evaluation_id = ?", evaluationID)
}

func (t *Queries) questions(where string, id int64) ([]round.Question, error) {
	var rows []questionRow
	if err := t.db.Where(where, id).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list questions: %w", err)
	}
	out := make([]round.Question, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// KommunQuestionCount is how many open review questions a kommun's units
// have; First counts those of units whose first member kommun it is, so
// that a shared unit's questions are counted once over all kommuner.
type KommunQuestionCount struct {
	KommunID  int64
	Questions int
	First     int
}

// KommunOpenQuestions counts a round's open questions per kommun; kommuner
// without any have no row.
func (t *Queries) KommunOpenQuestions(roundID int64) ([]KommunQuestionCount, error) {
	var out []KommunQuestionCount
	err := t.db.Raw(`SELECT uk.kommun_id, COUNT(*) AS questions,
		SUM(CASE WHEN uk.position = 0 THEN 1 ELSE 0 END) AS first
		FROM review_questions rq JOIN unit_kommuner uk ON uk.unit_id = rq.unit_id
		WHERE rq.round_id = ? AND rq.closed_at IS NULL
		GROUP BY uk.kommun_id`, roundID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: count kommuner's open questions: %w", err)
	}
	return out, nil
}
