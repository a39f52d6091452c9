// Package respond is what can be done to one unit's answer: open its page,
// keep one form per evaluation as a draft or complete (by hand or from the
// unit's Excel form), and answer for the unit as a whole (submit, "inga
// utvärderingar", or decline with a reason) or take that answer back. The
// verksamhetschef does it through the personal link, and staff helping the
// unit do exactly the same through a staff scope (see Scope): one
// implementation, with who acted in the audit trail. Every change runs in
// one transaction with its audit trail, after round.Unit.Allows has said the
// round's state and the unit's answer permit it.
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

// Service carries out the actions on a unit's answer.
type Service struct {
	Store *store.Store
	Form  *form.Definition
	Now   func() time.Time
}

// Page is what a unit's page shows: the unit and its evaluations.
type Page struct {
	Round       round.Round
	Unit        round.Unit
	Evaluations []round.Evaluation
	// The review's questions to the unit and the carried-forward
	// evaluations (review.go): filled by Open.
	review pageReview
}

// Drafts counts the evaluations not yet complete.
func (p Page) Drafts() int {
	n := 0
	for _, e := range p.Evaluations {
		if !e.Complete {
			n++
		}
	}
	return n
}

// Editable tells whether the unit's evaluations may be added, changed,
// deleted or uploaded now.
func (p Page) Editable() bool { return p.Unit.Can(p.Round, round.EditEvaluations) }

// CanSubmit tells whether the unit's list may be sent in now (the list
// itself is checked when it is sent: at least one evaluation, no drafts).
func (p Page) CanSubmit() bool { return p.Unit.Can(p.Round, round.Submit) }

// CanAnswerNone tells whether the unit may answer "inga utvärderingar" now.
func (p Page) CanAnswerNone() bool { return p.Unit.Can(p.Round, round.AnswerNone) }

// CanDecline tells whether the unit may decline now.
func (p Page) CanDecline() bool { return p.Unit.Can(p.Round, round.Decline) }

// CanReopen tells whether the unit's answer may be taken back now.
func (p Page) CanReopen() bool { return p.Unit.Can(p.Round, round.ReopenAnswer) }

// Closed says that nothing in the round can change any more ("" while the
// round's answers may change).
func (p Page) Closed() string {
	if p.Round.Editable() {
		return ""
	}
	return "Omgången är " + strings.ToLower(p.Round.State.Label()) + ". Svaren kan läsas men inte ändras."
}

// Answer says what the unit has answered as a whole ("" before it has).
func (p Page) Answer() string {
	switch p.Unit.Response {
	case round.Submitted:
		return "Enhetens svar är inskickat och räknas i rapporten."
	case round.NoEvaluations:
		return "Enheten har svarat att den inte har genomfört några utvärderingar."
	case round.Declined:
		return "Enheten har avböjt att delta. Skäl: " + p.Unit.Reason
	}
	return ""
}

// Open returns the unit's page. Through the personal link it records the
// link's first use; staff opening the page change nothing. The page is read
// in a reading transaction, which on SQLite does not wait for writers; only
// a link's first use writes.
func (s *Service) Open(ctx context.Context, sc Scope) (Page, error) {
	var p Page
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		p = Page{Round: r, Unit: u, Evaluations: evs}
		return p.loadReview(q)
	})
	if err != nil {
		return Page{}, err
	}
	if sc.link && p.Unit.OpenedAt == nil {
		now := s.Now()
		if err := s.Store.InTx(ctx, func(q *store.Queries) error { return q.TouchUnit(p.Unit.ID, now, true) }); err != nil {
			return Page{}, err
		}
		p.Unit.OpenedAt = &now
	}
	return p, nil
}

// Evaluation returns one of the unit's evaluations.
func (s *Service) Evaluation(ctx context.Context, sc Scope, id int64) (Page, round.Evaluation, error) {
	var (
		p Page
		e round.Evaluation
	)
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		p = Page{Round: r, Unit: u}
		e, err = q.Evaluation(u.ID, id)
		return err
	})
	return p, e, err
}

// Edit is one save of the evaluation form.
type Edit struct {
	ID int64 // the evaluation; 0 adds a new one
	// Version is the version of the evaluation the form was loaded with
	// (round.Evaluation.Version); 0 when it is not known. A save from a
	// stale form is merged or refused (see merge.go).
	Version int64
	Answers form.Answers // as posted
	Draft   bool         // kept as typed; the rules' violations are hints
	// Background is a save the user does not see the outcome of (autosave):
	// the page that sent it goes on showing what it sent. A stale background
	// save is refused whenever someone else changed anything since, as the
	// page would not show their changes and its next save would undo them.
	Background bool
}

