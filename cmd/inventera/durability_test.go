package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// The durability tests run the real binary: `inventera serve` as a child
// process that is killed or stopped, and `inventera backup` beside it.

var (
	builtOnce sync.Once
	builtDir  string
	builtBin  string
	builtErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// inventeraBinary builds this command once per test run and returns the
// binary's path.
func inventeraBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		gobin, err := exec.LookPath("go")
		if err != nil {
			builtErr = fmt.Errorf("the go command is needed to build inventera: %w", err)
			return
		}
		if builtDir, err = os.MkdirTemp("", "inventera-test-bin-"); err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(builtDir, "inventera")
		start := time.Now()
		cmd := exec.Command(gobin, "build", "-o", builtBin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			builtErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
		t.Logf("built inventera in %s", time.Since(start).Round(time.Millisecond))
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtBin
}

const durabilitySecret = "durability-test-secret-0123456789abcdef"

// childEnv is the environment of a child inventera: this process's, without
// any inventera setting that could point it elsewhere, with the link secret.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "INVENTERA_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "INVENTERA_SECRET="+durabilitySecret)
}

// freePort returns a loopback address nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// lockedBuffer collects a child's output from its copying goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is `inventera serve` running as a child process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error
	gone bool // the process has exited and been waited for
	base string
}

func startServer(t *testing.T, bin, db, addr string) *server {
	t.Helper()
	s := &server{t: t, out: &lockedBuffer{}, done: make(chan error, 1), base: "http://" + addr}
	s.cmd = exec.Command(bin, "serve", "--db", db, "--addr", addr)
	s.cmd.Env = childEnv()
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.gone {
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	// Ready when the home page answers.
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-s.done:
			s.gone = true
			t.Fatalf("serve exited before answering (%v):\n%s", err, s.out.String())
		default:
		}
		resp, err := client.Get(s.base + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer within 20 s:\n%s", s.out.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL: no shutdown, no checkpoint.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.done
	s.gone = true
}

// stop ends the server as an operator would (SIGTERM) and waits for a clean
// exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.gone = true
		if err != nil {
			s.t.Fatalf("serve did not stop cleanly: %v\n%s", err, s.out.String())
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		s.gone = true
		s.t.Fatalf("serve did not stop within 20 s of SIGTERM:\n%s", s.out.String())
	}
}

// durableUnit is a unit with its personal link token.
type durableUnit struct {
	id    int64
	token string
}

// seedUnits creates a round with n units in the database, with links made
// with the secret the child server gets, before any server runs.
func seedUnits(t *testing.T, db string, n int) []durableUnit {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := &manage.Service{Store: st, Keys: round.LinkKey(durabilitySecret), Now: func() time.Time { return time.Now().UTC() }}
	actor := manage.System("test")
	r, err := m.CreateRound(ctx, actor, manage.RoundInput{Name: "Hållbarhet", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddKommun(ctx, actor, r.ID, "Borlänge", "52 000"); err != nil {
		t.Fatal(err)
	}
	units := make([]durableUnit, n)
	for i := range units {
		u, link, err := m.AddUnit(ctx, actor, r.ID, manage.UnitInput{Name: fmt.Sprintf("Enhet %d", i), Kommuner: []string{"Borlänge"}})
		if err != nil {
			t.Fatal(err)
		}
		units[i] = durableUnit{id: u.ID, token: link[strings.LastIndex(link, "/")+1:]}
	}
	return units
}

// ledger records what the clients sent and what the server acknowledged.
type ledger struct {
	mu        sync.Mutex
	attempted map[int64][]string // unit → names posted
	acked     map[int64][]string // unit → names answered 303
	errors    []string
}

func newLedger() *ledger {
	return &ledger{attempted: map[int64][]string{}, acked: map[int64][]string{}}
}

func (l *ledger) ackCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, names := range l.acked {
		n += len(names)
	}
	return n
}

// snapshot copies the acknowledged names.
func (l *ledger) snapshot() map[int64][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int64][]string, len(l.acked))
	for u, names := range l.acked {
		out[u] = slices.Clone(names)
	}
	return out
}

