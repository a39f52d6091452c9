package sheet

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

func TestXLSXRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ds   round.Dataset
	}{
		{"sample", sampleDataset(t)},
		{"kommuner only", round.Dataset{Kommuner: []round.Kommun{{Name: "Heby", Population: pop(13_500)}}}},
		{"big", bigDataset(t, 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteXLSX(&buf, def, tt.ds); err != nil {
				t.Fatal(err)
			}
			got, err := ReadXLSX(context.Background(), &buf, def, DefaultLimits())
			if err != nil {
				t.Fatalf("ReadXLSX: %v", err)
			}
			diffDatasets(t, got, tt.ds)
		})
	}
}

// csvExpectation is what a CSV round trip can return: the evaluations, with
// each unit in its first kommun (CSV carries no enheter sheet), kommuner of
// unknown population in order of appearance.
func csvExpectation(ds round.Dataset) round.Dataset {
	var want round.Dataset
	seen := map[string]bool{}
	for _, u := range ds.Units {
		if len(u.Evaluations) == 0 {
			continue
		}
		k := u.Kommuner[0]
		if !seen[k] {
			seen[k] = true
			want.Kommuner = append(want.Kommuner, round.Kommun{Name: k})
		}
		want.Units = append(want.Units, round.UnitData{
			Unit:        round.Unit{Name: u.Name, Kommuner: []string{k}, Response: round.Submitted},
			Evaluations: u.Evaluations,
		})
	}
	return want
}

func TestCSVRoundTrip(t *testing.T) {
	for _, ds := range []round.Dataset{sampleDataset(t), bigDataset(t, 300)} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, def, ds); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "\ufeffkommun;enhet;benamning;") {
			t.Errorf("CSV starts %q, want BOM and ;-separated header", out[:min(40, len(out))])
		}
		if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
			t.Error("CSV has line ends other than CRLF")
		}
		got, err := ReadCSV(context.Background(), strings.NewReader(out), def, DefaultLimits())
		if err != nil {
			t.Fatalf("ReadCSV: %v", err)
		}
		diffDatasets(t, got, csvExpectation(ds))
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	ds := sampleDataset(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, def, ds); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		";'=1+2;",                // benamning
		"'+46 telefon",           // anvandning_annat
		"'-x rektor",             // resultatansvarig_annan
		";'@foo;",                // uppdragsgivare
		"''=inte en formel'",     // already starts with an apostrophe: one more
		"\r\nFalun;NVK;",         // kommun of a shared unit: its first member
		";12,5;",                 // decimal comma for Swedish Excel
		"\"rad ett\r\nrad två\"", // quoted line break
	} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	for _, line := range strings.Split(out, "\r\n") {
		for _, cell := range strings.Split(line, ";") {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("CSV cell %q starts with a formula character", cell)
			}
		}
	}
}

func TestQuoteFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"=1+2", "'=1+2"},
		{"+46", "'+46"},
		{"-x", "'-x"},
		{"@foo", "'@foo"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'abc", "'abc"},
		{"'=x", "''=x"},
		{"''", "''"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := quoteFormula(tt.in); got != tt.want {
			t.Errorf("quoteFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := unquoteFormula(quoteFormula(tt.in)); got != tt.in {
			t.Errorf("unquoteFormula(quoteFormula(%q)) = %q", tt.in, got)
		}
	}
}

func TestWriteXLSXCells(t *testing.T) {
	ds := sampleDataset(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, def, ds); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{SheetKommuner, SheetEnheter, SheetUtvarderingar}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	header := EvaluationHeader(def)
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i + 1
			}
		}
		t.Fatalf("no column %s", name)
		return 0
	}
	cell := func(name string, row int) string {
		c, _ := excelize.CoordinatesToCellName(col(name), row)
		return c
	}
	// Header row: bold, frozen.
	for i, h := range header {
		c, _ := excelize.CoordinatesToCellName(i+1, 1)
		if v, _ := f.GetCellValue(SheetUtvarderingar, c); v != h {
			t.Errorf("header %s = %q, want %q", c, v, h)
		}
	}
	styleID, _ := f.GetCellStyle(SheetUtvarderingar, "A1")
	if st, err := f.GetStyle(styleID); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", st, err)
	}
	panes, err := f.GetPanes(SheetUtvarderingar)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want frozen header", panes, err)
	}

	tests := []struct {
		cell  string
		value string
		typ   excelize.CellType
		sheet string
	}{
		{cell: cell("benamning", 2), value: "=1+2", typ: excelize.CellTypeInlineString},
		{cell: cell("kommun", 2), value: "Borlänge", typ: excelize.CellTypeInlineString},
		{cell: cell("anvandning_annat", 2), value: "+46 telefon", typ: excelize.CellTypeInlineString},
		{cell: cell("timmar", 2), value: "12.5", typ: excelize.CellTypeNumber},
		{cell: cell("konsult_kr", 2), value: "15000", typ: excelize.CellTypeNumber},
		{cell: cell("material_kr", 2), value: "0", typ: excelize.CellTypeNumber},
		{cell: cell("anvandning/politiskt_beslut", 2), value: "ja", typ: excelize.CellTypeInlineString},
		{cell: cell("anvandning/inte_alls", 2), value: "", typ: excelize.CellTypeUnset},
		{cell: cell("metod/enkat_webb", 2), value: "", typ: excelize.CellTypeUnset}, // metod not answered
		{cell: cell("kostnad_totalt_kr", 3), value: "250000", typ: excelize.CellTypeNumber},
		{cell: cell("uppdragsgivare", 4), value: "@foo", typ: excelize.CellTypeInlineString},
		{sheet: SheetKommuner, cell: "A5", value: "=SUM(A1)", typ: excelize.CellTypeInlineString},
		{sheet: SheetKommuner, cell: "B2", value: "49000", typ: excelize.CellTypeNumber},
		{sheet: SheetEnheter, cell: "B2", value: "Borlänge;Falun;Säter", typ: excelize.CellTypeInlineString},
		{sheet: SheetEnheter, cell: "D2", value: "Borlänge=0,5;Falun=0,3;Säter=0,2", typ: excelize.CellTypeInlineString},
		{sheet: SheetEnheter, cell: "D5", value: "Falun=0,999999;Säter=0,000001", typ: excelize.CellTypeInlineString},
		{sheet: SheetEnheter, cell: "A6", value: "+46", typ: excelize.CellTypeInlineString},
		{sheet: SheetEnheter, cell: "E6", value: "inga_utvarderingar", typ: excelize.CellTypeInlineString},
	}
	for _, tt := range tests {
		sheet := tt.sheet
		if sheet == "" {
			sheet = SheetUtvarderingar
		}
		got, err := f.GetCellValue(sheet, tt.cell, excelize.Options{RawCellValue: true})
		if err != nil || got != tt.value {
			t.Errorf("%s!%s = %q, %v; want %q", sheet, tt.cell, got, err, tt.value)
		}
		typ, _ := f.GetCellType(sheet, tt.cell)
		if typ == excelize.CellTypeUnset && tt.value != "" {
			typ = excelize.CellTypeNumber // a <c> without t="…" is a number
		}
		if typ != tt.typ {
			t.Errorf("%s!%s type = %v, want %v", sheet, tt.cell, typ, tt.typ)
		}
		if formula, _ := f.GetCellFormula(sheet, tt.cell); formula != "" {
			t.Errorf("%s!%s has formula %q", sheet, tt.cell, formula)
		}
	}
}

func TestWriteSkipsDrafts(t *testing.T) {
	ds := round.Dataset{
		Kommuner: []round.Kommun{{Name: "Heby"}},
		Units: []round.UnitData{{
			Unit: round.Unit{Name: "Skola", Kommuner: []string{"Heby"}, Response: round.Submitted},
			Evaluations: []round.Evaluation{
				eval(t, base()),
				{Complete: false, Answers: form.Answers{"benamning": "halvfärdig"}},
			},
		}},
	}
	var xb, cb bytes.Buffer
	if err := WriteXLSX(&xb, def, ds); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&cb, def, ds); err != nil {
		t.Fatal(err)
	}
	want := ds
	want.Units = []round.UnitData{{Unit: ds.Units[0].Unit, Evaluations: ds.Units[0].Evaluations[:1]}}
	got, err := ReadXLSX(context.Background(), &xb, def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	diffDatasets(t, got, want)
	if strings.Contains(cb.String(), "halvfärdig") {
		t.Error("CSV contains a draft")
	}
}

