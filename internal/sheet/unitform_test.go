package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

var unitInfo = UnitFormInfo{
	RoundName:  "Resultatstyrning 2009",
	UnitName:   "Räddningstjänsten Dala Mitt",
	Kommuner:   []string{"Borlänge", "Falun", "Säter"},
	Deadline:   "2009-12-18",
	HourlyRate: 280,
}

// existingEvaluations are the two stored evaluations the form is written
// with.
func existingEvaluations(t testing.TB) []round.Evaluation {
	return []round.Evaluation{
		{ID: 11, Version: 3, Complete: true, Answers: canonForm(t, base(
			"uppdragsgivare_typ", "politisk", "lagstadgad", "ja", "timmar", "3", "konsult_kr", "15000",
			"anvandning", "politiskt_beslut;annat", "anvandning_annat", "=SUM(A1)"))},
		{ID: 12, Version: 1, Complete: true, Answers: canonForm(t, base(
			"benamning", "Tillsyn", "kostnad_totalt_kr", "250000", "anvandning", "inte_alls",
			"resultatansvarig", "ingen", "syfte", "rad ett\nrad två"))},
	}
}

// canonForm validates answers as the web form does; the test fails on
// errors.
func canonForm(t testing.TB, a form.Answers) form.Answers {
	t.Helper()
	out, errs := def.Validate(a, form.ModeForm)
	if len(errs) > 0 {
		t.Fatalf("test answers invalid: %v (%v)", errs, a)
	}
	return out
}

