package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
)

// The unit's side of the review and of the carry-forward, on the unit's
// pages (personal link and staff helping alike): answering the working
// group's questions, correcting an evaluation a question is about,
// confirming or dropping last round's evaluations, and reading last round's
// answers.

// answerQuestion stores the unit's answer to one of its open questions.
func (s *Server) answerQuestion(c echo.Context) error {
	id, err := pathID(c, "q")
	if err != nil {
		return err
	}
	return s.unitAction(c, "fragesvar", func(sc respond.Scope) error {
		return s.respond.Answer(c.Request().Context(), sc, id, c.FormValue("svar"))
	})
}

// correctionForm shows an evaluation to correct in answer to a question:
// the form as usual, saved complete only, as the unit's list stays sent in.
func (s *Server) correctionForm(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.respond.Correction(c.Request().Context(), sc.scope, id)
	if err != nil {
		return err
	}
	v := formView{unitView: sc.view(p), Evaluation: e, Answers: e.Answers, Correcting: true,
		Action: sc.base + "/u/" + strconv.FormatInt(e.ID, 10) + "/ratta"}
	return s.renderForm(c, http.StatusOK, v)
}

// correctEvaluation saves the corrected evaluation; a refused form is shown
// again with what was typed and each error beside its field.
func (s *Server) correctEvaluation(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := s.postedAnswers(c)
	if err != nil {
		return err
	}
	action := sc.base + "/u/" + strconv.FormatInt(id, 10) + "/ratta"
	saved, errs, err := s.respond.Correct(c.Request().Context(), sc.scope, id, postedVersion(c), in)
	var conflict *respond.ConflictError
	if errors.As(err, &conflict) {
		return s.renderConflictAt(c, sc, conflict.Conflicts[0], false, action)
	}
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		p, e, err := s.respond.Correction(c.Request().Context(), sc.scope, id)
		if err != nil {
			return err
		}
		// The version the refused form stands on: the one it was loaded
		// with, or the stored one when others' changes were merged in.
		e.Version = saved.Version
		answers := in
		if saved.Answers != nil {
			answers = saved.Answers
		}
		v := formView{unitView: sc.view(p), Evaluation: e, Answers: answers, Errors: errs, Correcting: true, Action: action}
		return s.renderForm(c, http.StatusUnprocessableEntity, v)
	}
	return redirect(c, sc.base, "rattad")
}

// confirmCarried accepts an evaluation carried from the previous round as
// it stands; one that lacks something opens in the form with what is
// missing listed.
func (s *Server) confirmCarried(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	errs, err := s.respond.Confirm(c.Request().Context(), sc.scope, id, postedVersion(c))
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		p, e, err := s.respond.Evaluation(c.Request().Context(), sc.scope, id)
		if err != nil {
			return err
		}
		v := s.editFormView(sc.view(p), e)
		v.Errors, v.Draft = errs, false
		return s.renderForm(c, http.StatusUnprocessableEntity, v)
	}
	return redirect(c, sc.base, "bekraftad")
}

// discontinueCarried removes an evaluation carried from the previous round
// that the unit no longer runs.
func (s *Server) discontinueCarried(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.respond.Discontinue(c.Request().Context(), sc.scope, id, postedVersion(c)); err != nil {
		return err
	}
	return redirect(c, sc.base, "upphord")
}

// previousView is the unit's answer in the previous round, read-only.
type previousView struct {
	unitView
	Previous respond.PreviousPage
	Def      *form.Definition
}

// previousAnswers shows the unit's answers from the previous round.
func (s *Server) previousAnswers(c echo.Context) error {
	sc := scopeOf(c)
	p, err := s.respond.Previous(c.Request().Context(), sc.scope)
	if err != nil {
		return err
	}
	if p.Current.Unit.ID == 0 {
		return apperror.New(apperror.NotFound, "Enheten finns inte.")
	}
	return s.render(c, http.StatusOK, "previous", view{Title: p.Unit.Name + " – " + p.Round.Name,
		Data: previousView{unitView: sc.view(p.Current), Previous: p, Def: s.form}})
}
