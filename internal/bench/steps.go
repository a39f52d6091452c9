package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/store"
)

// RunStep runs one step in this process and prints its result as the last
// line of stdout (what Run's child processes do).
func RunStep(ctx context.Context, w Wiring, name string, o Options, stdout io.Writer) error {
	if name == "" {
		return errNoStep
	}
	if o.Dir == "" || (o.DB == "" && o.DatabaseURL == "") {
		return errors.New("bench step: --dir and --db or --database-url are required")
	}
	s := &stepper{w: w, o: o, stdout: stdout}
	steps := map[string]func(context.Context) (stepResult, error){
		"generate":  s.generate,
		"import":    s.importWorkbook,
		"store":     s.storeGenerated,
		"aggregate": s.aggregate,
		"report-json": func(ctx context.Context) (stepResult, error) {
			return s.report(ctx, comparison.JSON, false)
		},
		"report-json-built": func(ctx context.Context) (stepResult, error) {
			return s.report(ctx, comparison.JSON, true)
		},
		"report-json-served": s.reportServed,
		"report-html": func(ctx context.Context) (stepResult, error) {
			return s.report(ctx, comparison.HTML, false)
		},
		"report-xlsx": func(ctx context.Context) (stepResult, error) {
			return s.report(ctx, comparison.XLSX, false)
		},
		"earlier":                s.earlier,
		"report-compared":        s.comparedReport,
		"report-compared-repeat": s.comparedRepeat,
		"submissions":            s.submissions,
		"submit-during-reports":  s.submitDuringReports,
		"progress-round":         s.progressRound,
		"progress-page":          s.progressPage,
	}
	maps.Copy(steps, s.instanceSteps())
	run, ok := steps[name]
	if !ok {
		return fmt.Errorf("bench step: unknown step %q", name)
	}
	if o.Profile != "" {
		f, err := os.Create(filepath.Join(o.Profile, name+".pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := run(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

type stepper struct {
	w      Wiring
	o      Options
	stdout io.Writer
}

func (s *stepper) open(ctx context.Context) (*App, error) { return s.w.Open(ctx, s.o.database()) }

var system = manage.System("bench")

func (s *stepper) generate(_ context.Context) (stepResult, error) {
	start := time.Now()
	ds := natgen.Generate(s.o.generated())
	generated := time.Since(start)
	def, err := form.Evaluation()
	if err != nil {
		return stepResult{}, err
	}
	path := filepath.Join(s.o.Dir, benchWorkbook)
	size, err := writeFile(path, func(w io.Writer) error { return sheet.WriteXLSX(w, def, ds) })
	if err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: time.Since(start).Seconds(), Note: fmt.Sprintf("%s; generate %s, workbook %s",
		natgen.Describe(ds), fmtDuration(generated), fmtBytes(size))}, nil
}

// writeFile creates path (which must not exist) and writes it through a
// buffer, returning its size.
func writeFile(path string, write func(io.Writer) error) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(f)
	cw := &countWriter{w: bw}
	if err := write(cw); err != nil {
		f.Close()
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return cw.n, f.Close()
}

// importWorkbook is `inventera import` of the workbook: sheet.ReadImportXLSX
// and manage.Import (the streaming path, batches in one transaction), timed
// from opening the database to the commit.
func (s *stepper) importWorkbook(ctx context.Context) (stepResult, error) {
	f, err := os.Open(filepath.Join(s.o.Dir, benchWorkbook))
	if err != nil {
		return stepResult{}, err
	}
	defer f.Close()
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	im, err := sheet.ReadImportXLSX(ctx, f, a.Form, sheet.DefaultLimits())
	if err != nil {
		return stepResult{}, fmt.Errorf("read workbook: %w", err)
	}
	read := time.Since(start)
	r, err := a.Manage.Import(ctx, system, benchRound, round.DefaultHourlyRate, im)
	if err != nil {
		return stepResult{}, fmt.Errorf("import: %w", err)
	}
	elapsed := time.Since(start)
	stored, err := countStored(ctx, a, r.ID, im.EvaluationCount())
	if err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: elapsed.Seconds(), RoundID: r.ID,
		Note: fmt.Sprintf("%d evaluations; read XLSX %s, store %s", stored, fmtDuration(read), fmtDuration(elapsed-read))}, nil
}

// storeGenerated stores the generated round without the workbook, for
// when the import failed.
func (s *stepper) storeGenerated(ctx context.Context) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	ds := natgen.Generate(s.o.generated())
	r, err := a.Manage.ImportDataset(ctx, system, benchRound, round.DefaultHourlyRate, ds)
	if err != nil {
		return stepResult{}, fmt.Errorf("store: %w", err)
	}
	stored, err := countStored(ctx, a, r.ID, ds.EvaluationCount())
	if err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: time.Since(start).Seconds(), RoundID: r.ID,
		Note: fmt.Sprintf("%d evaluations (manage.ImportDataset of natgen's dataset)", stored)}, nil
}

