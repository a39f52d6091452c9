package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/staff"
)

const (
	sessionCookie = "inventera_session"
	loginCSRF     = "inventera_login_csrf"
)

func (s *Server) cookie(c echo.Context, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.overTLS(c),
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

// overTLS tells whether the client reached us over HTTPS: configured, a TLS
// connection, or a trusted proxy's X-Forwarded-Proto.
func (s *Server) overTLS(c echo.Context) bool {
	return s.cfg.SecureCookies || c.Request().TLS != nil ||
		(s.cfg.TrustProxy && c.Request().Header.Get("X-Forwarded-Proto") == "https")
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

// checkCSRF refuses a state-changing request whose token does not match the
// session's. The token is read from the form body or the X-CSRF-Token
// header, never from the query string: a URL ends up in logs and history.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return next(c)
		}
		sess := c.Get("session").(*staff.Session)
		got := c.Request().PostFormValue("csrf")
		if got == "" {
			got = c.Request().Header.Get("X-CSRF-Token")
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			if err := s.guard.Log(c.Request().Context(), "csrf_nekad", sess.User.Email, c.RealIP(), c.Request().URL.Path); err != nil {
				return err
			}
			return apperror.New(apperror.Forbidden, "Formuläret har gått ut eller kom inte från inventera. Ladda om sidan och försök igen.")
		}
		return next(c)
	}
}

func (s *Server) loginPage(c echo.Context) error {
	// Keep a token the browser already has, so that a second tab (or a
	// background request) does not invalidate the form in the first.
	token := staff.RandomToken(24)
	if ck, err := c.Cookie(loginCSRF); err == nil && len(ck.Value) == len(token) {
		token = ck.Value
	}
	c.SetCookie(s.cookie(c, loginCSRF, token, 3600))
	return s.render(c, http.StatusOK, "login", view{Title: "Logga in", Notice: notice(c), Data: loginView{CSRF: token}})
}

type loginView struct {
	CSRF  string
	Email string
}

func (s *Server) login(c echo.Context) error {
	ck, err := c.Cookie(loginCSRF)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(c.Request().PostFormValue("csrf"))) != 1 {
		return apperror.New(apperror.Forbidden, "Inloggningsformuläret har gått ut. Ladda om sidan och försök igen.")
	}
	ctx := c.Request().Context()
	email := c.FormValue("epost")
	account := strings.ToLower(strings.TrimSpace(email))
	refuse := func(status int, err error) error {
		return s.render(c, status, "login", view{Title: "Logga in",
			Data: loginView{CSRF: ck.Value, Email: email}}.withError(apperror.Message(err)))
	}
	if err := s.guard.CheckLogin(ctx, account, c.RealIP()); err != nil {
		if apperror.Code(err) == apperror.TooMany {
			return refuse(http.StatusTooManyRequests, err)
		}
		return err
	}
	sess, err := s.staff.Login(ctx, email, c.FormValue("losenord"))
	if err != nil {
		if apperror.Code(err) != apperror.Unauthorized {
			return err
		}
		if gerr := s.guard.LoginFailed(ctx, account, c.RealIP()); gerr != nil {
			return gerr
		}
		return refuse(http.StatusUnauthorized, err)
	}
	if err := s.guard.LoginSucceeded(ctx, account, c.RealIP()); err != nil {
		return err
	}
	c.SetCookie(s.cookie(c, loginCSRF, "", -1))
	c.SetCookie(s.cookie(c, sessionCookie, sess.Token, int(staff.SessionLifetime/time.Second)))
	return c.Redirect(http.StatusSeeOther, landing(&sess))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.staff.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
		if err := s.guard.Log(c.Request().Context(), "utloggning", actor(c).Email, c.RealIP(), ""); err != nil {
			return err
		}
	}
	c.SetCookie(s.cookie(c, sessionCookie, "", -1))
	return redirect(c, "/logga-in", "utloggad")
}
