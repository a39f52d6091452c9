package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestSender(t *testing.T, cfg Config) *Sender {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "Inventera <inventera@bergslagen.example>"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	s, err := NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

// parsed is a received message taken apart the way a mail client would.
type parsed struct {
	Header  netmail.Header
	Subject string
	To      *netmail.Address
	Text    string
	HTML    string
	Types   []string // the parts' Content-Types
}

func parseReceived(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	var p parsed
	p.Header = msg.Header
	var dec mime.WordDecoder
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject does not decode: %v", err)
	}
	list, err := msg.Header.AddressList("To")
	if err != nil || len(list) != 1 {
		t.Fatalf("To header %q: %v", msg.Header.Get("To"), err)
	}
	p.To = list[0]
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %s, want multipart/alternative", mediaType)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		ct := part.Header.Get("Content-Type")
		p.Types = append(p.Types, ct)
		// multipart.Reader decodes quoted-printable itself.
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("part %s: %v", ct, err)
		}
		// A mail client shows CRLF line ends as plain line breaks.
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.Text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			p.HTML = string(b)
		}
	}
	return p
}

func TestSendThreeInvitations(t *testing.T) {
	be := &recorder{}
	addr := startServer(t, be, "127.0.0.1", nil)
	s := newTestSender(t, Config{Addr: addr})

	chefs := []struct {
		email, name, unit, link string
		kommuner                []string
	}{
		{"karin.berg@falun.example", "Karin Berg", "Socialförvaltningen", "https://inventera.example/svar/Qx7kP2mN9vR4tY8wZ1aB", []string{"Falun"}},
		{"orjan.akesson@ludvika.example", "Örjan Åkesson", "Barn- och utbildningsförvaltningen", "https://inventera.example/svar/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", []string{"Ludvika"}},
		{"raddning@dalamitt.example", "Märta Öst", "Räddningstjänsten Dala Mitt", "https://inventera.example/svar/r=1&x=2", []string{"Borlänge", "Falun", "Säter"}},
	}
	for _, c := range chefs {
		m := Compose(Invitation{
			RoundName: "Resultatstyrning 2009", UnitName: c.unit, ChefName: c.name, Link: c.link,
			Deadline: "2009-12-18", Kommuner: c.kommuner,
			Contact: Contact{Name: "Anna Lind", Email: "anna.lind@falun.example"},
		})
		m.To = c.email
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("Send to %s: %v", c.email, err)
		}
	}

	got := be.messages()
	if len(got) != len(chefs) {
		t.Fatalf("server got %d messages, want %d", len(got), len(chefs))
	}
	for i, c := range chefs {
		r := got[i]
		if r.From != "inventera@bergslagen.example" {
			t.Errorf("MAIL FROM = %q", r.From)
		}
		if len(r.To) != 1 || r.To[0] != c.email {
			t.Errorf("message %d: envelope recipients %q, want [%s]", i, r.To, c.email)
		}
		// Header lines stay within RFC 5322's hard limit (a long Q-encoded
		// word may pass 78); the quoted-printable body keeps within 76.
		header, _, _ := bytes.Cut(r.Data, []byte("\r\n\r\n"))
		for n, line := range bytes.Split(r.Data, []byte("\r\n")) {
			inBody := n > bytes.Count(header, []byte("\r\n"))+1
			if len(line) > 998 || (inBody && len(line) > 78) {
				t.Errorf("message %d line %d is %d characters long: %q", i, n, len(line), line)
			}
			for _, b := range line {
				if b >= 0x80 {
					t.Errorf("message %d line %d is not 7-bit: %q", i, n, line)
					break
				}
			}
		}

		p := parseReceived(t, r.Data)
		wantSubject := "Inventering av utvärderingar: " + c.unit
		if p.Subject != wantSubject {
			t.Errorf("Subject = %q, want %q", p.Subject, wantSubject)
		}
		if p.To.Name != c.name || p.To.Address != c.email {
			t.Errorf("To = %q <%s>, want %q <%s>", p.To.Name, p.To.Address, c.name, c.email)
		}
		if !strings.Contains(p.Text, "Hej "+c.name+"!") {
			t.Errorf("text part lacks the greeting to %s:\n%s", c.name, p.Text)
		}
		if !strings.Contains(p.Text, "\n"+c.link+"\n") {
			t.Errorf("text part lacks the link %s on its own line:\n%s", c.link, p.Text)
		}
		if !strings.Contains(p.Text, "Sista dag att svara är 2009-12-18.") ||
			!strings.Contains(p.Text, "Frågor? Kontakta projektledaren Anna Lind, anna.lind@falun.example.") {
			t.Errorf("text part lacks deadline or contact:\n%s", p.Text)
		}
		wantHref := `href="` + strings.ReplaceAll(c.link, "&", "&amp;") + `"`
		if !strings.Contains(p.HTML, wantHref) {
			t.Errorf("HTML part lacks %s:\n%s", wantHref, p.HTML)
		}
		if len(p.Types) != 2 || p.Types[0] != "text/plain; charset=utf-8" || p.Types[1] != "text/html; charset=utf-8" {
			t.Errorf("part types = %q", p.Types)
		}
		h := p.Header
		if h.Get("MIME-Version") != "1.0" || h.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("MIME-Version %q, Auto-Submitted %q", h.Get("MIME-Version"), h.Get("Auto-Submitted"))
		}
		if _, err := h.Date(); err != nil {
			t.Errorf("Date %q: %v", h.Get("Date"), err)
		}
		if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@bergslagen.example>") {
			t.Errorf("Message-ID = %q", id)
		}
		if rt := h.Get("Reply-To"); rt != "<anna.lind@falun.example>" {
			t.Errorf("Reply-To = %q", rt)
		}
		if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "inventera@bergslagen.example" || from[0].Name != "Inventera" {
			t.Errorf("From = %q (%v)", h.Get("From"), err)
		}
	}
	if got[0].Data != nil && bytes.Equal(got[0].Data, got[1].Data) {
		t.Error("two messages are identical")
	}
	if parseReceived(t, got[0].Data).Header.Get("Message-ID") == parseReceived(t, got[1].Data).Header.Get("Message-ID") {
		t.Error("two messages share a Message-ID")
	}
}