// countStored checks that the round holds want evaluations.
func countStored(ctx context.Context, a *App, roundID int64, want int) (int, error) {
	counts, err := a.Store.Q(ctx).EvaluationCounts(roundID)
	if err != nil {
		return 0, err
	}
	stored := 0
	for _, n := range counts {
		stored += n
	}
	if stored != want {
		return stored, fmt.Errorf("stored %d evaluations of %d", stored, want)
	}
	return stored, nil
}

// aggregate times aggregate.Compute alone, on the data ReportData loads.
func (s *stepper) aggregate(ctx context.Context) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	r, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	start := time.Now()
	r, ds, err := a.Manage.ReportData(ctx, system, r.ID)
	if err != nil {
		return stepResult{}, err
	}
	loaded := time.Since(start)
	start = time.Now()
	rep, err := aggregate.Compute(r, ds)
	if err != nil {
		return stepResult{}, err
	}
	elapsed := time.Since(start)
	return stepResult{Seconds: elapsed.Seconds(),
		Note: fmt.Sprintf("%d evaluations, %d kommuner; loading them (ReportData) took %s", rep.Network.Evaluations, len(rep.Municipalities), fmtDuration(loaded))}, nil
}

// report is `inventera report --format F --out FILE`, timed from opening
// the database to the last byte written.
func (s *stepper) report(ctx context.Context, format string, afterWrite bool) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	opened := time.Since(start)
	r, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	var touched time.Duration
	if afterWrite {
		t := time.Now()
		if err := touchRound(ctx, a, r.ID); err != nil {
			return stepResult{}, err
		}
		touched = time.Since(t)
	}
	path := filepath.Join(s.o.Dir, "rapport."+format)
	os.Remove(path) // the median runs JSON more than once
	var rep comparison.Report
	size, err := writeFile(path, func(w io.Writer) error {
		rep, err = a.Reports.Build(ctx, system, r.ID, 0, format, w)
		return err
	})
	if err != nil {
		return stepResult{}, err
	}
	elapsed := time.Since(start) - touched
	how := "built"
	if rep.Aggregate == nil {
		how = "served from its kept copy"
	}
	return stepResult{Seconds: elapsed.Seconds(),
		Note: fmt.Sprintf("%s %s; open %s, load + aggregate + render %s", fmtBytes(size), how, fmtDuration(opened), fmtDuration(elapsed-opened))}, nil
}

// touchRound writes to the round, as a submission or a review does, so that
// its next report is built rather than served from the copy kept of the
// last one (comparison/kept.go). It is not timed.
func touchRound(ctx context.Context, a *App, roundID int64) error {
	return a.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		return q.SetPopulationSource(r.ID, r.PopulationSource)
	})
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// server is the web server as serve runs it, on a loopback port.
type server struct {
	base   string
	hs     *http.Server
	served chan error
}

func startServer(ctx context.Context, a *App) (*server, error) {
	if a.AsServer != nil {
		if err := a.AsServer(ctx); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://" + ln.Addr().String(), served: make(chan error, 1),
		hs: &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout: 60 * time.Second, WriteTimeout: 10 * time.Minute, IdleTimeout: 120 * time.Second}}
	go func() { s.served <- s.hs.Serve(ln) }()
	return s, nil
}

// stop shuts the server down. A report still being rendered for a client
// that has gone (a national XLSX takes long) is cut off after a while.
func (s *server) stop() error {
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.hs.Shutdown(shut); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		s.hs.Close()
	}
	if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// submitRound makes a round of its own with one unit per client, so that
