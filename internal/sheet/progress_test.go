package sheet

import (
	"bytes"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestWriteProgress(t *testing.T) {
	// 14:05 UTC is 15:05 in Swedish winter time and 16:05 in summer time;
	// 23:30 UTC on 31 March is already 1 April in Sweden.
	winter := time.Date(2009, 12, 18, 14, 5, 0, 0, time.UTC)
	summer := time.Date(2009, 6, 1, 14, 5, 0, 0, time.UTC)
	midnight := time.Date(2009, 3, 31, 23, 30, 0, 0, time.UTC)
	rows := []ProgressRow{
		{Kommuner: []string{"Borlänge", "Falun", "Säter"}, Enhet: "Räddningstjänsten Dala Mitt", Omrade: "Räddning",
			Verksamhetschef: "Åsa Öberg", Epost: "asa@example.se", Status: "Inskickad", LastActivity: winter, Evaluations: 1234,
			Invited: &summer, Opened: &midnight, Answered: &winter},
		{Kommuner: []string{"Falun"}, Enhet: `=HYPERLINK("http://evil","klicka")`, Verksamhetschef: "+46 70 123 45 67",
			Epost: "@foo", Status: "Avböjt", LastActivity: summer, DeclineReason: "-1+1 omorganisation\x07", Invited: &winter},
		{Kommuner: []string{"Säter"}, Enhet: "Tekniska nämnden", Status: "Ej inbjuden", LastActivity: midnight},
	}
	created := time.Date(2010, 1, 15, 9, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	err := WriteProgress(&buf, ProgressInfo{Round: "Resultatstyrning 2009", Filter: [][2]string{{"Kommun", "Falun"}, {"Sökning", "=1+1"}}, Created: created}, rows)
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetProgress, SheetSelection}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet %d, want Framsteg (0)", got)
	}
	got, err := f.GetRows(SheetProgress)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		ProgressHeader,
		{"Borlänge, Falun, Säter", "Räddningstjänsten Dala Mitt", "Räddning", "Åsa Öberg", "asa@example.se", "Inskickad", "2009-12-18 15:05", "1,234", "", "2009-06-01", "2009-04-01", "2009-12-18"},
		{"Falun", `=HYPERLINK("http://evil","klicka")`, "", "+46 70 123 45 67", "@foo", "Avböjt", "2009-06-01 16:05", "0", "-1+1 omorganisation", "2009-12-18"},
		{"Säter", "Tekniska nämnden", "", "", "", "Ej inbjuden", "2009-04-01 01:30", "0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}

	// Text is text, never a formula, and formatted as text; times are
	// dates (numbers) in Swedish time; the count is a number.
	for r, row := range got {
		for c, v := range row {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, _ := f.GetCellFormula(SheetProgress, cell); formula != "" {
				t.Errorf("%s: formula %q", cell, formula)
			}
			typ, err := f.GetCellType(SheetProgress, cell)
			if err != nil {
				t.Fatal(err)
			}
			isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
			if r > 0 && (c == 6 || c == 7 || c >= 9) {
				if isText || typ == excelize.CellTypeFormula {
					t.Errorf("%s (%q): cell type %v, want a number or date", cell, v, typ)
				}
				continue
			}
			if !isText {
				t.Errorf("%s (%q): cell type %v, want a text cell", cell, v, typ)
			}
		}
	}
	raw, err := f.GetCellValue(SheetProgress, "G2", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if serial, _ := excelize.ExcelDateToTime(mustFloat(t, raw), false); !serial.Equal(time.Date(2009, 12, 18, 15, 5, 0, 0, time.UTC)) {
		t.Errorf("G2 holds %v, want 2009-12-18 15:05 (Swedish wall clock)", serial)
	}
	if style, _ := f.GetCellStyle(SheetProgress, "B3"); style == 0 {
		t.Error("B3 has no style: want the text format (@)")
	} else if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
		t.Errorf("B3 format %+v, want text (49)", s)
	}

	// The header has a filter, and the header row stays in view.
	if panes, err := f.GetPanes(SheetProgress); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v, want the header frozen", panes, err)
	}

	sel, err := f.GetRows(SheetSelection)
	if err != nil {
		t.Fatal(err)
	}
	wantSel := [][]string{
		{"Omgång", "Resultatstyrning 2009"},
		{"Kommun", "Falun"},
		{"Sökning", "=1+1"},
		{"Antal enheter", "3"},
		{"Skapad", "2010-01-15 10:00 CET"},
		{"Tider", "Alla tider är svensk tid. Status och senaste aktivitet gäller när filen skapades."},
	}
	if !reflect.DeepEqual(sel, wantSel) {
		t.Errorf("Urval:\n got %q\nwant %q", sel, wantSel)
	}
	if formula, _ := f.GetCellFormula(SheetSelection, "B3"); formula != "" {
		t.Errorf("Urval B3: formula %q", formula)
	}
}

func TestWriteProgressEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteProgress(&buf, ProgressInfo{Round: "R", Created: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	got, err := f.GetRows(SheetProgress)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, [][]string{ProgressHeader}) {
		t.Errorf("rows %q, want the header alone", got)
	}
	sel, _ := f.GetRows(SheetSelection)
	if len(sel) < 3 || sel[1][1] != "Alla enheter du ser i omgången" || sel[2][1] != "0" {
		t.Errorf("Urval %q", sel)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is no number: %v", s, err)
	}
	return v
}
