// Package apperror holds the coded domain errors that every layer returns and
// that the web layer maps to an HTTP status and a Swedish page in one place.
// Messages are written for the user, in Swedish.
package apperror

import (
	"errors"
	"fmt"
)

// Codes of domain errors.
const (
	Invalid      = "invalid"      // the input breaks a rule
	NotFound     = "not_found"    // no such object, or not visible to the caller
	Gone         = "gone"         // a revoked personal link
	Conflict     = "conflict"     // the object's state forbids the change (closed round…)
	Unauthorized = "unauthorized" // not logged in
	Forbidden    = "forbidden"    // logged in, but not allowed
	TooLarge     = "too_large"    // an upload or request over the limit
	TooMany      = "too_many"     // throttled
	Busy         = "busy"         // the service is at capacity for this kind of request; retry shortly
	Internal     = "internal"
)

// Error is a domain error with a code and a message for the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// New returns an error with the code and a formatted user message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// badToken marks an error about the secret token a request carries (a
// personal link) as meaning precisely that the token itself is unknown or
// revoked. It keeps the code and message of the error it wraps.
type badToken struct{ err *Error }

func (b *badToken) Error() string { return b.err.Message }
func (b *badToken) Unwrap() error { return b.err }

// BadToken marks e (NotFound or Gone) as saying that the request's token is
// unknown or revoked: the only failure that counts as guessing links. Errors
// about what the token leads to (an evaluation that does not exist) are not
// marked. The code and the message stay those of e.
func BadToken(e *Error) error { return &badToken{err: e} }

// IsBadToken tells whether err, or an error it wraps, was marked by BadToken.
func IsBadToken(err error) bool {
	var b *badToken
	return errors.As(err, &b)
}

// Code returns the code of err, Internal for errors of unknown kind.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the user message of err, or a generic one for errors that
// are not domain errors (their text may hold internals).
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Ett oväntat fel inträffade. Försök igen om en stund; kvarstår felet, kontakta samordnaren."
}

// ClipLen is how many characters of user input Clip keeps.
const ClipLen = 80

// Clip shortens user input quoted in a message to ClipLen characters and
// "…", so that a message stays readable however long the input was.
func Clip(s string) string {
	n := 0
	for i := range s {
		if n == ClipLen {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
