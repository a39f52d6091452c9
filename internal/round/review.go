package round

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/apperror"
)

// The working group's review of what came in (design §5, "Review"): after
// a unit has sent in its list, the samordnare or the kommun's projektledare
// may rule an evaluation out of the study's scope, with a reason, or ask the
// unit a question about it, which the verksamhetschef answers (or corrects
// the evaluation) and the reviewer closes. What may happen when is decided
// in rules.go.

// Exclusion records that an evaluation is out of the study's scope
// ("utanför avgränsningen").
type Exclusion struct {
	Reason string
	By     string // who excluded it, as the audit trail names them
	At     time.Time
}

// Question is a reviewer's question to a unit about one of its evaluations.
type Question struct {
	ID           int64
	RoundID      int64
	UnitID       int64
	EvaluationID int64
	AskedBy      string
	Text         string
	AskedAt      time.Time
	Answer       string
	AnsweredBy   string
	AnsweredAt   *time.Time // nil until answered
	ClosedBy     string
	ClosedAt     *time.Time // nil while open
}

// Open tells whether the question still awaits the reviewer's closing.
func (q Question) Open() bool { return q.ClosedAt == nil }

// Answered tells whether the unit has answered the question in words.
func (q Question) Answered() bool { return q.AnsweredAt != nil }

// Status is the question's state in words.
func (q Question) Status() string {
	switch {
	case !q.Open():
		return "Avslutad"
	case q.Answered():
		return "Besvarad"
	}
	return "Väntar på svar"
}

// Limits of the review's texts, in characters.
const (
	MaxReasonLength   = 1000
	MaxQuestionLength = 2000
)

// ExclusionReason checks the reason for ruling an evaluation out of scope:
// it is required, as the report's methods note gives it.
func ExclusionReason(s string) (string, error) {
	return reviewText(s, MaxReasonLength, "Skriv varför utvärderingen ligger utanför avgränsningen; skälet redovisas i rapportens metodavsnitt.", "Skälet")
}

// QuestionText checks a question to a unit.
func QuestionText(s string) (string, error) {
	return reviewText(s, MaxQuestionLength, "Skriv frågan till enheten.", "Frågan")
}

// AnswerText checks a unit's answer to a question.
func AnswerText(s string) (string, error) {
	return reviewText(s, MaxQuestionLength, "Skriv ett svar på frågan, eller rätta utvärderingen.", "Svaret")
}

func reviewText(s string, max int, empty, what string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "":
		return "", apperror.New(apperror.Invalid, "%s", empty)
	case !utf8.ValidString(s):
		return "", apperror.New(apperror.Invalid, "%s innehåller ogiltiga tecken.", what)
	case utf8.RuneCountInString(s) > max:
		return "", apperror.New(apperror.Invalid, "%s är för långt: högst %d tecken.", what, max)
	}
	return s, nil
}
