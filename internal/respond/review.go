package respond

import (
	"context"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// The unit's side of the working group's review and of the carry-forward:
// the questions a reviewer asked about the unit's evaluations, which the
// verksamhetschef answers in words or by correcting the evaluation; the
// evaluations carried forward from the previous round, which the chef
// confirms, changes or marks as no longer run; and the unit's answers in the
// previous round, to read.

// pageReview is what Open loads beside the unit's evaluations.
type pageReview struct {
	questions    []round.Question
	carried      map[int64]int64 // evaluation ID → the previous round's evaluation it was copied from
	previousUnit int64           // the unit this one continues, 0 when none
}

func (p *Page) loadReview(q *store.Queries) error {
	var err error
	if p.review.questions, err = q.UnitQuestions(p.Unit.ID); err != nil {
		return err
	}
	p.review.carried, p.review.previousUnit, err = q.UnitPageLineage(p.Unit.ID)
	return err
}

// QuestionView is a question with the name of the evaluation it concerns
// and what may be done with it now.
type QuestionView struct {
	round.Question
	Evaluation string // the evaluation's name
	CanAnswer  bool   // the unit may answer it now
	CanCorrect bool   // the unit may correct the evaluation now
}

// OpenQuestions are the review's questions to the unit that are still
// open, oldest first.
func (p Page) OpenQuestions() []QuestionView {
	titles := make(map[int64]round.Evaluation, len(p.Evaluations))
	for _, e := range p.Evaluations {
		titles[e.ID] = e
	}
	var out []QuestionView
	for _, q := range p.review.questions {
		if !q.Open() {
			continue
		}
		e := titles[q.EvaluationID]
		out = append(out, QuestionView{Question: q, Evaluation: e.Title(),
			CanAnswer:  q.Allows(p.Round, round.AnswerQuestion) == nil,
			CanCorrect: p.Unit.AllowsCorrection(p.Round, e, p.openQuestions(e.ID)) == nil})
	}
	return out
}

// ClosedQuestions counts the unit's questions the reviewer has closed.
func (p Page) ClosedQuestions() int {
	n := 0
	for _, q := range p.review.questions {
		if !q.Open() {
			n++
		}
	}
	return n
}

func (p Page) openQuestions(evaluationID int64) int {
	n := 0
	for _, q := range p.review.questions {
		if q.EvaluationID == evaluationID && q.Open() {
			n++
		}
	}
	return n
}

// Carried are the evaluations copied from the previous round that the unit
// has not yet confirmed or changed into complete ones, in list order.
func (p Page) Carried() []round.Evaluation {
	var out []round.Evaluation
	for _, e := range p.Evaluations {
		if _, ok := p.review.carried[e.ID]; ok && !e.Complete {
			out = append(out, e)
		}
	}
	return out
}

// HasPrevious tells whether the unit took part in a previous round whose
// answers it may read.
func (p Page) HasPrevious() bool { return p.review.previousUnit != 0 }

// Answer records the unit's answer, in words, to one of its open questions.
// Answering again replaces the answer, until the reviewer closes it.
func (s *Service) Answer(ctx context.Context, sc Scope, questionID int64, text string) error {
	text, err := round.AnswerText(text)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		qu, err := q.Question(questionID)
		if err != nil || qu.UnitID != u.ID {
			return apperror.New(apperror.NotFound, "Frågan finns inte.")
		}
		if err := qu.Allows(r, round.AnswerQuestion); err != nil {
			return err
		}
		now := s.Now()
		if err := q.AnswerQuestion(qu.ID, text, sc.Actor(), now); err != nil {
			return err
		}
		if err := q.Audit(auditEvent(r.ID, u.ID, qu.EvaluationID, now, sc.Actor(), "fraga_besvarad", "fragesvar", qu.Answer, text)); err != nil {
			return err
		}
		return q.TouchUnit(u.ID, now, false)
	})
}

// Correction returns one of the unit's evaluations to correct: one the
// unit may change now (round.Unit.AllowsCorrection), also after its list
// was sent in when a question about it is open.
func (s *Service) Correction(ctx context.Context, sc Scope, id int64) (Page, round.Evaluation, error) {
	var (
		p Page
		e round.Evaluation
	)
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		p, e, err = correctable(q, sc, id)
		return err
	})
	return p, e, err
}

