package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// A report as the samordnare asks for it: from a running server, through
// its routes, after a write to the round, so that it is built. A fresh
// process (report-json-built) also pays for what a server does once —
// parsing templates and fonts, opening the database, the kernel giving the
// heap its first pages — so the two are shown side by side.

const (
	servedEmail   = "rapport@bench.example"
	servedRepeats = 7 // builds after the first; the median counts
)

// reportServed builds the national round's JSON report servedRepeats+1
// times in one server, each after a write to the round, and returns the
// median of all but the first.
func (s *stepper) reportServed(ctx context.Context) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	r, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	cookies, err := staffSession(ctx, a, servedEmail, "Rapportläsare")
	if err != nil {
		return stepResult{}, err
	}
	path := "/rapporter/" + strconv.FormatInt(r.ID, 10) + "/fil/json"
	var (
		runs  []Row
		first time.Duration
		size  int
	)
	for i := range servedRepeats + 1 {
		if err := touchRound(ctx, a, r.ID); err != nil {
			return stepResult{}, err
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		a.Handler.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			return stepResult{}, fmt.Errorf("GET %s: status %d", path, rec.Code)
		}
		size = rec.Body.Len()
		if i == 0 {
			first = d
			continue
		}
		runs = append(runs, Row{Time: d})
	}
	m := median(runs)
	return stepResult{Seconds: m.Time.Seconds(), Note: fmt.Sprintf("%s built; GET %s in a running server after a write to the round: median of %d requests after a first of %s",
		fmtBytes(int64(size)), path, len(runs), fmtDuration(first))}, nil
}
