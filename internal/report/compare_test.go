package report

import (
	"bytes"
	"html"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
)

// comparedReport is the small network compared with an earlier round in
// which Falun was called "Falu kommun" (the same kommunkod), Säter did not
// take part and Hedemora did.
func comparedReport(t *testing.T) *aggregate.Report {
	t.Helper()
	ds := smallDataset()
	ds.Kommuner[0].Kommunkod = "2081" // Borlänge
	ds.Kommuner[2].Kommunkod = "2080" // Falun
	cur, err := aggregate.Compute(testRound, ds)
	if err != nil {
		t.Fatal(err)
	}
	earlier := round.Dataset{
		Kommuner: []round.Kommun{
			{Name: "Borlänge", Population: pop(48000), Kommunkod: "2081"},
			{Name: "Falu kommun", Population: pop(55000), Kommunkod: "2080"},
			{Name: "Hedemora", Population: pop(15000)},
		},
		Units: []round.UnitData{
			submitted("Kultur- och fritidsnämnden", []string{"Borlänge"},
				ev("Nöjd kund-index bibliotek", "konsult_kr", "30000"),
				ev("Miljöbäst i Sverige", "anvandning", "inte_alls", "kostnad_totalt_kr", "20000"),
				ev("Besöksräkning badhus", "anvandning", "inte_alls")),
			submitted("Bygg och miljö", []string{"Falu kommun"}, ev("Tillsyn", "timmar", "10")),
			submitted("Socialnämnden", []string{"Hedemora"}, ev("Brukarenkät", "brukarundersokning", "ja", "malgrupp", "Brukare", "metod", "enkat_webb")),
		},
	}
	prev, err := aggregate.Compute(round.Round{Name: "Mätning 2008", HourlyRate: 280}, earlier)
	if err != nil {
		t.Fatal(err)
	}
	// Stored rounds number their units and evaluations; matching reads
	// the numbers.
	number := func(ds round.Dataset, base int64) {
		id := base
		for i := range ds.Units {
			u := &ds.Units[i]
			id++
			u.ID = id
			for j := range u.Evaluations {
				id++
				u.Evaluations[j].ID, u.Evaluations[j].UnitID = id, u.ID
			}
		}
	}
	number(earlier, 1000)
	number(ds, 2000)
	content := func(ds round.Dataset) round.RoundContent {
		c := round.RoundContent{Kommuner: ds.Kommuner}
		for _, u := range ds.Units {
			c.Units = append(c.Units, u.Unit)
			c.Evaluations = append(c.Evaluations, u.Evaluations...)
		}
		return c
	}
	return aggregate.WithRecurrence(aggregate.Compare(cur, aggregate.BasisOf(prev)), round.MatchRounds(content(earlier), content(ds), round.Lineage{}))
}

