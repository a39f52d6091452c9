package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of issue 13, for the national round and for ten times it (from
// --scale 2 on).
const (
	importMaxTime     = 10 * time.Second
	importMaxRSS      = 300 << 10 // KiB
	importMaxTimeX10  = 60 * time.Second
	importMaxRSSX10   = 500 << 10
	reportMaxTime     = 5 * time.Second
	reportMaxRSS      = 256 << 10
	reportMaxTimeX10  = 15 * time.Second
	reportMaxRSSX10   = 512 << 10
	jsonMaxFactor     = 3
	comparedMaxFactor = 1.5
	submitMaxP99      = 200 * time.Millisecond
	progressMaxTime   = 300 * time.Millisecond
	submitRequestWait = 30 * time.Second
	reportRequestWait = 5 * time.Minute
	statusMet         = "yes"
	statusMissed      = "MISSED"
	statusFailed      = "FAILED"
	statusNotMeasured = "n/a"
)

// Row is one line of the table.
type Row struct {
	Step   string
	Time   time.Duration
	CPU    time.Duration // user + system time of the step's process
	RSSKiB int64         // peak resident set size of the step's process; 0 = unknown
	Target string        // "" when the step has none
	Status string        // statusMet, statusMissed, statusFailed, statusNotMeasured or ""
	Note   string
	// Untimed rows are counts, not times: their time and CPU columns
	// stay empty.
	Untimed bool
}

// stepResult is what a step process prints as its last line of output.
type stepResult struct {
	Seconds float64        `json:"seconds"`
	Note    string         `json:"note"`
	RoundID int64          `json:"round_id,omitempty"`
	Extra   map[string]any `json:"extra,omitempty"`
}

type bencher struct {
	exe    string
	opt    Options
	stderr io.Writer
}

// run runs every step in order. It stops at the first step that fails (a
// failure is not a measurement), returning the rows so far — except the
// import: when that fails (a file too large for the reader, say), the
// round is stored from the generated data directly, so that the reports
// can still be measured, and the import row says FAILED.
func (b *bencher) run(ctx context.Context) ([]Row, error) {
	var rows []Row
	x10 := b.opt.Scale > 1
	pick := func(national, scaled time.Duration) time.Duration {
		if x10 {
			return scaled
		}
		return national
	}
	pickRSS := func(national, scaled int64) int64 {
		if x10 {
			return scaled
		}
		return national
	}

	_, row, err := b.step(ctx, "generate", "generate + write XLSX")
	rows = append(rows, row)
	if err != nil {
		return rows, err
	}

	res, row, err := b.step(ctx, "import", "import, CLI (XLSX → "+b.opt.dialect()+")")
	maxT, maxRSS := pick(importMaxTime, importMaxTimeX10), pickRSS(importMaxRSS, importMaxRSSX10)
	row.Target = fmt.Sprintf("< %s, < %s", fmtDuration(maxT), fmtKiB(maxRSS))
	if x10 {
		row.Target += ", ≤ 12 × national"
		row.Note = strings.TrimPrefix(row.Note+"; compare the time with a --scale 1 run", "; ")
	}
	if err == nil {
		row.Status = met(row.Time < maxT && row.RSSKiB < maxRSS)
		rows = append(rows, row)
	} else {
		rows = append(rows, row)
		res, row, err = b.step(ctx, "store", "store generated round directly")
		row.Note = "the import failed, so the round is stored from the generated data to measure the reports; " + row.Note
		rows = append(rows, row)
		if err != nil {
			return rows, err
		}
	}
	roundID := res.RoundID

	_, row, err = b.step(ctx, "aggregate", "aggregate (compute only)")
	rows = append(rows, row)
	if err != nil {
		return rows, err
	}

	// Report JSON and the baseline: the median of a few runs each. The
	// report is timed twice: built, as after any write to the round (each
	// run writes to it first), and asked for again while the round is
	// unchanged, when it comes from the copy kept of the last build
	// (comparison/kept.go).
	medianOf := func(name, label string) (Row, error) {
		var runs []Row
		for range benchRepeats {
			_, row, err := b.step(ctx, name, label)
			if err != nil {
				return row, err
			}
			runs = append(runs, row)
		}
		m := median(runs)
		m.Note += fmt.Sprintf("; median of %d runs", len(runs))
		return m, nil
	}
	jsonRow, err := medianOf("report-json-built", "report JSON, built in a fresh process")
	if err != nil {
		return append(rows, jsonRow), err
	}
	keptRow, err := medianOf("report-json", "report JSON, unchanged round (kept copy)")
	if err != nil {
		return append(rows, keptRow), err
	}
	_, servedRow, err := b.step(ctx, "report-json-served", "report JSON, built in a running server")
	if err != nil {
		return append(rows, servedRow), err
	}
	servedRow.CPU = 0 // the process also logged in and wrote to the round; its CPU time is no one build's
	baseRow, baseErr := b.baseline(ctx, roundID)
	// The target is a request's: in a running server (servedRow), or
	// served from the kept copy. A fresh process building one report
	// (jsonRow) also starts the program and gets its heap's first pages
	// from the kernel; it is shown beside them, without the target.
	for _, r := range []*Row{&jsonRow, &keptRow, &servedRow} {
		if baseErr != nil {
			r.Target = fmt.Sprintf("≤ %d × baseline", jsonMaxFactor)
			r.Status = statusNotMeasured
			continue
		}
		limit := jsonMaxFactor * baseRow.Time
		r.Target = fmt.Sprintf("≤ %d × baseline = %s", jsonMaxFactor, fmtDuration(limit))
		r.Status = met(r.Time <= limit)
		r.Note += fmt.Sprintf("; %.1f × baseline", float64(r.Time)/float64(max(baseRow.Time, 1)))
		if r.CPU > 0 {
			r.Note += fmt.Sprintf(" (CPU time %.1f ×)", float64(r.CPU)/float64(max(baseRow.CPU, 1)))
		}
	}
	if baseErr == nil {
		jsonRow.Target, jsonRow.Status = "— (a request's: the rows below)", ""
		jsonRow.Note += fmt.Sprintf("; within %d × the baseline: %s", jsonMaxFactor, met(jsonRow.Time <= jsonMaxFactor*baseRow.Time))
	}
	if baseErr != nil {
		baseRow.Status, baseRow.Note = statusNotMeasured, baseErr.Error()
	}
	rows = append(rows, baseRow, jsonRow, keptRow, servedRow)

	maxT, maxRSS = pick(reportMaxTime, reportMaxTimeX10), pickRSS(reportMaxRSS, reportMaxRSSX10)
	for _, f := range []struct{ name, label string }{{"report-html", "report HTML (with charts)"}, {"report-xlsx", "report XLSX"}} {
		_, row, err := b.step(ctx, f.name, f.label)
		row.Target = fmt.Sprintf("< %s, < %s", fmtDuration(maxT), fmtKiB(maxRSS))
		if err != nil {
			rows = append(rows, row)
			return rows, err
		}
		row.Status = met(row.Time < maxT && row.RSSKiB < maxRSS)
		rows = append(rows, row)
	}

	comparedRows, err := b.compared(ctx, jsonRow)
	rows = append(rows, comparedRows...)
	if err != nil {
		return rows, err
	}

	submitTarget := fmt.Sprintf("0 errors, p99 < %s", fmtDuration(submitMaxP99))
	for _, s := range []struct{ name, label string }{
		{"submissions", "submissions (web, POST form)"},
		{"submit-during-reports", fmt.Sprintf("submissions during %d reports", b.opt.Reports)},
	} {
		res, row, err := b.step(ctx, s.name, s.label)
		if err != nil {
			rows = append(rows, row)
			return rows, err
		}
		errs, _ := res.Extra["errors"].(float64)
		p99, _ := res.Extra["p99_seconds"].(float64)
		done, _ := res.Extra["ok"].(float64)
		lost, _ := res.Extra["lost"].(float64)
		reportErrs, _ := res.Extra["report_errors"].(float64)
		ok := errs == 0 && lost == 0 && reportErrs == 0 && seconds(p99) < submitMaxP99 && int(done) == b.opt.Submissions
		if x10 && s.name == "submit-during-reports" {
			row.Target = "— (national: " + submitTarget + ")"
			row.Note += fmt.Sprintf("; the national target would be %s", met(ok))
		} else {
			row.Target = submitTarget
			row.Status = met(ok)
		}
		rows = append(rows, row)
	}

	if b.opt.Instances > 1 {
		scaled, err := b.scaleOutRows(ctx)
		rows = append(rows, scaled...)
		if err != nil {
			return rows, err
		}
	}

	progressRows, err := b.progress(ctx)
	return append(rows, progressRows...), err
}

// step runs one step in a child process and makes its row; on failure the
// row says FAILED and why.
func (b *bencher) step(ctx context.Context, name, label string) (stepResult, Row, error) {
	fmt.Fprintf(b.stderr, "bench: %s …\n", label)
	res, ps, err := b.child(ctx, name)
	row := Row{Step: label, Time: seconds(res.Seconds), CPU: cpuTime(ps), RSSKiB: maxRSS(ps), Note: res.Note}
	if err != nil {
		row.Status, row.Note = statusFailed, err.Error()
	}
	return res, row, err
}

// child runs one step in a process of its own and returns its result and
// process state (for CPU time and peak RSS).
func (b *bencher) child(ctx context.Context, name string) (stepResult, *os.ProcessState, error) {
	var res stepResult
	args := append([]string{"bench", StepArg, name}, b.opt.args()...)
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

// baseline times the database's own command-line client reading the
// round's evaluation rows (their answers, as a report once did): the
// floor a report is measured against. sqlite3 for SQLite, psql for
// PostgreSQL.
func (b *bencher) baseline(ctx context.Context, roundID int64) (Row, error) {
	query := fmt.Sprintf("SELECT answers FROM evaluations WHERE round_id=%d", roundID)
	tool, args, pkg, shown := "sqlite3", []string{b.opt.DB, query}, "sqlite3", "sqlite3 FILE %q > /dev/null"
	if b.opt.DatabaseURL != "" {
		tool, args, pkg, shown = "psql", []string{"--no-psqlrc", "-At", "-o", os.DevNull, "-c", query, b.opt.DatabaseURL}, "postgresql-client", "psql -At -o /dev/null -c %q URL"
	}
	row := Row{Step: "baseline: " + tool + " SELECT answers"}
	bin, err := exec.LookPath(tool)
	if err != nil {
		return row, fmt.Errorf("%s is not installed (Debian/Ubuntu package %s); JSON target not checked", tool, pkg)
	}
	fmt.Fprintf(b.stderr, "bench: %s …\n", row.Step)
	var runs []Row
	for range benchRepeats {
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return row, err
		}
		var errb bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdout, cmd.Stderr = devnull, &errb
		start := time.Now()
		err = cmd.Run()
		elapsed := time.Since(start)
		devnull.Close()
		if err != nil {
			return row, fmt.Errorf("%s: %v %s", tool, err, strings.TrimSpace(errb.String()))
		}
		runs = append(runs, Row{Time: elapsed, CPU: cpuTime(cmd.ProcessState), RSSKiB: maxRSS(cmd.ProcessState)})
	}
	m := median(runs)
	row.Time, row.CPU, row.RSSKiB = m.Time, m.CPU, m.RSSKiB
	row.Note = fmt.Sprintf(shown+"; median of %d runs", query, len(runs))
	return row, nil
}

func cpuTime(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// median returns the run with the median time, with the highest RSS of all
// runs.
func median(runs []Row) Row {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b Row) int { return int(a.Time - b.Time) })
	m := sorted[len(sorted)/2]
	for _, r := range runs {
		m.RSSKiB = max(m.RSSKiB, r.RSSKiB)
	}
	return m
}

