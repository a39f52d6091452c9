package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/staff"
)

// Staff helping a unit ("hjälp på distans"): the same pages as the personal
// link, under /admin/enheter/:unit, with the change audited in their name.

func (s *Server) staffView(c echo.Context, p respond.Page) unitView {
	sess := c.Get("session").(*staff.Session)
	return unitView{Base: "/admin/enheter/" + strconv.FormatInt(p.Unit.ID, 10), Page: p,
		CanEdit: p.Round.Editable(), Staff: true, CSRF: sess.CSRF}
}

func (s *Server) staffUnitPage(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	p, err := s.manage.UnitPage(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	admin, err := s.manage.UnitAdmin(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	v := s.staffView(c, p)
	v.Admin = &admin
	return s.render(c, http.StatusOK, "unit", view{Title: p.Unit.Name, Notice: notice(c), Data: v})
}

func (s *Server) staffNewEvaluation(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	p, err := s.manage.UnitPage(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	return s.renderForm(c, http.StatusOK, s.newFormView(s.staffView(c, p)))
}

func (s *Server) staffEditEvaluation(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.manage.UnitEvaluation(c.Request().Context(), actor(c), unitID, id)
	if err != nil {
		return err
	}
	return s.renderForm(c, http.StatusOK, s.editFormView(s.staffView(c, p), e))
}

func (s *Server) staffCreateEvaluation(c echo.Context) error { return s.staffSave(c, 0) }

func (s *Server) staffUpdateEvaluation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.staffSave(c, id)
}

func (s *Server) staffSave(c echo.Context, id int64) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	in, err := s.postedAnswers(c)
	if err != nil {
		return err
	}
	draft := c.FormValue("atgard") == "utkast"
	saved, errs, err := s.manage.SaveOnBehalf(c.Request().Context(), actor(c), s.form, unitID, id, in, draft)
	if err != nil {
		return err
	}
	base := "/admin/enheter/" + strconv.FormatInt(unitID, 10)
	if c.Request().Header.Get("X-Autosave") == "1" {
		return c.JSON(http.StatusOK, map[string]any{"id": saved.ID, "action": base + "/u/" + strconv.FormatInt(saved.ID, 10)})
	}
	if !draft && len(errs) > 0 {
		p, err := s.manage.UnitPage(c.Request().Context(), actor(c), unitID)
		if err != nil {
			return err
		}
		return s.renderForm(c, http.StatusUnprocessableEntity, refusedFormView(s.staffView(c, p), id, in, errs))
	}
	if draft {
		return redirect(c, base, "utkast")
	}
	return redirect(c, base, "sparad")
}

func (s *Server) staffConfirmDelete(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, e, err := s.manage.UnitEvaluation(c.Request().Context(), actor(c), unitID, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "delete", view{Title: "Ta bort utvärdering",
		Data: formView{unitView: s.staffView(c, p), Evaluation: e}})
}

func (s *Server) staffDeleteEvaluation(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.manage.DeleteOnBehalf(c.Request().Context(), actor(c), unitID, id); err != nil {
		return err
	}
	return redirect(c, "/admin/enheter/"+strconv.FormatInt(unitID, 10), "borttagen")
}
