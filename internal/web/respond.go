package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// A unit's pages are one set of handlers over a unit scope: the
// verksamhetschef's personal link (/l/:token) and staff helping the unit
// (/admin/enheter/:unit) reach the same handlers, which call the same
// domain operations (respond.Service). A small middleware per route group
// says who acts and where the pages live; the domain decides what they may
// do.

// unitScope is who acts on which unit in a request, and where its pages are.
type unitScope struct {
	scope respond.Scope
	base  string // "/l/TOKEN" or "/admin/enheter/ID"
	staff bool   // staff helping the unit: forms carry CSRF, the page shows staff extras
	csrf  string
}

const unitScopeKey = "unitScope"

// linkScope resolves the personal link of /l/:token.
func (s *Server) linkScope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := c.Param("token")
		c.Set(unitScopeKey, unitScope{scope: s.respond.ByLink(token), base: "/l/" + token})
		return next(c)
	}
}

// staffUnitScope resolves /admin/enheter/:unit for the logged-in staff
// member (manage.Actor decides which units they may help).
func (s *Server) staffUnitScope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "unit")
		if err != nil {
			return err
		}
		sc := unitScope{scope: actor(c).UnitScope(id), base: "/admin/enheter/" + strconv.FormatInt(id, 10), staff: true}
		if sess, ok := c.Get("session").(*staff.Session); ok {
			sc.csrf = sess.CSRF
		}
		c.Set(unitScopeKey, sc)
		return next(c)
	}
}

func scopeOf(c echo.Context) unitScope {
	sc, _ := c.Get(unitScopeKey).(unitScope)
	return sc
}

// unitView is the data of a unit's pages, seen through the personal link or
// by staff helping the unit (then Staff is set and forms carry CSRF).
type unitView struct {
	Base  string
	Page  respond.Page
	Staff bool
	CSRF  string
	Admin *manage.UnitAdmin // staff only: details, link, send history
}

// CanEdit tells whether the unit's evaluations may be changed now (round
// rules, through the page).
func (v unitView) CanEdit() bool { return v.Page.Editable() }

func (sc unitScope) view(p respond.Page) unitView {
	return unitView{Base: sc.base, Page: p, Staff: sc.staff, CSRF: sc.csrf}
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
	// Correcting: the evaluation is corrected in answer to a review
	// question (unitreview.go); saved complete only, never as a draft.
	Correcting bool
}

// Editable tells whether the form may be saved now.
func (v formView) Editable() bool { return v.Correcting || v.CanEdit() }

func (s *Server) unitPage(c echo.Context) error {
	sc := scopeOf(c)
	p, err := s.respond.Open(c.Request().Context(), sc.scope)
	if err != nil {
		return err
	}
	v := sc.view(p)
	if sc.staff {
		admin, err := s.manage.UnitAdmin(c.Request().Context(), actor(c), p.Unit.ID)
		if err != nil {
			return err
		}
		v.Admin = &admin
	}
	return s.render(c, http.StatusOK, "unit", view{Title: p.Unit.Name, Notice: s.unitNotice(c), Data: v})
}

func (s *Server) newEvaluation(c echo.Context) error {
	sc := scopeOf(c)
	p, err := s.respond.Open(c.Request().Context(), sc.scope)
	if err != nil {
		return err
	}
	if err := p.Unit.Allows(p.Round, round.EditEvaluations); err != nil {
		return err
	}
	return s.renderForm(c, http.StatusOK, s.newFormView(sc.view(p)))
}

