package web

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/staff"
)

const (
	sessionCookie = "inventera_session"
	loginCSRF     = "inventera_login_csrf"
)

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

// requireStaff loads the logged-in staff member's session.
func (s *Server) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil {
			return apperror.New(apperror.Unauthorized, "Du behöver logga in.")
		}
		sess, err := s.staff.Authenticate(c.Request().Context(), ck.Value)
		if err != nil {
			return err
		}
		c.Set("session", &sess)
		return next(c)
	}
}

// requireRole lets only the given roles through.
func (s *Server) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess := c.Get("session").(*staff.Session)
			for _, r := range roles {
				if sess.User.Role == r {
					return next(c)
				}
			}
			return apperror.New(apperror.Forbidden, "Din roll (%s) har inte behörighet till den här sidan.", staff.RoleLabel(sess.User.Role))
		}
	}
}

// checkCSRF refuses a state-changing request whose form token does not match
// the session's.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return next(c)
		}
		sess := c.Get("session").(*staff.Session)
		got := c.FormValue("csrf")
		if got == "" {
			got = c.Request().Header.Get("X-CSRF-Token")
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			return apperror.New(apperror.Forbidden, "Formuläret har gått ut eller kom inte från inventera. Ladda om sidan och försök igen.")
		}
		return next(c)
	}
}

func (s *Server) loginPage(c echo.Context) error {
	token := staff.RandomToken(24)
	c.SetCookie(s.cookie(loginCSRF, token, 3600))
	return s.render(c, http.StatusOK, "login", view{Title: "Logga in", Notice: notice(c), Data: loginView{CSRF: token}})
}

type loginView struct {
	CSRF  string
	Email string
}

func (s *Server) login(c echo.Context) error {
	ck, err := c.Cookie(loginCSRF)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(c.FormValue("csrf"))) != 1 {
		return apperror.New(apperror.Forbidden, "Inloggningsformuläret har gått ut. Ladda om sidan och försök igen.")
	}
	email := c.FormValue("epost")
	sess, err := s.staff.Login(c.Request().Context(), email, c.FormValue("losenord"))
	if err != nil {
		if apperror.Code(err) != apperror.Unauthorized {
			return err
		}
		return s.render(c, http.StatusUnauthorized, "login", view{Title: "Logga in",
			Data: loginView{CSRF: ck.Value, Email: email}}.withError(apperror.Message(err)))
	}
	c.SetCookie(s.cookie(loginCSRF, "", -1))
	c.SetCookie(s.cookie(sessionCookie, sess.Token, int(staff.SessionLifetime/time.Second)))
	if sess.User.Role == staff.Styrgrupp {
		return c.Redirect(http.StatusSeeOther, "/rapporter")
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.staff.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(s.cookie(sessionCookie, "", -1))
	return redirect(c, "/logga-in", "utloggad")
}
