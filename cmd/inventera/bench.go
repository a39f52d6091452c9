package main

// `inventera bench` measures a national round (design §9) on this machine:
// import, aggregation, the three report formats, a sqlite3 baseline and
// concurrent submissions through the real web server. Each heavy step runs
// in a child process of the same binary (`inventera bench step NAME …`), so
// the child's peak resident set size is that step's alone.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/web"
)

// benchExecutable is the binary the steps run in; tests point it at a
// freshly built inventera.
var benchExecutable = os.Executable

const (
	benchStepArg     = "step"
	benchRound       = "Nationell omgång (bench)"
	benchSubmitRound = "Inlämningar (bench)"
	benchWorkbook    = "nationell.xlsx"
	benchRepeats     = 3 // report JSON and sqlite3 run this often; the median counts
)

// Targets (design §9, and the brief of the benchmark).
const (
	importMaxTime     = 10 * time.Second
	importMaxRSS      = 300 << 10 // KiB
	reportMaxTime     = 5 * time.Second
	reportMaxRSS      = 256 << 10 // KiB
	jsonMaxFactor     = 3
	submitMaxP99      = 200 * time.Millisecond
	submitRequestWait = 30 * time.Second
)

// benchOptions are the bench's flags, passed on to the steps.
type benchOptions struct {
	DB          string
	Dir         string
	Seed        uint64
	Kommuner    int
	Units       int
	Evaluations int
	Submissions int
	Clients     int
	Timeout     time.Duration
	Profile     string // directory for each step's CPU profile; "" = none
}

func (o *benchOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "SQLite-fil att mäta på; får inte finnas och lämnas kvar (standard: en fil i arbetskatalogen)")
	fs.Uint64Var(&o.Seed, "seed", natgen.DefaultSeed, "frö för den genererade omgången")
	fs.IntVar(&o.Kommuner, "kommuner", natgen.DefaultKommuner, "antal kommuner")
	fs.IntVar(&o.Units, "units", natgen.DefaultUnitsPerKommun, "egna enheter per kommun (därtill delade enheter)")
	fs.IntVar(&o.Evaluations, "evaluations", natgen.DefaultEvaluationsPerKommun, "utvärderingar per kommun")
	fs.IntVar(&o.Submissions, "submissions", 5000, "antal inlämnade formulär via webbservern")
	fs.IntVar(&o.Clients, "clients", 50, "samtidiga klienter, var och en med en egen enhets länk")
	fs.DurationVar(&o.Timeout, "timeout", 120*time.Second, "längsta tid för inlämningarna")
	fs.StringVar(&o.Profile, "cpuprofile", "", "skriv varje stegs CPU-profil till KATALOG/STEG.pprof (go tool pprof)")
}

func (o benchOptions) args() []string {
	return []string{"--dir", o.Dir, "--db", o.DB, "--seed", strconv.FormatUint(o.Seed, 10),
		"--kommuner", strconv.Itoa(o.Kommuner), "--units", strconv.Itoa(o.Units),
		"--evaluations", strconv.Itoa(o.Evaluations), "--submissions", strconv.Itoa(o.Submissions),
		"--clients", strconv.Itoa(o.Clients), "--timeout", o.Timeout.String(), "--cpuprofile", o.Profile}
}

// benchRow is one line of the table.
type benchRow struct {
	Step   string
	Time   time.Duration
	CPU    time.Duration // user + system time of the step's process
	RSSKiB int64         // peak resident set size of the step's process; 0 = unknown
	Target string        // "" when the step has none
	Status string        // "yes", "MISSED", "n/a" or ""
	Note   string
}

// stepResult is what a step process prints as its last line of output.
type stepResult struct {
	Seconds float64        `json:"seconds"`
	Note    string         `json:"note"`
	RoundID int64          `json:"round_id,omitempty"`
	Extra   map[string]any `json:"extra,omitempty"`
}