// diffDatasets compares the meaningful fields and reports the first
// differences readably.
func diffDatasets(t *testing.T, got, want round.Dataset) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	if !reflect.DeepEqual(got.Kommuner, want.Kommuner) {
		t.Errorf("kommuner:\n got %s\nwant %s", kommunerString(got.Kommuner), kommunerString(want.Kommuner))
	}
	if len(got.Units) != len(want.Units) {
		t.Errorf("%d units, want %d", len(got.Units), len(want.Units))
	}
	for i := 0; i < min(len(got.Units), len(want.Units)); i++ {
		g, w := got.Units[i], want.Units[i]
		if !reflect.DeepEqual(g.Unit, w.Unit) {
			t.Errorf("unit %d:\n got %+v\nwant %+v", i, g.Unit, w.Unit)
		}
		if len(g.Evaluations) != len(w.Evaluations) {
			t.Errorf("unit %s: %d evaluations, want %d", w.Name, len(g.Evaluations), len(w.Evaluations))
			continue
		}
		for j := range g.Evaluations {
			if !reflect.DeepEqual(g.Evaluations[j], w.Evaluations[j]) {
				t.Errorf("unit %s evaluation %d:\n got %+v\nwant %+v", w.Name, j, g.Evaluations[j], w.Evaluations[j])
			}
		}
	}
	if !t.Failed() {
		t.Errorf("datasets differ:\n got %+v\nwant %+v", got, want)
	}
}

func kommunerString(ks []round.Kommun) string {
	var b strings.Builder
	for _, k := range ks {
		b.WriteString(k.Name)
		if k.Population != nil {
			b.WriteString("=")
			b.WriteString(form.FormatNumber(float64(*k.Population), 0))
		}
		if k.Kommunkod != "" {
			b.WriteString("#" + k.Kommunkod)
		}
		b.WriteString(" ")
	}
	return b.String()
}

// TestWriteIntoByID: evaluations given by ID, their answers read a batch at
// a time through Into.Answers (as the XLSX report writes them), come out as
// those of a dataset that carries its answers; every sheet gets Setup
// before its rows.
func TestWriteIntoByID(t *testing.T) {
	want := bigDataset(t, 2500) // more than two batches
	answers := map[int64]form.Answers{}
	bare := round.Dataset{Kommuner: want.Kommuner}
	ids := make([][]int64, len(want.Units))
	next := int64(100)
	for i, u := range want.Units {
		bare.Units = append(bare.Units, round.UnitData{Unit: u.Unit})
		for _, e := range u.Evaluations {
			next += 7
			answers[next] = e.Answers
			ids[i] = append(ids[i], next)
		}
	}
	var setUp []string
	batches := 0
	into := Into{
		Setup: func(sheet string) error { setUp = append(setUp, sheet); return nil },
		IDs:   ids,
		Answers: func(ids []int64, yield func(int, form.Answers) error) error {
			if len(ids) > answersBatch+50 { // a batch ends with a whole unit
				t.Errorf("asked for %d answers at once", len(ids))
			}
			batches++
			for i := len(ids) - 1; i >= 0; i-- { // in any order
				if err := yield(i, answers[ids[i]]); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := WriteInto(f, def, bare, into); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	if want := []string{SheetKommuner, SheetEnheter, SheetUtvarderingar}; !reflect.DeepEqual(setUp, want) {
		t.Errorf("set up %q, want %q", setUp, want)
	}
	if batches < 3 {
		t.Errorf("answers read in %d batches", batches)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadXLSX(context.Background(), &buf, def, DefaultLimits())
	if err != nil {
		t.Fatalf("ReadXLSX: %v", err)
	}
	diffDatasets(t, got, want)
}
