package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// recurs reads what a compared report row says it compared.
var recurs = regexp.MustCompile(`(\d+) kommuner in both, (\d+) evaluations recur \((\d+) by lineage\)`)

// benchSteps are the rows `inventera bench` prints, in order.
var benchSteps = []string{
	"generate + write XLSX",
	"import, CLI (XLSX → SQLite)",
	"aggregate (compute only)",
	"baseline: sqlite3 SELECT answers",
	"report JSON, built in a fresh process",
	"report JSON, unchanged round (kept copy)",
	"report JSON, built in a running server",
	"report HTML (with charts)",
	"report XLSX",
	"earlier round (store, publish, lineage)",
	"compared report JSON, first build in a fresh process",
	"compared report JSON, first build in a running server",
	"compared report JSON, repeated in a running server",
	"submissions (web, POST form)",
	"submissions during 2 reports",
	"progress round (store)",
	"progress page, 81 units", // 5 kommuner × 2 × 2 (--scale) × 4 own units, and natgen's shared one
}

// TestBenchTiny runs the benchmark command at a tiny size, its steps in
// child processes of the real binary, so that it cannot rot.
func TestBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := inventeraBinary(t)
	defer func(old func() (string, error)) { benchExecutable = old }(benchExecutable)
	benchExecutable = func() (string, error) { return bin, nil }

	keep := t.TempDir()
	code, out, stderr := cli(t, "", "bench", "--kommuner", "5", "--units", "2", "--evaluations", "2", "--scale", "2",
		"--submissions", "40", "--clients", "4", "--reports", "2", "--timeout", "60s", "--keep", keep)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	t.Logf("\n%s", out)
	lines := strings.Split(out, "\n")
	i := 0
	for _, l := range lines {
		if i < len(benchSteps) && strings.HasPrefix(l, benchSteps[i]) {
			i++
		}
	}
	if i != len(benchSteps) {
		t.Fatalf("row %q missing or out of order in:\n%s", benchSteps[i], out)
	}
	row := func(step string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, step) {
				return l
			}
		}
		return ""
	}
	if r := row("report JSON, built"); !strings.Contains(r, " built; open") {
		t.Errorf("the report JSON after a write was not built: %s", r)
	}
	if r := row("report JSON, unchanged"); !strings.Contains(r, "served from its kept copy") {
		t.Errorf("the report JSON of an unchanged round was not served from its kept copy: %s", r)
	}
	if r := row("report JSON, built in a running"); !strings.Contains(r, " built; GET /rapporter/") {
		t.Errorf("the report JSON in a running server was not built: %s", r)
	}
	for _, r := range []string{row("submissions (web"), row("submissions during")} {
		if !strings.Contains(r, "40 ok, 0 errors") || !strings.Contains(r, "; 40 stored") {
			t.Errorf("submissions row: %s", r)
		}
	}
	if r := row("submissions during"); !strings.Contains(r, "reports meanwhile: ") || strings.Contains(r, "reports meanwhile: 0 built") {
		t.Errorf("no report was built during the submissions: %s", r)
	}
	// --scale 2 doubles the evaluations per kommun: 5 × 2 × 2.
	if r := row("import"); !strings.Contains(r, "20 evaluations") || !strings.Contains(r, "< 60.0 s, < 500 MB") {
		t.Errorf("import row (×10 targets from --scale 2): %s", r)
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a step failed:\n%s", out)
	}
	if !strings.Contains(out, "MISSED:") && !strings.Contains(out, "Every target measured was met.") {
		t.Errorf("no verdict line:\n%s", out)
	}
	if strings.Contains(out, "Not measured") || strings.Contains(out, "n/a") {
		t.Errorf("a step was not measured:\n%s", out)
	}
	// The compared report compares: every kommun in both rounds, evaluations
	// recurring by carry-forward lineage; in a running server, held against
	// the round's own report.
	for _, step := range []string{"compared report JSON, first build in a fresh", "compared report JSON, repeated"} {
		r := row(step)
		m := recurs.FindStringSubmatch(r)
		if m == nil || m[1] != "5" || m[2] == "0" || m[3] == "0" || !strings.Contains(r, "× ") {
			t.Errorf("%s: no comparison of 5 kommuner with recurring evaluations, or no ratio: %s", step, r)
		}
	}
	for _, step := range []string{"compared report JSON, first build in a running", "compared report JSON, repeated"} {
		if r := row(step); !strings.Contains(r, "× the round alone") || !strings.Contains(r, "≤ 1.5 × alone") {
			t.Errorf("%s is not held against the round alone: %s", step, r)
		}
	}
	// The progress page: every view timed; the workbook lists every unit;
	// from --scale 2 the national target is only reported.
	r := row("progress page")
	for _, w := range []string{"first page ", "kommun ", "status + område, page 2 ", "search ", "last page ", "progress workbook (XLSX, 81 units)", "— (national: < 300 ms server time)", "the national target would be"} {
		if !strings.Contains(r, w) {
			t.Errorf("progress page row lacks %q: %s", w, r)
		}
	}
	for _, f := range []string{"bench.db", "nationell.xlsx", "rapport.json", "rapport.html", "rapport.xlsx", "rapport-jamford.json"} {
		if fi, err := os.Stat(filepath.Join(keep, f)); err != nil || fi.Size() == 0 {
			t.Errorf("--keep directory lacks %s (%v)", f, err)
		}
	}
	// A second run refuses to measure on the kept database.
	if code, _, _ := cli(t, "", "bench", "--kommuner", "1", "--keep", keep); code == 0 {
		t.Error("bench reused an existing database")
	}
}

func TestBenchUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bench", "--scale", "0"}, 2, "--scale ska vara minst 1"},
		{[]string{"bench", "--scale", "tio"}, 2, "--scale ska vara ett heltal"},
		{[]string{"bench", "--db", "a.db", "--database-url", "postgres://x"}, 2, "inte båda"},
		{[]string{"bench", "--instances", "3"}, 2, "--instances 3 kräver --database-url: en SQLite-fil är till för en instans"},
		{[]string{"bench", "--instances", "0"}, 2, "--instances ska vara minst 1"},
		{[]string{"bench", "step", "nope", "--dir", t.TempDir(), "--db", filepath.Join(t.TempDir(), "x.db")}, 1, "unknown step"},
		{[]string{"bench", "step"}, 1, "name a step"},
	} {
		code, _, stderr := cli(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
