package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

var writeDir = flag.String("write", "", "write every chart to this directory, to look at")

func pop(n int64) *int64 { return &n }

// ev is a complete evaluation; kv overrides the defaults.
func ev(kv ...string) round.Evaluation {
	a := form.Answers{
		"benamning":          "Utvärdering",
		"periodicitet":       "arligen",
		"uppdragsgivare_typ": "extern",
		"syfte":              "Uppföljning",
		"resultatansvarig":   "verksamhetschef",
		"anvandning":         "handlingsplan",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(a, kv[i])
		} else {
			a[kv[i]] = kv[i+1]
		}
	}
	return round.Evaluation{Complete: true, Answers: a}
}

// sampleReport is a network of seven kommuner with varied usage, costs and
// surveys; one has no population, one no evaluations, and one has a name
// that must be escaped in SVG.
func sampleReport(t testing.TB) *aggregate.Report {
	t.Helper()
	names := []string{"Borlänge", "Fagersta", "Falun", "Heby", "Norberg", "Säter", "<Vansbro & Co>", "Tomma kommunen"}
	usages := []string{"politiskt_beslut;handlingsplan", "handlingsplan;budget_malprocess", "annat", "inte_alls", "politiskt_beslut;handlingsplan;budget_malprocess;annat"}
	var ds round.Dataset
	for i, n := range names {
		k := round.Kommun{Name: n, Population: pop(int64(5000 + 9000*i))}
		if i == 3 {
			k.Population = nil
		}
		ds.Kommuner = append(ds.Kommuner, k)
		if i == len(names)-1 {
			ds.Units = append(ds.Units, round.UnitData{Unit: round.Unit{Name: "Ingen", Kommuner: []string{n}, Response: round.NoEvaluations}})
			continue
		}
		u := round.UnitData{Unit: round.Unit{Name: "Förvaltning " + strconv.Itoa(i), Kommuner: []string{n}, Response: round.Submitted}}
		for j := range 10 + 7*i {
			e := ev("anvandning", usages[(i+j)%len(usages)], "timmar", strconv.Itoa(10*(j+i)), "konsult_kr", strconv.Itoa(1000*j*i))
			if j%(i+2) == 0 {
				e = ev("anvandning", usages[j%len(usages)], "brukarundersokning", "ja", "malgrupp", "Brukare", "metod", "enkat_webb")
			}
			if i == 0 && j%3 == 0 {
				e = ev("kostnad_totalt_kr", "250000")
			}
			u.Evaluations = append(u.Evaluations, e)
		}
		ds.Units = append(ds.Units, u)
	}
	rep, err := aggregate.Compute(round.Round{Name: "Test", HourlyRate: 280}, ds)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChartsRender(t *testing.T) {
	r := newRenderer(t)
	rep := sampleReport(t)
	for _, k := range Kinds {
		for _, f := range []Format{PNG, SVG} {
			t.Run(fmt.Sprintf("%s.%s", k, f), func(t *testing.T) {
				got, err := r.Render(k, rep, f, Options{})
				if err != nil {
					t.Fatal(err)
				}
				again, err := r.Render(k, rep, f, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, again) {
					t.Errorf("two renderings differ: output is not deterministic")
				}
				switch f {
				case PNG:
					if !bytes.HasPrefix(got, []byte("\x89PNG\r\n\x1a\n")) {
						t.Fatalf("no PNG header: % x", got[:min(8, len(got))])
					}
					img, err := png.Decode(bytes.NewReader(got))
					if err != nil {
						t.Fatal(err)
					}
					if w := img.Bounds().Dx(); w != chartWidth*pngScale {
						t.Errorf("PNG width %d, want %d", w, int(chartWidth*pngScale))
					}
				case SVG:
					checkSVG(t, got, string(k))
				}
				if *writeDir != "" {
					if err := os.WriteFile(filepath.Join(*writeDir, fmt.Sprintf("%s.%s", k, f)), got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// checkSVG checks that the SVG is well-formed XML (so user text was
// escaped), starts with <svg and carries role, title and desc.
func checkSVG(t *testing.T, svg []byte, id string) {
	t.Helper()
	if !bytes.HasPrefix(svg, []byte("<svg ")) {
		t.Fatalf("SVG starts with %q", svg[:min(20, len(svg))])
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	var texts []string
	var inText bool
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	head := string(svg[:bytes.IndexByte(svg, '>')])
	for _, want := range []string{`role="img"`, `aria-labelledby="` + id + `-title"`, `aria-describedby="` + id + `-desc"`} {
		if !strings.Contains(head, want) {
			t.Errorf("SVG head %q lacks %s", head, want)
		}
	}
	if !bytes.Contains(svg, []byte(`<title id="`+id+`-title">`)) {
		t.Errorf("SVG has no <title>")
	}
	all := strings.Join(texts, "|")
	if !strings.Contains(all, "<Vansbro & Co>") {
		t.Errorf("the kommun name with markup characters is missing or mangled in %q", all)
	}
	if bytes.Contains(svg, []byte("<Vansbro")) {
		t.Errorf("SVG holds an unescaped kommun name")
	}
}

func TestSwedishAxisLabels(t *testing.T) {
	r := newRenderer(t)
	rep := sampleReport(t)
	tests := []struct {
		kind Kind
		want []string
	}{
		{KindUsage, []string{"0\u00a0%", "50\u00a0%", "100\u00a0%", "Snitt "}},
		{KindUserSurveyShare, []string{"25\u00a0%", "75\u00a0%", "Snitt "}},
		{KindCosts, []string{"\u00a0kr", "Lön (egen tid)", "Ej uppdelat på kostnadsslag"}},
		{KindPerInhabitant, []string{UnknownPopNote, "Antal utvärderingar"}},
	}
	for _, tt := range tests {
		svg, err := r.Render(tt.kind, rep, SVG, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(svg), w) {
				t.Errorf("%s: SVG lacks %q", tt.kind, w)
			}
		}
	}
}

func TestOptions(t *testing.T) {
	r := newRenderer(t)
	svg, err := r.Render(KindUsage, sampleReport(t), SVG, Options{ID: "diagram-3", Title: "Diagram <3>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`aria-labelledby="diagram-3-title"`, `<title id="diagram-3-title">Diagram &lt;3&gt;</title>`} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if _, err := r.Render("nej", sampleReport(t), SVG, Options{}); err == nil {
		t.Errorf("unknown kind: no error")
	}
	if _, err := r.Render(KindUsage, sampleReport(t), "gif", Options{}); err == nil {
		t.Errorf("unknown format: no error")
	}
}

func TestEmptyReport(t *testing.T) {
	r := newRenderer(t)
	rep, err := aggregate.Compute(round.Round{Name: "Tom"}, round.Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		for _, f := range []Format{PNG, SVG} {
			if out, err := r.Render(k, rep, f, Options{}); err != nil || len(out) == 0 {
				t.Errorf("%s %s: %d bytes, %v", k, f, len(out), err)
			}
		}
	}
}

// TestConcurrent renders every chart from many goroutines at once, with one
// shared Renderer and from a second one; run it with -race. The outputs
// must equal a serial rendering.
func TestConcurrent(t *testing.T) {
	rep := sampleReport(t)
	r := newRenderer(t)
	other := newRenderer(t)
	want := map[string][]byte{}
	for _, k := range Kinds {
		for _, f := range []Format{PNG, SVG} {
			b, err := r.Render(k, rep, f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want[string(k)+string(f)] = b
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 4 {
		for _, k := range Kinds {
			for _, f := range []Format{PNG, SVG} {
				wg.Go(func() {
					var got []byte
					var err error
					if i%2 == 0 {
						got, err = r.Render(k, rep, f, Options{})
					} else {
						got, err = other.Render(k, rep, f, Options{})
					}
					if err == nil && !bytes.Equal(got, want[string(k)+string(f)]) {
						err = fmt.Errorf("%s %s: concurrent rendering differs from serial", k, f)
					}
					if err != nil {
						errs <- err
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNiceAxis(t *testing.T) {
	tests := []struct {
		max     float64
		integer bool
		wantMax float64
		wantN   int
	}{
		{9073287, false, 10000000, 6},
		{87, true, 100, 6},
		{3, true, 3, 4},
		{0, false, 1, 6},
		{185.2, false, 200, 5},
		{10946400, false, 12500000, 6},
	}
	for _, tt := range tests {
		gotMax, ticks := niceAxis(tt.max, false, tt.integer)
		if gotMax != tt.wantMax || len(ticks) != tt.wantN {
			t.Errorf("niceAxis(%v, %v) = %v, %v ticks; want %v, %d", tt.max, tt.integer, gotMax, len(ticks), tt.wantMax, tt.wantN)
		}
	}
}

func BenchmarkUsageSVG(b *testing.B) {
	r := newRenderer(b)
	rep := sampleReport(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Usage(rep, SVG); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUsagePNG(b *testing.B) {
	r := newRenderer(b)
	rep := sampleReport(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Usage(rep, PNG); err != nil {
			b.Fatal(err)
		}
	}
}

// grey is the Rec. 709 luma of a colour, as a greyscale print shows it.
func grey(f fill) float64 {
	return 0.2126*float64(f.color.R) + 0.7152*float64(f.color.G) + 0.0722*float64(f.color.B)
}

// TestFillsReadInGreyscale checks that every two kinds stacked in one bar
// differ in greyscale: by pattern, or by at least 40 of 255 grey levels.
func TestFillsReadInGreyscale(t *testing.T) {
	for name, fills := range map[string][]fill{"cost": costFills, "usage": usageFills} {
		for i := range fills {
			for j := i + 1; j < len(fills); j++ {
				a, b := fills[i], fills[j]
				if a.pattern == b.pattern && math.Abs(grey(a)-grey(b)) < 40 && name == "cost" {
					t.Errorf("%s fills %d and %d: same pattern and grey %.0f vs %.0f", name, i, j, grey(a), grey(b))
				}
				if a == b {
					t.Errorf("%s fills %d and %d are the same", name, i, j)
				}
			}
		}
	}
}

// TestOneLegend checks that every chart has one legend: Diagram 1's panels
// name the uses, so its legend only explains the mean.
func TestOneLegend(t *testing.T) {
	rep := sampleReport(t)
	l := usageLayout(rep)
	if len(l.legend) != 1 || !l.legend[0].dashed {
		t.Errorf("usage legend = %+v, want only the mean", l.legend)
	}
	for _, pn := range l.panels {
		for _, c := range pn.cells {
			if len(c.segments) > 0 && c.label == "" {
				t.Errorf("usage panel %q has a bar without its value", pn.title)
			}
		}
	}
	if l := costsLayout(rep); len(l.legend) < 4 {
		t.Errorf("cost legend = %+v, want the kinds", l.legend)
	}
	for _, l := range []*layout{perInhabitantLayout(rep), userSurveyLayout(rep)} {
		if len(l.legend) > 1 {
			t.Errorf("%s: %d legend items, want at most the mean", l.title, len(l.legend))
		}
	}
}
