package manage

import (
	"context"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// UnitPage is a unit with its evaluations as staff see it when helping.
func (s *Service) UnitPage(ctx context.Context, actor Actor, unitID int64) (respond.Page, error) {
	var p respond.Page
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := unitFor(q, actor, unitID, false)
		if err != nil {
			return err
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		p = respond.Page{Round: r, Unit: u, Evaluations: evs}
		return nil
	})
	return p, err
}

// UnitEvaluation returns one of a unit's evaluations for staff.
func (s *Service) UnitEvaluation(ctx context.Context, actor Actor, unitID, id int64) (respond.Page, round.Evaluation, error) {
	p, err := s.UnitPage(ctx, actor, unitID)
	if err != nil {
		return respond.Page{}, round.Evaluation{}, err
	}
	for _, e := range p.Evaluations {
		if e.ID == id {
			return p, e, nil
		}
	}
	return respond.Page{}, round.Evaluation{}, apperror.New(apperror.NotFound, "Utvärderingen finns inte.")
}

// SaveOnBehalf lets a projektledare or the samordnare add or correct a
// unit's evaluation while the round is open, whatever the unit has answered
// (the study's project leads typed in dozens for their units). The change is
// audited under the staff member's name. Validation is the form's, as for
// the respondent.
func (s *Service) SaveOnBehalf(ctx context.Context, actor Actor, def *form.Definition, unitID, id int64, in form.Answers, draft bool) (round.Evaluation, form.Errors, error) {
	var (
		answers form.Answers
		errs    form.Errors
	)
	if draft {
		answers, errs = def.Draft(in)
	} else if answers, errs = def.Validate(in, form.ModeForm); len(errs) > 0 {
		return round.Evaluation{ID: id, Answers: in}, errs, nil
	}
	var saved round.Evaluation
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := unitFor(q, actor, unitID, true)
		if err != nil {
			return err
		}
		saved, err = respond.SaveEvaluation(q, r, u.ID, id, answers, !draft, actor.Name(), s.Now())
		return err
	})
	if err != nil {
		return round.Evaluation{}, nil, err
	}
	if !draft {
		errs = nil
	}
	return saved, errs, nil
}

// DeleteOnBehalf removes a unit's evaluation for staff.
func (s *Service) DeleteOnBehalf(ctx context.Context, actor Actor, unitID, id int64) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := unitFor(q, actor, unitID, true)
		if err != nil {
			return err
		}
		e, err := q.Evaluation(u.ID, id)
		if err != nil {
			return err
		}
		if err := q.DeleteEvaluation(u.ID, id); err != nil {
			return err
		}
		ev := event(r.ID, u.ID, s.Now(), actor.Name(), "utvardering_borttagen", "benamning", e.Answers.Get("benamning"), "")
		ev.EvaluationID = &id
		return q.Audit(ev)
	})
}

// UploadOnBehalf stores a unit's filled-in Excel form for staff, all or none.
func (s *Service) UploadOnBehalf(ctx context.Context, actor Actor, def *form.Definition, unitID int64, rows []respond.Row) (int, error) {
	n := 0
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := unitFor(q, actor, unitID, true)
		if err != nil {
			return err
		}
		n, err = respond.SaveRows(q, def, r, u.ID, rows, actor.Name()+" via Excel-formulär", s.Now())
		return err
	})
	return n, err
}

// unitFor loads a unit the actor may see, with its round; with edit set the
// round must still be open.
func unitFor(q *store.Queries, actor Actor, unitID int64, edit bool) (round.Round, round.Unit, error) {
	u, err := q.Unit(unitID)
	if err != nil {
		return round.Round{}, round.Unit{}, err
	}
	if err := actor.requireUnit(u); err != nil {
		return round.Round{}, round.Unit{}, err
	}
	r, err := q.Round(u.RoundID)
	if err != nil {
		return round.Round{}, round.Unit{}, err
	}
	if edit && !r.Editable() {
		return round.Round{}, round.Unit{}, closedRound(r)
	}
	return r, u, nil
}
