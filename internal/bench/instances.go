package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// Scale-out (issue 14): with --instances N on PostgreSQL the bench also
// posts the forms to one server and then to N servers on the one database,
// each server a process of its own (`inventera bench step serve`: the web
// server as serve wires it, with its own store and connection pool, as a
// separate instance behind a load balancer would have), the clients spread
// over them round-robin. A third run times the report JSON through the web
// idle and while the N servers take the forms.

// Targets of issue 14.
const (
	scaleOneMaxP99       = 150 * time.Millisecond
	scaleManyMaxP99      = 200 * time.Millisecond
	scaleMinThroughput   = 0.8 // × one instance's
	scaleMaxNewConnsPerK = 1.0 // new connections per 1 000 requests after warm-up: "≈ 0"
	scaleReportMaxFactor = 3   // report JSON under load ≤ 3 × idle
	instanceStartWait    = 2 * time.Minute
	instanceStopWait     = 30 * time.Second
)

// instanceSteps are the child steps of the scale-out.
func (s *stepper) instanceSteps() map[string]func(context.Context) (stepResult, error) {
	return map[string]func(context.Context) (stepResult, error){
		"serve":             s.serveInstance,
		"instances":         func(ctx context.Context) (stepResult, error) { return s.scaleOut(ctx, false) },
		"instances-reports": func(ctx context.Context) (stepResult, error) { return s.scaleOut(ctx, true) },
	}
}

// instanceAddr is the first line a serve step prints: where it serves the
// service and where it takes the bench's requests for its pool's figures
// and to stop.
type instanceAddr struct {
	Base    string `json:"base"`
	Control string `json:"control"`
}

// serveInstance is one instance: it opens the database (its own store and
// pool), serves the web server on a loopback port and a control server on
// another, prints both, and serves until told to stop (POST /stop) or
// interrupted. GET /stats answers the store's Stats.
func (s *stepper) serveInstance(ctx context.Context) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	srv, err := startServer(ctx, a)
	if err != nil {
		return stepResult{}, err
	}
	stop := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(a.Store.Stats())
	})
	mux.HandleFunc("POST /stop", func(w http.ResponseWriter, _ *http.Request) {
		// Answered before the instance stops: closing the control server
		// under an unwritten answer gave the bench an EOF now and then.
		w.WriteHeader(http.StatusNoContent)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		once.Do(func() { close(stop) })
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.stop()
		return stepResult{}, err
	}
	control := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go control.Serve(ln)
	defer func() {
		// Gracefully: the answer to /stop goes out before the connection
		// closes.
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		control.Shutdown(shut)
	}()
	line, err := json.Marshal(instanceAddr{Base: srv.base, Control: "http://" + ln.Addr().String()})
	if err != nil {
		srv.stop()
		return stepResult{}, err
	}
	if _, err := fmt.Fprintf(s.stdout, "%s\n", line); err != nil {
		srv.stop()
		return stepResult{}, err
	}
	select {
	case <-stop:
	case <-ctx.Done():
	}
	if err := srv.stop(); err != nil {
		return stepResult{}, err
	}
	st := a.Store.Stats()
	return stepResult{Seconds: time.Since(start).Seconds(), Note: fmt.Sprintf("%d connections opened, %d statements", st.Opened, st.Statements)}, nil
}

// instance is a serve step running as a child process.
type instance struct {
	addr   instanceAddr
	cmd    *exec.Cmd
	stderr bytes.Buffer
	exited chan error
	client *http.Client
}

// startInstances starts n serve steps, one after the other, and waits for
// each to serve.
func startInstances(ctx context.Context, exe string, o Options, n int) ([]*instance, error) {
	var all []*instance
	for i := range n {
		in, err := startInstance(ctx, exe, o)
		if err != nil {
			stopInstances(all)
			return nil, fmt.Errorf("instance %d of %d: %w", i+1, n, err)
		}
		all = append(all, in)
	}
	return all, nil
}