func runBench(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 && args[0] == benchStepArg {
		return runBenchStep(ctx, env, args[1:])
	}
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o.flags(fs)
	keep := fs.String("keep", "", "behåll arbetsbok, databas och rapporter i katalogen DIR")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	for _, c := range []struct {
		flag string
		n    int
	}{{"kommuner", o.Kommuner}, {"units", o.Units}, {"evaluations", o.Evaluations}, {"submissions", o.Submissions}, {"clients", o.Clients}} {
		if c.n < 1 {
			return usageErrorf(fs.Name(), "--%s ska vara minst 1, inte %d", c.flag, c.n)
		}
	}
	if o.Timeout <= 0 {
		return usageErrorf(fs.Name(), "--timeout ska vara längre än 0, inte %s", o.Timeout)
	}
	if o.Profile != "" {
		if err := os.MkdirAll(o.Profile, 0o755); err != nil {
			return err
		}
		abs, err := filepath.Abs(o.Profile)
		if err != nil {
			return err
		}
		o.Profile = abs
	}
	if *keep != "" {
		if err := os.MkdirAll(*keep, 0o755); err != nil {
			return err
		}
		o.Dir = *keep
	} else {
		dir, err := os.MkdirTemp("", "inventera-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.Dir = dir
	}
	if o.DB == "" {
		o.DB = filepath.Join(o.Dir, "bench.db")
	}
	for _, p := range []string{o.DB, filepath.Join(o.Dir, benchWorkbook)} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s finns redan; bench mäter på en ny fil", p)
		}
	}
	exe, err := benchExecutable()
	if err != nil {
		return fmt.Errorf("hittar inte programfilen: %w", err)
	}
	b := &bencher{exe: exe, opt: o, env: env}
	fmt.Fprintf(env.stdout, "inventera bench: %d kommuner × %d enheter, %d utvärderingar per kommun; %d inlämningar från %d klienter\n",
		o.Kommuner, o.Units, o.Evaluations, o.Submissions, o.Clients)
	fmt.Fprintf(env.stdout, "%s, %s/%s, %d CPU; databas %s\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), o.DB)
	rows, err := b.run(ctx)
	printBenchTable(env.stdout, rows)
	return err
}

type bencher struct {
	exe string
	opt benchOptions
	env *environment
}

