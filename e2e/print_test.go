package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// TestReportPrintsWell prints the HTML report of the Bergslagen fixture and
// of a generated network to PDF with Chromium, as a steering group member
// would (Ctrl+P, "Spara som PDF"), and reads the PDF back with poppler's
// pdftotext: no page but the last is nearly empty, page 1 carries the key
// figures, each kommun has its kommunblad page, and the page count is what
// the content needs. With INVENTERA_TEST_ARTIFACTS set it also saves page
// 1, the first kommunblad and the cost chart in greyscale as PNGs (the
// screenshots in docs/ come from here).
func TestReportPrintsWell(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) is not installed", tool)
		}
	}
	s := newServer(t, true)
	ctx := context.Background()
	sys := manage.System("e2e")

	// A generated network of twelve kommuner, with shared units, declined
	// units and kommuner without a known population.
	ds := natgen.Generate(natgen.Options{Seed: 11, Kommuner: 12, UnitsPerKommun: 4, EvaluationsPerKommun: 40})
	gen, err := s.manage.ImportDataset(ctx, sys, "Genererat nätverk 2026", 300, ds)
	if err != nil {
		t.Fatal(err)
	}

	s.addUser("samordnare@natverk.example", staff.Samordnare, "")
	b := newBrowser(t)
	b.login(s.url, "samordnare@natverk.example")

	// The working group writes its reflection and a comment on Borlänge's
	// kommunblad, in the browser.
	textsPage := "/admin/omgangar/" + strconv.FormatInt(s.fixture.ID, 10) + "/rapporttexter"
	for _, w := range []struct{ field, text string }{
		{"text-0", "Det finns ingen tydlig ordning för hur ett resultat från en utvärdering ska användas i styrkedjan.\n\n" +
			"- Koppla brukarundersökningarna till mål- och budgetprocessen.\n- Sök orsaken till att vissa utvärderingar inte används."},
		{"text-1", "En övergripande funktion för kvalitetsledning saknas; nämnderna med egna kvalitetsfunktioner har en tydligare koppling till sina mål."},
	} {
		if st := b.open(s.url, textsPage); st != 200 {
			t.Fatalf("report texts page: status %d", st)
		}
		b.do("write "+w.field, chromedp.SendKeys(chromedp.ID(w.field), w.text))
		b.loadAfter("save "+w.field, chromedp.Click(chromedp.CSS("form:has(#"+w.field+") button[type=submit]")))
	}

	// The report as the styrgrupp reads it: published, without the draft's
	// watermark.
	for _, id := range []int64{s.fixture.ID, gen.ID} {
		for _, st := range []round.State{round.Closed, round.Published} {
			if _, err := s.manage.SetState(ctx, sys, id, st); err != nil {
				t.Fatal(err)
			}
		}
	}
	reports, err := comparison.NewService(s.manage, s.def, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		roundID  int64
		kommuner int
		page1    []string // on page 1
		minPages int
		maxPages int
	}{
		{"fixture", s.fixture.ID, 7,
			[]string{"Sammanfattning", "465 utvärderingar", "31 099 842 kr", "139 kr", "414 kr", "40 av 465", "76,1 %",
				"Det viktigaste att ta med sig", "Heby", "Vansbro"}, 18, 32},
		{"generated", gen.ID, 12,
			[]string{"Sammanfattning", integerText(len(ds.Kommuner)) + " kommuner", "480 utvärderingar", "Det viktigaste att ta med sig", "Svarsfrekvens"},
			20, 45},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st := b.open(s.url, "/rapporter/"+strconv.FormatInt(tc.roundID, 10)); st != 200 {
				t.Fatalf("report: status %d", st)
			}
			pdf := b.printPDF(t)
			file := filepath.Join(t.TempDir(), "rapport.pdf")
			if err := os.WriteFile(file, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv(envArtifacts); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, "rapport-"+tc.name+".pdf"), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			pages := pdfPages(t, file)
			var summary []string
			for i, p := range pages {
				summary = append(summary, strconv.Itoa(i+1)+":"+strconv.Itoa(p.words)+"w/"+strconv.Itoa(int(100*p.filled))+"%")
			}
			t.Logf("%d pages (words/filled): %s", len(pages), strings.Join(summary, " "))
			if n := len(pages); n < tc.minPages || n > tc.maxPages {
				t.Errorf("%d pages, want %d to %d", n, tc.minPages, tc.maxPages)
			}
			for i, p := range pages[:len(pages)-1] {
				if p.words < minWords || p.filled < minFilled {
					t.Errorf("page %d of %d is nearly empty: %d words, text down to %.0f %% of the page:\n%s",
						i+1, len(pages), p.words, 100*p.filled, p.text)
				}
			}
			p1 := strings.Join(strings.Fields(pages[0].text), " ")
			for _, want := range tc.page1 {
				if !strings.Contains(p1, want) {
					t.Errorf("page 1 lacks %q:\n%s", want, p1)
				}
			}
			// One kommunblad page each: its heading starts the page.
			blad := 0
			firstBlad := 0
			for i, p := range pages {
				if strings.HasPrefix(strings.TrimSpace(p.text), "5.") || strings.Contains(p.text, "5. Kommunblad") {
					if strings.Contains(p.text, "Kommunen jämförd med nätverket") {
						blad++
						if firstBlad == 0 {
							firstBlad = i + 1
						}
					}
				}
			}
			if blad != tc.kommuner {
				t.Errorf("%d pages start a kommunblad, want %d", blad, tc.kommuner)
			}
			if tc.name == "fixture" {
				all := strings.Join(strings.Fields(strings.Join(texts(pages), " ")), " ")
				for _, want := range []string{"Reflektioner och förslag", "Koppla brukarundersökningarna till mål- och budgetprocessen."} {
					if !strings.Contains(all, want) {
						t.Errorf("the printed report lacks %q", want)
					}
				}
				// Tabell 2 is not split: its caption, last kommun and network
				// total are on one page.
				for _, p := range pages {
					if strings.Contains(p.text, "Tabell 2 Kommunvis kostnadsfördelning") &&
						(!strings.Contains(p.text, "Vansbro") || !strings.Contains(p.text, "Nätverket 18 019 299 kr")) {
						t.Errorf("Tabell 2 is split over pages:\n%s", p.text)
					}
				}
				if firstBlad == 0 || !strings.Contains(pages[firstBlad-1].text, "Kommunens kommentar") {
					t.Errorf("Borlänge's kommunblad (page %d) lacks its comment", firstBlad)
				}
				rep, err := reports.Load(ctx, sys, tc.roundID)
				if err != nil {
					t.Fatal(err)
				}
				png, err := reports.Chart(rep, chart.KindCosts, chart.PNG)
				if err != nil {
					t.Fatal(err)
				}
				saveArtifacts(t, file, firstBlad, png)
			}
		})
	}
}

