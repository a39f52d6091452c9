package natgen_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/store/storetest"
)

var def = form.MustEvaluation()

func TestDeterministic(t *testing.T) {
	opt := natgen.Options{Kommuner: 20, UnitsPerKommun: 3, EvaluationsPerKommun: 10}
	a, b := natgen.Generate(opt), natgen.Generate(opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two datasets from the same options differ")
	}
	opt.Seed = 7
	if c := natgen.Generate(opt); reflect.DeepEqual(a, c) {
		t.Fatal("another seed gives the same dataset")
	}
}

// TestNationalShape checks the default round: its size, shared units with
// every cost split, valid populations, names and answers.
func TestNationalShape(t *testing.T) {
	ds := natgen.Generate(natgen.Options{})
	if len(ds.Kommuner) != 290 || ds.EvaluationCount() != 29000 {
		t.Fatalf("%s; want 290 kommuner and 29 000 evaluations", natgen.Describe(ds))
	}
	pop := ds.Population()
	seenK := map[string]bool{}
	for _, k := range ds.Kommuner {
		if seenK[k.Name] {
			t.Errorf("kommun %s twice", k.Name)
		}
		seenK[k.Name] = true
		if k.Population == nil || *k.Population < 2400 || *k.Population > 980000 {
			t.Errorf("%s: population %v", k.Name, k.Population)
		}
	}
	kinds := map[string]int{}
	sizes := map[int]int{}
	responses := map[round.Response]int{}
	unitNames := map[string]bool{}
	own := 0
	for _, u := range ds.Units {
		responses[u.Response]++
		for _, k := range u.Kommuner {
			if !seenK[k] {
				t.Errorf("unit %s: unknown kommun %s", u.Name, k)
			}
			key := k + "/" + u.Name
			if unitNames[key] {
				t.Errorf("unit %s twice in %s", u.Name, k)
			}
			unitNames[key] = true
		}
		if (u.Response == round.Submitted) != (len(u.Evaluations) > 0) {
			t.Errorf("unit %s: response %q with %d evaluations", u.Name, u.Response, len(u.Evaluations))
		}
		if u.Response == round.Declined && u.Reason == "" {
			t.Errorf("unit %s declined without a reason", u.Name)
		}
		if !u.Shared() {
			own++
			continue
		}
		sizes[len(u.Kommuner)]++
		fd, err := round.ParseFordelning(u.Fordelning, u.Kommuner)
		if err != nil {
			t.Errorf("unit %s: %v", u.Name, err)
			continue
		}
		if _, ok := fd.Split(u.Kommuner, pop); !ok {
			t.Errorf("unit %s: cost split not computable", u.Name)
		}
		kinds[fd.Kind]++
	}
	if own != 290*5 {
		t.Errorf("%d own units, want %d", own, 290*5)
	}
	for _, k := range []string{round.SplitByPopulation, round.SplitEqually, round.SplitByShares} {
		if kinds[k] == 0 {
			t.Errorf("no shared unit split %q (kinds %v)", k, kinds)
		}
	}
	if sizes[2] == 0 || sizes[3] == 0 {
		t.Errorf("shared units by member count %v; want units of 2 and 3", sizes)
	}
	for _, r := range []round.Response{round.Submitted, round.Declined, round.NoEvaluations, round.NoResponse} {
		if responses[r] == 0 {
			t.Errorf("no unit with response %q (%v)", r, responses)
		}
	}
	names := map[string]bool{}
	for _, u := range ds.Units {
		for _, e := range u.Evaluations {
			checkCanonical(t, e.Answers, form.ModeImport)
			if names[e.Answers.Get("benamning")] {
				t.Fatalf("evaluation name %q twice", e.Answers.Get("benamning"))
			}
			names[e.Answers.Get("benamning")] = true
		}
	}
	if _, err := aggregate.Compute(round.Round{Name: "Nationell", HourlyRate: 280}, ds); err != nil {
		t.Fatal(err)
	}
}

func checkCanonical(t *testing.T, a form.Answers, mode form.Mode) {
	t.Helper()
	canon, errs := def.Validate(a, mode)
	if len(errs) > 0 {
		t.Fatalf("%q: %v", a.Get("benamning"), errs)
	}
	if !reflect.DeepEqual(canon, a) {
		t.Fatalf("answers not canonical:\n got  %v\n want %v", a, canon)
	}
}

