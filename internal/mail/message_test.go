package mail

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var testFrom = netmail.Address{Name: "Inventera Bergslagen", Address: "noreply@bergslagen.example"}

func TestBuildMessageSinglePart(t *testing.T) {
	now := time.Date(2009, 11, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		m        Message
		wantType string
		wantBody string
	}{
		{"text only", Message{To: "a@falun.example", Subject: "Hej", Text: "Rad ett\nRad två med åäö\n"}, "text/plain; charset=utf-8", "Rad ett\r\nRad två med åäö\r\n"},
		{"html only", Message{To: "a@falun.example", Subject: "Hej", HTML: "<p>åäö</p>"}, "text/html; charset=utf-8", "<p>åäö</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcpt, raw, err := buildMessage(testFrom, tt.m, now, "<id@bergslagen.example>")
			if err != nil {
				t.Fatal(err)
			}
			if rcpt != "a@falun.example" {
				t.Errorf("rcpt = %q", rcpt)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			if h.Get("Content-Type") != tt.wantType || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
				t.Errorf("Content-Type %q, Content-Transfer-Encoding %q", h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"))
			}
			if got := h.Get("Date"); got != "Mon, 02 Nov 2009 09:30:00 +0100" {
				t.Errorf("Date = %q", got)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimRight(string(body), "\r\n"); got != strings.TrimRight(tt.wantBody, "\r\n") {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
		})
	}
}

func TestBuildMessageHeaders(t *testing.T) {
	subject := "Påminnelse: Inventering av utvärderingar: Barn- och utbildningsförvaltningen, Räddningstjänsten Dala Mitt och Västerbergslagens utbildningscentrum"
	m := Message{To: "Örjan <orjan@ludvika.example>", ToName: "Örjan Åkesson", Subject: subject, Text: "x"}
	_, raw, err := buildMessage(testFrom, m, time.Now(), "<id@bergslagen.example>")
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, b := range header {
		if b >= 0x80 {
			t.Fatalf("header is not 7-bit:\n%s", header)
		}
	}
	if n := bytes.Count(header, []byte("\r\nSubject:")); n != 1 {
		t.Fatalf("%d Subject lines", n)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	got, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || got != subject {
		t.Errorf("Subject decodes to %q (%v), want %q", got, err, subject)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Örjan Åkesson" || to[0].Address != "orjan@ludvika.example" {
		t.Errorf("To = %q: %v %v", msg.Header.Get("To"), to, err)
	}
	if !strings.Contains(msg.Header.Get("To"), "=?utf-8?q?") {
		t.Errorf("To name is not Q-encoded: %q", msg.Header.Get("To"))
	}
}

func TestNewMessageID(t *testing.T) {
	a, err := newMessageID("noreply@bergslagen.example")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newMessageID("noreply@bergslagen.example")
	if a == b || !strings.HasSuffix(a, "@bergslagen.example>") || !strings.HasPrefix(a, "<") {
		t.Errorf("ids %q %q", a, b)
	}
}

// FuzzBuildMessage checks that no Subject or recipient name can add a header
// field or end the header early, and that the Subject survives encoding.
func FuzzBuildMessage(f *testing.F) {
	for _, s := range []string{
		"Inventering av utvärderingar: Socialförvaltningen",
		"Hej\r\nBcc: all@falun.example",
		"Hej\n\nbody",
		"=?utf-8?q?x?=",
		strings.Repeat("Räddningstjänsten ", 12),
		"",
	} {
		f.Add(s, "Karin Berg")
	}
	f.Fuzz(func(t *testing.T, subject, name string) {
		m := Message{To: "karin@falun.example", ToName: name, Subject: subject, Text: "Hej"}
		_, raw, err := buildMessage(testFrom, m, time.Now(), "<id@bergslagen.example>")
		if hasLineBreak(subject) || hasLineBreak(name) {
			if err == nil {
				t.Fatalf("line break accepted: %q %q", subject, name)
			}
			return
		}
		if err != nil {
			t.Fatalf("buildMessage(%q, %q): %v", subject, name, err)
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable message for %q %q: %v", subject, name, err)
		}
		want := []string{"Auto-Submitted", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		var got []string
		for k, v := range msg.Header {
			if len(v) != 1 {
				t.Errorf("%d %s fields", len(v), k)
			}
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("header fields %q, want %q; subject %q name %q", got, want, subject, name)
		}
		if !utf8.ValidString(subject) {
			return
		}
		var dec mime.WordDecoder
		decoded, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("Subject %q does not decode: %v", msg.Header.Get("Subject"), err)
		}
		if oneLine(decoded) != oneLine(subject) {
			t.Fatalf("Subject %q decodes to %q", subject, decoded)
		}
	})
}