func writeUnitForm(t testing.TB, evs []round.Evaluation) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteUnitForm(&buf, def, unitInfo, evs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openBook(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// formCell is the cell of the named column (by row 1) in a row of the
// Utvärderingar sheet.
func formCell(t testing.TB, column string, row int) string {
	t.Helper()
	for i, name := range UnitFormHeader(def) {
		if name == column {
			cell, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				t.Fatal(err)
			}
			return cell
		}
	}
	t.Fatalf("no column %s", column)
	return ""
}

// fill sets cells of a row by column name: strings as text cells, other
// values as they are (numbers as numbers); nil clears a cell.
func fill(t testing.TB, f *excelize.File, row int, cells ...any) {
	t.Helper()
	for i := 0; i+1 < len(cells); i += 2 {
		cell := formCell(t, cells[i].(string), row)
		var err error
		switch v := cells[i+1].(type) {
		case nil:
			err = f.SetCellValue(SheetUnitForm, cell, nil)
		case string:
			err = f.SetCellStr(SheetUnitForm, cell, v)
		default:
			err = f.SetCellValue(SheetUnitForm, cell, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func saveBook(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validationsByColumn maps a column name (row 1) to the validation whose
// range starts in its row-3 cell.
func validationsByColumn(t testing.TB, f *excelize.File) map[string]*excelize.DataValidation {
	t.Helper()
	dvs, err := f.GetDataValidations(SheetUnitForm)
	if err != nil {
		t.Fatal(err)
	}
	header := UnitFormHeader(def)
	out := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		for _, ref := range strings.Fields(dv.Sqref) {
			first, _, _ := strings.Cut(ref, ":")
			col, row, err := excelize.CellNameToCoordinates(first)
			if err != nil || row != unitFormFirstRow || col > len(header) {
				continue
			}
			out[header[col-1]] = dv
		}
	}
	return out
}

func TestWriteUnitForm(t *testing.T) {
	evs := existingEvaluations(t)
	f := openBook(t, writeUnitForm(t, evs))

	if got, want := f.GetSheetList(), []string{SheetInstructions, SheetUnitForm}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	rows, err := f.GetRows(SheetUnitForm)
	if err != nil {
		t.Fatal(err)
	}
	header := UnitFormHeader(def)
	if !reflect.DeepEqual(rows[0], header) {
		t.Errorf("row 1 = %v, want %v", rows[0], header)
	}
	for _, want := range []string{"id", "benamning", "anvandning/handlingsplan", "metod/enkat_webb", "timmar", "kostnad_totalt_kr"} {
		if indexOf(header, want) < 0 {
			t.Errorf("header lacks %s", want)
		}
	}
	if header[0] != "id" || header[1] != "benamning" {
		t.Errorf("first columns = %v, want id, benamning", header[:2])
	}
	if last := header[len(header)-1]; last != "version" {
		t.Errorf("last column = %s, want version", last)
	}

	labels := []struct{ column, label string }{
		{"id", idLabel},
		{"version", versionLabel},
		{"benamning", "Utvärderingens namn"},
		{"anvandning/handlingsplan", "Resultatet har legat till grund för: Handlingsplan för förbättringsarbete"},
		{"resultatansvarig/ingen", "Vem ansvarar för resultatet: Ingen"},
		{"timmar", "Egen insatt tid (timmar)"},
	}
	for _, l := range labels {
		if got := rows[1][indexOf(header, l.column)]; got != l.label {
			t.Errorf("row 2 %s = %q, want %q", l.column, got, l.label)
		}
	}

	// Dropdowns and number checks.
	dvs := validationsByColumn(t, f)
	checks := []struct {
		column, typ, contains string
	}{
		{"lagstadgad", "list", `"ja,nej"`},
		{"kommunovergripande", "list", `"ja,nej"`},
		{"anvandning/handlingsplan", "list", `"ja,nej"`},
		{"metod/annan", "list", `"ja,nej"`},
		{"periodicitet", "list", "Mer sällan än en gång per år"},
		{"uppdragsgivare_typ", "list", "Förvaltningen eller verksamheten själv"},
		{"timmar", "decimal", "0"},
		{"konsult_kr", "whole", "0"},
		{"kostnad_totalt_kr", "whole", "0"},
		{"id", "whole", "1"},
		{"version", "whole", "1"},
	}
	for _, c := range checks {
		dv := dvs[c.column]
		if dv == nil {
			t.Errorf("%s: no data validation", c.column)
			continue
		}
		if dv.Type != c.typ || !strings.Contains(dv.Formula1, c.contains) {
			t.Errorf("%s: validation %s %q, want %s containing %q", c.column, dv.Type, dv.Formula1, c.typ, c.contains)
		}
		if !strings.HasSuffix(dv.Sqref, "1002") {
			t.Errorf("%s: validation covers %s, want rows 3..1002", c.column, dv.Sqref)
		}
		if dv.Error == nil || *dv.Error == "" {
			t.Errorf("%s: validation without error message", c.column)
		}
	}
	for _, c := range []string{"benamning", "syfte", "kommentar"} {
		if dvs[c] != nil {
			t.Errorf("%s: text column has a validation %+v", c, dvs[c])
		}
	}

	// Pre-filled rows.
	prefilled := []struct {
		column string
		row    int
		want   string
	}{
		{"id", 3, "11"},
		{"id", 4, "12"},
		{"version", 3, "3"},
		{"version", 4, "1"},
		{"version", 5, ""},
		{"benamning", 3, "Brukarundersökning hemtjänst"},
		{"periodicitet", 3, "Årligen"},
		{"uppdragsgivare_typ", 3, "Politisk uppdragsgivare"},
		{"lagstadgad", 3, "ja"},
		{"kommunovergripande", 3, "nej"},
		{"anvandning/politiskt_beslut", 3, "ja"},
		{"anvandning/annat", 3, "ja"},
		{"anvandning/handlingsplan", 3, ""},
		{"anvandning_annat", 3, "=SUM(A1)"},
		{"timmar", 3, "3"},
		{"konsult_kr", 3, "15000"},
		{"benamning", 4, "Tillsyn"},
		{"resultatansvarig/ingen", 4, "ja"},
		{"anvandning/inte_alls", 4, "ja"},
		{"kostnad_totalt_kr", 4, "250000"},
		{"syfte", 4, "rad ett\nrad två"},
		{"benamning", 5, ""},
	}
	for _, p := range prefilled {
		cell := formCell(t, p.column, p.row)
		got, err := f.GetCellValue(SheetUnitForm, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("%s (%s) = %q, want %q", p.column, cell, got, p.want)
		}
	}
	// Numbers are number cells, text is text, and no cell is a formula.
	types := []struct {
		column string
		want   excelize.CellType
	}{
		{"timmar", excelize.CellTypeUnset}, // a number cell has no t attribute
		{"konsult_kr", excelize.CellTypeUnset},
		{"anvandning_annat", excelize.CellTypeSharedString},
		{"benamning", excelize.CellTypeSharedString},
	}
	for _, tc := range types {
		got, err := f.GetCellType(SheetUnitForm, formCell(t, tc.column, 3))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: cell type %v, want %v", tc.column, got, tc.want)
		}
	}
	if formula, _ := f.GetCellFormula(SheetUnitForm, formCell(t, "anvandning_annat", 3)); formula != "" {
		t.Errorf("anvandning_annat is a formula %q", formula)
	}

	panes, err := f.GetPanes(SheetUnitForm)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.XSplit != 2 || panes.YSplit != 2 {
		t.Errorf("panes = %+v, want the first two rows and columns frozen", panes)
	}
}

// instructionText is every cell of the instructions sheet, joined.
func instructionText(t testing.TB, f *excelize.File) string {
	t.Helper()
	rows, err := f.GetRows(SheetInstructions)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteString("\n")
	}
	return b.String()
}

func TestUnitFormInstructions(t *testing.T) {
	text := instructionText(t, openBook(t, writeUnitForm(t, nil)))
	want := []string{
		"Resultatstyrning 2009", "Räddningstjänsten Dala Mitt", "Borlänge, Falun, Säter", "2009-12-18",
		"280 kr per timme", "id", "ja", "1 234,5", "bara när kostnaden inte kan delas upp",
		def.Intro,
	}
	for _, s := range def.Sections {
		want = append(want, s.Title, s.Intro)
	}
	for _, fd := range def.Fields {
		want = append(want, fd.Label, fd.Help)
		if fd.Type == form.TypeMulti {
			for _, o := range fd.Options {
				want = append(want, fd.Code+OptionSeparator+o.Code, o.Label)
			}
		} else {
			want = append(want, fd.Code)
			for _, o := range fd.Options {
				want = append(want, o.Label)
			}
		}
	}
	for _, w := range want {
		if w != "" && !strings.Contains(text, w) {
			t.Errorf("instructions lack %q", w)
		}
	}
}

func TestUnitFormRoundTrip(t *testing.T) {
	evs := existingEvaluations(t)
	f := openBook(t, writeUnitForm(t, evs))

	// Change the first evaluation: 12.5 hours as a number, no longer
	// statutory, "annat" unticked (and its text removed).
	fill(t, f, 3, "timmar", 12.5, "lagstadgad", "Nej", "anvandning/annat", nil, "anvandning_annat", nil,
		"anvandning/handlingsplan", "ja")
	// A new evaluation two rows further down: labels in choice cells, "ja"
	// and "x" in option columns, hours as Swedish text, kronor as a number.
	fill(t, f, 6,
		"benamning", "Elevenkät",
		"periodicitet", "mer sällan än en gång per år",
		"uppdragsgivare_typ", "Extern uppdragsgivare",
		"uppdragsgivare", "Skolverket",
		"syfte", "Mäta trivsel",
		"resultatansvarig/namnd", "ja",
		"resultatansvarig/annan", "JA",
		"resultatansvarig/kf", "nej",
		"resultatansvarig_annan", "Rektor",
		"anvandning/handlingsplan", "ja",
		"anvandning/budget_malprocess", "ja",
		"brukarundersokning", "ja",
		"malgrupp", "Elever",
		"metod/enkat_webb", "x",
		"metod/intervju", "ja",
		"timmar", "1 234,5",
		"konsult_kr", 2000,
		"kommentar", "=1+2",
	)
	got, err := ReadUnitForm(context.Background(), bytes.NewReader(saveBook(t, f)), def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []UnitFormRow{
		{Row: 3, ID: 11, Version: 3, Answers: canonForm(t, base(
			"uppdragsgivare_typ", "politisk", "lagstadgad", "nej", "timmar", "12.5", "konsult_kr", "15000",
			"anvandning", "politiskt_beslut;handlingsplan"))},
		{Row: 4, ID: 12, Version: 1, Answers: evs[1].Answers},
		{Row: 6, ID: 0, Answers: form.Answers{
			"benamning": "Elevenkät", "kommunovergripande": "nej", "periodicitet": "mer_sallan",
			"uppdragsgivare_typ": "extern", "uppdragsgivare": "Skolverket", "syfte": "Mäta trivsel",
			"resultatansvarig": "namnd;annan", "resultatansvarig_annan": "Rektor",
			"anvandning": "handlingsplan;budget_malprocess", "brukarundersokning": "ja", "malgrupp": "Elever",
			"metod": "enkat_webb;intervju", "timmar": "1234.5", "konsult_kr": "2000", "kommentar": "=1+2",
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n got %v\nwant %v", got, want)
	}
}

// TestUnitFormUnchanged reads a form as downloaded: the stored evaluations
// come back as they are.
func TestUnitFormUnchanged(t *testing.T) {
	evs := existingEvaluations(t)
	// A draft too: written as typed, read back canonical.
	evs = append(evs, round.Evaluation{ID: 99, Version: 14, Answers: form.Answers{
		"benamning": " Utkast ", "periodicitet": "arligen", "uppdragsgivare_typ": "verksamhet",
		"syfte": "S", "resultatansvarig": "ks", "anvandning": "annat", "anvandning_annat": "Annat",
		"timmar": "7,25",
	}})
	got, err := ReadUnitForm(context.Background(), bytes.NewReader(writeUnitForm(t, evs)), def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var want []UnitFormRow
	for i, e := range evs {
		want = append(want, UnitFormRow{Row: unitFormFirstRow + i, ID: e.ID, Version: e.Version, Answers: canonForm(t, e.Answers)})
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\n got %v\nwant %v", got, want)
	}
}

func TestReadUnitFormProblems(t *testing.T) {
	f := openBook(t, writeUnitForm(t, existingEvaluations(t)))
	// Row 3: a bad id and a bad hour count.
	fill(t, f, 3, "id", "abc", "timmar", "tolv")
	// Row 4: total cost beside a part, and a bad multi cell.
	fill(t, f, 4, "material_kr", 100, "anvandning/handlingsplan", "kanske", "version", "två")
	// Row 5: a new row with the first row's id, an unknown choice, and
	// nothing under resultatansvarig.
	fill(t, f, 5, "id", 12, "benamning", "Kopia", "periodicitet", "Varje vecka", "uppdragsgivare_typ", "extern",
		"syfte", "S", "anvandning/inte_alls", "ja")
	// Row 7: a negative id; "ingen" combined with another owner.
	fill(t, f, 7, "id", -4, "benamning", "X", "periodicitet", "Årligen", "uppdragsgivare_typ", "extern",
		"syfte", "S", "resultatansvarig/ingen", "ja", "resultatansvarig/kf", "ja", "anvandning/annat", "ja")
	// Row 8: an id with nothing else.
	fill(t, f, 8, "id", 40)
	// Row 9: a blank initiator (allowed in an import, not in the form), a
	// fraction of a krona.
	fill(t, f, 9, "benamning", "Y", "periodicitet", "arligen", "syfte", "S", "resultatansvarig/ks", "ja",
		"anvandning/handlingsplan", "ja", "ovrigt_kr", 10.5)

	rows, err := ReadUnitForm(context.Background(), bytes.NewReader(saveBook(t, f)), def, Limits{})
	if rows != nil {
		t.Errorf("rows = %v, want none", rows)
	}
	ps := problemsOf(t, err)
	want := []where{
		{SheetUnitForm, 3, "id"},
		{SheetUnitForm, 3, "timmar"},
		{SheetUnitForm, 4, "anvandning"},
		{SheetUnitForm, 4, "version"},
		{SheetUnitForm, 4, "kostnad_totalt_kr"},
		{SheetUnitForm, 5, "id"},
		{SheetUnitForm, 5, "periodicitet"},
		{SheetUnitForm, 5, "resultatansvarig"},
		{SheetUnitForm, 7, "id"},
		{SheetUnitForm, 7, "resultatansvarig"},
		{SheetUnitForm, 7, "anvandning_annat"},
		{SheetUnitForm, 8, "id"},
		{SheetUnitForm, 9, "uppdragsgivare_typ"},
		{SheetUnitForm, 9, "ovrigt_kr"},
	}
	if got := wheres(ps); !reflect.DeepEqual(got, want) {
		t.Errorf("problems at\n got %v\nwant %v\n%v", got, want, ps)
	}
	messages := map[where]string{
		{SheetUnitForm, 3, "id"}:                 "inget giltigt id",
		{SheetUnitForm, 3, "timmar"}:             "inget tal",
		{SheetUnitForm, 4, "anvandning"}:         "skriv ja eller nej",
		{SheetUnitForm, 4, "version"}:            "ingen giltig version",
		{SheetUnitForm, 5, "id"}:                 "står redan på rad 4",
		{SheetUnitForm, 5, "periodicitet"}:       "Varje vecka",
		{SheetUnitForm, 8, "id"}:                 "inga svar",
		{SheetUnitForm, 9, "uppdragsgivare_typ"}: "Välj ett alternativ",
		{SheetUnitForm, 9, "ovrigt_kr"}:          "heltal",
	}
	for _, p := range ps {
		if m, ok := messages[where{p.Sheet, p.Row, p.Column}]; ok && !strings.Contains(p.Message, m) {
			t.Errorf("%v: message %q lacks %q", where{p.Sheet, p.Row, p.Column}, p.Message, m)
		}
	}
	var ae *apperror.Error
	if !errors.As(err, &ae) || ae.Code != apperror.Invalid {
		t.Errorf("Problems should read as apperror.Invalid, got %v", ae)
	}
}

func TestReadUnitFormColumns(t *testing.T) {
	header := UnitFormHeader(def)
	labels := make([]any, len(header))
	for i, c := range unitFormLayout(def) {
		labels[i] = unitFormLabel(c)
	}
	minimal := []any{nil, "A", "arligen", "extern", "S", "namnd", "handlingsplan"}
	minimalHeader := []any{"id", "benamning", "periodicitet", "uppdragsgivare_typ", "syfte", "resultatansvarig", "anvandning"}
	tests := []struct {
		name  string
		rows  [][]any
		sheet string
		want  []where
		rows2 []UnitFormRow
	}{
		{
			name: "single multi columns, any order, no label row",
			rows: [][]any{
				{"syfte", "ID", "Benamning", "periodicitet", "uppdragsgivare_typ", "resultatansvarig", "anvandning"},
				{"S", 7, "A", "Årligen", "Extern uppdragsgivare", "Nämnd eller styrelse; ks", "handlingsplan"},
			},
			rows2: []UnitFormRow{{Row: 2, ID: 7, Answers: canonForm(t, base("benamning", "A", "uppdragsgivare_typ", "extern", "syfte", "S", "resultatansvarig", "ks;namnd"))}},
		},
		{
			name: "version column anywhere; blank, or on a new row, is no version",
			rows: [][]any{
				append([]any{"Version"}, minimalHeader...),
				append([]any{5}, append([]any{8}, minimal[1:]...)...),
				append([]any{nil}, append([]any{9}, minimal[1:]...)...),
				append([]any{6}, minimal...),
			},
			rows2: []UnitFormRow{
				{Row: 2, ID: 8, Version: 5, Answers: canonForm(t, base("benamning", "A", "uppdragsgivare_typ", "extern", "syfte", "S", "resultatansvarig", "namnd"))},
				{Row: 3, ID: 9, Answers: canonForm(t, base("benamning", "A", "uppdragsgivare_typ", "extern", "syfte", "S", "resultatansvarig", "namnd"))},
				{Row: 4, Answers: canonForm(t, base("benamning", "A", "uppdragsgivare_typ", "extern", "syfte", "S", "resultatansvarig", "namnd"))},
			},
		},
		{
			name: "unknown, duplicate and unnamed columns",
			rows: [][]any{
				append(append([]any{}, minimalHeader...), "kommun", "benamning", "anvandning/nagot", "Syfte"),
				append(append([]any{}, minimal...), "Falun", "B", nil, nil, nil, "stray"),
			},
			want: []where{{SheetUnitForm, 1, "kommun"}, {SheetUnitForm, 1, "benamning"}, {SheetUnitForm, 1, "anvandning/nagot"}, {SheetUnitForm, 1, "syfte"}, {SheetUnitForm, 2, "M"}},
		},
		{
			name: "label in header",
			rows: [][]any{append(append([]any{}, minimalHeader[:6]...), "Utvärderingens namn")},
			want: []where{{SheetUnitForm, 1, "Utvärderingens namn"}, {SheetUnitForm, 1, "anvandning"}},
		},
		{
			name: "both forms of a multi field",
			rows: [][]any{append(append([]any{}, minimalHeader...), "anvandning/annat"), minimal},
			want: []where{{SheetUnitForm, 1, "anvandning"}},
		},
		{
			name: "no id column, required column missing",
			rows: [][]any{minimalHeader[1:6], minimal[1:6]},
			want: []where{{SheetUnitForm, 1, "id"}, {SheetUnitForm, 1, "anvandning"}},
		},
		{
			name: "row 1 deleted",
			rows: [][]any{labels, minimal},
			want: []where{{SheetUnitForm, 1, ""}},
		},
		{
			name: "header and labels only",
			rows: [][]any{toAny(header), labels},
			want: []where{{SheetUnitForm, 0, ""}},
		},
		{
			name:  "no Utvärderingar sheet",
			sheet: "Blad1",
			rows:  [][]any{toAny(header)},
			want:  []where{{"", 0, ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sheet := tc.sheet
			if sheet == "" {
				sheet = SheetUnitForm
			}
			data := workbook(t, sheetData{sheet, tc.rows})
			got, err := ReadUnitForm(context.Background(), bytes.NewReader(data), def, Limits{})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.rows2) {
					t.Fatalf("rows:\n got %v\nwant %v", got, tc.rows2)
				}
				return
			}
			ps := problemsOf(t, err)
			if g := wheres(ps); !reflect.DeepEqual(g, tc.want) {
				t.Errorf("problems at\n got %v\nwant %v\n%v", g, tc.want, ps)
			}
			if got != nil {
				t.Errorf("rows = %v, want none", got)
			}
		})
	}
}

func TestReadUnitFormUnreadable(t *testing.T) {
	form := writeUnitForm(t, existingEvaluations(t))
	tests := []struct {
		name string
		data []byte
		lim  Limits
		code string
	}{
		{"not a workbook", []byte("benamning;syfte\nA;B\n"), Limits{}, apperror.Invalid},
		{"truncated", form[:len(form)/2], Limits{}, apperror.Invalid},
		{"too large", form, Limits{MaxBytes: int64(len(form) - 1)}, apperror.TooLarge},
		{"unzips too large", form, Limits{MaxUnzipSize: 4 << 10}, apperror.TooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadUnitForm(context.Background(), bytes.NewReader(tc.data), def, tc.lim)
			if ae := appErrorOf(t, err); ae.Code != tc.code {
				t.Errorf("code = %s, want %s (%v)", ae.Code, tc.code, ae)
			}
		})
	}
}

func TestReadUnitFormMaxRows(t *testing.T) {
	f := openBook(t, writeUnitForm(t, existingEvaluations(t)))
	for row := 5; row < 10; row++ {
		fill(t, f, row, "benamning", fmt.Sprintf("E%d", row), "periodicitet", "arligen", "uppdragsgivare_typ", "extern",
			"syfte", "S", "resultatansvarig/ks", "ja", "anvandning/annat", "ja", "anvandning_annat", "A")
	}
	data := saveBook(t, f)
	rows, err := ReadUnitForm(context.Background(), bytes.NewReader(data), def, Limits{MaxRows: 8}) // labels + 7 evaluations
	if err != nil || len(rows) != 7 {
		t.Fatalf("MaxRows 8: %d rows, %v", len(rows), err)
	}
	_, err = ReadUnitForm(context.Background(), bytes.NewReader(data), def, Limits{MaxRows: 5})
	if ps := problemsOf(t, err); len(ps) != 1 || !strings.Contains(ps[0].Message, "fler än 5 rader") {
		t.Errorf("MaxRows 5: %v", ps)
	}
}

// TestUnitFormListsSheet: a choice whose labels do not fit a typed-in list
// gets its dropdown from the hidden sheet Listor.
func TestUnitFormListsSheet(t *testing.T) {
	var opts []string
	for i := 0; i < 12; i++ {
		opts = append(opts, fmt.Sprintf(`{"code": "o%d", "label": "Ett ganska långt svarsalternativ nummer %d"}`, i, i))
	}
	long, err := form.Parse([]byte(`{"code": "t", "sections": [{"code": "s", "title": "S"}], "fields": [
		{"code": "namn", "section": "s", "label": "Namn", "type": "text", "required": true},
		{"code": "lang", "section": "s", "label": "Lång lista", "type": "choice", "options": [` + strings.Join(opts, ",") + `]},
		{"code": "komma", "section": "s", "label": "Med komma", "type": "choice", "options": [{"code": "a", "label": "Ja, alltid"}, {"code": "b", "label": "Nej"}]},
		{"code": "flera", "section": "s", "label": "Flera", "type": "multi", "options": [{"code": "x", "label": "X"}, {"code": "y", "label": "Y"}]}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteUnitForm(&buf, long, UnitFormInfo{UnitName: "U"}, []round.Evaluation{{ID: 1, Answers: form.Answers{"namn": "N", "lang": "o11", "komma": "a", "flera": "y"}}}); err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetInstructions, SheetUnitForm, SheetLists}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	if visible, _ := f.GetSheetVisible(SheetLists); visible {
		t.Error("Listor is visible")
	}
	dvs, err := f.GetDataValidations(SheetUnitForm)
	if err != nil {
		t.Fatal(err)
	}
	formulas := map[string]string{}
	for _, dv := range dvs {
		formulas[strings.SplitN(dv.Sqref, ":", 2)[0]] = dv.Formula1
	}
	want := map[string]string{"B3": "", "C3": "Listor!$A$1:$A$12", "D3": "Listor!$B$1:$B$2", "E3": `"ja,nej"`, "F3": `"ja,nej"`}
	for cell, w := range want {
		if got, ok := formulas[cell]; w == "" && ok || w != "" && got != w {
			t.Errorf("%s: dropdown %q, want %q", cell, got, w)
		}
	}
	if got, _ := f.GetCellValue(SheetLists, "A12"); got != "Ett ganska långt svarsalternativ nummer 11" {
		t.Errorf("Listor!A12 = %q", got)
	}
	if got, _ := f.GetCellValue(SheetLists, "B1"); got != "Ja, alltid" {
		t.Errorf("Listor!B1 = %q", got)
	}
	rows, err := ReadUnitForm(context.Background(), bytes.NewReader(buf.Bytes()), long, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []UnitFormRow{{Row: 3, ID: 1, Answers: form.Answers{"namn": "N", "lang": "o11", "komma": "a", "flera": "y"}}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}

// FuzzReadUnitForm: no input makes ReadUnitForm panic; an error is Problems
// or an *apperror.Error; rows are valid, canonical and have distinct ids.
func FuzzReadUnitForm(f *testing.F) {
	written := writeUnitForm(f, existingEvaluations(f))
	f.Add(written)
	book := openBook(f, written)
	fill(f, book, 5, "id", "x", "timmar", "1,2,3", "anvandning/annat", "kanske")
	f.Add(saveBook(f, book))
	f.Add(workbook(f, sheetData{SheetUnitForm, [][]any{{"id", "benamning"}, {1, "A"}}}))
	f.Add(workbook(f, sheetData{SheetUnitForm, [][]any{{"version", "id", "benamning"}, {"1e3", 1, "A"}, {-2, 2, "B"}}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadUnitForm(context.Background(), bytes.NewReader(data), def, fuzzLimits)
		checkUnitFormRead(t, rows, err)
	})
}

func checkUnitFormRead(t *testing.T, rows []UnitFormRow, err error) {
	t.Helper()
	if err != nil {
		checkRead(t, round.Dataset{}, err)
		if rows != nil {
			t.Fatalf("rows %v beside error %v", rows, err)
		}
		return
	}
	if len(rows) == 0 {
		t.Fatal("read succeeded with no rows")
	}
	ids := map[int64]bool{}
	for _, r := range rows {
		if r.Row < unitFormLabelRow || r.ID < 0 || (r.ID > 0 && ids[r.ID]) || r.Version < 0 || (r.ID == 0 && r.Version != 0) {
			t.Fatalf("bad row %+v", r)
		}
		ids[r.ID] = r.ID > 0
		again, errs := def.Validate(r.Answers, form.ModeForm)
		if len(errs) > 0 || !reflect.DeepEqual(again, r.Answers) {
			t.Fatalf("row %d not canonical: %v → %v, %v", r.Row, r.Answers, again, errs)
		}
	}
}

// FuzzUnitFormSheetXML fuzzes the Utvärderingar worksheet XML inside an
// otherwise valid unit form: mutating the zip mostly breaks its checksums,
// so FuzzReadUnitForm alone seldom reaches the row reader.
func FuzzUnitFormSheetXML(f *testing.F) {
	written := writeUnitForm(f, existingEvaluations(f))
	zr, err := zip.NewReader(bytes.NewReader(written), int64(len(written)))
	if err != nil {
		f.Fatal(err)
	}
	const target = "xl/worksheets/sheet2.xml"
	parts := map[string][]byte{}
	var names []string
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		parts[zf.Name] = b
		names = append(names, zf.Name)
	}
	if parts[target] == nil {
		f.Fatalf("no %s in %v", target, names)
	}
	f.Add(parts[target])
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="s"><v>1</v></c></row><row r="3"><c r="A3"><v>1E+300</v></c><c r="B3" t="b"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" t="str"><v>ja</v></c></row></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, sheetXML []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range names {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			content := parts[name]
			if name == target {
				content = sheetXML
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		rows, err := ReadUnitForm(context.Background(), &buf, def, fuzzLimits)
		checkUnitFormRead(t, rows, err)
	})
}
