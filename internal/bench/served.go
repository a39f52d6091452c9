package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Reports as the samordnare asks for them: from a running server, through
// its routes, each after a write to the round, so that it is built. A
// fresh process (report-json-built, report-compared) also pays for what a
// server does once — starting, parsing templates and fonts, opening the
// database, the kernel giving the heap its first pages — so those are
// shown beside these.

const (
	aloneQuery    = "?jamfor=ingen" // the round's own report, compared with no other
	servedEmail   = "rapport@bench.example"
	comparedEmail = "jamforelse@bench.example"
	servedRepeats = 7 // builds after the first; the median counts
)

// servedReports requests the national round's reports from the server's
// handler as a samordnare logged in with email (made here).
type servedReports struct {
	a       *App
	roundID int64
	cookies []*http.Cookie
}

func (s *stepper) servedReports(ctx context.Context, a *App, email string) (*servedReports, error) {
	r, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return nil, err
	}
	cookies, err := staffSession(ctx, a, email, "Rapportläsare")
	if err != nil {
		return nil, err
	}
	return &servedReports{a: a, roundID: r.ID, cookies: cookies}, nil
}

// build writes to the round, then times GET of its JSON report, compared
// as query says ("" is the default comparison); it returns the time and
// the report's size.
func (sr *servedReports) build(ctx context.Context, query string) (time.Duration, int, error) {
	// The last report built is kept first, as it would be by the time a
	// reader asks again: each request is timed alone.
	sr.a.Settle()
	if err := touchRound(ctx, sr.a, sr.roundID); err != nil {
		return 0, 0, err
	}
	path := "/rapporter/" + strconv.FormatInt(sr.roundID, 10) + "/fil/json" + query
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	for _, c := range sr.cookies {
		req.AddCookie(c)
	}
	rec := &discardResponse{header: http.Header{}}
	start := time.Now()
	sr.a.Handler.ServeHTTP(rec, req)
	d := time.Since(start)
	if rec.code != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: status %d", path, rec.code)
	}
	return d, rec.size, nil
}

// discardResponse is a response sent nowhere, as a socket takes it: the
// body is counted, not kept (httptest's recorder would time its own
// buffer growing to the report's size).
type discardResponse struct {
	header http.Header
	code   int
	size   int
}

func (r *discardResponse) Header() http.Header { return r.header }

func (r *discardResponse) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *discardResponse) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.size += len(p)
	return len(p), nil
}

// reportServed builds the national round's JSON report servedRepeats+1
// times in one server and returns the median of all but the first.
func (s *stepper) reportServed(ctx context.Context) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	sr, err := s.servedReports(ctx, a, servedEmail)
	if err != nil {
		return stepResult{}, err
	}
	var (
		runs  []Row
		first time.Duration
		size  int
	)
	for i := range servedRepeats + 1 {
		d, n, err := sr.build(ctx, aloneQuery)
		if err != nil {
			return stepResult{}, err
		}
		size = n
		if i == 0 {
			first = d
			continue
		}
		runs = append(runs, Row{Time: d})
	}
	m := median(runs)
	return stepResult{Seconds: m.Time.Seconds(), Note: fmt.Sprintf("%s built; GET /rapporter/ID/fil/json in a running server after a write to the round: median of %d requests after a first of %s",
		fmtBytes(int64(size)), len(runs), fmtDuration(first))}, nil
}
