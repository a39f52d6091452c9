// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) on
// loopback inside a test process, recording what it accepts and refusing
// recipients on request. Only tests import it.
package mailtest

import (
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Raw  []byte
}

// Header parses the message's header.
func (m Message) Header() mail.Header {
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
	if err != nil {
		return mail.Header{}
	}
	return msg.Header
}

// Server is a running SMTP server.
type Server struct {
	Addr string

	mu     sync.Mutex
	msgs   []Message
	reject map[string]bool
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{reject: map[string]bool{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	s.Addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Reject makes the server refuse a recipient with 550.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[strings.ToLower(addr)] = true
}

// Messages returns what the server has accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// NewSession implements gosmtp.Backend.
func (s *Server) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv *Server
	msg Message
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	s.msg = Message{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.srv.mu.Lock()
	refused := s.srv.reject[strings.ToLower(to)]
	s.srv.mu.Unlock()
	if refused {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Raw = b
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = Message{} }
func (s *session) Logout() error { return nil }