// submit has one client per unit post complete evaluations, one at a time,
// until ctx ends or the server stops answering. Names are unique: phase,
// unit and sequence number.
func submit(ctx context.Context, base, phase string, units []durableUnit, l *ledger) *sync.WaitGroup {
	def := form.MustEvaluation()
	var wg sync.WaitGroup
	for c, u := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for seq := 0; ctx.Err() == nil; seq++ {
				name := fmt.Sprintf("%s-e%d-n%d", phase, c, seq)
				vals := url.Values(natgen.Fields(def, natgen.Answers(uint64(c)+1, seq, form.ModeForm)))
				vals.Set("benamning", name)
				vals.Set("atgard", "spara")
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/l/"+u.token+"/ny", strings.NewReader(vals.Encode()))
				if err != nil {
					panic(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				l.mu.Lock()
				l.attempted[u.id] = append(l.attempted[u.id], name)
				l.mu.Unlock()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						l.mu.Lock()
						l.errors = append(l.errors, err.Error())
						l.mu.Unlock()
					}
					return // the server is gone, or the phase is over
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				l.mu.Lock()
				if resp.StatusCode == http.StatusSeeOther {
					l.acked[u.id] = append(l.acked[u.id], name)
				} else {
					l.errors = append(l.errors, fmt.Sprintf("%s: status %d", name, resp.StatusCode))
				}
				l.mu.Unlock()
				if resp.StatusCode != http.StatusSeeOther {
					return
				}
			}
		}()
	}
	return &wg
}

// waitAcks waits until at least n submissions are acknowledged, failing
// after the timeout.
func waitAcks(t *testing.T, l *ledger, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for l.ackCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d submissions acknowledged within %s; errors: %v", l.ackCount(), n, timeout, l.errors)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// storedNames reads every unit's evaluation names from a database file and
// checks its integrity.
func storedNames(t *testing.T, db string, units []durableUnit) map[int64][]string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check of %s: %q, %v", filepath.Base(db), res, err)
	}
	out := map[int64][]string{}
	for _, u := range units {
		evs, err := st.Q(ctx).UnitEvaluations(u.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if !e.Complete {
				t.Errorf("unit %d: evaluation %q stored as a draft", u.id, e.Title())
			}
			out[u.id] = append(out[u.id], e.Answers.Get("benamning"))
		}
	}
	return out
}

// checkAcknowledgedStored checks that every acknowledged name is stored
// once, and that nothing is stored that was not sent, with at most one
// unacknowledged submission per unit for each of the kills so far (the one
// in flight when the server died, committed before its answer was sent).
func checkAcknowledgedStored(t *testing.T, stored map[int64][]string, l *ledger, units []durableUnit, kills int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	total := 0
	for _, u := range units {
		have := map[string]int{}
		for _, n := range stored[u.id] {
			have[n]++
		}
		for n, c := range have {
			if c > 1 {
				t.Errorf("unit %d: %q stored %d times", u.id, n, c)
			}
			if !slices.Contains(l.attempted[u.id], n) {
				t.Errorf("unit %d: %q stored but never sent", u.id, n)
			}
		}
		for _, n := range l.acked[u.id] {
			if have[n] == 0 {
				t.Errorf("unit %d: acknowledged submission %q is lost", u.id, n)
			}
		}
		if extra := len(stored[u.id]) - len(l.acked[u.id]); extra < 0 || extra > kills {
			t.Errorf("unit %d: %d stored, %d acknowledged; at most %d in flight at the kills", u.id, len(stored[u.id]), len(l.acked[u.id]), kills)
		}
		total += len(l.acked[u.id])
	}
	t.Logf("%d acknowledged submissions all stored", total)
}

// TestKillServeLosesNothing kills `inventera serve` with SIGKILL while
// clients submit, twice, restarting it on the same file each time: every
// submission that was answered 303 is there after the restart, and the
// database passes integrity_check.
func TestKillServeLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := inventeraBinary(t)
	db := filepath.Join(t.TempDir(), "live.db")
	units := seedUnits(t, db, 8)
	addr := freePort(t)
	l := newLedger()

	srv := startServer(t, bin, db, addr)
	for phase := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		before := l.ackCount()
		wg := submit(ctx, srv.base, fmt.Sprintf("p%d", phase), units, l)
		waitAcks(t, l, before+40, 10*time.Second)
		time.Sleep(time.Second) // clients keep submitting
		l.mu.Lock()
		if len(l.errors) > 0 {
			t.Fatalf("submissions failed before the kill: %v", l.errors)
		}
		l.mu.Unlock()
		srv.kill() // mid-stream
		cancel()
		wg.Wait()
		l.errors = nil // the requests the kill cut off
		t.Logf("phase %d: server killed after %d acknowledged submissions", phase, l.ackCount()-before)

		srv = startServer(t, bin, db, addr)
		checkAcknowledgedStored(t, storedNames(t, db, units), l, units, phase+1)
		if t.Failed() {
			t.FailNow()
		}
	}
	// The restarted server serves what was stored.
	resp, err := http.Get(srv.base + "/l/" + units[0].token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, n := range l.snapshot()[units[0].id] {
		if !strings.Contains(string(body), ">"+n+"<") {
			t.Fatalf("unit page after restart does not list %q", n)
		}
	}
	srv.stop()
}

