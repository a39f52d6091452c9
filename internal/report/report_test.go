package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/round"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		// Show the first differing line.
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(g), len(w)) {
			var gl, wl string
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Fatalf("%s differs at line %d:\n got: %.300q\nwant: %.300q\n(run go test -update if the change is intended)", name, i+1, gl, wl)
			}
		}
	}
}

func TestJSONGolden(t *testing.T) {
	rep := smallReport(t)
	var buf bytes.Buffer
	if err := JSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "small.json", buf.Bytes())

	// Exactly the aggregate JSON: the same value when decoded.
	direct, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(buf.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(direct, &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("JSON differs from the aggregate's own encoding")
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("{\n  \"round\": {")) {
		t.Errorf("JSON is not indented: %.40q", buf.String())
	}
}

func renderHTML(t testing.TB, rep *aggregate.Report, opt HTMLOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := newRenderer(t).HTML(&buf, rep, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLGolden(t *testing.T) {
	got := renderHTML(t, smallReport(t), HTMLOptions{GeneratedOn: "2009-12-18"})
	golden(t, "small.html", []byte(got))
	if dir := os.Getenv("REPORT_OUT"); dir != "" {
		os.WriteFile(filepath.Join(dir, "report.html"), []byte(got), 0o644)
	}
}

var (
	figureRE = regexp.MustCompile(`(?s)<figure[ >].*?</figure>`)
	tagRE    = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
)

func TestHTMLFiguresHaveTables(t *testing.T) {
	html := renderHTML(t, smallReport(t), HTMLOptions{})
	figs := figureRE.FindAllStringIndex(html, -1)
	if len(figs) != 4 {
		t.Fatalf("%d figures, want 4", len(figs))
	}
	for _, f := range figs {
		fig := html[f[0]:f[1]]
		// The table follows, in its wrapper that keeps it on one page.
		rest := strings.TrimLeft(html[f[1]:], " \n\t")
		rest = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(rest, `<div class="tabell hel">`), `<div class="tabell">`), " \n\t")
		if !strings.HasPrefix(rest, "<table") {
			t.Errorf("figure %.60q is followed by %.40q, want a <table>", fig, rest)
		}
		for _, want := range []string{"<figcaption", `<svg `, `role="img"`, "<title id="} {
			if !strings.Contains(fig, want) {
				t.Errorf("figure %.60q lacks %s", fig, want)
			}
		}
	}
}

