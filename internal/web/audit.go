package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

type auditView struct {
	Round  round.Round
	Events []store.AuditEvent
}

// auditTrail shows the samordnare who changed what, when, old → new.
func (s *Server) auditTrail(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.manage.Round(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	evs, err := s.manage.AuditTrail(c.Request().Context(), actor(c), id, 1000)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "audit", view{Title: "Ändringslogg – " + r.Name, Data: auditView{Round: r, Events: evs}})
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