func TestSendConcurrent(t *testing.T) {
	be := &recorder{}
	s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", nil)})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := Message{To: "chef" + string(rune('a'+i)) + "@kommun.example", Subject: "x", Text: "y"}
			errs <- s.Send(context.Background(), m)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(be.messages()); n != 8 {
		t.Errorf("server got %d messages, want 8", n)
	}
}

func TestSendFailures(t *testing.T) {
	closedAddr := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	msg := Message{To: "fel@kommun.example", Subject: "Inventering", Text: "Hej!"}

	tests := []struct {
		name     string
		addr     func(t *testing.T) string
		be       *recorder
		wantStep string
		wantCode int
		wantText []string // substrings of the error message
		wantTemp bool
	}{
		{
			name:     "recipient refused",
			be:       &recorder{rejectRcpt: map[string]bool{"fel@kommun.example": true}},
			wantStep: "RCPT TO", wantCode: 550,
			wantText: []string{"550", "RCPT TO", "fel@kommun.example", "No such user"},
		},
		{
			name:     "data refused",
			be:       &recorder{rejectData: true},
			wantStep: "end of DATA", wantCode: 554,
			wantText: []string{"554", "DATA", "Message refused"},
		},
		{
			name:     "authentication required",
			be:       &recorder{username: "u", password: "p"},
			wantStep: "MAIL FROM", wantCode: 502,
			wantText: []string{"502", "MAIL FROM"},
		},
		{
			name:     "connection refused",
			addr:     closedAddr,
			wantStep: "connect",
			wantText: []string{"connect", "refused"},
			wantTemp: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var addr string
			if tt.addr != nil {
				addr = tt.addr(t)
			} else {
				addr = startServer(t, tt.be, "127.0.0.1", nil)
			}
			s := newTestSender(t, Config{Addr: addr})
			err := s.Send(context.Background(), msg)
			if err == nil {
				t.Fatal("Send reported success")
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SendError", err, err)
			}
			if se.Step != tt.wantStep || se.Code != tt.wantCode {
				t.Errorf("step %q code %d, want %q %d", se.Step, se.Code, tt.wantStep, tt.wantCode)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if se.Temporary() != tt.wantTemp {
				t.Errorf("%v: Temporary() = %v", err, se.Temporary())
			}
			if tt.be != nil && len(tt.be.messages()) != 0 {
				t.Error("the server kept a message")
			}
		})
	}
}

// silentServer accepts connections and never says anything.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

func TestSendSilentServerTimesOut(t *testing.T) {
	s := newTestSender(t, Config{Addr: silentServer(t), Timeout: 300 * time.Millisecond})
	start := time.Now()
	err := s.Send(context.Background(), Message{To: "a@kommun.example", Subject: "s", Text: "t"})
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Send to a silent server reported success")
	}
	if elapsed > 3*time.Second {
		t.Errorf("Send took %s with a 300ms timeout", elapsed)
	}
	var se *SendError
	if !errors.As(err, &se) || se.Step != "greeting" || !se.Temporary() {
		t.Errorf("error = %v, want a temporary failure at the greeting", err)
	}
	if !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Errorf("error %q does not say the server did not answer", err)
	}
}