// TestWebAnswers checks what the benchmark posts: valid on the web form,
// and the posted fields validate to the same answers.
func TestWebAnswers(t *testing.T) {
	for n := range 2000 {
		a := natgen.Answers(1, n, form.ModeForm)
		checkCanonical(t, a, form.ModeForm)
		posted := form.Answers{}
		for code, vs := range natgen.Fields(def, a) {
			posted[code] = strings.Join(vs, ",")
		}
		if canon, errs := def.Validate(posted, form.ModeForm); len(errs) > 0 || !reflect.DeepEqual(canon, a) {
			t.Fatalf("posted fields of %q: %v", a.Get("benamning"), errs)
		}
	}
}

// TestXLSXRoundTrip writes a generated round as a workbook and reads it back
// unchanged.
func TestXLSXRoundTrip(t *testing.T) {
	ds := natgen.Generate(natgen.Options{Kommuner: 25, UnitsPerKommun: 4, EvaluationsPerKommun: 12})
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, def, ds); err != nil {
		t.Fatal(err)
	}
	got, err := sheet.ReadXLSX(context.Background(), bytes.NewReader(buf.Bytes()), def, sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ds) {
		if len(got.Units) != len(ds.Units) {
			t.Fatalf("read %d units, wrote %d", len(got.Units), len(ds.Units))
		}
		for i := range ds.Units {
			if !reflect.DeepEqual(got.Units[i], ds.Units[i]) {
				t.Fatalf("unit %d differs:\n got  %+v\n want %+v", i, got.Units[i].Unit, ds.Units[i].Unit)
			}
		}
		t.Fatalf("kommuner differ:\n got  %v\n want %v", got.Kommuner, ds.Kommuner)
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		natgen.Generate(natgen.Options{})
	}
}

// BenchmarkImportNational is `inventera import` of the national round:
// reading the workbook and storing it in one transaction.
func BenchmarkImportNational(b *testing.B) {
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, def, natgen.Generate(natgen.Options{})); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportMetric(float64(len(data)), "file-bytes")
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st := storetest.MustOpen(b)
		m := &manage.Service{Store: st, Keys: round.LinkKey("bench-key-bench-key-bench-key-bench-key"), Now: func() time.Time { return time.Now().UTC() }}
		b.StartTimer()
		ds, err := sheet.ReadXLSX(context.Background(), bytes.NewReader(data), def, sheet.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.ImportDataset(ctx, manage.System("bench"), "Nationell omgång", round.DefaultHourlyRate, ds); err != nil {
			b.Fatal(err)
		}
	}
}

// nationalStore imports the national round into a fresh store.
func nationalStore(b *testing.B) (*manage.Service, round.Round) {
	b.Helper()
	st := storetest.MustOpen(b)
	m := &manage.Service{Store: st, Keys: round.LinkKey("bench-key-bench-key-bench-key-bench-key"), Now: func() time.Time { return time.Now().UTC() }}
	r, err := m.ImportDataset(context.Background(), manage.System("bench"), "Nationell omgång", round.DefaultHourlyRate, natgen.Generate(natgen.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	return m, r
}

// BenchmarkReportData loads the national round (29 000 evaluations) as a
// JSON or HTML report reads it: the facts the store keeps of each
// evaluation. cpu-ms/op is the process's CPU time per load, steadier than
// ns/op on a shared machine.
func BenchmarkReportData(b *testing.B) {
	m, r := nationalStore(b)
	benchCPU(b, func() {
		if _, _, err := m.ReportData(context.Background(), manage.System("bench"), r.ID); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkReportDataWithAnswers loads the national round with every
// evaluation's answers decoded, as an XLSX report (and, before the facts
// column, every report) does.
func BenchmarkReportDataWithAnswers(b *testing.B) {
	m, r := nationalStore(b)
	benchCPU(b, func() {
		if _, _, err := m.ReportDataWithAnswers(context.Background(), manage.System("bench"), r.ID); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkReportJSON builds the national round's JSON report: load,
// aggregate and encode, as `inventera report --format json` does once the
// database is open.
func BenchmarkReportJSON(b *testing.B) {
	m, r := nationalStore(b)
	svc, err := comparison.NewService(m, def, m.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(svc.Settle) // before the database closes
	var out bytes.Buffer
	benchCPU(b, func() {
		out.Reset()
		if _, err := svc.Build(context.Background(), manage.System("bench"), r.ID, 0, comparison.JSON, &out); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(out.Len()), "json-bytes")
}

// benchCPU runs f b.N times and reports the process's CPU time per run
// besides the wall time.
func benchCPU(b *testing.B, f func()) {
	b.Helper()
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/float64(time.Millisecond), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadXLSXNational reads the national round's workbook.
func BenchmarkReadXLSXNational(b *testing.B) {
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, def, natgen.Generate(natgen.Options{})); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sheet.ReadXLSX(context.Background(), bytes.NewReader(buf.Bytes()), def, sheet.DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