func TestHTMLEscapesUserText(t *testing.T) {
	html := renderHTML(t, smallReport(t), HTMLOptions{GeneratedOn: `2009-12-18"><script>x</script>`})
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Errorf("the report holds a <script> element")
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",    // unit name
		"Jämförelse &lt;bygglov&gt; &amp; tillsyn", // benamning
		"=SUM(A1)", // shown as it is
		"<li>Koppla brukarundersökningar till budgeten &lt;nu&gt;</li>", // the reflection, a list
		"nämnderna arbetar var för sig &amp; olika.",                    // a kommun's comment
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestHTMLKommunNameInCharts(t *testing.T) {
	ds := smallDataset()
	ds.Kommuner[2].Name = "<b>Falun</b>"
	for i := range ds.Units {
		for j, k := range ds.Units[i].Kommuner {
			if k == "Falun" {
				ds.Units[i].Kommuner[j] = "<b>Falun</b>"
			}
		}
	}
	rep, err := aggregate.Compute(testRound, ds)
	if err != nil {
		t.Fatal(err)
	}
	html := renderHTML(t, rep, HTMLOptions{})
	if strings.Contains(html, "<b>Falun") {
		t.Errorf("a kommun name is unescaped (in a chart or the text)")
	}
	if n := strings.Count(html, "&lt;b&gt;Falun&lt;/b&gt;"); n < 8 {
		t.Errorf("escaped kommun name appears %d times, want it in charts and tables", n)
	}
}

func TestHTMLContent(t *testing.T) {
	html := renderHTML(t, smallReport(t), HTMLOptions{GeneratedOn: "2009-12-18"})
	want := []string{
		`<html lang="sv">`,
		"<h1>Resultatstyrning 2009</h1>",
		"2009-12-18",
		"@page",
		"1. Volymer och kostnader", "2. Hur resultaten används", "3. Medborgar- och brukarundersökningar",
		"4. Utvärderingar som inte används", "5. Kommunblad", "6. Kommunvisa tabeller", "7. Iakttagelser, reflektioner och metod",
		"Sammanfattning", "Det viktigaste att ta med sig", "Om metoden", "Kommunen jämförd med nätverket",
		"Reflektioner och förslag", "Kommunens kommentar",
		`<th scope="col"`, `<th scope="row">`, "<caption>",
		"Miljöbäst i Sverige – Kultur- och fritidsnämnden (extern uppdragsgivare)",
		"Kommunfastigheter – avböjt (Hög arbetsbelastning)",
		"Barn- och utbildningsnämnden – har inte svarat",
		"risk att resultatet faller mellan stolarna",
		"har samma uppdragsgivare som resultatansvarig",
		"Ej angiven",
		"Förvaltningen eller verksamheten själv",
		"Enkät på webben, Enkät på papper",
		"Invånarantalet saknas för Falun",
		"uppgift saknas",
		"Räddningstjänsten Dala Mitt",
		"Nätverkets genomsnitt",
	}
	for _, w := range want {
		if !strings.Contains(html, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	// Swedish numbers: no-break spaces, decimal comma, "%" and "kr" units.
	for _, re := range []string{
		`\d,\d\x{a0}%`,          // "4,3 %"
		`[1-9]\d,\d\x{a0}%`,     // "74,3 %": one decimal throughout
		`\d\x{a0}\d{3}\x{a0}kr`, // "45 000 kr"
	} {
		if !regexp.MustCompile(re).MatchString(html) {
			t.Errorf("report has no number like %s", re)
		}
	}
	if regexp.MustCompile(`\d\.\d+\s?%`).MatchString(tagRE.ReplaceAllString(html, "")) {
		t.Errorf("report has an English decimal percentage")
	}
	if strings.Contains(html, "Utkast") {
		t.Errorf("a final report is marked as a draft")
	}
}

func TestHTMLDraft(t *testing.T) {
	html := renderHTML(t, smallReport(t), HTMLOptions{Draft: true})
	if n := strings.Count(html, "Utkast – omgången är inte stängd"); n != 2 {
		t.Errorf("draft notice appears %d times, want 2 (watermark and note)", n)
	}
}

func TestHTMLEmpty(t *testing.T) {
	rep, err := aggregate.Compute(round.Round{Name: "Tom"}, round.Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	html := renderHTML(t, rep, HTMLOptions{})
	for _, w := range []string{"Inga kommuner deltar", "inget att sammanfatta"} {
		if !strings.Contains(html, w) {
			t.Errorf("empty report lacks %q", w)
		}
	}
}

// TestHTMLSplitsCharts checks that a long list of kommuner is drawn as
// several charts in one figure, each with its own SVG ids.
func TestHTMLSplitsCharts(t *testing.T) {
	rep, err := aggregate.Compute(testRound, nationalDataset(90, 1, 600))
	if err != nil {
		t.Fatal(err)
	}
	html := renderHTML(t, rep, HTMLOptions{})
	figs := figureRE.FindAllString(html, -1)
	if len(figs) != 4 {
		t.Fatalf("%d figures, want 4", len(figs))
	}
	for _, f := range figs {
		if n := strings.Count(f, "<svg "); n != 3 {
			t.Errorf("figure has %d charts, want 3 parts of 30", n)
		}
	}
	for _, want := range []string{`id="diagram-3-del-2-title"`, "(kommun 31–60 av 90)"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	ids := regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(html, -1)
	seen := map[string]bool{}
	for _, m := range ids {
		if seen[m[1]] {
			t.Errorf("id %q is not unique", m[1])
		}
		seen[m[1]] = true
	}
}

func TestJSONNil(t *testing.T) {
	if err := JSON(&bytes.Buffer{}, nil); err == nil {
		t.Errorf("JSON(nil): no error")
	}
	var buf bytes.Buffer
	if err := newRenderer(t).HTML(&buf, nil, HTMLOptions{}); err == nil || buf.Len() > 0 {
		t.Errorf("HTML(nil): %v, %d bytes", err, buf.Len())
	}
}

// TestLeftOutEvaluationsNoted: the methods note, the kommun's section and
// the workbook say how many entered evaluations the report left out because
// their unit never sent them in, and name the units.
func TestLeftOutEvaluationsNoted(t *testing.T) {
	ds := smallDataset()
	for i := range ds.Units {
		switch ds.Units[i].Name {
		case "Barn- och utbildningsnämnden": // never answered, 3 entered, 1 a draft
			ds.Units[i].Unsubmitted, ds.Units[i].UnsubmittedDrafts = 3, 1
		case "Kommunfastigheter": // declined after entering one
			ds.Units[i].Unsubmitted = 1
		}
	}
	rep, err := aggregate.Compute(testRound, ds)
	if err != nil {
		t.Fatal(err)
	}
	html := renderHTML(t, rep, HTMLOptions{})
	for _, want := range []string{
		`<p class="metod">4 utvärderingar från 2 enheter är registrerade men inte inskickade och räknas därför inte (1 av dem är utkast): Barn- och utbildningsnämnden i Säter (3) och Kommunfastigheter i Borlänge (1).</p>`,
		`<p>Ytterligare 3 utvärderingar i kommunens enheter är registrerade men inte inskickade och räknas därför inte (1 av dem är utkast): Barn- och utbildningsnämnden (3).</p>`,
		`<p>Ytterligare 1 utvärdering i kommunens enheter är registrerad men inte inskickad och räknas därför inte: Kommunfastigheter (1).</p>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(html, "Alla registrerade utvärderingar är inskickade") {
		t.Error("the report says every evaluation was sent in")
	}
	if rep.Network.Evaluations != smallReport(t).Network.Evaluations {
		t.Error("left-out evaluations changed the count")
	}

	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &buf, rep, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct{ sheet, row, col, want string }{
		{SheetSummary, "Registrerade men inte inskickade utvärderingar (räknas inte)", "Värde", "4"},
		{SheetSummary, "Varav utkast", "Värde", "1"},
		{SheetTable1, "Säter", "Registrerade men inte inskickade utvärderingar", "3"},
		{SheetTable1, "Nätverket (varje utvärdering räknad en gång)", "Registrerade men inte inskickade utvärderingar", "4"},
	} {
		ref := cellIn(t, f, tc.sheet, tc.row, tc.col)
		if got, _ := f.GetCellValue(tc.sheet, ref, excelize.Options{RawCellValue: true}); got != tc.want {
			t.Errorf("%s!%s (%s/%s) = %q, want %s", tc.sheet, ref, tc.row, tc.col, got, tc.want)
		}
	}
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	named := false
	for _, r := range rows {
		named = named || (len(r) == 2 && r[0] == "Om underlaget" && strings.Contains(r[1], "Barn- och utbildningsnämnden i Säter (3)"))
	}
	if !named {
		t.Error("the workbook's summary does not name the units")
	}
}
