package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/bench"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/store/storetest"
)

// benchInstanceRows are the rows --instances 3 adds, in order.
var benchInstanceRows = []string{
	"submissions, 1 instance (own process)",
	"submissions, 3 instances, one PostgreSQL",
	"new connections after warm-up, 1 instance",
	"new connections after warm-up, 3 instances",
	"report JSON via web, idle (3 instances up)",
	"report JSON during the 3-instance load",
}

// TestBenchInstancesPostgres runs `inventera bench --instances 3` at a tiny
// size on PostgreSQL (a schema of its own): one server and then three,
// each a process of the real binary with its own pool, on one database,
// under concurrent submitters. Every acknowledged post is stored once, and
// the connections the servers open stay bounded.
func TestBenchInstancesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := storetest.NewSchema(t)
	bin := inventeraBinary(t)
	defer func(old func() (string, error)) { benchExecutable = old }(benchExecutable)
	benchExecutable = func() (string, error) { return bin, nil }

	const submissions, clients = 240, 12
	code, out, stderr := cli(t, "", "bench", "--database-url", url, "--instances", "3",
		"--kommuner", "3", "--units", "2", "--evaluations", "2",
		"--submissions", strconv.Itoa(submissions), "--clients", strconv.Itoa(clients), "--reports", "1", "--timeout", "60s")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	t.Logf("\n%s", out)
	lines := strings.Split(out, "\n")
	row := func(step string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, step) {
				return l
			}
		}
		return ""
	}
	i := 0
	for _, l := range lines {
		if i < len(benchInstanceRows) && strings.HasPrefix(l, benchInstanceRows[i]) {
			i++
		}
	}
	if i != len(benchInstanceRows) {
		t.Fatalf("row %q missing or out of order in:\n%s", benchInstanceRows[i], out)
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a step failed:\n%s", out)
	}

	okStored := strconv.Itoa(submissions) + " ok, 0 errors"
	stored := "; " + strconv.Itoa(submissions) + " stored"
	for _, step := range []string{benchInstanceRows[0], benchInstanceRows[1], benchInstanceRows[5]} {
		r := row(step)
		if !strings.Contains(r, okStored) || !strings.Contains(r, stored) {
			t.Errorf("%s: want %q and %q in %s", step, okStored, stored, r)
		}
	}
	if r := row(benchInstanceRows[1]); !strings.Contains(r, "3 server processes") {
		t.Errorf("the three instances are not three processes: %s", r)
	}
	if r := row(benchInstanceRows[5]); strings.Contains(r, "no report finished") {
		t.Errorf("no report was built during the load: %s", r)
	}

	// Bounded: each client has one request at a time, and a request holds
	// at most two connections at once; a pool that closes and reopens its
	// connections under load (an idle pool of two) opens far more.
	opened := regexp.MustCompile(`(\d+) opened during the whole load`)
	for _, step := range []string{benchInstanceRows[2], benchInstanceRows[3]} {
		m := opened.FindStringSubmatch(row(step))
		if m == nil {
			t.Errorf("%s: no count of connections opened in %q", step, row(step))
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n > 2*clients {
			t.Errorf("%s: %d connections opened for %d clients; want at most %d", step, n, clients, 2*clients)
		}
	}

	// Stored once, counted again from the database itself.
	ctx := context.Background()
	a, err := benchWiring().Open(ctx, bench.Database{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, name := range []string{"Inlämningar, 1 instans (bench)", "Inlämningar, 3 instanser (bench)", "Inlämningar, 3 instanser under rapporter (bench)"} {
		r, err := a.Manage.RoundByName(ctx, manage.System("test"), name)
		if err != nil {
			t.Fatalf("round %s: %v", name, err)
		}
		counts, err := a.Store.Q(ctx).EvaluationCounts(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, n := range counts {
			got += n
		}
		if got != submissions {
			t.Errorf("round %s: %d evaluations stored, want %d (each acknowledged post once)", name, got, submissions)
		}
	}
}
