package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
)

// inviteView is the page that shows who will get what and asks to
// confirm, and, once sent, who got what.
type inviteView struct {
	Plan           manage.InvitePlan
	Slag           string // the kind of send, as the form posts it
	MailConfigured bool
	Unconfirmed    bool // a send was posted without the confirmed list
	Results        []manage.InviteResult
	Sent           int
	Failed         int
}

// inviteOptions binds the kind of send and the kommun from the request;
// an old form's paminnelse=ja still means a reminder.
func inviteOptions(c echo.Context) (manage.InviteOptions, error) {
	slag := c.FormValue("slag")
	if slag == "" && c.FormValue("paminnelse") == "ja" {
		slag = "paminnelse"
	}
	opt, err := manage.ParseInviteKind(slag)
	opt.Kommun = c.FormValue("kommun")
	return opt, err
}

// invitePreview shows, before anything is sent, what a send would do for
// each unit, and asks to confirm.
func (s *Server) invitePreview(c echo.Context) error {
	return s.renderInvitePreview(c, false)
}

func (s *Server) renderInvitePreview(c echo.Context, unconfirmed bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	opt, err := inviteOptions(c)
	if err != nil {
		return err
	}
	plan, err := s.manage.PlanInvite(c.Request().Context(), actor(c), id, opt)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "invite", view{Title: plan.Kind.Label() + " – kontrollera och bekräfta",
		Data: inviteView{Plan: plan, Slag: string(plan.Kind), MailConfigured: s.mailer != nil, Unconfirmed: unconfirmed}})
}

// invite sends what the confirmed preview listed and shows, per unit, what
// happened. A post without the confirmed list (an old page, a direct
// request) sends nothing and shows the preview instead; a round that is
// not open refuses either way.
func (s *Server) invite(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	opt, err := inviteOptions(c)
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return apperror.New(apperror.Invalid, "Formuläret kunde inte läsas.")
	}
	for _, v := range params["enhet"] {
		unitID, err := strconv.ParseInt(v, 10, 64)
		if err != nil || unitID <= 0 {
			return apperror.New(apperror.Invalid, "Listan över enheter att skriva till kunde inte läsas. Börja om från omgångens sida.")
		}
		opt.Units = append(opt.Units, unitID)
	}
	if opt.Units == nil {
		return s.renderInvitePreview(c, true)
	}
	// The domain writes only to the units the actor may see: a
	// projektledare's own kommun.
	results, err := s.manage.Invite(c.Request().Context(), actor(c), s.mailer, id, opt)
	if err != nil {
		return err
	}
	v := inviteView{Plan: manage.InvitePlan{Kind: opt.Kind()}, Slag: string(opt.Kind()), MailConfigured: true, Results: results}
	v.Plan.Round.ID = id
	for _, r := range results {
		switch {
		case r.Sent:
			v.Sent++
		case r.Failed():
			v.Failed++
		}
	}
	return s.render(c, http.StatusOK, "invited", view{Title: opt.Kind().Label() + " – resultat", Data: v})
}