func startInstance(ctx context.Context, exe string, o Options) (*instance, error) {
	in := &instance{exited: make(chan error, 1), client: &http.Client{Timeout: 10 * time.Second}}
	in.cmd = exec.CommandContext(ctx, exe, append([]string{"bench", StepArg, "serve"}, o.args()...)...)
	in.cmd.Stderr = &in.stderr
	out, err := in.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := in.cmd.Start(); err != nil {
		return nil, err
	}
	first := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		line, _ := r.ReadString('\n')
		first <- line
		io.Copy(io.Discard, r) // the step's result line; read before Wait
		in.exited <- in.cmd.Wait()
	}()
	wait := time.NewTimer(instanceStartWait)
	defer wait.Stop()
	select {
	case line := <-first:
		if err := json.Unmarshal([]byte(line), &in.addr); err != nil || in.addr.Base == "" {
			in.kill()
			return nil, fmt.Errorf("did not start: %s", in.why(line))
		}
		return in, nil
	case <-wait.C:
		in.kill()
		return nil, fmt.Errorf("not serving after %s: %s", instanceStartWait, in.why(""))
	}
}

// why is what a failed instance said.
func (in *instance) why(line string) string {
	if msg := strings.TrimSpace(in.stderr.String()); msg != "" {
		return msg
	}
	if line = strings.TrimSpace(line); line != "" {
		return line
	}
	return "no output"
}

func (in *instance) kill() {
	in.cmd.Process.Kill()
	<-in.exited
}

