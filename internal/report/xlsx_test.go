package report

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func renderXLSX(t *testing.T, raw func(*excelize.File, func(string) error) error) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &buf, smallReport(t), raw); err != nil {
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
	f := renderXLSX(t, func(f *excelize.File, _ func(string) error) error {
		if _, err := f.NewSheet("utvarderingar"); err != nil {
			return err
		}
		return f.SetCellStr("utvarderingar", "A1", "kommun")
	})
	want := []string{SheetSummary, SheetFindings, SheetTable1, SheetCosts, SheetUsage, SheetInitiator, SheetResponsibility,
		SheetSurveys, SheetUnused, SheetNonResponding, SheetChartData, "utvarderingar"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	if v, _ := f.GetCellValue("utvarderingar", "A1"); v != "kommun" {
		t.Errorf("raw sheet A1 = %q", v)
	}
	for _, s := range want[:len(want)-1] {
		panes, err := f.GetPanes(s)
		if err != nil || !panes.Freeze || panes.YSplit != headerRow {
			t.Errorf("%s: caption, source and header not frozen: %+v %v", s, panes, err)
		}
		for _, ref := range []string{"A1", "A3"} { // the caption and the header
			style, err := f.GetCellStyle(s, ref)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(style)
			if err != nil || st.Font == nil || !st.Font.Bold {
				t.Errorf("%s: %s not bold", s, ref)
			}
		}
		if v, _ := f.GetCellValue(s, "A1"); v == "" {
			t.Errorf("%s: no caption", s)
		}
		if v, _ := f.GetCellValue(s, "A2"); !strings.HasPrefix(v, "Källa: Resultatstyrning 2009") {
			t.Errorf("%s: source = %q", s, v)
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
	col := slices.Index(rows[headerRow-1], head)
	if col < 0 {
		t.Fatalf("%s: no column %q in %q", sheet, head, rows[headerRow-1])
	}
	for i, r := range rows {
		if i < headerRow {
			continue
		}
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
		{SheetTable1, "Borlänge", "Antal utvärderingar", 21, 0, fmtCount},
		{SheetTable1, "Nätverket (varje utvärdering räknad en gång)", "Antal utvärderingar", 25, 0, fmtCount},
		{SheetCosts, "Borlänge", "Totalt (kr)", borlange.Costs.Total, 0, `#,##0" kr"`},
		{SheetCosts, "Borlänge", "Kostnad per invånare (kr)", *borlange.Costs.PerInvanare, 0, `#,##0" kr"`},
		{SheetCosts, "Borlänge", "Ej uppdelat (kr)", borlange.Costs.EjUppdelat, 0, `#,##0" kr"`},
		{SheetCosts, "Säter", "Invånare", 11000, 0, fmtCount},
		{SheetUsage, "Borlänge", "Inte alls, andel", 2.0 / 21, 0, `0.0" "%`},
		{SheetUsage, "Borlänge", "Inte alls, antal", 2, 0, fmtCount},
		{SheetChartData, "Falun", "Medborgar- eller brukarundersökningar, andel", 0.5, 0, `0.0" "%`},
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
	err := newRenderer(t).XLSX(t.Context(), &buf, smallReport(t), func(*excelize.File, func(string) error) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written on error", buf.Len())
	}
}

// TestXLSXPrintSetup checks every sheet, the raw ones included: landscape
// A4, fit to the page's width, title rows repeated, and the report's name
// and page numbers in the margins.
//
// A raw sheet is streamed, as sheet.WriteInto writes it, and set up
// before its rows (a streamed sheet cannot be changed once flushed); one
// added the ordinary way and not set up is set up afterwards.
func TestXLSXPrintSetup(t *testing.T) {
	f := renderXLSX(t, func(f *excelize.File, setup func(string) error) error {
		if _, err := f.NewSheet("utvarderingar"); err != nil {
			return err
		}
		if err := setup("utvarderingar"); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter("utvarderingar")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"kommun"}); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		if _, err := f.NewSheet("kommuner"); err != nil {
			return err
		}
		return f.SetCellStr("kommuner", "A1", "kommun")
	})
	if got := f.GetSheetList(); len(got) != 13 || got[11] != "utvarderingar" || got[12] != "kommuner" {
		t.Fatalf("sheets %q, want the report's and utvarderingar, kommuner", got)
	}
	if v, _ := f.GetCellValue("utvarderingar", "A1"); v != "kommun" {
		t.Errorf("utvarderingar A1 = %q", v)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet %d, want the first", got)
	}
	titles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	for _, s := range f.GetSheetList() {
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 ||
			pl.FitToHeight == nil || *pl.FitToHeight != 0 || pl.Size == nil || *pl.Size != 9 {
			t.Errorf("%s: page layout %+v, want landscape A4 fit to one page wide", s, pl)
		}
		props, err := f.GetSheetProps(s)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: not fit to page (%v)", s, err)
		}
		want := "'" + s + "'!$1:$3"
		if s == "utvarderingar" || s == "kommuner" {
			want = "'" + s + "'!$1:$1" // the interchange header stays in row 1
		}
		if titles[s] != want {
			t.Errorf("%s: print titles %q, want %q", s, titles[s], want)
		}
		hf, err := f.GetHeaderFooter(s)
		if err != nil || hf == nil || !strings.Contains(hf.OddHeader, "Resultatstyrning 2009") || !strings.Contains(hf.OddFooter, "&P av &N") {
			t.Errorf("%s: header/footer %+v (%v)", s, hf, err)
		}
	}
}

// TestXLSXCharts checks that usage and costs come with native charts of
// their own sheets' columns.
func TestXLSXCharts(t *testing.T) {
	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &buf, smallReport(t), nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		charts = append(charts, html.UnescapeString(string(b)))
	}
	want := map[string][]string{
		"usage": {"<barChart>", `<barDir val="bar">`, `<grouping val="clustered">`, "'Användning'!$D$4:$D$6", "'Användning'!$L$4:$L$6",
			"'Användning'!$A$4:$A$6"},
		"costs": {"<barChart>", `<grouping val="stacked">`, "'Tabell 2 kostnader'!$B$4:$B$6", "'Tabell 2 kostnader'!$F$4:$F$6"},
	}
	if len(charts) != len(want) {
		t.Fatalf("%d charts, want %d", len(charts), len(want))
	}
	for name, subs := range want {
		found := false
		for _, c := range charts {
			ok := true
			for _, s := range subs {
				ok = ok && strings.Contains(c, s)
			}
			found = found || ok
		}
		if !found {
			t.Errorf("no %s chart with %q", name, subs)
		}
	}
}