// run runs every step in order; it stops at the first step that fails
// (a failure is not a measurement), returning the rows so far.
func (b *bencher) run(ctx context.Context) ([]benchRow, error) {
	var rows []benchRow
	step := func(name, label string) (stepResult, benchRow, error) {
		fmt.Fprintf(b.env.stderr, "bench: %s …\n", label)
		res, ps, err := b.child(ctx, name)
		row := benchRow{Step: label, Time: seconds(res.Seconds), CPU: cpuTime(ps), RSSKiB: maxRSS(ps), Note: res.Note}
		if err != nil {
			row.Status, row.Note = "FAILED", err.Error()
			rows = append(rows, row)
		}
		return res, row, err
	}

	_, row, err := step("generate", "generate + write XLSX")
	if err != nil {
		return rows, err
	}
	rows = append(rows, row)

	res, row, err := step("import", "import (XLSX → SQLite)")
	if err != nil {
		return rows, err
	}
	row.Target = fmt.Sprintf("< %s, < %s", fmtDuration(importMaxTime), fmtKiB(importMaxRSS))
	row.Status = met(row.Time < importMaxTime && row.RSSKiB < importMaxRSS)
	rows = append(rows, row)
	roundID := res.RoundID

	if _, row, err = step("aggregate", "aggregate (compute only)"); err != nil {
		return rows, err
	}
	rows = append(rows, row)

	// Report JSON and the sqlite3 baseline: the median of a few runs each.
	var jsonRuns []benchRow
	for range benchRepeats {
		_, row, err := step("report-json", "report JSON")
		if err != nil {
			return rows, err
		}
		jsonRuns = append(jsonRuns, row)
	}
	jsonRow := median(jsonRuns)
	jsonRow.Note += fmt.Sprintf("; median of %d runs", len(jsonRuns))
	baseRow, baseErr := b.sqlite3(ctx, roundID)
	if baseErr != nil {
		baseRow.Status, baseRow.Note = "n/a", baseErr.Error()
		jsonRow.Target = fmt.Sprintf("≤ %d × sqlite3", jsonMaxFactor)
		jsonRow.Status = "n/a"
	} else {
		limit := jsonMaxFactor * baseRow.Time
		jsonRow.Target = fmt.Sprintf("≤ %d × sqlite3 = %s", jsonMaxFactor, fmtDuration(limit))
		jsonRow.Status = met(jsonRow.Time <= limit)
		jsonRow.Note += fmt.Sprintf("; %.1f × sqlite3", float64(jsonRow.Time)/float64(max(baseRow.Time, 1)))
	}
	rows = append(rows, baseRow, jsonRow)

	for _, f := range []struct{ name, label string }{{"report-html", "report HTML (with charts)"}, {"report-xlsx", "report XLSX"}} {
		_, row, err := step(f.name, f.label)
		if err != nil {
			return rows, err
		}
		row.Target = fmt.Sprintf("< %s, < %s", fmtDuration(reportMaxTime), fmtKiB(reportMaxRSS))
		row.Status = met(row.Time < reportMaxTime && row.RSSKiB < reportMaxRSS)
		rows = append(rows, row)
	}

	res, row, err = step("submissions", "submissions (web, POST form)")
	if err != nil {
		return rows, err
	}
	row.Target = fmt.Sprintf("0 errors, p99 < %s", fmtDuration(submitMaxP99))
	errs, _ := res.Extra["errors"].(float64)
	p99, _ := res.Extra["p99_seconds"].(float64)
	done, _ := res.Extra["ok"].(float64)
	lost, _ := res.Extra["lost"].(float64)
	row.Status = met(errs == 0 && lost == 0 && seconds(p99) < submitMaxP99 && int(done) == b.opt.Submissions)
	rows = append(rows, row)
	return rows, nil
}

// child runs one step in a process of its own and returns its result and
// process state (for CPU time and peak RSS).
func (b *bencher) child(ctx context.Context, name string) (stepResult, *os.ProcessState, error) {
	var res stepResult
	args := append([]string{"bench", benchStepArg, name}, b.opt.args()...)
	cmd := exec.CommandContext(ctx, b.exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	ps := cmd.ProcessState
	if err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return res, ps, fmt.Errorf("step %s: %s", name, msg)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return res, ps, fmt.Errorf("step %s: unreadable result %q: %w", name, lines[len(lines)-1], err)
	}
	return res, ps, nil
}

func cpuTime(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// sqlite3 times the sqlite3 command-line tool reading the round's
// evaluation rows: the floor a report cannot go below.
func (b *bencher) sqlite3(ctx context.Context, roundID int64) (benchRow, error) {
	row := benchRow{Step: "baseline: sqlite3 SELECT answers"}
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		return row, errors.New("sqlite3 is not installed (Debian/Ubuntu package sqlite3); JSON target not checked")
	}
	fmt.Fprintf(b.env.stderr, "bench: %s …\n", row.Step)
	var runs []benchRow
	query := fmt.Sprintf("SELECT answers FROM evaluations WHERE round_id=%d", roundID)
	for range benchRepeats {
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return row, err
		}
		var errb bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, b.opt.DB, query)
		cmd.Stdout, cmd.Stderr = devnull, &errb
		start := time.Now()
		err = cmd.Run()
		elapsed := time.Since(start)
		devnull.Close()
		if err != nil {
			return row, fmt.Errorf("sqlite3: %v %s", err, strings.TrimSpace(errb.String()))
		}
		runs = append(runs, benchRow{Time: elapsed, CPU: cpuTime(cmd.ProcessState), RSSKiB: maxRSS(cmd.ProcessState)})
	}
	m := median(runs)
	row.Time, row.CPU, row.RSSKiB = m.Time, m.CPU, m.RSSKiB
	row.Note = fmt.Sprintf("sqlite3 FILE %q > /dev/null; median of %d runs", query, len(runs))
	return row, nil
}

