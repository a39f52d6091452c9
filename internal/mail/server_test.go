package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is one message as the test server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the message came over STARTTLS
	User string // the AUTH user, "" without AUTH
}

// recorder is a go-smtp Backend that keeps every accepted message and can be
// told to refuse recipients or message data.
type recorder struct {
	rejectRcpt map[string]bool // RCPT TO these gets 550
	rejectData bool            // end of DATA gets 554
	username   string          // when set, AUTH PLAIN is offered and required
	password   string

	mu   sync.Mutex
	msgs []received
}

func (r *recorder) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.msgs...)
}

func (r *recorder) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &recSession{be: r, conn: c}, nil
}

type recSession struct {
	be   *recorder
	conn *gosmtp.Conn
	user string
	msg  received
}

func (s *recSession) AuthMechanisms() []string {
	if s.be.username == "" {
		return nil
	}
	return []string{gosasl.Plain}
}

func (s *recSession) Auth(string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(_, username, password string) error {
		if username != s.be.username || password != s.be.password {
			return gosmtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *recSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.be.username != "" && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.msg = received{From: from}
	return nil
}

func (s *recSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.be.rejectRcpt[strings.ToLower(to)] {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *recSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.be.rejectData {
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "Message refused"}
	}
	s.msg.Data = b
	_, s.msg.TLS = s.conn.TLSConnectionState()
	s.msg.User = s.user
	s.be.mu.Lock()
	s.be.msgs = append(s.be.msgs, s.msg)
	s.be.mu.Unlock()
	return nil
}

func (s *recSession) Reset()        { s.msg = received{} }
func (s *recSession) Logout() error { return nil }

// startServer runs a go-smtp server for be on host:0 and returns its
// address. tlsConfig, when set, makes it offer STARTTLS.
func startServer(t *testing.T, be *recorder, host string, tlsConfig *tls.Config) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = true
	srv.TLSConfig = tlsConfig
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtp server: %v", err)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

// selfSignedCert makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "inventera test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