func (s *Server) editEvaluation(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.respond.Evaluation(c.Request().Context(), sc.scope, id)
	if err != nil {
		return err
	}
	return s.renderForm(c, http.StatusOK, s.editFormView(sc.view(p), e))
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
// autosave) or as complete ("Spara"), against the version the form was
// loaded with. A refused form is shown again with everything typed kept and
// each error beside its field; a form someone else changed meanwhile is
// merged by the domain, or refused with the conflict page.
func (s *Server) saveEvaluation(c echo.Context, id int64) error {
	sc := scopeOf(c)
	in, err := s.postedAnswers(c)
	if err != nil {
		return err
	}
	draft := c.FormValue("atgard") == "utkast"
	autosave := c.Request().Header.Get("X-Autosave") == "1"
	saved, err := s.respond.Save(c.Request().Context(), sc.scope, respond.Edit{ID: id, Version: postedVersion(c),
		Answers: in, Draft: draft, Background: autosave})
	var conflict *respond.ConflictError
	if errors.As(err, &conflict) {
		if autosave {
			msg := autosaveConflict
			if conflict.Conflicts[0].Deleted {
				msg = autosaveDeleted
			}
			return c.JSON(http.StatusConflict, map[string]any{"conflict": true, "message": msg})
		}
		return s.renderConflict(c, sc, conflict.Conflicts[0], draft)
	}
	if err != nil {
		return err
	}
	if autosave {
		return c.JSON(http.StatusOK, map[string]any{"id": saved.Evaluation.ID, "version": saved.Evaluation.Version,
			"action": sc.base + "/u/" + strconv.FormatInt(saved.Evaluation.ID, 10)})
	}
	if !draft && len(saved.Errors) > 0 {
		p, err := s.respond.Open(c.Request().Context(), sc.scope)
		if err != nil {
			return err
		}
		return s.renderFormNotice(c, http.StatusUnprocessableEntity, refusedFormView(sc.view(p), saved.Evaluation, saved.Errors),
			s.othersKept(saved.Others, "Ändringar som någon annan gjort under tiden i %s finns med nedan."))
	}
	if len(saved.Others) > 0 {
		key := "forenad" // "Sparad. Ändringar som någon annan gjort under tiden i … finns kvar."
		if draft {
			key = "utkast"
		}
		return redirectMerged(c, sc.base, key, saved.Others)
	}
	if draft {
		return redirect(c, sc.base, "utkast")
	}
	return redirect(c, sc.base, "sparad")
}

// autosaveConflict is what autosave shows when someone else changed the
// evaluation: it stops, and what was typed stays in the form.
const (
	autosaveConflict = "Någon annan har ändrat utvärderingen – ladda om för att se ändringarna; din text finns kvar här"
	autosaveDeleted  = "Någon annan har tagit bort utvärderingen – din text finns kvar här; med Spara kan du spara den som en ny"
)

// postedVersion is the version the posted form was loaded with; 0 when it
// carries none (the domain then treats every difference as a conflict).
func postedVersion(c echo.Context) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(c.FormValue("version")), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
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

// refusedFormView shows a refused form again with what was typed, at the
// version stored (e carries both, see respond.Saved).
func refusedFormView(u unitView, e round.Evaluation, errs form.Errors) formView {
	action := u.Base + "/ny"
	if e.ID != 0 {
		action = u.Base + "/u/" + strconv.FormatInt(e.ID, 10)
	}
	return formView{unitView: u, Evaluation: round.Evaluation{ID: e.ID, Version: e.Version}, Answers: e.Answers, Errors: errs, Action: action}
}

func (s *Server) renderForm(c echo.Context, status int, v formView) error {
	return s.renderFormNotice(c, status, v, "")
}

// renderFormNotice renders the evaluation form with a notice on top.
func (s *Server) renderFormNotice(c echo.Context, status int, v formView, notice string) error {
	v.Def = s.form
	title := "Ny utvärdering"
	if v.Evaluation.ID != 0 {
		title = "Ändra utvärdering"
	}
	if v.Correcting {
		title = "Rätta utvärdering"
	}
	if len(v.Errors) > 0 && !v.Draft {
		title = "Rätta: " + title
	}
	if !v.CanEdit() {
		title = v.Evaluation.Title()
	}
	return s.render(c, status, "evaluation", view{Title: title, Notice: notice, Data: v})
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
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.respond.Evaluation(c.Request().Context(), sc.scope, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "delete", view{Title: "Ta bort utvärdering",
		Data: formView{unitView: sc.view(p), Evaluation: e}})
}

func (s *Server) deleteEvaluation(c echo.Context) error {
	sc := scopeOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.respond.Delete(c.Request().Context(), sc.scope, id, postedVersion(c)); err != nil {
		return err
	}
	return redirect(c, sc.base, "borttagen")
}

func (s *Server) submitUnit(c echo.Context) error {
	return s.unitAction(c, "inskickad", func(sc respond.Scope) error { return s.respond.Submit(c.Request().Context(), sc) })
}

func (s *Server) noEvaluations(c echo.Context) error {
	return s.unitAction(c, "inga", func(sc respond.Scope) error { return s.respond.NoEvaluations(c.Request().Context(), sc) })
}

func (s *Server) declineUnit(c echo.Context) error {
	return s.unitAction(c, "avbojt", func(sc respond.Scope) error {
		return s.respond.Decline(c.Request().Context(), sc, c.FormValue("orsak"))
	})
}

func (s *Server) reopenUnit(c echo.Context) error {
	return s.unitAction(c, "andra", func(sc respond.Scope) error { return s.respond.Reopen(c.Request().Context(), sc) })
}

// unitAction runs an answer for the whole unit; a refusal with a reason the
// user can fix is shown on the unit page itself.
func (s *Server) unitAction(c echo.Context, noticeKey string, act func(respond.Scope) error) error {
	sc := scopeOf(c)
	if err := act(sc.scope); err != nil {
		if apperror.Code(err) != apperror.Invalid {
			return err
		}
		p, oerr := s.respond.Open(c.Request().Context(), sc.scope)
		if oerr != nil {
			return oerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "unit", view{Title: p.Unit.Name,
			Data: sc.view(p)}.withError(apperror.Message(err)))
	}
	return redirect(c, sc.base, noticeKey)
}

func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.NotFound, "Sidan finns inte.")
	}
	return id, nil
}