// median returns the run with the median time, with the highest RSS of all
// runs.
func median(runs []benchRow) benchRow {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b benchRow) int { return int(a.Time - b.Time) })
	m := sorted[len(sorted)/2]
	for _, r := range runs {
		m.RSSKiB = max(m.RSSKiB, r.RSSKiB)
	}
	return m
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "MISSED"
}

// maxRSS is a finished process's peak resident set size in KiB (0 when the
// platform does not say).
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	v := reflect.ValueOf(ps.SysUsage())
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0
	}
	f := v.FieldByName("Maxrss")
	if !f.IsValid() || !f.CanInt() {
		return 0
	}
	switch runtime.GOOS {
	case "linux", "freebsd", "netbsd", "openbsd", "dragonfly":
		return f.Int() // KiB
	case "darwin", "ios":
		return f.Int() >> 10 // bytes
	}
	return 0
}

func printBenchTable(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\ttime\tCPU\tpeak RSS\ttarget\tmet?\tnote")
	for _, r := range rows {
		rss := "—"
		if r.RSSKiB > 0 {
			rss = fmtKiB(r.RSSKiB)
		}
		target := r.Target
		if target == "" {
			target = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Step, fmtDuration(r.Time), fmtDuration(r.CPU), rss, target, r.Status, r.Note)
	}
	tw.Flush()
	var missed []string
	for _, r := range rows {
		if r.Status == "MISSED" || r.Status == "FAILED" {
			missed = append(missed, r.Step)
		}
	}
	if len(missed) > 0 {
		fmt.Fprintf(w, "\nMISSED: %s\n", strings.Join(missed, "; "))
	} else {
		fmt.Fprintln(w, "\nEvery target met.")
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func fmtDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func fmtKiB(k int64) string {
	return fmt.Sprintf("%.0f MB", float64(k)/1024)
}

// --- the steps, each in its own process ---

func runBenchStep(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return errors.New("bench step: name a step")
	}
	name := args[0]
	var o benchOptions
	fs := flag.NewFlagSet("bench step", flag.ContinueOnError)
	o.flags(fs)
	fs.StringVar(&o.Dir, "dir", "", "arbetskatalog")
	if err := parseFlags(fs, env, args[1:]); err != nil {
		return err
	}
	if o.Dir == "" || o.DB == "" {
		return errors.New("bench step: --dir and --db are required")
	}
	steps := map[string]func(context.Context, benchOptions) (stepResult, error){
		"generate":  stepGenerate,
		"import":    stepImport,
		"aggregate": stepAggregate,
		"report-json": func(ctx context.Context, o benchOptions) (stepResult, error) {
			return stepReport(ctx, o, comparison.JSON)
		},
		"report-html": func(ctx context.Context, o benchOptions) (stepResult, error) {
			return stepReport(ctx, o, comparison.HTML)
		},
		"report-xlsx": func(ctx context.Context, o benchOptions) (stepResult, error) {
			return stepReport(ctx, o, comparison.XLSX)
		},
		"submissions": stepSubmissions,
	}
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
	res, err := run(ctx, o)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.stdout, "%s\n", b)
	return err
}

func benchApp(ctx context.Context, o benchOptions) (*app, error) {
	// The bench's own database and key file, whatever the environment says.
	return openApp(ctx, config{DBPath: o.DB, BaseURL: "http://127.0.0.1"})
}

func stepGenerate(_ context.Context, o benchOptions) (stepResult, error) {
	start := time.Now()
	ds := natgen.Generate(natgen.Options{Seed: o.Seed, Kommuner: o.Kommuner, UnitsPerKommun: o.Units, EvaluationsPerKommun: o.Evaluations})
	generated := time.Since(start)
	def, err := form.Evaluation()
	if err != nil {
		return stepResult{}, err
	}
	path := filepath.Join(o.Dir, benchWorkbook)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return stepResult{}, err
	}
	bw := bufio.NewWriter(f)
	if err := sheet.WriteXLSX(bw, def, ds); err != nil {
		f.Close()
		return stepResult{}, err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return stepResult{}, err
	}
	if err := f.Close(); err != nil {
		return stepResult{}, err
	}
	elapsed := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: elapsed.Seconds(), Note: fmt.Sprintf("%s; generate %s, workbook %s",
		natgen.Describe(ds), fmtDuration(generated), fmtBytes(fi.Size()))}, nil
}

