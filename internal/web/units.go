package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// Correcting a unit (staff): its details, a new link, the link sent by
// hand, deleting it. The domain (manage) decides who may and when.

// unitEditView is the unit's correction form.
type unitEditView struct {
	Admin    manage.UnitAdmin
	Input    manage.UnitInput
	SendLink bool
	Errors   round.UnitProblems // per field
	CSRF     string
	Version  int64 // the unit's version the form was loaded with
}

// Checked tells whether the form has the kommun ticked.
func (v unitEditView) Checked(kommun string) bool {
	for _, k := range v.Input.Kommuner {
		if k == kommun {
			return true
		}
	}
	return false
}

func csrf(c echo.Context) string {
	if sess, ok := c.Get("session").(*staff.Session); ok {
		return sess.CSRF
	}
	return ""
}

func unitPath(id int64) string { return "/admin/enheter/" + strconv.FormatInt(id, 10) }

func (s *Server) editUnit(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	a, err := s.manage.EditableUnit(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	u := a.Unit
	return s.render(c, http.StatusOK, "unitedit", view{Title: "Ändra " + u.Name, Data: unitEditView{Admin: a, CSRF: csrf(c), SendLink: true, Version: u.Version,
		Input: manage.UnitInput{Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade, Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail}}})
}

func (s *Server) updateUnit(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return apperror.New(apperror.Invalid, "Formuläret kunde inte läsas.")
	}
	in := manage.UnitChange{UnitInput: manage.UnitInput{Name: c.FormValue("enhet"), Kommuner: params["kommun"], Omrade: c.FormValue("omrade"),
		Fordelning: c.FormValue("fordelning"), ChefName: c.FormValue("verksamhetschef"), ChefEmail: c.FormValue("epost")},
		SendLink: c.FormValue("skicka_lank") == "ja"}
	in.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	res, err := s.manage.UpdateUnit(c.Request().Context(), actor(c), s.mailer, unitID, in)
	if err != nil {
		code := apperror.Code(err)
		if code != apperror.Invalid && code != apperror.Conflict && code != apperror.Forbidden {
			return err
		}
		a, aerr := s.manage.EditableUnit(c.Request().Context(), actor(c), unitID)
		if aerr != nil {
			return aerr
		}
		// What was typed is kept; after a conflict it is shown against the
		// unit as it is now, so saving again is a choice made knowingly.
		v := unitEditView{Admin: a, Input: in.UnitInput, SendLink: in.SendLink, CSRF: csrf(c), Version: in.Version}
		if code == apperror.Conflict {
			v.Version = a.Unit.Version
		}
		errors.As(err, &v.Errors)
		return s.render(c, statusOf[code], "unitedit", view{Title: "Ändra " + a.Unit.Name, Data: v}.withError(apperror.Message(err)))
	}
	notice := "uppgifter"
	switch {
	case res.Mail != nil && res.Mail.Sent:
		notice = "uppgifter-lank"
	case res.Mail != nil:
		notice = "uppgifter-ej-lank"
	}
	return redirect(c, unitPath(unitID), notice)
}

func (s *Server) confirmNewLink(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	a, err := s.manage.EditableUnit(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "newlink", view{Title: "Ny länk för " + a.Unit.Name,
		Data: unitEditView{Admin: a, CSRF: csrf(c), SendLink: a.Unit.ChefEmail != "" && s.mailer != nil}})
}

func (s *Server) newLink(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	res, err := s.manage.NewLink(c.Request().Context(), actor(c), s.mailer, unitID, c.FormValue("skicka") == "ja")
	if err != nil {
		return err
	}
	if err := s.guard.Log(c.Request().Context(), "lank_aterkallad", res.Unit.Name, c.RealIP(), "av "+actor(c).Email); err != nil {
		return err
	}
	notice := "lank"
	switch {
	case res.Mail != nil && res.Mail.Sent:
		notice = "lank-skickad"
	case res.Mail != nil:
		notice = "lank-ej-skickad"
	}
	return redirect(c, unitPath(unitID), notice)
}

// markSentManually records that the link went out by hand; back to the
// round's page when the button was on it, else to the unit's page.
func (s *Server) markSentManually(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	u, err := s.manage.MarkSentManually(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	if c.FormValue("tillbaka") == "omgang" {
		return redirect(c, "/admin/omgangar/"+strconv.FormatInt(u.RoundID, 10), "manuellt")
	}
	return redirect(c, unitPath(unitID), "manuellt")
}

func (s *Server) confirmDeleteUnit(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	a, err := s.manage.DeletableUnit(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unitdelete", view{Title: "Ta bort " + a.Unit.Name, Data: unitEditView{Admin: a, CSRF: csrf(c)}})
}

func (s *Server) deleteUnit(c echo.Context) error {
	unitID, err := pathID(c, "unit")
	if err != nil {
		return err
	}
	u, err := s.manage.DeleteUnit(c.Request().Context(), actor(c), unitID)
	if err != nil {
		return err
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(u.RoundID, 10), "enhet-borttagen")
}