func TestSendContextCancelled(t *testing.T) {
	s := newTestSender(t, Config{Addr: silentServer(t), Timeout: 30 * time.Second})

	t.Run("cancelled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := s.Send(ctx, Message{To: "a@kommun.example", Subject: "s", Text: "t"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send returned %s after the cancel", d)
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Send(ctx, Message{To: "a@kommun.example", Subject: "s", Text: "t"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("caller's deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		if err := s.Send(ctx, Message{To: "a@kommun.example", Subject: "s", Text: "t"}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestSendHeaderInjection(t *testing.T) {
	be := &recorder{}
	s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", nil)})
	ok := Message{To: "karin@falun.example", ToName: "Karin", Subject: "Inventering", Text: "Hej", ReplyTo: "anna@falun.example"}
	tests := []struct {
		name  string
		edit  func(m *Message)
		field string
	}{
		{"To CRLF", func(m *Message) { m.To = "karin@falun.example\r\nBcc: all@falun.example" }, "To"},
		{"To LF", func(m *Message) { m.To = "karin@falun.example\nBcc: all@falun.example" }, "To"},
		{"ToName CR", func(m *Message) { m.ToName = "Karin\rBcc: all@falun.example" }, "ToName"},
		{"ToName CRLF", func(m *Message) { m.ToName = "Karin\r\nBcc: all@falun.example" }, "ToName"},
		{"Subject CRLF", func(m *Message) { m.Subject = "Hej\r\nBcc: all@falun.example" }, "Subject"},
		{"Subject LF", func(m *Message) { m.Subject = "Hej\n\nInjected body" }, "Subject"},
		{"ReplyTo LF", func(m *Message) { m.ReplyTo = "anna@falun.example\nBcc: x@y.example" }, "ReplyTo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			err := s.Send(context.Background(), m)
			if !errors.Is(err, ErrHeaderInjection) {
				t.Fatalf("error = %v, want ErrHeaderInjection", err)
			}
			if !strings.HasSuffix(err.Error(), tt.field) {
				t.Errorf("error %q does not name %s", err, tt.field)
			}
		})
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("server got %d messages", n)
	}
	if _, err := NewSender(Config{Addr: "127.0.0.1:25", From: "a@b.example\r\nBcc: c@d.example"}); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("From with CRLF: error = %v, want ErrHeaderInjection", err)
	}
	// The unchanged message goes through.
	if err := s.Send(context.Background(), ok); err != nil {
		t.Fatalf("valid message: %v", err)
	}
}

func TestSendInvalidMessage(t *testing.T) {
	s := newTestSender(t, Config{Addr: "127.0.0.1:1"})
	for _, m := range []Message{
		{To: "", Subject: "s", Text: "t"},
		{To: "inte en adress", Subject: "s", Text: "t"},
		{To: "a@b.example", Subject: "s"},
		{To: "a@b.example", Subject: "s", Text: "t", ReplyTo: "nej"},
	} {
		err := s.Send(context.Background(), m)
		var se *SendError
		if err == nil || errors.As(err, &se) {
			t.Errorf("%+v: error = %v, want a message error before connecting", m, err)
		}
	}
}

func TestNewSender(t *testing.T) {
	tests := []struct {
		addr, from string
		ok         bool
	}{
		{"smtp.falun.example:587", "inventera@falun.example", true},
		{"127.0.0.1:25", "Inventera Bergslagen <noreply@bergslagen.example>", true},
		{"[::1]:2525", "noreply@bergslagen.example", true},
		{" smtp.falun.example:25 ", "noreply@bergslagen.example", true},
		{"smtp.falun.example", "noreply@bergslagen.example", false},
		{":25", "noreply@bergslagen.example", false},
		{"smtp.falun.example:smtp", "noreply@bergslagen.example", false},
		{"smtp.falun.example:0", "noreply@bergslagen.example", false},
		{"smtp.falun.example:70000", "noreply@bergslagen.example", false},
		{"", "noreply@bergslagen.example", false},
		{"smtp.falun.example:25", "", false},
		{"smtp.falun.example:25", "noreply", false},
		{"smtp.falun.example:25", "noreply@", false},
	}
	for _, tt := range tests {
		_, err := NewSender(Config{Addr: tt.addr, From: tt.from})
		if (err == nil) != tt.ok {
			t.Errorf("NewSender(%q, %q) error = %v, want ok=%v", tt.addr, tt.from, err, tt.ok)
		}
	}
	if _, err := NewSender(Config{Addr: "a.example:25", From: "a@b.example", Timeout: -time.Second}); err == nil {
		t.Error("negative timeout accepted")
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvSMTP: "smtp.falun.example:587", EnvMailFrom: "inventera@falun.example",
		EnvUsername: "inventera", EnvPassword: "hemligt",
	}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "smtp.falun.example:587", From: "inventera@falun.example", Username: "inventera", Password: "hemligt"}
	if cfg != want {
		t.Errorf("cfg = %+v, want %+v", cfg, want)
	}
	_, err = ConfigFromEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), EnvSMTP) || !strings.Contains(err.Error(), EnvMailFrom) {
		t.Errorf("empty environment: error = %v, want both variables named", err)
	}
}