// stepImport is `inventera import` of the workbook: sheet.ReadXLSX and
// manage.ImportDataset, timed from opening the database to the commit.
func stepImport(ctx context.Context, o benchOptions) (stepResult, error) {
	f, err := os.Open(filepath.Join(o.Dir, benchWorkbook))
	if err != nil {
		return stepResult{}, err
	}
	defer f.Close()
	start := time.Now()
	a, err := benchApp(ctx, o)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	ds, err := sheet.ReadXLSX(ctx, f, a.form, sheet.DefaultLimits())
	if err != nil {
		return stepResult{}, fmt.Errorf("read workbook: %w", err)
	}
	read := time.Since(start)
	r, err := a.manage.ImportDataset(ctx, manage.System("bench"), benchRound, round.DefaultHourlyRate, ds)
	if err != nil {
		return stepResult{}, fmt.Errorf("import: %w", err)
	}
	elapsed := time.Since(start)
	counts, err := a.store.Q(ctx).EvaluationCounts(r.ID)
	if err != nil {
		return stepResult{}, err
	}
	stored := 0
	for _, n := range counts {
		stored += n
	}
	if stored != ds.EvaluationCount() {
		return stepResult{}, fmt.Errorf("import stored %d evaluations of %d", stored, ds.EvaluationCount())
	}
	return stepResult{Seconds: elapsed.Seconds(), RoundID: r.ID,
		Note: fmt.Sprintf("%d evaluations; read XLSX %s, store %s", stored, fmtDuration(read), fmtDuration(elapsed-read))}, nil
}