func met(ok bool) string {
	if ok {
		return statusMet
	}
	return statusMissed
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

// PrintTable writes the rows as a table, then the verdict: the steps that
// missed their target or failed, or that every target measured was met.
func PrintTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\ttime\tCPU\tpeak RSS\ttarget\tmet?\tnote")
	for _, r := range rows {
		rss, t, cpu := "—", "—", "—"
		if r.RSSKiB > 0 {
			rss = fmtKiB(r.RSSKiB)
		}
		if !r.Untimed && (r.Status != statusNotMeasured || r.Time > 0) {
			t = fmtDuration(r.Time)
			if r.CPU > 0 {
				cpu = fmtDuration(r.CPU)
			}
		}
		target := r.Target
		if target == "" {
			target = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Step, t, cpu, rss, target, r.Status, r.Note)
	}
	tw.Flush()
	var missed, open []string
	for _, r := range rows {
		switch r.Status {
		case statusMissed, statusFailed:
			missed = append(missed, r.Step)
		case statusNotMeasured:
			open = append(open, r.Step)
		}
	}
	if len(missed) > 0 {
		fmt.Fprintf(w, "\nMISSED: %s\n", strings.Join(missed, "; "))
	} else {
		fmt.Fprintln(w, "\nEvery target measured was met.")
	}
	if len(open) > 0 {
		fmt.Fprintf(w, "Not measured: %s\n", strings.Join(open, "; "))
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

func fmtKiB(k int64) string { return fmt.Sprintf("%.0f MB", float64(k)/1024) }

func fmtBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
}

var errNoStep = errors.New("bench step: name a step")
