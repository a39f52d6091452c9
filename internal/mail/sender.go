// Package mail composes and sends the invitation and reminder e-mails over
// SMTP.
//
// Compose turns an Invitation (unit, chef, personal link, deadline, contact)
// into a Swedish Message with a plain-text and an HTML part. A Sender delivers
// one Message per call over SMTP: it upgrades the connection with STARTTLS
// whenever the server offers it (verifying the server's certificate, never
// skipping the check), authenticates with AUTH PLAIN only when credentials are
// configured, and honours the caller's context and its own timeout for the
// whole dialogue. A Send that returns nil means the server accepted the
// message at the end of DATA; every failure is a *SendError naming the step
// that failed and the server's reply code.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one Send when Config.Timeout is zero: dialling, the
// whole SMTP dialogue and the transfer of the message together.
const DefaultTimeout = 30 * time.Second

// Environment variables read by ConfigFromEnv.
const (
	EnvSMTP     = "INVENTERA_SMTP"          // host:port of the SMTP server
	EnvMailFrom = "INVENTERA_MAIL_FROM"     // sender address, optionally with a display name
	EnvUsername = "INVENTERA_SMTP_USERNAME" // optional AUTH PLAIN user name
	EnvPassword = "INVENTERA_SMTP_PASSWORD" // optional AUTH PLAIN password
)

// Config says where and as whom mail is sent.
type Config struct {
	// Addr is the SMTP server as host:port, e.g. "smtp.falun.example:587".
	Addr string
	// From is the sender, a bare address or "Name <address>". It is both the
	// From header and the envelope sender (MAIL FROM).
	From string
	// Username and Password, when set, are sent with AUTH PLAIN. They are
	// only ever sent over TLS (after STARTTLS) or to a loopback server.
	Username, Password string
	// Timeout bounds one Send; DefaultTimeout when zero.
	Timeout time.Duration
	// RootCAs, when non-nil, replaces the system's roots for verifying the
	// server's certificate after STARTTLS (a private CA). Verification itself
	// cannot be turned off.
	RootCAs *x509.CertPool
}

// Sender delivers messages over SMTP. It is safe for concurrent use; every
// Send opens its own connection.
type Sender struct {
	cfg  Config
	host string          // host part of cfg.Addr: TLS server name, AUTH check
	from netmail.Address // parsed cfg.From
}

// NewSender validates cfg: Addr must be host:port with a numeric port and
// From a valid e-mail address.
func NewSender(cfg Config) (*Sender, error) {
	host, port, err := net.SplitHostPort(strings.TrimSpace(cfg.Addr))
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP server %q is not host:port: %w", cfg.Addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("mail: SMTP server %q has no host name", cfg.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("mail: SMTP server %q has no valid port number", cfg.Addr)
	}
	cfg.Addr = net.JoinHostPort(host, port)
	if hasLineBreak(cfg.From) {
		return nil, fmt.Errorf("%w: From", ErrHeaderInjection)
	}
	from, err := parseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q is not a valid e-mail address: %w", cfg.From, err)
	}
	if hasLineBreak(cfg.Username) || hasLineBreak(cfg.Password) {
		return nil, errors.New("mail: SMTP user name and password must not contain line breaks")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("mail: negative timeout %s", cfg.Timeout)
	}
	return &Sender{cfg: cfg, host: host, from: *from}, nil
}

// ConfigFromEnv reads the `inventera invite` settings: INVENTERA_SMTP
// (host:port) and INVENTERA_MAIL_FROM are required; INVENTERA_SMTP_USERNAME
// and INVENTERA_SMTP_PASSWORD are optional. getenv is usually os.Getenv. The
// result still goes through NewSender's checks.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Addr:     strings.TrimSpace(getenv(EnvSMTP)),
		From:     strings.TrimSpace(getenv(EnvMailFrom)),
		Username: getenv(EnvUsername),
		Password: getenv(EnvPassword),
	}
	var missing []string
	if cfg.Addr == "" {
		missing = append(missing, EnvSMTP+" (the SMTP server as host:port)")
	}
	if cfg.From == "" {
		missing = append(missing, EnvMailFrom+" (the sender's e-mail address)")
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("mail: not set: %s", strings.Join(missing, ", "))
	}
	return cfg, nil
}

// From returns the sender address as configured.
func (s *Sender) From() string { return s.from.String() }