// stats is the instance's store's Stats now.
func (in *instance) stats(ctx context.Context) (store.Stats, error) {
	var st store.Stats
	b, err := fetch(ctx, in.client, http.MethodGet, in.addr.Control+"/stats", nil)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

// stop asks the instance to shut down and waits for it, killing it when it
// does not end in time.
func (in *instance) stop() error {
	if _, err := in.client.Post(in.addr.Control+"/stop", "text/plain", nil); err != nil {
		in.kill()
		return err
	}
	select {
	case err := <-in.exited:
		if err != nil {
			return fmt.Errorf("%v: %s", err, in.why(""))
		}
		return nil
	case <-time.After(instanceStopWait):
		in.kill()
		return fmt.Errorf("did not stop within %s", instanceStopWait)
	}
}

// stopInstances stops every instance, returning the first error.
func stopInstances(all []*instance) error {
	var first error
	for i, in := range all {
		if in.cmd.ProcessState != nil {
			continue // stopped already
		}
		if err := in.stop(); err != nil && first == nil {
			first = fmt.Errorf("instance %d: %w", i+1, err)
		}
	}
	return first
}

// statsAll is every instance's Stats, summed.
func statsAll(ctx context.Context, all []*instance) (store.Stats, error) {
	var sum store.Stats
	for i, in := range all {
		st, err := in.stats(ctx)
		if err != nil {
			return sum, fmt.Errorf("instance %d: %w", i+1, err)
		}
		sum.Opened += st.Opened
		sum.Open += st.Open
		sum.MaxOpen += st.MaxOpen
		sum.WaitCount += st.WaitCount
		sum.WaitDuration += st.WaitDuration
		sum.Statements += st.Statements
		sum.Transactions += st.Transactions
	}
	return sum, nil
}

// warmupRequests is how many requests the warm-up takes: until then the
// pools may open their connections.
func (o Options) warmupRequests() int {
	return min(max(o.Clients, o.Submissions/10), o.Submissions/2)
}

// instanceRoundName is the round a scale-out run posts to.
func instanceRoundName(n int, withReports bool) string {
	name := fmt.Sprintf("Inlämningar, %d instans", n)
	if n > 1 {
		name += "er"
	}
	if withReports {
		name += " under rapporter"
	}
	return name + " (bench)"
}

// scaleOut posts o.Submissions forms from o.Clients clients to
// o.Instances servers, each a process of its own, and counts the
// connections the servers' pools open after the warm-up. withReports: a
// samordnare first builds the national round's report JSON through the web
// a few times while nothing else runs, then one after the other while the
// forms come in.
func (s *stepper) scaleOut(ctx context.Context, withReports bool) (stepResult, error) {
	if s.o.DatabaseURL == "" {
		return stepResult{}, errors.New("bench step: the instances share a PostgreSQL database (--database-url)")
	}
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	n := s.o.Instances
	r, tokens, err := submitRound(ctx, a, instanceRoundName(n, withReports), s.o.Clients)
	if err != nil {
		return stepResult{}, err
	}
	exe, err := s.w.Executable()
	if err != nil {
		return stepResult{}, err
	}
	insts, err := startInstances(ctx, exe, s.o, n)
	if err != nil {
		return stepResult{}, err
	}
	defer stopInstances(insts)
	bases := make([]string, n)
	for i, in := range insts {
		bases[i] = in.addr.Base
	}

	var rep *jsonReports
	if withReports {
		if rep, err = newJSONReports(ctx, a, bases[0]); err != nil {
			return stepResult{}, err
		}
		if err := rep.idle(ctx); err != nil {
			return stepResult{}, err
		}
		rep.start(ctx)
	}
	start, err := statsAll(ctx, insts)
	if err != nil {
		return stepResult{}, err
	}
	var warm store.Stats
	var warmErr error
	load := submitLoad(ctx, bases, tokens, a.Form, s.o, warmup{after: s.o.warmupRequests(), fn: func() {
		warm, warmErr = statsAll(ctx, insts)
	}})
	var reps []time.Duration
	var repErrs int
	var repSamples []string
	if rep != nil {
		reps, repErrs, repSamples = rep.stop()
	}
	end, err := statsAll(ctx, insts)
	if err != nil {
		return stepResult{}, err
	}
	if warmErr != nil {
		return stepResult{}, warmErr
	}
	if err := stopInstances(insts); err != nil {
		return stepResult{}, err
	}

	// Every acknowledged form must be stored, and stored once: no more
	// than were posted.
	counts, err := a.Store.Q(ctx).EvaluationCounts(r.ID)
	if err != nil {
		return stepResult{}, err
	}
	stored := 0
	for _, c := range counts {
		stored += c
	}
	lost := max(load.ok-stored, 0)
	extra := max(stored-load.ok-load.errors, 0)

	throughput := float64(load.ok) / load.elapsed.Seconds()
	p50, p99 := percentile(load.latencies, 0.50), percentile(load.latencies, 0.99)
	note := fmt.Sprintf("%d ok, %d errors in %s = %.0f/s; p50 %s, p99 %s, max %s; %d stored",
		load.ok, load.errors, fmtDuration(load.elapsed), throughput,
		fmtDuration(p50), fmtDuration(p99), fmtDuration(percentile(load.latencies, 1)), stored)
	if len(load.afterWarm) > 0 {
		// Beside the target, not instead of it: a fresh server's first
		// half second is slower (store.Warm), and this shows how much of
		// the p99 it is.
		note += fmt.Sprintf(" (after the warm-up: p99 %s)", fmtDuration(percentile(load.afterWarm, 0.99)))
	}
	if load.timedOut {
		note += fmt.Sprintf("; STOPPED after %s", fmtDuration(s.o.Timeout))
	}
	if lost > 0 {
		note += fmt.Sprintf("; %d ACKNOWLEDGED BUT NOT STORED", lost)
	}
	if extra > 0 {
		note += fmt.Sprintf("; %d MORE STORED THAN POSTED", extra)
	}
	if len(load.samples) > 0 {
		note += "; first errors: " + strings.Join(load.samples, " | ")
	}
	var cpu time.Duration
	var rss int64
	for _, in := range insts {
		cpu += cpuTime(in.cmd.ProcessState)
		rss = max(rss, maxRSS(in.cmd.ProcessState))
	}
	note += fmt.Sprintf("; %d server process", n)
	if n > 1 {
		note += "es"
	}
	note += fmt.Sprintf(": CPU %s, peak RSS %s (largest), pool waits %d (%s); CPU and RSS columns are the clients'",
		fmtDuration(cpu), fmtKiB(rss), end.WaitCount-start.WaitCount, fmtDuration(end.WaitDuration-start.WaitDuration))

	extraOut := map[string]any{
		"ok": load.ok, "errors": load.errors, "lost": lost, "duplicates": extra, "stored": stored,
		"p50_seconds": p50.Seconds(), "p99_seconds": p99.Seconds(), "throughput": throughput,
		"opened_total": end.Opened - start.Opened, "open_at_end": end.Open, "max_open": end.MaxOpen,
		"statements": end.Statements - start.Statements,
	}
	if load.warmDone > 0 {
		extraOut["warmup_requests"] = load.warmDone
		extraOut["opened_after_warmup"] = end.Opened - warm.Opened
		extraOut["requests_after_warmup"] = load.ok + load.errors - load.warmDone
		extraOut["p99_after_warmup_seconds"] = percentile(load.afterWarm, 0.99).Seconds()
	}
	if rep != nil {
		extraOut["report_idle_seconds"] = rep.idleTime.Seconds()
		extraOut["reports"] = len(reps)
		extraOut["report_errors"] = repErrs
		extraOut["report_samples"] = strings.Join(repSamples, " | ")
		if len(reps) > 0 {
			slices.Sort(reps)
			extraOut["report_median_seconds"] = reps[len(reps)/2].Seconds()
			extraOut["report_slowest_seconds"] = reps[len(reps)-1].Seconds()
			extraOut["report_fastest_seconds"] = reps[0].Seconds()
		}
	}
	return stepResult{Seconds: load.elapsed.Seconds(), RoundID: r.ID, Note: note, Extra: extraOut}, nil
}

// jsonReports is a samordnare building the national round's report JSON
// through one instance, one build after the other, each after a write to
// the round so that it is built, not served from a kept copy.
type jsonReports struct {
	client   *http.Client
	url      string
	touch    func(context.Context) error // a write to the round, so that the next report is built
	idleTime time.Duration               // the median of benchRepeats builds with nothing else running

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	times   []time.Duration
	errs    int
	samples []string
}

func newJSONReports(ctx context.Context, a *App, base string) (*jsonReports, error) {
	national, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return nil, err
	}
	const email = "skalning@bench.example"
	if _, _, err := a.Staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: email, Name: "Skalningsläsare", Role: staff.Samordnare, Password: benchPassword}); err != nil {
		return nil, err
	}
	c, err := login(ctx, base, email)
	if err != nil {
		return nil, err
	}
	return &jsonReports{client: c, url: fmt.Sprintf("%s/rapporter/%d/fil/%s", base, national.ID, comparison.JSON),
		touch: func(ctx context.Context) error { return touchRound(ctx, a, national.ID) }}, nil
}