func correctable(q *store.Queries, sc Scope, id int64) (Page, round.Evaluation, error) {
	r, u, err := sc.load(q)
	if err != nil {
		return Page{}, round.Evaluation{}, err
	}
	e, err := q.Evaluation(u.ID, id)
	if err != nil {
		return Page{}, round.Evaluation{}, err
	}
	qs, err := q.EvaluationQuestions(e.ID)
	if err != nil {
		return Page{}, round.Evaluation{}, err
	}
	p := Page{Round: r, Unit: u, review: pageReview{questions: qs}}
	if err := u.AllowsCorrection(r, e, p.openQuestions(e.ID)); err != nil {
		return Page{}, round.Evaluation{}, err
	}
	return p, e, nil
}

// Correct saves a corrected evaluation. It must pass every rule of the
// form: a corrected evaluation of a sent-in list goes on counting, so it is
// never saved as a draft. The unit's answer stays as it is. A refused form
// returns its violations and stores nothing. version is the version the
// correction form was loaded with (0: not known): a correction of an
// evaluation saved since is merged with that save field by field, as Save
// merges, or refused with a *ConflictError when both changed a field.
func (s *Service) Correct(ctx context.Context, sc Scope, id, version int64, in form.Answers) (round.Evaluation, form.Errors, error) {
	answers, errs := s.Form.Validate(in, form.ModeForm)
	if len(errs) > 0 {
		return round.Evaluation{ID: id, Version: version, Answers: in}, errs, nil
	}
	var saved round.Evaluation
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		p, e, err := correctable(q, sc, id)
		if err != nil {
			return err
		}
		if version > 0 {
			merged, _, c, err := s.reconcile(q, e, version, answers, false)
			if err != nil {
				return err
			}
			if c != nil {
				return newConflictError([]Conflict{*c})
			}
			// The others' changes merged in must pass the rules too.
			if answers, errs = s.Form.Validate(merged, form.ModeForm); len(errs) > 0 {
				saved = round.Evaluation{ID: id, Version: e.Version, Answers: merged}
				return nil
			}
		}
		now := s.Now()
		if saved, err = saveEvaluation(q, p.Round, p.Unit.ID, e, answers, true, sc.Actor(), now); err != nil {
			return err
		}
		if err := q.Audit(auditEvent(p.Round.ID, p.Unit.ID, e.ID, now, sc.Actor(), "utvardering_rattad", "", "", "")); err != nil {
			return err
		}
		return q.TouchUnit(p.Unit.ID, now, false)
	})
	if err != nil {
		return round.Evaluation{}, nil, err
	}
	return saved, errs, nil
}

// carriedDraft loads one of the unit's evaluations carried forward from the
// previous round and not yet confirmed, when the unit may edit its list.
func carriedDraft(q *store.Queries, sc Scope, id int64) (round.Round, round.Unit, round.Evaluation, error) {
	r, u, err := sc.load(q)
	if err != nil {
		return r, u, round.Evaluation{}, err
	}
	if err := u.Allows(r, round.EditEvaluations); err != nil {
		return r, u, round.Evaluation{}, err
	}
	e, err := q.Evaluation(u.ID, id)
	if err != nil {
		return r, u, e, err
	}
	lineage, err := q.UnitEvaluationLineage(u.ID)
	if err != nil {
		return r, u, e, err
	}
	if _, ok := lineage[e.ID]; !ok || e.Complete {
		return r, u, e, apperror.New(apperror.Conflict, "”%s” är ingen utvärdering från förra omgången som väntar på att bekräftas.", e.Title())
	}
	return r, u, e, nil
}

// savedSince tells whether e was saved after a page showed it at version
// (0: not known, and then it was not).
func savedSince(e round.Evaluation, version int64) bool {
	return version > 0 && e.Version != version
}

// unchangedSince refuses a choice made on a page that showed an earlier
// version of e.
func unchangedSince(e round.Evaluation, version int64) error {
	if savedSince(e, version) {
		return apperror.New(apperror.Conflict, "”%s” har ändrats sedan sidan visades, så ingenting är ändrat. Gå tillbaka till enhetens sida, se igenom utvärderingen och välj igen.", e.Title())
	}
	return nil
}

