// Package web is inventera's HTTP layer: one echo server whose handlers bind
// the request, call the domain services and render an embedded template. It
// maps domain errors to status codes and Swedish pages in one place
// (errors.go) and holds the one route table (routes.go).
package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/pace"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/staff"
)

// Config is the web layer's share of the configuration.
type Config struct {
	// SecureCookies marks cookies Secure (serve behind TLS).
	SecureCookies bool
	// HSTS sends Strict-Transport-Security, so that browsers use HTTPS only
	// for a year: set it only when the service is reached over HTTPS.
	HSTS bool
	// TrustProxy takes the client's address from X-Forwarded-For and TLS
	// from X-Forwarded-Proto, as set by a reverse proxy in front.
	TrustProxy bool
	// MaxBodyBytes limits a request body; uploads have their own limit.
	MaxBodyBytes int64
	// UploadConcurrency is how many uploaded files are read at once;
	// another upload meanwhile gets 503 (default 2).
	UploadConcurrency int
	// UploadTimeout bounds the reading of one uploaded file (default 15 s).
	UploadTimeout time.Duration
	// RequestConcurrency is how many requests are handled at once; the
	// rest queue in order of arrival (requestGate; default twice the cores). Keep it
	// below the database pool's size, so that a request let in finds a
	// connection free.
	RequestConcurrency int
	// RequestQueueWait is how long a request may queue before it gets a
	// 503 (default 20 s).
	RequestQueueWait time.Duration
}

// Server holds the concrete dependencies of every handler.
type Server struct {
	cfg      Config
	form     *form.Definition
	respond  *respond.Service
	manage   *manage.Service
	staff    *staff.Service
	mailer   manage.Mailer // nil when no SMTP server is configured
	reports  *comparison.Service
	guard    *guard.Guard
	uploads  *uploadGate
	requests *requestGate
	pages    *pages
	now      func() time.Time
	echo     *echo.Echo
}

// Deps are the services the web layer calls.
type Deps struct {
	Form    *form.Definition
	Respond *respond.Service
	Manage  *manage.Service
	Staff   *staff.Service
	Mailer  manage.Mailer // optional
	Reports *comparison.Service
	Guard   *guard.Guard
	Now     func() time.Time
	// Demand, if set, is raised while a request queues at the request
	// gate; report builds given the same (comparison.Service.GiveWayTo)
	// give way to it.
	Demand *pace.Demand
}

// New builds the server and its routes; templates are parsed here, once.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.UploadConcurrency <= 0 {
		cfg.UploadConcurrency = defaultUploadConcurrency
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = defaultUploadTimeout
	}
	if cfg.RequestConcurrency <= 0 {
		cfg.RequestConcurrency = DefaultRequestConcurrency()
	}
	if cfg.RequestQueueWait <= 0 {
		cfg.RequestQueueWait = defaultRequestQueueWait
	}
	p, err := parsePages(d.Form)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, form: d.Form, respond: d.Respond, manage: d.Manage, staff: d.Staff,
		mailer: d.Mailer, reports: d.Reports, guard: d.Guard, pages: p, now: d.Now,
		uploads:  newUploadGate(cfg.UploadConcurrency, cfg.UploadTimeout),
		requests: newRequestGate(cfg.RequestConcurrency, cfg.RequestQueueWait, d.Demand)}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// The client's address keys link and login throttling, so it must not
	// come from a header the client writes unless a proxy sets it.
	e.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.echo = e
	s.routes(e)
	return s, nil
}

// Concurrency is how many requests the server works on at once (its
// gate's size), and so about how many database connections it uses at
// once.
func (s *Server) Concurrency() int { return s.cfg.RequestConcurrency }

// Settle waits until the reports the server built are kept
// (comparison.Service.Settle).
func (s *Server) Settle() { s.reports.Settle() }

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully;
// it returns once the reports built meanwhile are kept, so that the
// database may close.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: s.echo, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	defer s.reports.Settle()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}