// idle times the report with nothing else running.
func (j *jsonReports) idle(ctx context.Context) error {
	var runs []Row
	for range benchRepeats {
		if err := j.touch(ctx); err != nil {
			return fmt.Errorf("report JSON, idle: %w", err)
		}
		t0 := time.Now()
		if err := getReport(ctx, j.client, j.url); err != nil {
			return fmt.Errorf("report JSON, idle: %w", err)
		}
		runs = append(runs, Row{Time: time.Since(t0)})
	}
	j.idleTime = median(runs).Time
	return nil
}

// start builds the report one after the other until stop.
func (j *jsonReports) start(ctx context.Context) {
	ctx, j.cancel = context.WithCancel(ctx)
	j.wg.Go(func() {
		for ctx.Err() == nil {
			err := j.touch(ctx)
			t0 := time.Now()
			if err == nil {
				err = getReport(ctx, j.client, j.url)
			}
			d := time.Since(t0)
			if ctx.Err() != nil {
				return // stopped mid-build: neither a time nor a failure
			}
			j.mu.Lock()
			if err != nil {
				j.errs++
				if len(j.samples) < 3 {
					j.samples = append(j.samples, err.Error())
				}
			} else {
				j.times = append(j.times, d)
			}
			j.mu.Unlock()
		}
	})
}

// stop ends the builds and returns the finished builds' times and the
// failures.
func (j *jsonReports) stop() ([]time.Duration, int, []string) {
	j.cancel()
	j.wg.Wait()
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.times, j.errs, j.samples
}

