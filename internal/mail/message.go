package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one e-mail to one recipient.
type Message struct {
	To      string // the recipient's address, also the envelope recipient
	ToName  string // the recipient's name in the To header; may hold åäö
	Subject string
	Text    string // the plain-text body
	HTML    string // optional HTML alternative of Text
	// ReplyTo is an optional Reply-To address, e.g. the projektledare, so
	// that a reply does not go to an unattended sender address.
	ReplyTo string
}

// ErrHeaderInjection is returned, wrapped with the field's name, when a
// header field (From, To, ToName, Subject, ReplyTo) holds a line break.
var ErrHeaderInjection = errors.New("mail: line break in a header field")

func hasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

func parseAddress(s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	if i := strings.LastIndexByte(a.Address, '@'); i <= 0 || i == len(a.Address)-1 {
		return nil, fmt.Errorf("no domain in %q", a.Address)
	}
	return a, nil
}

// newMessageID returns a random Message-ID in the sender's domain.
func newMessageID(from string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("mail: message id: %w", err)
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">", nil
}

// buildMessage checks m and renders it as an RFC 5322 message with CRLF line
// ends, 7-bit clean (quoted-printable bodies, Q-encoded headers). It returns
// the envelope recipient too.
func buildMessage(from netmail.Address, m Message, now time.Time, messageID string) (rcpt string, raw []byte, err error) {
	for _, f := range []struct{ name, value string }{
		{"To", m.To}, {"ToName", m.ToName}, {"Subject", m.Subject}, {"ReplyTo", m.ReplyTo},
		{"From", from.Name}, {"From", from.Address},
	} {
		if hasLineBreak(f.value) {
			return "", nil, fmt.Errorf("%w: %s", ErrHeaderInjection, f.name)
		}
	}
	if strings.TrimSpace(m.To) == "" {
		return "", nil, errors.New("mail: no recipient address")
	}
	to, err := parseAddress(m.To)
	if err != nil {
		return "", nil, fmt.Errorf("mail: recipient %q is not a valid e-mail address: %w", m.To, err)
	}
	if name := strings.TrimSpace(m.ToName); name != "" {
		to.Name = name
	}
	var replyTo *netmail.Address
	if strings.TrimSpace(m.ReplyTo) != "" {
		if replyTo, err = parseAddress(m.ReplyTo); err != nil {
			return "", nil, fmt.Errorf("mail: reply-to %q is not a valid e-mail address: %w", m.ReplyTo, err)
		}
	}
	if m.Text == "" && m.HTML == "" {
		return "", nil, errors.New("mail: the message has no text")
	}

	var buf bytes.Buffer
	writeHeader(&buf, "Date", now.Format(time.RFC1123Z))
	writeHeader(&buf, "From", from.String())
	writeHeader(&buf, "To", to.String())
	if replyTo != nil {
		writeHeader(&buf, "Reply-To", replyTo.String())
	}
	writeHeader(&buf, "Subject", encodeText(m.Subject))
	writeHeader(&buf, "Message-ID", messageID)
	writeHeader(&buf, "MIME-Version", "1.0")
	writeHeader(&buf, "Auto-Submitted", "auto-generated")

	switch {
	case m.Text != "" && m.HTML != "":
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, p := range []struct{ typ, content string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
			h := textproto.MIMEHeader{}
			h.Set("Content-Type", p.typ+"; charset=utf-8")
			h.Set("Content-Transfer-Encoding", "quoted-printable")
			pw, err := mw.CreatePart(h)
			if err != nil {
				return "", nil, err
			}
			if err := writeQP(pw, p.content); err != nil {
				return "", nil, err
			}
		}
		if err := mw.Close(); err != nil {
			return "", nil, err
		}
		writeHeader(&buf, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		buf.WriteString("\r\n")
		buf.Write(body.Bytes())
	default:
		typ, content := "text/plain", m.Text
		if m.Text == "" {
			typ, content = "text/html", m.HTML
		}
		writeHeader(&buf, "Content-Type", typ+"; charset=utf-8")
		writeHeader(&buf, "Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		if err := writeQP(&buf, content); err != nil {
			return "", nil, err
		}
		buf.WriteString("\r\n")
	}
	return to.Address, buf.Bytes(), nil
}

// writeQP writes s quoted-printable; line ends become CRLF.
func writeQP(w io.Writer, s string) error {
	qw := quotedprintable.NewWriter(w)
	if _, err := qw.Write([]byte(s)); err != nil {
		return err
	}
	return qw.Close()
}

// writeHeader writes "Name: value" folded at spaces to keep lines within 78
// characters where possible. value must be ASCII without line breaks.
func writeHeader(buf *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		sep := " "
		if i > 0 && len(line)+1+len(word) > 78 {
			buf.WriteString(line)
			buf.WriteString("\r\n")
			line = ""
		}
		line += sep + word
	}
	buf.WriteString(line)
	buf.WriteString("\r\n")
}

// encodeText Q-encodes an unstructured header value (RFC 2047) when it needs
// it: for non-ASCII text, and also for ASCII text holding "=?", which a mail
// client would otherwise take for the start of an encoded word.
func encodeText(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	const maxWord = 75 - len("=?utf-8?q?") - len("?=")
	var words []string
	var w strings.Builder
	for _, r := range s {
		var enc strings.Builder
		for _, b := range []byte(string(r)) {
			switch {
			case b == ' ':
				enc.WriteByte('_')
			case b > ' ' && b <= '~' && b != '=' && b != '?' && b != '_':
				enc.WriteByte(b)
			default:
				fmt.Fprintf(&enc, "=%02X", b)
			}
		}
		if w.Len()+enc.Len() > maxWord {
			words = append(words, "=?utf-8?q?"+w.String()+"?=")
			w.Reset()
		}
		w.WriteString(enc.String())
	}
	words = append(words, "=?utf-8?q?"+w.String()+"?=")
	return strings.Join(words, " ")
}