// Thresholds of a nearly empty page: fewer words, or text that stops in
// the page's top part.
const (
	minWords  = 40
	minFilled = 0.30
)

func integerText(n int) string { return strconv.Itoa(n) }

// printPDF prints the open page to PDF with the report's own page size
// (@page A4) and backgrounds, as the browser's print dialog does.
func (b *browser) printPDF(t *testing.T) []byte {
	t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes, PreferCSSPageSize: &yes})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return res.Data
}

// pdfPage is one printed page as pdftotext reads it.
type pdfPage struct {
	text   string
	words  int
	filled float64 // the lowest word's bottom, as a share of the page height
}

// pdfPages reads every page's text and how far down it reaches.
func pdfPages(t *testing.T, file string) []pdfPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var doc struct {
		Pages []struct {
			Height float64 `xml:"height,attr"`
			Words  []struct {
				YMax float64 `xml:"yMax,attr"`
				Text string  `xml:",chardata"`
			} `xml:"word"`
		} `xml:"body>doc>page"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("pdftotext -bbox output: %v", err)
	}
	pages := make([]pdfPage, len(doc.Pages))
	for i, p := range doc.Pages {
		var words []string
		bottom := 0.0
		for _, w := range p.Words {
			words = append(words, w.Text)
			bottom = max(bottom, w.YMax)
		}
		pages[i] = pdfPage{text: strings.Join(words, " "), words: len(words)}
		if p.Height > 0 {
			pages[i].filled = bottom / p.Height
		}
	}
	if len(pages) == 0 {
		t.Fatal("the PDF has no pages")
	}
	return pages
}

// saveArtifacts writes page 1, the first kommunblad and the cost chart in
// greyscale into $INVENTERA_TEST_ARTIFACTS.
func saveArtifacts(t *testing.T, pdf string, bladPage int, costChart []byte) {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, pg := range map[string]int{"rapport-sida-1": 1, "rapport-kommunblad": bladPage} {
		if pg == 0 {
			continue
		}
		n := strconv.Itoa(pg)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "80", "-singlefile", "-f", n, "-l", n, pdf, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}
	// The cost chart as the report serves it, in greyscale as a
	// black-and-white printer prints it.
	if _, err := exec.LookPath("convert"); err != nil {
		t.Logf("no ImageMagick convert: no greyscale chart")
		return
	}
	cmd := exec.Command("convert", "png:-", "-colorspace", "Gray", filepath.Join(dir, "diagram-kostnader-gra.png"))
	cmd.Stdin = bytes.NewReader(costChart)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
}

func texts(pages []pdfPage) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.text
	}
	return out
}
