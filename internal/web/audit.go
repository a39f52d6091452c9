package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
)

// auditTrail shows who changed what, when, old → new, in words: the whole
// round to the samordnare, their kommun's part to a projektledare (the
// domain decides), optionally narrowed to one unit (?enhet=ID).
func (s *Server) auditTrail(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var unitID int64
	if q := c.QueryParam("enhet"); q != "" {
		if unitID, err = strconv.ParseInt(q, 10, 64); err != nil || unitID <= 0 {
			return apperror.New(apperror.NotFound, "Enheten finns inte.")
		}
	}
	trail, err := s.manage.AuditTrail(c.Request().Context(), actor(c), s.form, id, unitID, 1000)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "audit", view{Title: "Ändringslogg – " + trail.Round.Name, Data: trail})
}

// carryForward creates a new round from this one.
func (s *Server) carryForward(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in := manage.RoundInput{Name: c.FormValue("namn"), HourlyRate: c.FormValue("timkostnad"),
		OpensOn: c.FormValue("startar"), Deadline: c.FormValue("sista_dag")}
	r, err := s.manage.CarryForward(c.Request().Context(), actor(c), id, in)
	if err != nil {
		if code := apperror.Code(err); code == apperror.Invalid || code == apperror.Conflict {
			return s.renderOverview(c, http.StatusUnprocessableEntity, manage.UnitInput{}, apperror.Message(err))
		}
		return err
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(r.ID, 10), "overford")
}

// securityLog shows the samordnare the security log.
func (s *Server) securityLog(c echo.Context) error {
	if !actor(c).Coordinator() {
		return apperror.New(apperror.Forbidden, "Det här får bara samordnaren se.")
	}
	evs, err := s.guard.Events(c.Request().Context(), 1000)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "security", view{Title: "Säkerhetslogg", Data: evs})
}
