package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
)

// The national progress page (issue 13 §3): 290 kommuner and 5 800 units,
// filtered and paged. The bench's national round has natgen's 5 units per
// kommun (--units), so the page is measured on a round of its own with
// progressUnitsFactor times as many: 20 per kommun, 5 800 units (and
// natgen's shared ones) at the defaults, and --scale times that.

const (
	benchProgressRound  = "Framsteg, nationell (bench)"
	progressUnitsFactor = 4
	progressRepeats     = 7 // requests of each page; the median counts
	progressEmail       = "framsteg@bench.example"
)

// progress runs the progress page's steps: its round, then the page.
func (b *bencher) progress(ctx context.Context) ([]Row, error) {
	var rows []Row
	res, row, err := b.step(ctx, "progress-round", "progress round (store)")
	rows = append(rows, row)
	if err != nil {
		return rows, err
	}
	label := fmt.Sprintf("progress page, %s units", numfmt.Int(int(number(res.Extra, "units"))))
	_, row, err = b.step(ctx, "progress-page", label)
	if err != nil {
		return append(rows, row), err
	}
	row.CPU = 0 // the process made every request and the workbook; its CPU time is no one page's
	target := fmt.Sprintf("< %s server time", fmtDuration(progressMaxTime))
	ok := row.Time < progressMaxTime
	if b.opt.Scale > 1 {
		row.Target = "— (national: " + target + ")"
		row.Note += fmt.Sprintf("; the national target would be %s", met(ok))
	} else {
		row.Target = target
		row.Status = met(ok)
	}
	return append(rows, row), nil
}

// progressRound stores the progress page's round: the national round's
// kommuner and evaluations, with progressUnitsFactor times its units.
func (s *stepper) progressRound(ctx context.Context) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	g := s.o.generated()
	g.UnitsPerKommun *= progressUnitsFactor
	ds := natgen.Generate(g)
	r, err := a.Manage.ImportDataset(ctx, system, benchProgressRound, round.DefaultHourlyRate, ds)
	if err != nil {
		return stepResult{}, fmt.Errorf("store the progress round: %w", err)
	}
	if _, err := countStored(ctx, a, r.ID, ds.EvaluationCount()); err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: time.Since(start).Seconds(), RoundID: r.ID, Extra: map[string]any{"units": len(ds.Units)},
		Note: fmt.Sprintf("%s (manage.ImportDataset): %d units per kommun, %d × the national round's", natgen.Describe(ds), g.UnitsPerKommun, progressUnitsFactor)}, nil
}

// progressView is one way the samordnare looks at the progress page.
type progressView struct {
	name   string
	filter manage.OverviewFilter
}