func TestSendSTARTTLS(t *testing.T) {
	cert, pool := selfSignedCert(t)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	msg := Message{To: "karin@falun.example", Subject: "Inventering", Text: "Hej"}

	t.Run("trusted certificate", func(t *testing.T) {
		be := &recorder{username: "inventera", password: "hemligt"}
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", tlsCfg), RootCAs: pool, Username: "inventera", Password: "hemligt"})
		if err := s.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		got := be.messages()
		if len(got) != 1 || !got[0].TLS || got[0].User != "inventera" {
			t.Fatalf("got %+v, want one message over TLS after AUTH", got)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		be := &recorder{}
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", tlsCfg)})
		err := s.Send(context.Background(), msg)
		var se *SendError
		if !errors.As(err, &se) || se.Step != "STARTTLS" {
			t.Fatalf("error = %v, want a STARTTLS failure", err)
		}
		if !strings.Contains(err.Error(), "certificate is not valid") || se.Temporary() {
			t.Errorf("error %q is not a clear permanent certificate error", err)
		}
		if n := len(be.messages()); n != 0 {
			t.Errorf("server got %d messages after a failed STARTTLS", n)
		}
	})
	t.Run("certificate for another host", func(t *testing.T) {
		// The certificate names 127.0.0.1 and localhost only.
		be := &recorder{}
		addr, err := net.Listen("tcp", "127.0.0.2:0")
		if err != nil {
			t.Skipf("no 127.0.0.2 here: %v", err)
		}
		addr.Close()
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.2", tlsCfg), RootCAs: pool})
		if err := s.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "127.0.0.2") {
			t.Fatalf("error = %v, want a certificate error for 127.0.0.2", err)
		}
	})
}

func TestSendAuth(t *testing.T) {
	msg := Message{To: "karin@falun.example", Subject: "Inventering", Text: "Hej"}
	t.Run("plain connection to loopback", func(t *testing.T) {
		be := &recorder{username: "inventera", password: "hemligt"}
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", nil), Username: "inventera", Password: "hemligt"})
		if err := s.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if got := be.messages(); len(got) != 1 || got[0].User != "inventera" || got[0].TLS {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		be := &recorder{username: "inventera", password: "hemligt"}
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", nil), Username: "inventera", Password: "fel"})
		err := s.Send(context.Background(), msg)
		var se *SendError
		if !errors.As(err, &se) || se.Step != "AUTH" || se.Code != 535 || !strings.Contains(err.Error(), "535") {
			t.Fatalf("error = %v, want AUTH failure 535", err)
		}
	})
	t.Run("server without AUTH", func(t *testing.T) {
		be := &recorder{}
		s := newTestSender(t, Config{Addr: startServer(t, be, "127.0.0.1", nil), Username: "inventera", Password: "hemligt"})
		if err := s.Send(context.Background(), msg); !errors.Is(err, errNoAuth) {
			t.Fatalf("error = %v, want errNoAuth", err)
		}
	})
}

func TestMayAuthenticate(t *testing.T) {
	tests := []struct {
		tls  bool
		host string
		want bool
	}{
		{true, "smtp.falun.example", true},
		{false, "smtp.falun.example", false},
		{false, "10.0.0.5", false},
		{false, "localhost", true},
		{false, "127.0.0.1", true},
		{false, "127.0.0.2", true},
		{false, "::1", true},
	}
	for _, tt := range tests {
		if got := mayAuthenticate(tt.tls, tt.host); got != tt.want {
			t.Errorf("mayAuthenticate(%v, %q) = %v, want %v", tt.tls, tt.host, got, tt.want)
		}
	}
}