// Saved is what a save did.
type Saved struct {
	// Evaluation is the evaluation as stored, with its new version. When a
	// complete save is refused by the rules it holds the answers to show
	// again (what was posted, with others' changes merged in) at the
	// version stored, so that correcting them saves against that version.
	Evaluation round.Evaluation
	// Errors are the rules' violations: for a draft, hints of what is
	// missing; for a complete save, why nothing was stored.
	Errors form.Errors
	// Others are the codes of the fields someone else changed after the
	// form was loaded, which the save kept (form order).
	Others []string
}

// Save stores an evaluation. As a draft, what was typed is kept as it is and
// the rule violations are returned for display; otherwise the answers must
// pass every rule, or nothing is stored and the violations are returned.
//
// An existing evaluation is saved against the version its form was loaded
// with. When someone else saved it since, the changes are merged field by
// field (see merge.go): the fields only they changed keep their values
// (Saved.Others), and if a field was changed on both sides nothing is
// stored and the save is refused with a *ConflictError. An evaluation
// deleted since is refused the same way (Conflict.Deleted), with what was
// posted, so that it can be saved as a new one.
func (s *Service) Save(ctx context.Context, sc Scope, e Edit) (Saved, error) {
	var out Saved
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		if err := u.Allows(r, round.EditEvaluations); err != nil {
			return err
		}
		posted := e.Answers
		var cur round.Evaluation
		if e.ID != 0 {
			if cur, err = q.Evaluation(u.ID, e.ID); err != nil {
				if apperror.Code(err) == apperror.NotFound && e.Version > 0 {
					return newConflictError([]Conflict{{ID: e.ID, Merged: posted, Deleted: true}})
				}
				return err
			}
			var c *Conflict
			if posted, out.Others, c, err = s.reconcile(q, cur, e.Version, posted, e.Background); err != nil {
				return err
			}
			if c != nil {
				return newConflictError([]Conflict{*c})
			}
		}
		var answers form.Answers
		if e.Draft {
			answers, out.Errors = s.Form.Draft(posted)
		} else if answers, out.Errors = s.Form.Validate(posted, form.ModeForm); len(out.Errors) > 0 {
			out.Evaluation = round.Evaluation{ID: e.ID, Version: cur.Version, Answers: posted}
			return nil
		}
		now := s.Now()
		if out.Evaluation, err = saveEvaluation(q, r, u.ID, cur, answers, !e.Draft, sc.Actor(), now); err != nil {
			return err
		}
		return q.TouchUnit(u.ID, now, false)
	})
	if err != nil {
		return Saved{}, err
	}
	return out, nil
}

// saveEvaluation writes an evaluation and its field-by-field audit trail in
// q: a new one when prev.ID is 0, else over prev (as read in q, at its
// version). Every event carries the version the write made, so that the
// answers at an earlier version can be recovered (answersAt).
func saveEvaluation(q *store.Queries, r round.Round, unitID int64, prev round.Evaluation, answers form.Answers, complete bool, actor string, now time.Time) (round.Evaluation, error) {
	e := round.Evaluation{ID: prev.ID, RoundID: r.ID, UnitID: unitID, Complete: complete, Answers: answers, UpdatedAt: now}
	var old form.Answers
	action := "utvardering_andrad"
	if prev.ID == 0 {
		e.CreatedAt = now
		created, err := q.CreateEvaluation(e)
		if err != nil {
			return round.Evaluation{}, err
		}
		e = created
		action = "utvardering_ny"
	} else {
		old = prev.Answers
		e.CreatedAt = prev.CreatedAt
		e.Version = prev.Version
		v, err := q.UpdateEvaluation(e)
		if err != nil {
			return round.Evaluation{}, err
		}
		e.Version = v
	}
	var events []store.AuditEvent
	for code := range union(old, answers) {
		if old.Get(code) != answers.Get(code) {
			events = append(events, auditEvent(r.ID, unitID, e.ID, now, actor, action, code, old.Get(code), answers.Get(code)))
		}
	}
	if len(events) == 0 {
		events = append(events, auditEvent(r.ID, unitID, e.ID, now, actor, action, "", "", ""))
	}
	for i := range events {
		events[i].EvaluationVersion = &e.Version
	}
	sortEvents(events)
	return e, q.Audit(events...)
}

