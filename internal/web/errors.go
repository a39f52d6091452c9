package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/staff"
)

// statusOf maps a domain error code to an HTTP status.
var statusOf = map[string]int{
	apperror.Invalid:      http.StatusUnprocessableEntity,
	apperror.NotFound:     http.StatusNotFound,
	apperror.Gone:         http.StatusGone,
	apperror.Conflict:     http.StatusConflict,
	apperror.Unauthorized: http.StatusUnauthorized,
	apperror.Forbidden:    http.StatusForbidden,
	apperror.TooLarge:     http.StatusRequestEntityTooLarge,
	apperror.TooMany:      http.StatusTooManyRequests,
	apperror.Busy:         http.StatusServiceUnavailable,
	apperror.Internal:     http.StatusInternalServerError,
}

// handleError is the one place where errors become responses: a domain
// error's code gives the status and its message the Swedish page; echo's own
// errors (unknown route, body too large) get Swedish pages too.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, apperror.Message(err)
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		switch status {
		case http.StatusNotFound:
			msg = "Sidan finns inte."
		case http.StatusRequestEntityTooLarge:
			msg = "Det du skickade är för stort."
		case http.StatusMethodNotAllowed:
			msg = "Det går inte att göra så på den här sidan."
		case http.StatusForbidden:
			msg = "Du har inte behörighet till det här."
		default:
			if status < 500 {
				msg = "Begäran kunde inte tas emot."
			}
		}
	default:
		code := apperror.Code(err)
		status = statusOf[code]
		if code == apperror.Unauthorized && c.Request().Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/logga-in")
			return
		}
		if code == apperror.Busy {
			c.Response().Header().Set("Retry-After", retryAfterBusy)
		}
	}
	if status >= 500 && status != http.StatusServiceUnavailable { // 503: busy, not failed
		slog.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	title := map[int]string{404: "Sidan finns inte", 410: "Länken gäller inte längre", 409: "Det går inte just nu",
		401: "Logga in", 403: "Ingen behörighet", 413: "För stort", 429: "För många försök", 422: "Något behöver rättas",
		503: "Upptaget just nu"}[status]
	if title == "" {
		title = "Något gick fel"
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	ev := errorView{Message: msg}
	if back := s.unitPageOf(c, err, status); back != "" {
		ev.Back, ev.BackLabel = back, "Tillbaka till enhetens sida"
	} else if back := s.roundPageOf(c); back != "" {
		ev.Back, ev.BackLabel = back, "Tillbaka till omgångens sida"
	}
	if rerr := s.render(c, status, "error", view{Title: title, Data: ev}); rerr != nil {
		slog.Error("render error page", "err", rerr)
		c.String(status, msg)
	}
}

// errorView is the error page: the message, and the unit or round page to
// go back to when the error happened on one of its pages.
type errorView struct {
	Message   string
	Back      string // "/l/TOKEN", "/admin/enheter/ID" or "/admin/omgangar/ID"; "" = the start page
	BackLabel string
}

// roundPageOf is the round page an error under /admin/omgangar/:id (a
// send refused because the round closed meanwhile, say) leads back to,
// when the staff member works in rounds and may see this one.
func (s *Server) roundPageOf(c echo.Context) string {
	parts := strings.Split(strings.TrimPrefix(c.Request().URL.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "admin" || parts[1] != "omgangar" {
		return ""
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	if sess, ok := c.Get("session").(*staff.Session); !ok || !sess.RunsRounds() {
		return ""
	}
	if _, err := s.manage.Round(c.Request().Context(), actor(c), id); err != nil {
		return ""
	}
	return "/admin/omgangar/" + strconv.FormatInt(id, 10)
}

// unitPageOf is the unit page an error under /l/:token or
// /admin/enheter/:unit leads back to, when the person can open it: the
// link is live, or the staff member may see the unit. An unknown or
// revoked link, and a unit they may not see, get no way back.
//
// Whether the link is live is not to be learnt here by a client the link
// throttle holds back: a throttled client is not told, and an unknown link
// the throttle did not count (the request failed before reaching it, say
// as too large) is counted here.
func (s *Server) unitPageOf(c echo.Context, err error, status int) string {
	ctx := c.Request().Context()
	parts := strings.Split(strings.TrimPrefix(c.Request().URL.Path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "l":
		if status == http.StatusTooManyRequests || s.guard.CheckLinkClient(ctx, c.RealIP()) != nil {
			return ""
		}
		if s.respond.Live(ctx, parts[1]) {
			return "/l/" + parts[1]
		}
		if code := apperror.Code(err); code != apperror.NotFound && code != apperror.Gone {
			if gerr := s.guard.LinkMiss(ctx, c.RealIP()); gerr != nil {
				slog.Error("count a link miss", "err", gerr)
			}
		}
	case len(parts) >= 3 && parts[0] == "admin" && parts[1] == "enheter":
		id, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || id <= 0 {
			return ""
		}
		if _, ok := c.Get("session").(*staff.Session); !ok {
			return ""
		}
		if _, err := s.respond.Open(ctx, actor(c).UnitScope(id)); err == nil {
			return "/admin/enheter/" + strconv.FormatInt(id, 10)
		}
	}
	return ""
}
