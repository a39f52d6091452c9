package bench

import (
	"bytes"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
)

func TestPrintTable(t *testing.T) {
	for _, c := range []struct {
		name    string
		rows    []Row
		want    []string
		notWant []string
	}{
		{
			name: "a missed target",
			rows: []Row{
				{Step: "import", Time: 1500 * time.Millisecond, CPU: time.Second, RSSKiB: 150 << 10, Target: "< 10.0 s", Status: statusMet},
				{Step: "report XLSX", Time: 6 * time.Second, RSSKiB: 300 << 10, Target: "< 5.00 s", Status: statusMissed},
			},
			want:    []string{"1.50 s", "150 MB", "6.00 s", "MISSED: report XLSX"},
			notWant: []string{"Every target", "Not measured"},
		},
		{
			name: "every target met, one not measured",
			rows: []Row{
				{Step: "import", Time: 1500 * time.Millisecond, Target: "< 10.0 s", Status: statusMet},
				{Step: "compared report", Target: "≤ 1.5 × report JSON", Status: statusNotMeasured, Note: "not measured yet"},
			},
			want:    []string{"Every target measured was met.", "Not measured: compared report", "compared report  —       —"},
			notWant: []string{"MISSED"},
		},
		{
			name:    "a failed step",
			rows:    []Row{{Step: "import", Status: statusFailed, Note: "step import: too many rows"}},
			want:    []string{"MISSED: import", "too many rows"},
			notWant: []string{"Every target"},
		},
	} {
		var b bytes.Buffer
		PrintTable(&b, c.rows)
		out := b.String()
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: table lacks %q:\n%s", c.name, w, out)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%s: table has %q:\n%s", c.name, w, out)
			}
		}
	}
}

func TestPercentileAndMedian(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		in   []time.Duration
		want time.Duration
	}{{0.5, d, 50 * time.Millisecond}, {0.99, d, 99 * time.Millisecond}, {1, d, 100 * time.Millisecond}, {0.99, nil, 0}} {
		if got := percentile(c.in, c.p); got != c.want {
			t.Errorf("percentile %v of %d values = %s, want %s", c.p, len(c.in), got, c.want)
		}
	}
	m := median([]Row{{Time: 3, RSSKiB: 1}, {Time: 1, RSSKiB: 9}, {Time: 2, RSSKiB: 2}})
	if m.Time != 2 || m.RSSKiB != 9 {
		t.Errorf("median = %+v, want time 2 with the highest RSS, 9", m)
	}
}