// the national round's report is unchanged, and returns the units' link
// tokens.
func submitRound(ctx context.Context, a *App, name string, clients int) (round.Round, []string, error) {
	r, err := a.Manage.CreateRound(ctx, system, manage.RoundInput{Name: name, HourlyRate: "280"})
	if err != nil {
		return round.Round{}, nil, err
	}
	if _, err := a.Manage.AddKommun(ctx, system, r.ID, "Inlämningsby", "25 000"); err != nil {
		return round.Round{}, nil, err
	}
	tokens := make([]string, clients)
	for i := range tokens {
		_, link, err := a.Manage.AddUnit(ctx, system, r.ID, manage.UnitInput{Name: fmt.Sprintf("Enhet %d", i+1), Kommuner: []string{"Inlämningsby"}})
		if err != nil {
			return round.Round{}, nil, err
		}
		tokens[i] = link[strings.LastIndex(link, "/")+1:]
	}
	return r, tokens, nil
}

// submissions has o.Clients clients post the evaluation form through the
// web server until o.Submissions forms are in or o.Timeout has passed.
func (s *stepper) submissions(ctx context.Context) (stepResult, error) {
	return s.submit(ctx, benchSubmitRound, 0)
}

// submitDuringReports is submissions while o.Reports staff members each
// build reports of the national round through the web server, one after
// the other, until the submissions are done.
func (s *stepper) submitDuringReports(ctx context.Context) (stepResult, error) {
	return s.submit(ctx, benchDuringRound, s.o.Reports)
}

func (s *stepper) submit(ctx context.Context, roundName string, reports int) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	r, tokens, err := submitRound(ctx, a, roundName, s.o.Clients)
	if err != nil {
		return stepResult{}, err
	}
	var national round.Round
	if reports > 0 {
		if national, err = a.Manage.RoundByName(ctx, system, benchRound); err != nil {
			return stepResult{}, err
		}
	}
	srv, err := startServer(ctx, a)
	if err != nil {
		return stepResult{}, err
	}
	var rl *reportLoad
	if reports > 0 {
		if rl, err = startReports(ctx, a, srv.base, national.ID, reports); err != nil {
			srv.stop()
			return stepResult{}, err
		}
	}
	load := submitLoad(ctx, []string{srv.base}, tokens, a.Form, s.o, warmup{})
	var reps reportResult
	if rl != nil {
		reps = rl.stop()
	}
	if err := srv.stop(); err != nil {
		return stepResult{}, err
	}

	// Every acknowledged form must be stored.
	counts, err := a.Store.Q(ctx).EvaluationCounts(r.ID)
	if err != nil {
		return stepResult{}, err
	}
	stored := 0
	for _, n := range counts {
		stored += n
	}
	lost := max(load.ok-stored, 0)

	p50, p99 := percentile(load.latencies, 0.50), percentile(load.latencies, 0.99)
	note := fmt.Sprintf("%d ok, %d errors in %s = %.0f/s; p50 %s, p99 %s, max %s; %d stored",
		load.ok, load.errors, fmtDuration(load.elapsed), float64(load.ok)/load.elapsed.Seconds(),
		fmtDuration(p50), fmtDuration(p99), fmtDuration(percentile(load.latencies, 1)), stored)
	if load.timedOut {
		note += fmt.Sprintf("; STOPPED after %s", fmtDuration(s.o.Timeout))
	}
	if lost > 0 {
		note += fmt.Sprintf("; %d ACKNOWLEDGED BUT NOT STORED", lost)
	}
	if len(load.samples) > 0 {
		note += "; first errors: " + strings.Join(load.samples, " | ")
	}
	switch {
	case reports > 0 && reps.built == 0:
		note += fmt.Sprintf("; reports meanwhile: none finished while the forms came in, %d errors", reps.errors)
	case reports > 0:
		note += fmt.Sprintf("; reports meanwhile: %d built (%s), %d errors, each took %s–%s",
			reps.built, strings.Join(reps.formats, ", "), reps.errors, fmtDuration(reps.fastest), fmtDuration(reps.slowest))
	}
	if len(reps.samples) > 0 {
		note += " (" + strings.Join(reps.samples, " | ") + ")"
	}
	note += "; RSS includes the clients"
	return stepResult{Seconds: load.elapsed.Seconds(), RoundID: r.ID, Note: note, Extra: map[string]any{
		"ok": load.ok, "errors": load.errors, "lost": lost, "p50_seconds": p50.Seconds(), "p99_seconds": p99.Seconds(),
		"reports": reps.built, "report_errors": reps.errors,
	}}, nil
}
