package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/staff"
)

// Staff accounts: the samordnare's account list (/admin/konton) and every
// staff member's own password (/konto/losenord). What may be done is the
// staff package's to decide.

func session(c echo.Context) *staff.Session {
	sess, _ := c.Get("session").(*staff.Session)
	return sess
}

func admin(c echo.Context) staff.Admin {
	if sess := session(c); sess != nil {
		return sess.Admin(c.RealIP())
	}
	return staff.Admin{}
}

// requirePasswordChanged sends an account that logged in with a one-time
// password to /konto/losenord, whatever it asks for, until it has chosen
// its own.
func (s *Server) requirePasswordChanged(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sess := session(c); sess != nil && sess.MustChangePassword() {
			return c.Redirect(http.StatusSeeOther, "/konto/losenord")
		}
		return next(c)
	}
}

// landing is where a staff member starts after logging in or changing
// their password.
func landing(sess *staff.Session) string {
	if sess.MustChangePassword() {
		return "/konto/losenord"
	}
	if !sess.RunsRounds() {
		return "/rapporter"
	}
	return "/admin"
}

type accountsView struct {
	CSRF     string
	Accounts []staff.Account
	Kommuner []string
	Roles    []string
	Input    staff.UserInput
	Errors   staff.FieldErrors
	// Created or Reset is the account just made or reset, shown once with
	// its one-time password.
	Created  *staff.Account
	Reset    *staff.Account
	Password string
}

func (s *Server) renderAccounts(c echo.Context, status int, v accountsView, errMsg string) error {
	ctx := c.Request().Context()
	accs, err := s.staff.Accounts(ctx, admin(c))
	if err != nil {
		return err
	}
	kommuner, err := s.staff.KommunNames(ctx, admin(c))
	if err != nil {
		return err
	}
	v.CSRF, v.Accounts, v.Kommuner, v.Roles = session(c).CSRF, accs, kommuner, staff.Roles()
	return s.render(c, status, "accounts", view{Title: "Konton", Notice: notice(c), Data: v}.withError(errMsg))
}

func (s *Server) accounts(c echo.Context) error {
	return s.renderAccounts(c, http.StatusOK, accountsView{}, "")
}

func (s *Server) createAccount(c echo.Context) error {
	in := staff.UserInput{Name: c.FormValue("namn"), Email: c.FormValue("epost"), Role: c.FormValue("roll"), Kommun: c.FormValue("kommun")}
	acc, password, err := s.staff.AddUser(c.Request().Context(), admin(c), in)
	if err != nil {
		var fe staff.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		return s.renderAccounts(c, http.StatusUnprocessableEntity, accountsView{Input: in, Errors: fe}, "")
	}
	// The one-time password is shown here, once; the page is not cached.
	return s.renderAccounts(c, http.StatusOK, accountsView{Created: &acc, Password: password}, "")
}

func (s *Server) setAccountDisabled(c echo.Context, disabled bool) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	if _, err := s.staff.SetDisabled(c.Request().Context(), admin(c), id, disabled); err != nil {
		if apperror.Code(err) == apperror.Conflict {
			return s.renderAccounts(c, http.StatusConflict, accountsView{}, apperror.Message(err))
		}
		return err
	}
	if disabled {
		return redirect(c, "/admin/konton", "avstangt")
	}
	return redirect(c, "/admin/konton", "aktiverat")
}

func (s *Server) disableAccount(c echo.Context) error { return s.setAccountDisabled(c, true) }
func (s *Server) enableAccount(c echo.Context) error  { return s.setAccountDisabled(c, false) }

type resetView struct {
	CSRF    string
	Account staff.Account
}

// confirmReset asks before a password is reset: the account is logged out
// and its password stops working.
func (s *Server) confirmReset(c echo.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	acc, err := s.staff.Account(c.Request().Context(), admin(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "account_reset", view{Title: "Nytt lösenord", Data: resetView{CSRF: session(c).CSRF, Account: acc}})
}

func (s *Server) resetPassword(c echo.Context) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	acc, password, err := s.staff.ResetPassword(c.Request().Context(), admin(c), id)
	if err != nil {
		if apperror.Code(err) == apperror.Conflict {
			return s.renderAccounts(c, http.StatusConflict, accountsView{}, apperror.Message(err))
		}
		return err
	}
	return s.renderAccounts(c, http.StatusOK, accountsView{Reset: &acc, Password: password}, "")
}

type passwordView struct {
	CSRF      string
	Forced    bool
	MinLength int
	Errors    staff.FieldErrors
}

func (s *Server) passwordPage(c echo.Context) error {
	sess := session(c)
	return s.render(c, http.StatusOK, "password", view{Title: "Byt lösenord", Notice: notice(c),
		Data: passwordView{CSRF: sess.CSRF, Forced: sess.MustChangePassword(), MinLength: staff.MinPasswordLength}})
}

func (s *Server) changePassword(c echo.Context) error {
	sess := session(c)
	in := staff.PasswordChange{Current: c.FormValue("nuvarande"), New: c.FormValue("nytt"), Repeat: c.FormValue("upprepa")}
	if err := s.staff.ChangePassword(c.Request().Context(), *sess, in, c.RealIP()); err != nil {
		var fe staff.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "password", view{Title: "Byt lösenord",
			Data: passwordView{CSRF: sess.CSRF, Forced: sess.MustChangePassword(), MinLength: staff.MinPasswordLength, Errors: fe}})
	}
	sess.User.MustChangePassword = false
	return redirect(c, landing(sess), "losenord")
}
