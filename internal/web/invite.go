package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
)

type inviteView struct {
	RoundID int64
	Remind  bool
	Results []manage.InviteResult
	Sent    int
	Failed  int
}

// invite sends invitations or reminders from the round page and shows, per
// unit, what happened.
func (s *Server) invite(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if s.mailer == nil {
		return apperror.New(apperror.Conflict, "E-post är inte inställd för tjänsten (INVENTERA_SMTP). Kopiera länkarna från omgångens sida i stället.")
	}
	// The domain writes only to the units the actor may see: a
	// projektledare's own kommun.
	opt := manage.InviteOptions{Remind: c.FormValue("paminnelse") == "ja"}
	results, err := s.manage.Invite(c.Request().Context(), actor(c), s.mailer, id, opt)
	if err != nil {
		return err
	}
	v := inviteView{RoundID: id, Remind: opt.Remind, Results: results}
	for _, r := range results {
		if r.Sent {
			v.Sent++
		} else {
			v.Failed++
		}
	}
	title := "Inbjudningar"
	if opt.Remind {
		title = "Påminnelser"
	}
	return s.render(c, http.StatusOK, "invited", view{Title: title, Data: v})
}