// SendError is a failed delivery: the recipient, the step of the SMTP
// dialogue that failed and, when the server answered, its reply code.
type SendError struct {
	Addr string // the SMTP server
	To   string // the envelope recipient
	// Step is one of "connect", "greeting", "EHLO", "STARTTLS", "AUTH",
	// "MAIL FROM", "RCPT TO", "DATA", "end of DATA".
	Step string
	Code int // the server's SMTP reply code; 0 when it gave none
	Err  error
}

func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mail: delivery to %s via %s failed at %s: ", e.To, e.Addr, e.Step)
	var tp *textproto.Error
	if errors.As(e.Err, &tp) {
		fmt.Fprintf(&b, "server replied %d %s", tp.Code, tp.Msg)
	} else {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *SendError) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: a 4xx reply, a
// timeout or a network error, as opposed to a 5xx refusal or a bad
// certificate.
func (e *SendError) Temporary() bool {
	if e.Code != 0 {
		return e.Code >= 400 && e.Code < 500
	}
	var ce *tls.CertificateVerificationError
	if errors.As(e.Err, &ce) || errors.Is(e.Err, errPlainAuthUnencrypted) || errors.Is(e.Err, errNoAuth) {
		return false
	}
	return true
}

var (
	errPlainAuthUnencrypted = errors.New("refusing to send the password unencrypted: the server offers no STARTTLS and is not on this machine")
	errNoAuth               = errors.New("a user name is configured but the server offers no AUTH")
)

// aLongTimeAgo is a deadline in the past, set to interrupt blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// Send delivers m. It returns nil only when the server accepted the message;
// an invalid message (a line break in a header field, a bad address) is
// refused before connecting, and every delivery failure is a *SendError.
func (s *Sender) Send(ctx context.Context, m Message) error {
	id, err := newMessageID(s.from.Address)
	if err != nil {
		return err
	}
	rcpt, raw, err := buildMessage(s.from, m, time.Now(), id)
	if err != nil {
		return err
	}
	return s.deliver(ctx, rcpt, raw)
}

func (s *Sender) deliver(parent context.Context, rcpt string, raw []byte) error {
	timeout := s.cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	// When the caller's deadline comes first, running out of time is the
	// caller's context.DeadlineExceeded, not a silent server.
	parentDeadline, ok := parent.Deadline()
	callerDeadline := ok && parentDeadline.Before(time.Now().Add(timeout))

	fail := func(step string, err error) error {
		e := &SendError{Addr: s.cfg.Addr, To: rcpt, Step: step, Err: err}
		var tp *textproto.Error
		if errors.As(err, &tp) {
			e.Code = tp.Code
		}
		switch {
		case parent.Err() != nil:
			e.Err = fmt.Errorf("%w (%v)", context.Cause(parent), err)
		case (ctx.Err() != nil || isTimeout(err)) && callerDeadline:
			e.Err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		case ctx.Err() != nil || isTimeout(err):
			e.Err = fmt.Errorf("no answer within %s: %w", timeout, err)
		}
		return e
	}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fail("connect", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return fail("connect", err)
		}
	}
	// Cancelling ctx interrupts whatever read or write is blocked.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fail("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return fail("EHLO", err)
	}

	encrypted := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := &tls.Config{ServerName: s.host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
		if err := c.StartTLS(tc); err != nil {
			var ce *tls.CertificateVerificationError
			if errors.As(err, &ce) {
				err = fmt.Errorf("the server's certificate is not valid for %q: %w", s.host, err)
			}
			return fail("STARTTLS", err)
		}
		encrypted = true
	}

	if s.cfg.Username != "" || s.cfg.Password != "" {
		if !mayAuthenticate(encrypted, s.host) {
			return fail("AUTH", errPlainAuthUnencrypted)
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail("AUTH", errNoAuth)
		}
		if err := c.Auth(plainAuth{username: s.cfg.Username, password: s.cfg.Password}); err != nil {
			return fail("AUTH", err)
		}
	}

	if err := c.Mail(s.from.Address); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("end of DATA", err)
	}
	// The server has taken the message; a failing QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// mayAuthenticate reports whether a password may be sent: over TLS, or to a
// server on this machine.
func mayAuthenticate(encrypted bool, host string) bool {
	if encrypted || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainAuth is AUTH PLAIN (RFC 4616). Whether it may be used at all is
// decided by mayAuthenticate before it is offered to the client.
type plainAuth struct{ username, password string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge during AUTH PLAIN")
	}
	return nil, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// helloName is the name given in EHLO: this machine's name when it looks
// like a domain name, else "localhost".
func helloName() string {
	h, err := os.Hostname()
	if err != nil || !strings.Contains(h, ".") || strings.ContainsAny(h, " \r\n\t") {
		return "localhost"
	}
	return h
}