// TestOptions: --scale multiplies the units and evaluations per kommun; a
// step's command line gives it the same options; nonsense is refused.
func TestOptions(t *testing.T) {
	var o Options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o.Flags(fs)
	if err := fs.Parse([]string{"--scale", "10", "--kommuner", "290"}); err != nil {
		t.Fatal(err)
	}
	if p := o.Check(); p != "" {
		t.Fatalf("defaults with --scale 10: %s", p)
	}
	g := o.generated()
	if got := g.Kommuner * g.EvaluationsPerKommun; got != 290_000 || g.UnitsPerKommun != 50 {
		t.Errorf("--scale 10: %d evaluations, %d units per kommun; want 290 000 and 50", got, g.UnitsPerKommun)
	}

	o.Dir, o.DB, o.Profile = "/tmp/d", "/tmp/d/bench.db", "/tmp/p"
	var again Options
	sfs := flag.NewFlagSet("bench step", flag.ContinueOnError)
	again.StepFlags(sfs)
	if err := sfs.Parse(o.args()); err != nil {
		t.Fatal(err)
	}
	if again != o {
		t.Errorf("a step reads its command line as\n %+v\nnot\n %+v", again, o)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	for _, n := range names {
		if n != "keep" && !slices.Contains(o.args(), "--"+n) {
			t.Errorf("a step does not get --%s", n)
		}
	}

	for _, c := range []struct {
		change func(*Options)
		want   string
	}{
		{func(o *Options) { o.Scale = 0 }, "--scale ska vara minst 1"},
		{func(o *Options) { o.Reports = -1 }, "--reports ska vara minst 1"},
		{func(o *Options) { o.Timeout = 0 }, "--timeout"},
		{func(o *Options) { o.DatabaseURL = "postgres://x" }, "inte båda"},
		{func(o *Options) { o.Instances = 3 }, "--instances 3 kräver --database-url"},
		{func(o *Options) { o.Instances = 0 }, "--instances ska vara minst 1"},
	} {
		bad := o
		c.change(&bad)
		if p := bad.Check(); !strings.Contains(p, c.want) {
			t.Errorf("Check() = %q, want %q", p, c.want)
		}
	}
}

// TestConnectionsRow: new connections after the warm-up, per 1 000
// requests, against "≈ 0" (at most one).
func TestConnectionsRow(t *testing.T) {
	for _, c := range []struct {
		name       string
		extra      map[string]any
		wantStatus string
		wantNote   string
	}{
		{"none opened", map[string]any{"opened_after_warmup": 0.0, "requests_after_warmup": 4500.0, "warmup_requests": 500.0, "opened_total": 20.0},
			statusMet, "0.0 per 1 000: 0 opened during the last 4500 requests (warm-up: the first 500); 20 opened during the whole load"},
		{"one per thousand", map[string]any{"opened_after_warmup": 4.0, "requests_after_warmup": 4000.0}, statusMet, "1.0 per 1 000"},
		{"churn", map[string]any{"opened_after_warmup": 255.0, "requests_after_warmup": 2000.0}, statusMissed, "127.5 per 1 000"},
		{"no warm-up", map[string]any{"ok": 3.0}, statusNotMeasured, "did not get past its warm-up"},
	} {
		r := connectionsRow("new connections", stepResult{Extra: c.extra})
		if r.Status != c.wantStatus || !strings.Contains(r.Note, c.wantNote) || !r.Untimed {
			t.Errorf("%s: status %q, note %q, untimed %v; want %q, a note with %q, untimed", c.name, r.Status, r.Note, r.Untimed, c.wantStatus, c.wantNote)
		}
	}
}

// TestEarlierDataset: the earlier round is the same network a year before —
// the same kommuner and units; its evaluations are the generated round's
// recurring ones (every tenth excepted), by name at the same unit, besides
// a few discontinued since; a unit that submitted has evaluations.
func TestEarlierDataset(t *testing.T) {
	cur := natgen.Generate(natgen.Options{Kommuner: 12, UnitsPerKommun: 3, EvaluationsPerKommun: 20})
	prev := earlierDataset(cur, natgen.DefaultSeed)
	if len(prev.Kommuner) != len(cur.Kommuner) || len(prev.Units) != len(cur.Units) {
		t.Fatalf("earlier round: %d kommuner, %d units; want %d and %d", len(prev.Kommuner), len(prev.Units), len(cur.Kommuner), len(cur.Units))
	}
	for i, k := range prev.Kommuner {
		if k.Name != cur.Kommuner[i].Name || *k.Population >= *cur.Kommuner[i].Population {
			t.Errorf("kommun %d: %s with %d inhabitants, now %s with %d", i, k.Name, *k.Population, cur.Kommuner[i].Name, *cur.Kommuner[i].Population)
		}
	}
	recurring, dropped := 0, 0
	for i, u := range prev.Units {
		now := map[string]bool{}
		for _, e := range cur.Units[i].Evaluations {
			now[e.Name()] = true
		}
		if u.Name != cur.Units[i].Name || !slices.Equal(u.Kommuner, cur.Units[i].Kommuner) {
			t.Errorf("unit %d is %s %v, now %s %v", i, u.Name, u.Kommuner, cur.Units[i].Name, cur.Units[i].Kommuner)
		}
		if u.Response == round.Submitted && len(u.Evaluations) == 0 {
			t.Errorf("unit %s submitted no evaluations", u.Name)
		}
		for _, e := range u.Evaluations {
			switch {
			case e.Answers.Get("periodicitet") == "engangs" && now[e.Name()]:
				t.Errorf("%s: a one-off evaluation recurs: %s", u.Name, e.Name())
			case now[e.Name()]:
				recurring++
			default:
				dropped++
			}
		}
	}
	if total := cur.EvaluationCount(); recurring == 0 || dropped == 0 || recurring >= total {
		t.Errorf("%d evaluations recur and %d were dropped, of %d now; want some of each, and new ones", recurring, dropped, total)
	}
}

func TestQuery(t *testing.T) {
	for _, c := range []struct {
		f    manage.OverviewFilter
		want string
	}{
		{manage.OverviewFilter{}, ""},
		{manage.OverviewFilter{Page: 1}, ""},
		{manage.OverviewFilter{Kommun: "Åsele", Page: 3}, "?kommun=%C3%85sele&sida=3"},
		{manage.OverviewFilter{Status: round.ProgressSubmitted, Omrade: "Vård och omsorg", Search: "skola"}, "?omrade=V%C3%A5rd+och+omsorg&sok=skola&status=inskickad"},
	} {
		if got := query(c.f); got != c.want {
			t.Errorf("query(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}
