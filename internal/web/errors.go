package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
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
	if rerr := s.render(c, status, "error", view{Title: title, Data: msg}); rerr != nil {
		slog.Error("render error page", "err", rerr)
		c.String(status, msg)
	}
}