// TestXLSXFindingsWrapped checks that long findings wrap in a wide column
// and that their rows are tall enough not to overlap (LibreOffice does not
// grow them).
func TestXLSXFindingsWrapped(t *testing.T) {
	f := renderXLSX(t, nil)
	rows, err := f.GetRows(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i := headerRow; i < len(rows); i++ {
		if len(rows[i]) < 4 || len([]rune(rows[i][3])) < 200 {
			continue
		}
		checked++
		ref := "D" + strconv.Itoa(i+1)
		id, _ := f.GetCellStyle(SheetFindings, ref)
		st, _ := f.GetStyle(id)
		if st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("%s not wrapped", ref)
		}
		if h, _ := f.GetRowHeight(SheetFindings, i+1); h < 30 {
			t.Errorf("row %d is %v high for %d characters", i+1, h, len([]rune(rows[i][3])))
		}
	}
	if checked == 0 {
		t.Fatal("no long finding to check")
	}
	if w, _ := f.GetColWidth(SheetFindings, "D"); w < 80 {
		t.Errorf("findings column is %v wide", w)
	}
}

// TestXLSXOpensInLibreOffice converts the workbook to PDF with LibreOffice
// (set INVENTERA_TEST_LIBREOFFICE=1): it must open, and print on a sane
// number of pages.
func TestXLSXOpensInLibreOffice(t *testing.T) {
	if os.Getenv("INVENTERA_TEST_LIBREOFFICE") == "" {
		t.Skip("set INVENTERA_TEST_LIBREOFFICE=1 to convert with soffice")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &buf, smallReport(t), nil); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "rapport.xlsx")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profil"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "rapport.pdf"))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("no PDF: %v", err)
	}
	// Count pages: each page object is "/Type /Page" (not /Pages).
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	sheets := 11
	if pages < sheets || pages > 3*sheets {
		t.Errorf("the workbook prints on %d pages, want one to three per sheet (%d sheets)", pages, sheets)
	}
}
