package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

// unitView is the data of a unit's pages, seen through the personal link or
// by staff helping the unit (then Staff is set and forms carry CSRF).
type unitView struct {
	Base    string // "/l/TOKEN" or "/admin/enheter/ID"
	Page    respond.Page
	CanEdit bool
	Staff   bool
	CSRF    string
}

func linkView(token string, p respond.Page) unitView {
	return unitView{Base: "/l/" + token, Page: p, CanEdit: p.Editable()}
}

// formView is the data of the evaluation form.
type formView struct {
	unitView
	Def        *form.Definition
	Evaluation round.Evaluation
	Answers    form.Answers
	Errors     form.Errors
	Draft      bool // errors are hints for a draft, not a refusal
	Action     string
}

func (s *Server) unitPage(c echo.Context) error {
	token := c.Param("token")
	p, err := s.respond.Open(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unit", view{Title: p.Unit.Name, Notice: notice(c), Data: linkView(token, p)})
}

func (s *Server) newEvaluation(c echo.Context) error {
	token := c.Param("token")
	p, err := s.respond.Open(c.Request().Context(), token)
	if err != nil {
		return err
	}
	if !p.Editable() {
		return apperror.New(apperror.Conflict, "Svaren kan inte ändras just nu: omgången är stängd eller enhetens svar redan inskickat.")
	}
	return s.renderForm(c, http.StatusOK, s.newFormView(linkView(token, p)))
}

func (s *Server) editEvaluation(c echo.Context) error {
	token := c.Param("token")
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.respond.Evaluation(c.Request().Context(), token, id)
	if err != nil {
		return err
	}
	return s.renderForm(c, http.StatusOK, s.editFormView(linkView(token, p), e))
}

func (s *Server) createEvaluation(c echo.Context) error { return s.saveEvaluation(c, 0) }

func (s *Server) updateEvaluation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.saveEvaluation(c, id)
}

// saveEvaluation stores the posted form as a draft ("Spara utkast", and the
// autosave) or as complete ("Spara"). A refused form is shown again with
// everything typed kept and each error beside its field.
func (s *Server) saveEvaluation(c echo.Context, id int64) error {
	token := c.Param("token")
	in, err := s.postedAnswers(c)
	if err != nil {
		return err
	}
	draft := c.FormValue("atgard") == "utkast"
	saved, errs, err := s.respond.Save(c.Request().Context(), token, id, in, draft)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("X-Autosave") == "1" {
		return c.JSON(http.StatusOK, map[string]any{"id": saved.ID,
			"action": "/l/" + token + "/u/" + strconv.FormatInt(saved.ID, 10)})
	}
	if !draft && len(errs) > 0 {
		p, err := s.respond.Open(c.Request().Context(), token)
		if err != nil {
			return err
		}
		return s.renderForm(c, http.StatusUnprocessableEntity, refusedFormView(linkView(token, p), id, in, errs))
	}
	if draft {
		return redirect(c, "/l/"+token, "utkast")
	}
	return redirect(c, "/l/"+token, "sparad")
}

// newFormView is an empty form with the definition's defaults.
func (s *Server) newFormView(u unitView) formView {
	def := form.Answers{}
	for _, f := range s.form.Fields {
		if f.Default != "" {
			def[f.Code] = f.Default
		}
	}
	return formView{unitView: u, Answers: def, Action: u.Base + "/ny"}
}

// editFormView shows a stored evaluation; a draft lists what is missing.
func (s *Server) editFormView(u unitView, e round.Evaluation) formView {
	v := formView{unitView: u, Evaluation: e, Answers: e.Answers, Action: u.Base + "/u/" + strconv.FormatInt(e.ID, 10)}
	if !e.Complete {
		_, v.Errors = s.form.Validate(e.Answers, form.ModeForm)
		v.Draft = true
	}
	return v
}

// refusedFormView shows a refused form again with what was typed.
func refusedFormView(u unitView, id int64, in form.Answers, errs form.Errors) formView {
	action := u.Base + "/ny"
	if id != 0 {
		action = u.Base + "/u/" + strconv.FormatInt(id, 10)
	}
	return formView{unitView: u, Evaluation: round.Evaluation{ID: id}, Answers: in, Errors: errs, Action: action}
}

func (s *Server) renderForm(c echo.Context, status int, v formView) error {
	v.Def = s.form
	title := "Ny utvärdering"
	if v.Evaluation.ID != 0 {
		title = "Ändra utvärdering"
	}
	if len(v.Errors) > 0 && !v.Draft {
		title = "Rätta: " + title
	}
	if !v.CanEdit {
		title = v.Evaluation.Title()
	}
	return s.render(c, status, "evaluation", view{Title: title, Data: v})
}

// postedAnswers reads the form's fields from the request: a multi-choice
// field arrives as several values and is joined.
func (s *Server) postedAnswers(c echo.Context) (form.Answers, error) {
	values, err := c.FormParams()
	if err != nil {
		return nil, apperror.New(apperror.Invalid, "Formuläret kunde inte läsas.")
	}
	a := form.Answers{}
	for _, f := range s.form.Fields {
		vs := values[f.Code]
		if f.Type == form.TypeMulti {
			a[f.Code] = strings.Join(vs, form.MultiSeparator)
		} else if len(vs) > 0 {
			a[f.Code] = vs[0]
		}
	}
	return a, nil
}

func (s *Server) confirmDelete(c echo.Context) error {
	token := c.Param("token")
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.respond.Evaluation(c.Request().Context(), token, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "delete", view{Title: "Ta bort utvärdering",
		Data: formView{unitView: linkView(token, p), Evaluation: e}})
}

func (s *Server) deleteEvaluation(c echo.Context) error {
	token := c.Param("token")
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.respond.Delete(c.Request().Context(), token, id); err != nil {
		return err
	}
	return redirect(c, "/l/"+token, "borttagen")
}

func (s *Server) submitUnit(c echo.Context) error {
	return s.unitAction(c, "inskickad", func(token string) error { return s.respond.Submit(c.Request().Context(), token) })
}

func (s *Server) noEvaluations(c echo.Context) error {
	return s.unitAction(c, "inga", func(token string) error { return s.respond.NoEvaluations(c.Request().Context(), token) })
}

func (s *Server) declineUnit(c echo.Context) error {
	return s.unitAction(c, "avbojt", func(token string) error {
		return s.respond.Decline(c.Request().Context(), token, c.FormValue("orsak"))
	})
}

func (s *Server) reopenUnit(c echo.Context) error {
	return s.unitAction(c, "andra", func(token string) error { return s.respond.Reopen(c.Request().Context(), token) })
}

// unitAction runs an answer for the whole unit; a refusal with a reason the
// user can fix is shown on the unit page itself.
func (s *Server) unitAction(c echo.Context, noticeKey string, act func(token string) error) error {
	token := c.Param("token")
	if err := act(token); err != nil {
		if apperror.Code(err) != apperror.Invalid {
			return err
		}
		p, oerr := s.respond.Open(c.Request().Context(), token)
		if oerr != nil {
			return oerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "unit", view{Title: p.Unit.Name,
			Data: linkView(token, p)}.withError(apperror.Message(err)))
	}
	return redirect(c, "/l/"+token, noticeKey)
}

func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.NotFound, "Sidan finns inte.")
	}
	return id, nil
}