// Delete removes one of the unit's evaluations. version is the version the
// person saw when they chose to delete it (0: not known): if the
// evaluation has been saved since, in another tab or by someone else,
// nothing is deleted, so that nobody throws away changes they have not
// seen.
func (s *Service) Delete(ctx context.Context, sc Scope, id, version int64) error {
	return s.change(ctx, sc, round.EditEvaluations, func(q *store.Queries, r round.Round, u round.Unit, now time.Time) error {
		e, err := q.Evaluation(u.ID, id)
		if err != nil {
			return err
		}
		if savedSince(e, version) {
			return apperror.New(apperror.Conflict, "”%s” har sparats med ändringar sedan du öppnade sidan, så den togs inte bort. Öppna utvärderingen och se ändringarna; vill du fortfarande ta bort den kan du göra det därifrån.", e.Title())
		}
		if err := q.DeleteEvaluation(u.ID, id); err != nil {
			return err
		}
		return q.Audit(auditEvent(r.ID, u.ID, id, now, sc.Actor(), "utvardering_borttagen", "benamning", e.Answers.Get("benamning"), ""))
	})
}

// Submit sends in the unit's list: it must hold at least one evaluation and
// every one must be complete. Only a submitted list counts in the report.
func (s *Service) Submit(ctx context.Context, sc Scope) error {
	return s.respond(ctx, sc, round.Submitted, "", func(evs []round.Evaluation) error {
		if len(evs) == 0 {
			return apperror.New(apperror.Invalid, "Det finns inga utvärderingar att skicka in. Lägg till minst en, eller svara att enheten inte har några utvärderingar.")
		}
		var drafts []string
		for _, e := range evs {
			if !e.Complete {
				drafts = append(drafts, "”"+e.Title()+"”")
			}
		}
		if len(drafts) > 0 {
			return apperror.New(apperror.Invalid, "Några utvärderingar är utkast och behöver fyllas i färdigt innan svaret kan skickas in: %s.", strings.Join(drafts, ", "))
		}
		return nil
	})
}

// NoEvaluations answers that the unit ran no evaluations.
func (s *Service) NoEvaluations(ctx context.Context, sc Scope) error {
	return s.respond(ctx, sc, round.NoEvaluations, "", func(evs []round.Evaluation) error {
		if len(evs) > 0 {
			return apperror.New(apperror.Invalid, "Enheten har %d utvärderingar registrerade. Ta bort dem först om enheten inte har genomfört några utvärderingar.", len(evs))
		}
		return nil
	})
}

// Decline answers that the unit will not take part, with a reason.
func (s *Service) Decline(ctx context.Context, sc Scope, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperror.New(apperror.Invalid, "Skriv varför enheten inte deltar; det redovisas i rapporten.")
	}
	if len([]rune(reason)) > 1000 {
		return apperror.New(apperror.Invalid, "Skälet är för långt: högst 1000 tecken.")
	}
	return s.respond(ctx, sc, round.Declined, reason, func([]round.Evaluation) error { return nil })
}

// Reopen takes back the unit's answer so that it can be changed while the
// round is open. The evaluations are kept. Taking back an answer that was
// already taken back (a second click) changes nothing.
func (s *Service) Reopen(ctx context.Context, sc Scope) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		if !u.Answered() {
			return r.Allows(round.ReopenAnswer)
		}
		if err := u.Allows(r, round.ReopenAnswer); err != nil {
			return err
		}
		now := s.Now()
		if err := q.SetUnitResponse(u.ID, round.NoResponse, "", now); err != nil {
			return err
		}
		return q.Audit(auditEvent(r.ID, u.ID, 0, now, sc.Actor(), "svar_ateroppnat", "svar", string(u.Response), ""))
	})
}

// change runs a change of the unit's evaluations in one transaction, after
// the round rules have allowed the action, and records the activity.
func (s *Service) change(ctx context.Context, sc Scope, a round.Action, fn func(q *store.Queries, r round.Round, u round.Unit, now time.Time) error) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		if err := u.Allows(r, a); err != nil {
			return err
		}
		now := s.Now()
		if err := fn(q, r, u, now); err != nil {
			return err
		}
		return q.TouchUnit(u.ID, now, false)
	})
}

func (s *Service) respond(ctx context.Context, sc Scope, resp round.Response, reason string, check func([]round.Evaluation) error) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := sc.load(q)
		if err != nil {
			return err
		}
		if err := u.Allows(r, answerAction(resp)); err != nil {
			return err
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		if err := check(evs); err != nil {
			return err
		}
		now := s.Now()
		if err := q.SetUnitResponse(u.ID, resp, reason, now); err != nil {
			return err
		}
		return q.Audit(auditEvent(r.ID, u.ID, 0, now, sc.Actor(), "svar_"+string(resp), "svar", "", strings.TrimSpace(string(resp)+" "+reason)))
	})
}

// answerAction is the action that gives the unit the response.
func answerAction(resp round.Response) round.Action {
	switch resp {
	case round.NoEvaluations:
		return round.AnswerNone
	case round.Declined:
		return round.Decline
	}
	return round.Submit
}
