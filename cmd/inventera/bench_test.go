package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchSteps are the rows `inventera bench` prints, in order.
var benchSteps = []string{
	"generate + write XLSX",
	"import (XLSX → SQLite)",
	"aggregate (compute only)",
	"baseline: sqlite3 SELECT answers",
	"report JSON",
	"report HTML (with charts)",
	"report XLSX",
	"submissions (web, POST form)",
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
	code, out, stderr := cli(t, "", "bench", "--kommuner", "5", "--units", "2", "--evaluations", "4",
		"--submissions", "40", "--clients", "4", "--timeout", "60s", "--keep", keep)
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
	if r := row("submissions"); !strings.Contains(r, "40 ok, 0 errors") || !strings.Contains(r, "; 40 stored") {
		t.Errorf("submissions row: %s", r)
	}
	if r := row("import"); !strings.Contains(r, "20 evaluations") {
		t.Errorf("import row: %s", r)
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a step failed:\n%s", out)
	}
	if !strings.Contains(out, "MISSED:") && !strings.Contains(out, "Every target met.") {
		t.Errorf("no verdict line:\n%s", out)
	}
	for _, f := range []string{"bench.db", benchWorkbook, "rapport.json", "rapport.html", "rapport.xlsx"} {
		if fi, err := os.Stat(filepath.Join(keep, f)); err != nil || fi.Size() == 0 {
			t.Errorf("--keep directory lacks %s (%v)", f, err)
		}
	}
	// A second run refuses to measure on the kept database.
	if code, _, _ := cli(t, "", "bench", "--kommuner", "1", "--keep", keep); code == 0 {
		t.Error("bench reused an existing database")
	}
}

func TestBenchTable(t *testing.T) {
	rows := []benchRow{
		{Step: "import", Time: 1500 * time.Millisecond, CPU: time.Second, RSSKiB: 150 << 10, Target: "< 10.0 s", Status: "yes"},
		{Step: "report XLSX", Time: 6 * time.Second, RSSKiB: 300 << 10, Target: "< 5.00 s", Status: "MISSED"},
	}
	var b bytes.Buffer
	printBenchTable(&b, rows)
	out := b.String()
	for _, want := range []string{"1.50 s", "150 MB", "6.00 s", "MISSED: report XLSX"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	printBenchTable(&b, rows[:1])
	if !strings.Contains(b.String(), "Every target met.") {
		t.Errorf("no verdict:\n%s", b.String())
	}
}

func TestPercentileAndMedian(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 = %s", p)
	}
	if p := percentile(d, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 = %s", p)
	}
	if p := percentile(d, 1); p != 100*time.Millisecond {
		t.Errorf("max = %s", p)
	}
	if p := percentile(nil, 0.99); p != 0 {
		t.Errorf("empty p99 = %s", p)
	}
	m := median([]benchRow{{Time: 3, RSSKiB: 1}, {Time: 1, RSSKiB: 9}, {Time: 2, RSSKiB: 2}})
	if m.Time != 2 || m.RSSKiB != 9 {
		t.Errorf("median = %+v", m)
	}
}

func TestBenchStepUnknown(t *testing.T) {
	code, _, stderr := cli(t, "", "bench", "step", "nope", "--dir", t.TempDir(), "--db", filepath.Join(t.TempDir(), "x.db"))
	if code == 0 || !strings.Contains(stderr, "unknown step") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