// Confirm accepts an evaluation carried forward from the previous round as
// it stands ("genomförs i år också"): it becomes complete if its answers
// pass every rule of the form; otherwise nothing changes and the
// violations say what to fill in (the caller opens the form). version is
// the version the page showed (0: not known); if it was saved since,
// nothing changes.
func (s *Service) Confirm(ctx context.Context, sc Scope, id, version int64) (form.Errors, error) {
	var errs form.Errors
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, e, err := carriedDraft(q, sc, id)
		if err != nil {
			return err
		}
		if err := unchangedSince(e, version); err != nil {
			return err
		}
		var answers form.Answers
		if answers, errs = s.Form.Validate(e.Answers, form.ModeForm); len(errs) > 0 {
			return nil
		}
		now := s.Now()
		if _, err := saveEvaluation(q, r, u.ID, e, answers, true, sc.Actor(), now); err != nil {
			return err
		}
		if err := q.Audit(auditEvent(r.ID, u.ID, e.ID, now, sc.Actor(), "utvardering_bekraftad", "", "", "")); err != nil {
			return err
		}
		return q.TouchUnit(u.ID, now, false)
	})
	return errs, err
}

// Discontinue removes an evaluation carried forward from the previous
// round that the unit no longer runs ("genomförs inte längre"). The
// previous round keeps it; the comparison counts it as dropped. As
// Confirm, it refuses when the evaluation was saved since the page showed
// version.
func (s *Service) Discontinue(ctx context.Context, sc Scope, id, version int64) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, e, err := carriedDraft(q, sc, id)
		if err != nil {
			return err
		}
		if err := unchangedSince(e, version); err != nil {
			return err
		}
		if err := q.DeleteEvaluation(u.ID, e.ID); err != nil {
			return err
		}
		now := s.Now()
		if err := q.Audit(auditEvent(r.ID, u.ID, e.ID, now, sc.Actor(), "utvardering_upphord", "benamning", e.Answers.Get("benamning"), "")); err != nil {
			return err
		}
		return q.TouchUnit(u.ID, now, false)
	})
}

// PreviousPage is the unit's answer in the previous round, to read.
type PreviousPage struct {
	Current     Page        // the unit's page now (round and unit)
	Round       round.Round // the previous round
	Unit        round.Unit  // the unit as it was then
	Evaluations []round.Evaluation
	Excluded    map[int64]round.Exclusion // the evaluations the review ruled out of scope
}

// Answer says what the unit answered as a whole in the previous round.
func (p PreviousPage) Answer() string {
	switch p.Unit.Response {
	case round.Submitted:
		return "Enheten skickade in sitt svar."
	case round.NoEvaluations:
		return "Enheten svarade att den inte hade genomfört några utvärderingar."
	case round.Declined:
		return "Enheten avböjde att delta. Skäl: " + p.Unit.Reason
	}
	return "Enheten skickade aldrig in något svar; utvärderingarna nedan räknades inte."
}

// ExclusionOf returns why the review ruled the evaluation out of scope, ""
// when it did not.
func (p PreviousPage) ExclusionOf(id int64) string {
	if x, ok := p.Excluded[id]; ok {
		return strings.TrimSpace(x.Reason)
	}
	return ""
}

// Previous returns the unit's answers in the round it was carried forward
// from: read-only, whatever state either round is in.
func (s *Service) Previous(ctx context.Context, sc Scope) (PreviousPage, error) {
	var p PreviousPage
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		p.Current = Page{Round: r, Unit: u}
		prevID, err := q.PreviousUnitID(u.ID)
		if err != nil {
			return err
		}
		if prevID == 0 {
			return apperror.New(apperror.NotFound, "Enheten deltog inte i någon tidigare omgång.")
		}
		if p.Unit, err = q.Unit(prevID); err != nil {
			return err
		}
		if p.Round, err = q.Round(p.Unit.RoundID); err != nil {
			return err
		}
		if p.Evaluations, err = q.UnitEvaluations(prevID); err != nil {
			return err
		}
		all, err := q.Exclusions(p.Round.ID)
		if err != nil {
			return err
		}
		p.Excluded = map[int64]round.Exclusion{}
		for _, e := range p.Evaluations {
			if x, ok := all[e.ID]; ok {
				p.Excluded[e.ID] = x
			}
		}
		return nil
	})
	return p, err
}

// at is the time a question was asked, in Stockholm, for pages.
func at(t time.Time) string { return t.In(round.Stockholm).Format("2006-01-02") }

// AskedOn is the day the question was asked.
func (v QuestionView) AskedOn() string { return at(v.AskedAt) }