// scaleOutRows runs the scale-out steps and makes their rows: the
// submissions to one instance and to o.Instances side by side, the new
// connections after the warm-up for each, and the report JSON idle and
// during the N-instance load.
func (b *bencher) scaleOutRows(ctx context.Context) ([]Row, error) {
	n := b.opt.Instances
	one := *b
	one.opt.Instances = 1
	var rows []Row

	res1, row1, err := one.step(ctx, "instances", "submissions, 1 instance (own process)")
	row1.Target = fmt.Sprintf("0 errors, p99 < %s", fmtDuration(scaleOneMaxP99))
	if err != nil {
		return append(rows, row1), err
	}
	row1.Status = met(submitsOK(res1, b.opt.Submissions) && seconds(num(res1, "p99_seconds")) < scaleOneMaxP99)
	rows = append(rows, row1)

	resN, rowN, err := b.step(ctx, "instances", fmt.Sprintf("submissions, %d instances, one PostgreSQL", n))
	minRate := scaleMinThroughput * num(res1, "throughput")
	rowN.Target = fmt.Sprintf("0 errors, p99 < %s, ≥ %.1f × 1 instance = %.0f/s", fmtDuration(scaleManyMaxP99), scaleMinThroughput, minRate)
	if err != nil {
		return append(rows, rowN), err
	}
	rowN.Status = met(submitsOK(resN, b.opt.Submissions) && seconds(num(resN, "p99_seconds")) < scaleManyMaxP99 && num(resN, "throughput") >= minRate)
	rowN.Note = fmt.Sprintf("%.2f × 1 instance's throughput; %s", num(resN, "throughput")/max(num(res1, "throughput"), 1e-9), rowN.Note)
	rows = append(rows, rowN)

	for _, c := range []struct {
		label string
		res   stepResult
	}{{"new connections after warm-up, 1 instance", res1}, {fmt.Sprintf("new connections after warm-up, %d instances", n), resN}} {
		rows = append(rows, connectionsRow(c.label, c.res))
	}

	resR, rowR, err := b.step(ctx, "instances-reports", fmt.Sprintf("report JSON during the %d-instance load", n))
	idle := seconds(num(resR, "report_idle_seconds"))
	rowR.Target = fmt.Sprintf("≤ %d × idle = %s", scaleReportMaxFactor, fmtDuration(scaleReportMaxFactor*idle))
	if err != nil {
		return append(rows, rowR), err
	}
	idleRow := Row{Step: fmt.Sprintf("report JSON via web, idle (%d instances up)", n), Time: idle,
		Note: fmt.Sprintf("GET /rapporter/ID/fil/json on instance 1 with no other load; median of %d runs", benchRepeats)}
	submitNote := rowR.Note
	built := int(num(resR, "reports"))
	med := seconds(num(resR, "report_median_seconds"))
	// Timed like the report JSON row: the median of the builds; the
	// slowest is in the note.
	rowR.Time, rowR.CPU, rowR.RSSKiB = med, 0, 0
	switch {
	case built == 0:
		rowR.Status = statusMissed
		rowR.Time = 0
		rowR.Note = "no report finished while the forms came in"
	default:
		slowest := seconds(num(resR, "report_slowest_seconds"))
		rowR.Status = met(med <= scaleReportMaxFactor*idle)
		rowR.Note = fmt.Sprintf("median of %d builds on instance 1, one after the other: %.1f × idle (fastest %s, slowest %s = %.1f × idle)",
			built, float64(med)/float64(max(idle, 1)), fmtDuration(seconds(num(resR, "report_fastest_seconds"))),
			fmtDuration(slowest), float64(slowest)/float64(max(idle, 1)))
	}
	if e := num(resR, "report_errors"); e > 0 {
		rowR.Status = statusMissed
		rowR.Note += fmt.Sprintf("; %.0f report errors: %v", e, resR.Extra["report_samples"])
	}
	if !submitsOK(resR, b.opt.Submissions) {
		rowR.Status = statusMissed
		rowR.Note += "; THE SUBMISSIONS MEANWHILE FAILED"
	}
	rowR.Note += "; the submissions meanwhile: " + submitNote
	rows = append(rows, idleRow, rowR)
	return rows, nil
}

// submitsOK: every form was acknowledged, none failed, and each
// acknowledged one is stored, once.
func submitsOK(res stepResult, want int) bool {
	return num(res, "errors") == 0 && num(res, "lost") == 0 && num(res, "duplicates") == 0 &&
		int(num(res, "ok")) == want && int(num(res, "stored")) == want
}

// connectionsRow says how many PostgreSQL connections the servers' pools
// opened after the warm-up, per 1 000 requests.
func connectionsRow(label string, res stepResult) Row {
	row := Row{Step: label, Untimed: true, Target: fmt.Sprintf("≈ 0 per 1 000 requests (≤ %.0f)", scaleMaxNewConnsPerK)}
	reqs := num(res, "requests_after_warmup")
	if _, ok := res.Extra["opened_after_warmup"]; !ok || reqs <= 0 {
		row.Status, row.Note = statusNotMeasured, "the load did not get past its warm-up"
		return row
	}
	opened := num(res, "opened_after_warmup")
	perK := opened / reqs * 1000
	row.Status = met(perK <= scaleMaxNewConnsPerK)
	row.Note = fmt.Sprintf("%.1f per 1 000: %.0f opened during the last %.0f requests (warm-up: the first %.0f); %.0f opened during the whole load, %.0f open at its end (the pools allow %.0f); counted by the servers' stores as they connect",
		perK, opened, reqs, num(res, "warmup_requests"), num(res, "opened_total"), num(res, "open_at_end"), num(res, "max_open"))
	return row
}

// num is a number from a step's Extra (JSON makes them float64).
func num(res stepResult, key string) float64 {
	v, _ := res.Extra[key].(float64)
	return v
}
