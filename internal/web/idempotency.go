package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// Idempotent form posts. Every form rendered with the "csrf" partial
// carries a fresh random key in the field idemField. A post that carries a
// key claims it for its writes (store.Claim): the writes, the key and the
// answer are committed in one transaction, after the handler has answered
// and before the answer is sent. A repeat of the post — a double click, a
// browser or proxy resending it after a lost connection, on any instance —
// gets the first answer (status, redirect, body), marked with the header
// Idempotent-Replayed, and writes nothing. A post that wrote nothing (a
// refused form) keeps no key: its repeat is simply checked again.
//
// The autosave script repeats a form's post on purpose, with changing
// content, so it does not reuse the form's key: its key is the form's key,
// ".a" and a sequence number that moves on once an autosave is answered. An
// autosave that got no answer is sent again with the same key and the
// newest content: if the first had been stored, the answer is replayed and
// the script, seeing the header, saves the newest content again with the
// next key (to the evaluation the replay names).

const (
	idemField      = "idem"
	idemHeader     = "Idempotency-Key"
	replayedHeader = "Idempotent-Replayed"
)

// idemKey is what a key may look like: the form's key (24 characters), with
// the autosave's suffix; anything else is ignored.
var idemKey = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}(\.a[0-9]{1,9})?$`)

// newFormKey is a fresh key for one rendered form.
func newFormKey() string { return staff.RandomToken(18) }

// idempotent runs a form post under its key (see above). It wraps the
// handler only, after the scope and CSRF checks, so that nothing outside
// the handler (the link throttle) writes under the key.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(idemHeader)
		if key == "" {
			key = c.FormValue(idemField)
		}
		if !idemKey.MatchString(key) {
			return next(c)
		}
		req, resp := c.Request(), c.Response()
		ctx, claim := s.respond.Store.Claim(req.Context(), claimKey(c, key))
		buf := &bufferedResponse{header: resp.Header().Clone()}
		orig := resp.Writer
		sent := false
		defer func() {
			// Whatever happens (a panic included), the request goes on
			// without the claim and writes to the client again; an answer
			// not sent is forgotten, so that the error page can be written.
			claim.Rollback()
			c.SetRequest(req)
			resp.Writer = orig
			if !sent {
				resp.Committed, resp.Status, resp.Size = false, 0, 0
			}
		}()
		c.SetRequest(req.WithContext(ctx))
		resp.Writer = buf

		err := next(c)
		resp.Writer = orig
		replayed := func(replay *store.Replay) error {
			resp.Committed, resp.Status, resp.Size = false, 0, 0
			sent = true
			return writeOutcome(c, replay.Outcome)
		}
		status := buf.status
		if status == 0 {
			status = http.StatusOK
		}
		if err != nil || status >= 400 {
			// A refusal (a form with errors, a conflict, an error page)
			// stores nothing and keeps no key: repeated, it is checked
			// again. But a repeat refused because the first post's writes
			// are there (its evaluation, its submitted unit) gets the
			// first post's answer.
			claim.Rollback()
			replay, serr := claim.Stored()
			switch {
			case serr != nil:
				return serr
			case replay != nil:
				return replayed(replay)
			case err != nil:
				return err
			}
		} else if err := claim.Commit(store.Outcome{Status: status, Location: buf.header.Get("Location"),
			ContentType: buf.header.Get("Content-Type"), Body: buf.body.Bytes()}); err != nil {
			var replay *store.Replay
			if errors.As(err, &replay) {
				return replayed(replay)
			}
			return err
		}
		sent = true
		h := orig.Header()
		for k, v := range buf.header {
			h[k] = v
		}
		orig.WriteHeader(status)
		_, err = orig.Write(buf.body.Bytes())
		return err
	}
}

// claimKey is what the store keeps of a client's key: a hash of the key
// and of what it was posted to (the method and path, which hold a personal
// link's token, and a staff member's session), so that a key sent to
// another form, link or session is another key.
func claimKey(c echo.Context, key string) string {
	h := sha256.New()
	for _, part := range []string{key, c.Request().Method, c.Request().URL.Path} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if sess := session(c); sess != nil {
		h.Write([]byte(strconv.FormatInt(sess.ID, 10)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeOutcome answers a repeat as the first post was answered.
func writeOutcome(c echo.Context, o store.Outcome) error {
	h := c.Response().Header()
	if o.Location != "" {
		h.Set("Location", o.Location)
	}
	if o.ContentType != "" {
		h.Set("Content-Type", o.ContentType)
	}
	h.Set(replayedHeader, "true")
	c.Response().WriteHeader(o.Status)
	_, err := c.Response().Write(o.Body)
	return err
}

// bufferedResponse holds a handler's answer until its writes are committed.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
