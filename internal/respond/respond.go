// Package respond is the verksamhetschef's side of a round: opening the
// personal link, keeping one form per evaluation as a draft or complete,
// and answering for the unit as a whole (submit, "inga utvärderingar", or
// decline with a reason). Every change runs in one transaction with its audit
// trail, after checking that the link is live and the round still open.
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

// Service carries out the respondent's actions.
type Service struct {
	Store *store.Store
	Form  *form.Definition
	Now   func() time.Time
}

// Page is what a personal link shows: the unit and its evaluations.
type Page struct {
	Round       round.Round
	Unit        round.Unit
	Evaluations []round.Evaluation
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

// Editable tells whether the unit may still change its answers.
func (p Page) Editable() bool {
	return p.Unit.Can(p.Round, round.EditEvaluations)
}

// resolve finds the live link's unit and round inside q. An unknown or
// revoked token is marked apperror.BadToken, so that only it counts as
// guessing links.
func resolve(q *store.Queries, token string) (round.Round, round.Unit, error) {
	missing := apperror.BadToken(apperror.New(apperror.NotFound, "Länken finns inte. Kontrollera att du har kopierat hela länken från e-postmeddelandet."))
	if !round.PlausibleToken(token) {
		return round.Round{}, round.Unit{}, missing
	}
	link, err := q.LinkByHash(round.HashToken(token))
	if err != nil {
		if apperror.Code(err) == apperror.NotFound {
			return round.Round{}, round.Unit{}, missing
		}
		return round.Round{}, round.Unit{}, err
	}
	if link.RevokedAt != nil {
		return round.Round{}, round.Unit{}, apperror.BadToken(apperror.New(apperror.Gone, "Länken har ersatts av en ny. Använd den senaste länken du har fått, eller kontakta din projektledare."))
	}
	u, err := q.Unit(link.UnitID)
	if err != nil {
		return round.Round{}, round.Unit{}, err
	}
	r, err := q.RoundForWrite(u.RoundID)
	if err != nil {
		return round.Round{}, round.Unit{}, err
	}
	return r, u, nil
}

// Open returns the unit's page and records the first opening of the link.
func (s *Service) Open(ctx context.Context, token string) (Page, error) {
	var p Page
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		if u.OpenedAt == nil {
			now := s.Now()
			if err := q.TouchUnit(u.ID, now, true); err != nil {
				return err
			}
			u.OpenedAt = &now
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		p = Page{Round: r, Unit: u, Evaluations: evs}
		return nil
	})
	return p, err
}

// Evaluation returns one of the unit's evaluations.
func (s *Service) Evaluation(ctx context.Context, token string, id int64) (Page, round.Evaluation, error) {
	var (
		p Page
		e round.Evaluation
	)
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		p = Page{Round: r, Unit: u}
		e, err = q.Evaluation(u.ID, id)
		return err
	})
	return p, e, err
}

// Save stores an evaluation (id 0 adds a new one). As a draft, what was
// typed is kept as it is and the rule violations are returned for display;
// otherwise the answers must pass every rule, or nothing is stored and the
// violations are returned.
func (s *Service) Save(ctx context.Context, token string, id int64, in form.Answers, draft bool) (round.Evaluation, form.Errors, error) {
	var (
		answers form.Answers
		errs    form.Errors
	)
	if draft {
		answers, errs = s.Form.Draft(in)
	} else {
		answers, errs = s.Form.Validate(in, form.ModeForm)
		if len(errs) > 0 {
			return round.Evaluation{Answers: in}, errs, nil
		}
	}
	var saved round.Evaluation
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		if err := u.Allows(r, round.EditEvaluations); err != nil {
			return err
		}
		saved, err = SaveEvaluation(q, r, u.ID, id, answers, !draft, "Verksamhetschef via personlig länk", s.Now())
		if err != nil {
			return err
		}
		return q.TouchUnit(u.ID, s.Now(), false)
	})
	if err != nil {
		return round.Evaluation{}, nil, err
	}
	if !draft {
		errs = nil
	}
	return saved, errs, nil
}

