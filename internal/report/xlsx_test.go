package report

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

func renderXLSX(t *testing.T, raw func(*excelize.File) error) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(&buf, smallReport(t), raw); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestXLSXSheets(t *testing.T) {
	f := renderXLSX(t, func(f *excelize.File) error {
		if _, err := f.NewSheet("utvarderingar"); err != nil {
			return err
		}
		return f.SetCellStr("utvarderingar", "A1", "kommun")
	})
	want := []string{SheetSummary, SheetTable1, SheetCosts, SheetUsage, SheetInitiator, SheetResponsibility,
		SheetSurveys, SheetUnused, SheetNonResponding, SheetChartData, "utvarderingar"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	if v, _ := f.GetCellValue("utvarderingar", "A1"); v != "kommun" {
		t.Errorf("raw sheet A1 = %q", v)
	}
	for _, s := range want[:len(want)-1] {
		panes, err := f.GetPanes(s)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header not frozen: %+v %v", s, panes, err)
		}
		style, err := f.GetCellStyle(s, "A1")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s: header A1 not bold", s)
		}
	}
}

// cellIn finds the row whose first cell is first and returns the cell in
// the column headed head.
func cellIn(t *testing.T, f *excelize.File, sheet, first, head string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], head)
	if col < 0 {
		t.Fatalf("%s: no column %q in %q", sheet, head, rows[0])
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == first {
			ref, _ := excelize.CoordinatesToCellName(col+1, i+1)
			return ref
		}
	}
	t.Fatalf("%s: no row %q", sheet, first)
	return ""
}

func TestXLSXNumbers(t *testing.T) {
	f := renderXLSX(t, nil)
	rep := smallReport(t)
	borlange := rep.Municipalities[0]
	tests := []struct {
		sheet, row, col string
		want            float64
		numFmt          int    // built-in format, or 0
		customFmt       string // or a custom one
	}{
		{SheetTable1, "Borlänge", "Antal utvärderingar", 21, 3, ""},
		{SheetTable1, "Nätverket (varje utvärdering räknad en gång)", "Antal utvärderingar", 25, 3, ""},
		{SheetCosts, "Borlänge", "Totalt (kr)", borlange.Costs.Total, 3, ""},
		{SheetCosts, "Borlänge", "Kostnad per invånare (kr)", *borlange.Costs.PerInvanare, 3, ""},
		{SheetCosts, "Säter", "Invånare", 11000, 3, ""},
		{SheetUsage, "Borlänge", "Inte alls, andel", 2.0 / 21, 0, "0.0%"},
		{SheetUsage, "Borlänge", "Inte alls, antal", 2, 3, ""},
		{SheetChartData, "Falun", "Medborgar- eller brukarundersökningar, andel", 0.5, 0, "0.0%"},
	}
	for _, tt := range tests {
		ref := cellIn(t, f, tt.sheet, tt.row, tt.col)
		typ, err := f.GetCellType(tt.sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s!%s (%s/%s) has type %v, want a number", tt.sheet, ref, tt.row, tt.col, typ)
		}
		raw, err := f.GetCellValue(tt.sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s!%s (%s/%s) = %q, want %v", tt.sheet, ref, tt.row, tt.col, raw, tt.want)
		}
		id, _ := f.GetCellStyle(tt.sheet, ref)
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.customFmt != "":
			if st.CustomNumFmt == nil || *st.CustomNumFmt != tt.customFmt {
				t.Errorf("%s!%s: number format %v, want %q", tt.sheet, ref, st.CustomNumFmt, tt.customFmt)
			}
		case st.NumFmt != tt.numFmt:
			t.Errorf("%s!%s: number format %d, want %d", tt.sheet, ref, st.NumFmt, tt.numFmt)
		}
	}
}

func TestXLSXTextStaysText(t *testing.T) {
	f := renderXLSX(t, nil)
	tests := []struct{ sheet, text string }{
		{SheetSurveys, formulaName},
		{SheetSurveys, "@föräldrar"},
		{SheetUnused, scriptName},
		{SheetUnused, "Jämförelse <bygglov> & tillsyn"},
	}
	for _, tt := range tests {
		refs, err := f.SearchSheet(tt.sheet, tt.text)
		if err != nil || len(refs) == 0 {
			t.Errorf("%s: %q not found (%v)", tt.sheet, tt.text, err)
			continue
		}
		for _, ref := range refs {
			if fm, _ := f.GetCellFormula(tt.sheet, ref); fm != "" {
				t.Errorf("%s!%s holds the formula %q", tt.sheet, ref, fm)
			}
			if v, _ := f.GetCellValue(tt.sheet, ref); v != tt.text {
				t.Errorf("%s!%s = %q, want %q", tt.sheet, ref, v, tt.text)
			}
			if typ, _ := f.GetCellType(tt.sheet, ref); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s!%s has type %v, want text", tt.sheet, ref, typ)
			}
		}
	}
	// The unit named like a formula is listed once, as text.
	refs, _ := f.SearchSheet(SheetSurveys, formulaName)
	if len(refs) != 1 {
		t.Errorf("%q found %d times in %s", formulaName, len(refs), SheetSurveys)
	}
}

func TestXLSXRawError(t *testing.T) {
	var buf bytes.Buffer
	boom := errors.New("boom")
	err := newRenderer(t).XLSX(&buf, smallReport(t), func(*excelize.File) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written on error", buf.Len())
	}
}