// progressPage is a samordnare, logged in through the login form, loading
// the progress page of the progress round: the first page, a kommun, a
// status and område on a later page, a search and the last page, each
// progressRepeats times; server time, the request handed to the router
// directly. The step's time is the slowest view's median. The progress
// workbook of every unit is downloaded once.
func (s *stepper) progressPage(ctx context.Context) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	r, err := a.Manage.RoundByName(ctx, system, benchProgressRound)
	if err != nil {
		return stepResult{}, err
	}
	all, err := a.Manage.Overview(ctx, system, r.ID, manage.OverviewFilter{})
	if err != nil {
		return stepResult{}, err
	}
	if all.UnitCount == 0 || len(all.Units) == 0 || len(all.KommunNames) == 0 || len(all.Omraden) == 0 {
		return stepResult{}, fmt.Errorf("the progress round shows %d units", all.UnitCount)
	}
	views := []progressView{
		{"first page", manage.OverviewFilter{}},
		{"kommun", manage.OverviewFilter{Kommun: all.KommunNames[len(all.KommunNames)/2]}},
		{"status + område, page 2", manage.OverviewFilter{Status: round.ProgressSubmitted, Omrade: all.Omraden[0], Page: 2}},
		{"search", manage.OverviewFilter{Search: strings.Fields(all.Units[0].Name)[0]}},
		{"last page", manage.OverviewFilter{Page: all.Pages}},
	}
	// Each view selects units, so that none is timed showing nothing.
	for i, v := range views {
		ov, err := a.Manage.Overview(ctx, system, r.ID, v.filter)
		if err != nil {
			return stepResult{}, err
		}
		if ov.Matches == 0 || len(ov.Units) == 0 {
			return stepResult{}, fmt.Errorf("progress page %q (%s) selects no unit", v.name, query(v.filter))
		}
		views[i].filter.Page = ov.Filter.Page // as applied: within range
	}

	cookies, err := staffSession(ctx, a, progressEmail, "Framstegsläsare")
	if err != nil {
		return stepResult{}, err
	}
	page := "/admin/omgangar/" + strconv.FormatInt(r.ID, 10)
	get := func(path string) (time.Duration, *httptest.ResponseRecorder) {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		a.Handler.ServeHTTP(rec, req)
		return time.Since(start), rec
	}
	var parts []string
	var slowest time.Duration
	for _, v := range views {
		path := page + query(v.filter)
		var runs []Row
		var first time.Duration
		size := 0
		for i := range progressRepeats + 1 {
			d, rec := get(path)
			if rec.Code != http.StatusOK {
				return stepResult{}, fmt.Errorf("GET %s: status %d", path, rec.Code)
			}
			if !bytes.Contains(rec.Body.Bytes(), []byte(benchProgressRound)) {
				return stepResult{}, fmt.Errorf("GET %s: the page does not name the round", path)
			}
			size = rec.Body.Len()
			if i == 0 {
				first = d
				continue
			}
			runs = append(runs, Row{Time: d})
		}
		m := median(runs).Time
		slowest = max(slowest, m)
		parts = append(parts, fmt.Sprintf("%s %s (first %s, %s)", v.name, fmtDuration(m), fmtDuration(first), fmtBytes(int64(size))))
	}

	d, rec := get(page + "/framsteg.xlsx")
	if rec.Code != http.StatusOK {
		return stepResult{}, fmt.Errorf("GET %s/framsteg.xlsx: status %d", page, rec.Code)
	}
	units, err := workbookUnits(rec.Body.Bytes())
	if err != nil {
		return stepResult{}, err
	}
	if units != all.UnitCount {
		return stepResult{}, fmt.Errorf("the progress workbook lists %d units of %d", units, all.UnitCount)
	}
	note := fmt.Sprintf("median of %d requests each: %s; progress workbook (XLSX, %d units) %s, %s",
		progressRepeats, strings.Join(parts, "; "), units, fmtDuration(d), fmtBytes(int64(rec.Body.Len())))
	return stepResult{Seconds: slowest.Seconds(), RoundID: r.ID, Note: note}, nil
}

// query is the progress page's query string for a filter, as its links
// write it.
func query(f manage.OverviewFilter) string {
	v := url.Values{}
	for k, s := range map[string]string{"kommun": f.Kommun, "status": string(f.Status), "omrade": f.Omrade, "sok": f.Search} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Page > 1 {
		v.Set("sida", strconv.Itoa(f.Page))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// staffSession makes a samordnare and logs them in through the login form
// of the web server, returning the session's cookies.
func staffSession(ctx context.Context, a *App, email, name string) ([]*http.Cookie, error) {
	if _, _, err := a.Staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: email, Name: name, Role: staff.Samordnare, Password: benchPassword}); err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, a)
	if err != nil {
		return nil, err
	}
	c, err := login(ctx, srv.base, email)
	if stopErr := srv.stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(srv.base)
	if err != nil {
		return nil, err
	}
	cookies := c.Jar.Cookies(u)
	if len(cookies) == 0 {
		return nil, errors.New("the login set no cookie")
	}
	return cookies, nil
}

// workbookUnits counts the unit rows of a progress workbook.
func workbookUnits(b []byte) (int, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return 0, fmt.Errorf("progress workbook: %w", err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet.SheetProgress)
	if err != nil {
		return 0, fmt.Errorf("progress workbook: %w", err)
	}
	return max(len(rows)-1, 0), nil
}