// SaveEvaluation writes an evaluation and its field-by-field audit trail in
// q. It is shared by the respondent and by staff helping on a unit's behalf.
func SaveEvaluation(q *store.Queries, r round.Round, unitID, id int64, answers form.Answers, complete bool, actor string, now time.Time) (round.Evaluation, error) {
	e := round.Evaluation{ID: id, RoundID: r.ID, UnitID: unitID, Complete: complete, Answers: answers, UpdatedAt: now}
	var old form.Answers
	action := "utvardering_andrad"
	if id == 0 {
		e.CreatedAt = now
		created, err := q.CreateEvaluation(e)
		if err != nil {
			return round.Evaluation{}, err
		}
		e = created
		action = "utvardering_ny"
	} else {
		prev, err := q.Evaluation(unitID, id)
		if err != nil {
			return round.Evaluation{}, err
		}
		old = prev.Answers
		e.CreatedAt = prev.CreatedAt
		if err := q.UpdateEvaluation(e); err != nil {
			return round.Evaluation{}, err
		}
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
	sortEvents(events)
	return e, q.Audit(events...)
}

// Delete removes one of the unit's evaluations.
func (s *Service) Delete(ctx context.Context, token string, id int64) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		if err := u.Allows(r, round.EditEvaluations); err != nil {
			return err
		}
		e, err := q.Evaluation(u.ID, id)
		if err != nil {
			return err
		}
		if err := q.DeleteEvaluation(u.ID, id); err != nil {
			return err
		}
		return q.Audit(auditEvent(r.ID, u.ID, id, s.Now(), "Verksamhetschef via personlig länk", "utvardering_borttagen", "benamning", e.Answers.Get("benamning"), ""))
	})
}

// Submit sends in the unit's list: it must hold at least one evaluation and
// every one must be complete.
func (s *Service) Submit(ctx context.Context, token string) error {
	return s.respond(ctx, token, round.Submitted, "", func(evs []round.Evaluation) error {
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
func (s *Service) NoEvaluations(ctx context.Context, token string) error {
	return s.respond(ctx, token, round.NoEvaluations, "", func(evs []round.Evaluation) error {
		if len(evs) > 0 {
			return apperror.New(apperror.Invalid, "Enheten har %d utvärderingar registrerade. Ta bort dem först om enheten inte har genomfört några utvärderingar.", len(evs))
		}
		return nil
	})
}

// Decline answers that the unit will not take part, with a reason.
func (s *Service) Decline(ctx context.Context, token, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperror.New(apperror.Invalid, "Skriv varför enheten inte deltar; det redovisas i rapporten.")
	}
	if len([]rune(reason)) > 1000 {
		return apperror.New(apperror.Invalid, "Skälet är för långt: högst 1000 tecken.")
	}
	return s.respond(ctx, token, round.Declined, reason, func([]round.Evaluation) error { return nil })
}

// Reopen takes back the unit's answer so that it can be changed while the
// round is open. The evaluations are kept.
func (s *Service) Reopen(ctx context.Context, token string) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		if err := r.Allows(round.ReopenAnswer); err != nil {
			return err
		}
		if !u.Answered() {
			return nil
		}
		now := s.Now()
		if err := q.SetUnitResponse(u.ID, round.NoResponse, "", now); err != nil {
			return err
		}
		return q.Audit(auditEvent(r.ID, u.ID, 0, now, "Verksamhetschef via personlig länk", "svar_ateroppnat", "svar", string(u.Response), ""))
	})
}

func (s *Service) respond(ctx context.Context, token string, resp round.Response, reason string, check func([]round.Evaluation) error) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
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
		return q.Audit(auditEvent(r.ID, u.ID, 0, now, "Verksamhetschef via personlig länk", "svar_"+string(resp), "svar", "", strings.TrimSpace(string(resp)+" "+reason)))
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