// TestHTMLComparison: a compared report has the comparison section with the
// earlier figures and the change in Swedish numbers, a line on each
// kommunblad, a lead on the first page and the findings about change; a
// kommun in one round only is said to be so, never shown as zero; a report
// that is not compared has none of it.
func TestHTMLComparison(t *testing.T) {
	r := newRenderer(t)
	var buf bytes.Buffer
	if err := r.HTML(&buf, comparedReport(t), HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := strings.ReplaceAll(html.UnescapeString(buf.String()), numfmt.NBSP, " ")
	for _, want := range []string{
		`<li><a href="#jamforelse">Jämförelse med Mätning 2008</a></li>`,
		`<h2 id="jamforelse-rubrik">8. Jämförelse med Mätning 2008</h2>`,
		"Jämförelsen gäller 2 kommuner som deltar i båda omgångarna (2 matchade efter kommunkod).",
		"Säter deltar bara i den här omgången och har inga tidigare siffror.",
		"Hedemora deltog bara i Mätning 2008",
		// Borlänge: 3 evaluations then, 21 now.
		`<tr><th scope="row">Borlänge</th><td class="tal">3</td><td class="tal">21</td><td class="tal">+18</td>`,
		// Falun under its earlier name.
		`<tr><th scope="row">Falun (Falu kommun)</th><td class="tal">1</td><td class="tal">2</td><td class="tal">+1</td>`,
		// Säter is new: no figures then, no change.
		`<tr><th scope="row">Säter</th><td class="tal">deltog inte</td><td class="tal">4</td><td class="tal">–</td>`,
		`<tr><th scope="row">Hedemora</th><td class="tal">1</td><td class="tal">deltar inte</td><td class="tal">–</td>`,
		"Jämfört med Mätning 2008: 21 utvärderingar mot 3 (+18)",
		"Säter deltog inte i Mätning 2008, så det finns inga tidigare siffror att jämföra med.",
		"<h3>Förändring sedan Mätning 2008</h3>",
		"Jämfört med Mätning 2008 har nätverket rapporterat",
		"procentenheter",
		// Borlänge's three evaluations of 2008 recur (by unit and name), 18 are new.
		`<tr><th scope="row">Borlänge</th><td class="tal">3</td><td class="tal">0</td><td class="tal">18</td><td class="tal">0</td></tr>`,
		`<tr><th scope="row">Säter</th><td class="tal">deltog inte</td><td class="tal">–</td><td class="tal">–</td><td class="tal">–</td></tr>`,
		"<h4>Inte längre med</h4>\n<ul class=\"kompakt\">\n<li>Tillsyn – Bygg och miljö</li>",
		"Ytterligare 8 utvärderingar finns i Excel-filen (bladet Återkommande), som listar alla.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("compared report lacks %q", want)
		}
	}
	if strings.Contains(page, `<th scope="row">Säter</th><td class="tal">0</td>`) {
		t.Error("Säter, new this round, is shown with 0 evaluations then")
	}

	buf.Reset()
	if err := r.HTML(&buf, smallReport(t), HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, not := range []string{"Jämförelse med", "Förändring sedan", "deltog inte"} {
		if strings.Contains(buf.String(), not) {
			t.Errorf("a report that is not compared says %q", not)
		}
	}
}

// TestXLSXComparison: the compared workbook has a Jämförelse sheet with
// number cells for the figures and text for a kommun not in a round.
func TestXLSXComparison(t *testing.T) {
	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &buf, comparedReport(t), nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if list := f.GetSheetList(); !slices.Equal(list[len(list)-2:], []string{SheetComparison, SheetRecurrence}) {
		t.Fatalf("sheets %q, want %q and %q last", list, SheetComparison, SheetRecurrence)
	}
	if ref := cellIn(t, f, SheetRecurrence, "Falun", "Utvärdering"); ref != "" {
		rows, _ := f.GetRows(SheetRecurrence)
		n := 0
		for _, r := range rows[headerRow:] {
			if len(r) > 3 && r[0] == "Falun" && r[2] == "Tillsyn" && r[3] == "Inte längre med" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the Återkommande sheet lists Falun's dropped Tillsyn %d times, want once", n)
		}
	}
	tests := []struct {
		row, col string
		want     string
		number   bool
	}{
		{"Borlänge", "Utvärderingar Mätning 2008", "3", true},
		{"Borlänge", "Förändring", "18", true},
		{"Falun", "Tidigare namn", "Falu kommun", false},
		{"Säter", "Utvärderingar Mätning 2008", "deltog inte", false},
		{"Hedemora", "Utvärderingar Resultatstyrning 2009", "deltar inte", false},
		{"Nätverket", "Utvärderingar Mätning 2008", "5", true},
	}
	for _, tt := range tests {
		ref := cellIn(t, f, SheetComparison, tt.row, tt.col)
		got, _ := f.GetCellValue(SheetComparison, ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(SheetComparison, ref)
		if got != tt.want || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) == !tt.number {
			t.Errorf("%s / %s = %q (type %v), want %q (number %v)", tt.row, tt.col, got, typ, tt.want, tt.number)
		}
	}
	rows, _ := f.GetRows(SheetFindings)
	found := false
	for _, r := range rows {
		found = found || len(r) > 1 && strings.HasSuffix(r[0], "– förändring")
	}
	if !found {
		t.Error("the findings sheet has no findings about change")
	}
}