// stepAggregate times aggregate.Compute alone, on the data ReportData loads.
func stepAggregate(ctx context.Context, o benchOptions) (stepResult, error) {
	a, err := benchApp(ctx, o)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	actor := manage.System("bench")
	r, err := a.manage.RoundByName(ctx, actor, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	start := time.Now()
	r, ds, err := a.manage.ReportData(ctx, actor, r.ID)
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

// stepReport is `inventera report --format F --out FILE`, timed from opening
// the database to the last byte written.
func stepReport(ctx context.Context, o benchOptions, format string) (stepResult, error) {
	start := time.Now()
	a, err := benchApp(ctx, o)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	svc, err := comparison.NewService(a.manage, a.form, a.manage.Now)
	if err != nil {
		return stepResult{}, err
	}
	actor := manage.System("bench")
	r, err := a.manage.RoundByName(ctx, actor, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	rep, err := svc.Load(ctx, actor, r.ID)
	if err != nil {
		return stepResult{}, err
	}
	loaded := time.Since(start)
	path := filepath.Join(o.Dir, "rapport."+format)
	f, err := os.Create(path)
	if err != nil {
		return stepResult{}, err
	}
	bw := bufio.NewWriter(f)
	cw := &countWriter{w: bw}
	if err := svc.Write(cw, rep, format); err != nil {
		f.Close()
		return stepResult{}, err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return stepResult{}, err
	}
	if err := f.Close(); err != nil {
		return stepResult{}, err
	}
	elapsed := time.Since(start)
	return stepResult{Seconds: elapsed.Seconds(),
		Note: fmt.Sprintf("%s; open + load + aggregate %s, render %s", fmtBytes(cw.n), fmtDuration(loaded), fmtDuration(elapsed-loaded))}, nil
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

func fmtBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
}

// stepSubmissions starts the web server as serve does, on a loopback port,
// and has o.Clients clients post the evaluation form until o.Submissions
// forms are in or o.Timeout has passed. Each client answers for a unit of
// its own in a round of its own, so the national round's report is
// unchanged.
func stepSubmissions(ctx context.Context, o benchOptions) (stepResult, error) {
	a, err := benchApp(ctx, o)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	actor := manage.System("bench")
	r, err := a.manage.CreateRound(ctx, actor, manage.RoundInput{Name: benchSubmitRound, HourlyRate: "280"})
	if err != nil {
		return stepResult{}, err
	}
	if _, err := a.manage.AddKommun(ctx, actor, r.ID, "Inlämningsby", "25 000"); err != nil {
		return stepResult{}, err
	}
	tokens := make([]string, o.Clients)
	for i := range tokens {
		_, link, err := a.manage.AddUnit(ctx, actor, r.ID, manage.UnitInput{Name: fmt.Sprintf("Enhet %d", i+1), Kommuner: []string{"Inlämningsby"}})
		if err != nil {
			return stepResult{}, err
		}
		tokens[i] = link[strings.LastIndex(link, "/")+1:]
	}

	// The server, wired as runServe wires it.
	srv, err := newWebServer(a, web.Config{}, nil)
	if err != nil {
		return stepResult{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return stepResult{}, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	base := "http://" + ln.Addr().String()

	load := submitLoad(ctx, base, tokens, a.form, o)

	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return stepResult{}, err
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return stepResult{}, err
	}

	// Every acknowledged form must be stored.
	counts, err := a.store.Q(ctx).EvaluationCounts(r.ID)
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
		note += fmt.Sprintf("; STOPPED after %s", fmtDuration(o.Timeout))
	}
	if lost > 0 {
		note += fmt.Sprintf("; %d ACKNOWLEDGED BUT NOT STORED", lost)
	}
	if len(load.samples) > 0 {
		note += "; first errors: " + strings.Join(load.samples, " | ")
	}
	note += "; RSS includes the clients"
	return stepResult{Seconds: load.elapsed.Seconds(), RoundID: r.ID, Note: note, Extra: map[string]any{
		"ok": load.ok, "errors": load.errors, "lost": lost, "p50_seconds": p50.Seconds(), "p99_seconds": p99.Seconds(),
	}}, nil
}

type loadResult struct {
	ok, errors int
	elapsed    time.Duration
	latencies  []time.Duration
	timedOut   bool
	samples    []string // the first few errors
}

// submitLoad posts complete evaluation forms from o.Clients concurrent
// clients, each with its own keep-alive connection and its own unit. It
// stops after o.Submissions requests or o.Timeout, whichever comes first.
func submitLoad(ctx context.Context, base string, tokens []string, def *form.Definition, o benchOptions) loadResult {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var (
		next    atomic.Int64
		mu      sync.Mutex
		res     loadResult
		wg      sync.WaitGroup
		perConn = make([][]time.Duration, len(tokens))
	)
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if len(res.samples) < 3 {
			res.samples = append(res.samples, msg)
		}
	}
	start := time.Now()
	for c, token := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: submitRequestWait,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			path := base + "/l/" + token + "/ny"
			for {
				n := next.Add(1) - 1
				if n >= int64(o.Submissions) || ctx.Err() != nil {
					return
				}
				vals := url.Values(natgen.Fields(def, natgen.Answers(o.Seed+1, int(n), form.ModeForm)))
				vals.Set("atgard", "spara")
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(vals.Encode()))
				if err != nil {
					fail(err.Error())
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						return // the time is up; not the server's error
					}
					fail(err.Error())
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				perConn[c] = append(perConn[c], d)
				if resp.StatusCode != http.StatusSeeOther {
					fail(fmt.Sprintf("status %d", resp.StatusCode))
					continue
				}
				mu.Lock()
				res.ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.timedOut = ctx.Err() != nil && res.ok+res.errors < o.Submissions
	for _, l := range perConn {
		res.latencies = append(res.latencies, l...)
	}
	slices.Sort(res.latencies)
	return res
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