// TestBackupWhileServing runs `inventera backup` while clients submit: the
// copy passes integrity_check and holds every submission acknowledged before
// the backup started and no more than were acknowledged when it ended (plus
// those in flight). Restoring it (stop, copy over, start) serves exactly the
// backed-up evaluations.
func TestBackupWhileServing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := inventeraBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	backup := filepath.Join(dir, "B.db")
	units := seedUnits(t, db, 8)
	addr := freePort(t)
	l := newLedger()

	srv := startServer(t, bin, db, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wg := submit(ctx, srv.base, "b", units, l)
	waitAcks(t, l, 40, 10*time.Second)

	before := l.snapshot()
	cmd := exec.Command(bin, "backup", "--db", db, "--out", backup)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	// They hold names, e-mail addresses, hashes and link nonces: only the
	// owner may read them.
	for _, f := range []string{db, db + "-wal", db + "-shm", backup} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(f), got)
		}
	}
	ackedAfter := l.ackCount()
	waitAcks(t, l, ackedAfter+20, 10*time.Second) // the service keeps taking submissions
	cancel()
	wg.Wait()
	if len(l.errors) > 0 {
		t.Fatalf("submissions failed during the backup: %v", l.errors)
	}

	inBackup := storedNames(t, backup, units)
	n := 0
	for _, u := range units {
		have := map[string]bool{}
		for _, name := range inBackup[u.id] {
			have[name] = true
			if !slices.Contains(l.attempted[u.id], name) {
				t.Errorf("backup holds %q, never sent", name)
			}
		}
		for _, name := range before[u.id] {
			if !have[name] {
				t.Errorf("backup lacks %q, acknowledged before the backup started", name)
			}
		}
		n += len(inBackup[u.id])
	}
	nBefore := 0
	for _, names := range before {
		nBefore += len(names)
	}
	if n < nBefore || n > ackedAfter+len(units) {
		t.Errorf("backup holds %d evaluations; acknowledged %d before it started and %d when it ended", n, nBefore, ackedAfter)
	}
	t.Logf("backup holds %d evaluations (acknowledged: %d before, %d after, %d in all)", n, nBefore, ackedAfter, l.ackCount())

	// Restore as the README says: stop the service, copy the backup over
	// the database (the key stays: INVENTERA_SECRET here), start it again.
	srv.stop()
	// A clean stop checkpoints the write-ahead log and removes it; after a
	// crash it would have to be deleted with the -shm file, or SQLite would
	// replay it over the restored copy.
	if _, err := os.Stat(db + "-wal"); err == nil {
		t.Errorf("%s-wal is left after a clean stop", filepath.Base(db))
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	srv = startServer(t, bin, db, addr)
	defer srv.stop()
	later := 0
	for _, u := range units {
		resp, err := http.Get(srv.base + "/l/" + u.token)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("unit page after restore: status %d", resp.StatusCode)
		}
		page := string(body)
		if want := fmt.Sprintf("Enhetens utvärderingar (%d)", len(inBackup[u.id])); !strings.Contains(page, want) {
			t.Errorf("unit %d after restore: page lacks %q", u.id, want)
		}
		for _, name := range inBackup[u.id] {
			if !strings.Contains(page, ">"+name+"<") {
				t.Errorf("unit %d after restore: %q not listed", u.id, name)
			}
		}
		for _, name := range l.acked[u.id] {
			if !slices.Contains(inBackup[u.id], name) {
				later++
				if strings.Contains(page, ">"+name+"<") {
					t.Errorf("unit %d after restore: %q, saved after the backup, is listed", u.id, name)
				}
			}
		}
	}
	if later == 0 {
		t.Error("no submission was acknowledged after the backup; the restore shows nothing")
	}
}
