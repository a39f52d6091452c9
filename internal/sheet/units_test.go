package sheet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

// wantUnits is what testdata/unitform/enheter.csv holds.
var wantUnits = []round.Unit{
	{Name: "Socialförvaltningen", Kommuner: []string{"Falun"}, Omrade: "Vård och omsorg", ChefName: "Eva Ek", ChefEmail: "eva.ek@falun.example.se"},
	// Shared, split by population (the default): accepted without
	// populations.
	{Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Borlänge", "Falun", "Säter"}, Omrade: "Räddning", ChefName: "Åsa Öberg", ChefEmail: "asa.oberg@example.se"},
	// "säter" is the kommun spelt Säter above.
	{Name: "Gymnasienämnden Borlänge–Säter", Kommuner: []string{"Borlänge", "Säter"}, Omrade: "Utbildning", Fordelning: "Borlänge=0,6;Säter=0,4"},
	{Name: "Kultur och fritid", Kommuner: []string{"Falun"}, Response: round.Declined, Reason: "Omorganisation under hösten"},
	{Name: "Tillväxtgruppen", Kommuner: []string{"Falun", "Säter"}, Fordelning: "lika", Response: round.NoEvaluations, ChefName: "Per Persson", ChefEmail: "per@example.se"},
	// The same name in another kommun is another unit.
	{Name: "Socialförvaltningen", Kommuner: []string{"Säter"}, Omrade: "Vård och omsorg"},
}

// unitsCSV reads the CSV test file as rows of cells.
func unitsCSVRows(t *testing.T) [][]any {
	t.Helper()
	src, err := newCSVSource(context.Background(), SheetEnheter, bytes.NewReader(readTestdata(t, "enheter.csv")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for {
		_, cells, err := src.next()
		if err != nil {
			break
		}
		rows = append(rows, toAny(append([]string(nil), cells...)))
	}
	return rows
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/unitform/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// filledTemplate is the units template with rows typed onto its enheter
// sheet.
func filledTemplate(t *testing.T, rows [][]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteUnitsTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellValue(SheetEnheter, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return saveBook(t, f)
}

func TestReadUnits(t *testing.T) {
	csvRows := unitsCSVRows(t)
	comma := "enhet,kommun,fordelning\r\nA,\"Falun;Säter\",\r\n"
	tests := []struct {
		name     string
		filename string
		data     []byte
		want     []round.Unit
	}{
		{"csv with semicolons and BOM", "enheter.csv", readTestdata(t, "enheter.csv"), wantUnits},
		{"csv with commas", "Enheter.CSV", []byte(comma), []round.Unit{{Name: "A", Kommuner: []string{"Falun", "Säter"}}}},
		{"filled template", "enheter.xlsx", filledTemplate(t, csvRows[1:]), wantUnits},
		{"only sheet, any name", "x.xlsx", workbook(t, sheetData{"Blad1", csvRows}), wantUnits},
		{"enheter among other sheets", "x.xlsx", workbook(t, sheetData{"kommuner", [][]any{{"kommun"}, {"Falun"}}}, sheetData{"Enheter", csvRows}), wantUnits},
		{"workbook without extension", "", workbook(t, sheetData{SheetEnheter, csvRows}), wantUnits},
		{"csv with another extension", "enheter.dat", []byte(comma), []round.Unit{{Name: "A", Kommuner: []string{"Falun", "Säter"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadUnits(context.Background(), bytes.NewReader(tc.data), tc.filename, def, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("units:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadUnitsProblems(t *testing.T) {
	header := []any{"enhet", "kommun", "omrade", "fordelning", "status", "orsak", "verksamhetschef", "epost"}
	rows := [][]any{
		header,
		{"Socialförvaltningen", "Falun", nil, nil, nil, nil, "Eva", "eva.ek@falun"},                // 2: epost
		{"Räddningstjänsten", "Borlänge;Falun", nil, "Borlänge=0,5;Falun=0,4", nil, nil, nil, nil}, // 3: fordelning
		{"Kultur", "Falun", nil, nil, "avbojt", nil, nil, nil},                                     // 4: orsak missing
		{"Skola", "Falun", nil, nil, nil, "Ingen tid", nil, nil},                                   // 5: orsak without status
		{"socialförvaltningen", "Säter;falun", nil, "lika", nil, nil, nil, nil},                    // 6: fine (row 2 is refused, so no clash)
		{nil, "Säter", "Vård", nil, nil, nil, nil, nil},                                            // 7: enhet missing
		{"Miljö", nil, nil, nil, "kanske", nil, nil, nil},                                          // 8: kommun missing, status
		{"Teknik", "Falun;Falun", nil, nil, nil, nil, nil, nil},                                    // 9: kommun twice
		{"Vatten", "Falun;Säter", nil, "Falun=1", nil, nil, nil, nil},                              // 10: Säter's share missing
		{"Socialförvaltningen", "Säter", nil, nil, nil, nil, nil, "chef@example.se"},               // 11: duplicate of row 6 in Säter
		{"Bygg", "Säter", nil, nil, nil, nil, nil, "bygg@example.se"},                              // 12: fine
	}
	want := []where{
		{SheetEnheter, 2, "epost"},
		{SheetEnheter, 3, "fordelning"},
		{SheetEnheter, 4, "orsak"},
		{SheetEnheter, 5, "orsak"},
		{SheetEnheter, 7, "enhet"},
		{SheetEnheter, 8, "kommun"},
		{SheetEnheter, 8, "status"},
		{SheetEnheter, 9, "kommun"},
		{SheetEnheter, 10, "fordelning"},
		{SheetEnheter, 11, "enhet"},
	}
	var csv strings.Builder
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			if c != nil {
				cells[i] = `"` + c.(string) + `"`
			}
		}
		csv.WriteString(strings.Join(cells, ";") + "\r\n")
	}
	inputs := []struct {
		name, filename string
		data           []byte
	}{
		{"xlsx", "enheter.xlsx", workbook(t, sheetData{SheetEnheter, rows})},
		{"csv", "enheter.csv", []byte(csv.String())},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			units, err := ReadUnits(context.Background(), bytes.NewReader(in.data), in.filename, def, Limits{})
			if units != nil {
				t.Errorf("units = %v, want none", units)
			}
			ps := problemsOf(t, err)
			if got := wheres(ps); !reflect.DeepEqual(got, want) {
				t.Errorf("problems at\n got %v\nwant %v\n%v", got, want, ps)
			}
			for _, p := range ps {
				if p.Row == 11 && !strings.Contains(p.Message, "finns redan på rad 6") {
					t.Errorf("duplicate: %q", p.Message)
				}
			}
		})
	}
}

func TestReadUnitsRefused(t *testing.T) {
	var template bytes.Buffer
	if err := WriteUnitsTemplate(&template); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, filename string
		data           []byte
		lim            Limits
		code           string // apperror code; "" for Problems at wantAt
		wantAt         []where
	}{
		{name: "old excel", filename: "enheter.xls", data: []byte{0xD0, 0xCF, 0x11, 0xE0}, code: apperror.Invalid},
		{name: "broken workbook", filename: "enheter.xlsx", data: []byte("PK\x03\x04 broken"), code: apperror.Invalid},
		{name: "workbook named csv", filename: "enheter.csv", data: template.Bytes(), code: apperror.Invalid},
		{name: "too large", filename: "enheter.csv", data: []byte("enhet;kommun\r\nA;B\r\n"), lim: Limits{MaxBytes: 10}, code: apperror.TooLarge},
		{name: "empty template", filename: "enheter.xlsx", data: template.Bytes(), wantAt: []where{{SheetEnheter, 0, ""}}},
		{name: "no enheter sheet", filename: "x.xlsx", data: workbook(t, sheetData{"A", nil}, sheetData{"B", nil}), wantAt: []where{{"", 0, ""}}},
		{name: "unknown column", filename: "x.csv", data: []byte("enhet;kommun;invanare\r\nA;B;3\r\n"), wantAt: []where{{SheetEnheter, 1, "invanare"}}},
		{name: "too many rows", filename: "x.csv", data: []byte("enhet;kommun\r\nA;B\r\nC;D\r\nE;F\r\n"), lim: Limits{MaxRows: 2}, wantAt: []where{{SheetEnheter, 4, ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, err := ReadUnits(context.Background(), bytes.NewReader(tc.data), tc.filename, def, tc.lim)
			if units != nil {
				t.Errorf("units = %v, want none", units)
			}
			if tc.code != "" {
				if ae := appErrorOf(t, err); ae.Code != tc.code {
					t.Errorf("code = %s, want %s (%v)", ae.Code, tc.code, ae)
				}
				return
			}
			if got := wheres(problemsOf(t, err)); !reflect.DeepEqual(got, tc.wantAt) {
				t.Errorf("problems at %v, want %v", got, tc.wantAt)
			}
		})
	}
}

func TestWriteUnitsTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteUnitsTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetInstructions, SheetEnheter}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	rows, err := f.GetRows(SheetEnheter)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !reflect.DeepEqual(rows[0], enheterColumns) {
		t.Errorf("enheter = %v, want the header %v alone", rows, enheterColumns)
	}
	text := instructionText(t, f)
	for _, c := range enheterColumns {
		if !strings.Contains(text, c+" | ") || unitsColumnHelp[c][1] == "" {
			t.Errorf("instructions do not explain %s", c)
		}
	}
	for _, w := range []string{"Räddningstjänsten Dala Mitt", "Borlänge;Falun;Säter", "anna.andersson@example.se", "avbojt", "inga_utvarderingar"} {
		if !strings.Contains(text, w) {
			t.Errorf("instructions lack %q", w)
		}
	}
	dvs, err := f.GetDataValidations(SheetEnheter)
	if err != nil {
		t.Fatal(err)
	}
	if len(dvs) != 1 || dvs[0].Sqref != "E2:E1001" || dvs[0].Formula1 != `"avbojt,inga_utvarderingar"` {
		t.Errorf("status dropdown = %+v", dvs)
	}

	// The example row, typed onto the enheter sheet, reads back.
	var example []any
	for _, c := range enheterColumns {
		if v := unitsExample[c]; v != "" {
			example = append(example, v)
		} else {
			example = append(example, nil)
		}
	}
	units, err := ReadUnits(context.Background(), bytes.NewReader(filledTemplate(t, [][]any{example})), "enheter.xlsx", def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []round.Unit{{Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Borlänge", "Falun", "Säter"}, Omrade: "Räddningstjänst",
		Fordelning: "Borlänge=0,5;Falun=0,3;Säter=0,2", ChefName: "Anna Andersson", ChefEmail: "anna.andersson@example.se"}}
	if !reflect.DeepEqual(units, want) {
		t.Errorf("example:\n got %+v\nwant %+v", units, want)
	}
}

// TestUnitRulesAreTheRoundsRules: the units upload and the import refuse
// a bad unit with the message of round.NormalizeUnit, the function the web
// form uses, in the column it names.
func TestUnitRulesAreTheRoundsRules(t *testing.T) {
	bad := round.Unit{Name: "Miljö", Kommuner: []string{"Falun"}, ChefEmail: "eva.ek@falun"}
	_, err := round.NormalizeUnit(bad, []string{"Falun"})
	var want round.UnitProblems
	if !errors.As(err, &want) || len(want) != 1 || want[0].Field != "epost" {
		t.Fatalf("the rules do not refuse %+v: %v", bad, err)
	}
	rows := [][]any{{"enhet", "kommun", "epost"}, {"Miljö", "Falun", "eva.ek@falun"}}
	reads := map[string]func() error{
		"units upload (xlsx)": func() error {
			_, err := ReadUnits(context.Background(), bytes.NewReader(workbook(t, sheetData{SheetEnheter, rows})), "enheter.xlsx", def, Limits{})
			return err
		},
		"units upload (csv)": func() error {
			_, err := ReadUnits(context.Background(), strings.NewReader("enhet;kommun;epost\nMiljö;Falun;eva.ek@falun\n"), "enheter.csv", def, Limits{})
			return err
		},
		"import": func() error {
			_, err := ReadXLSX(context.Background(), bytes.NewReader(workbook(t, sheetData{SheetEnheter, rows})), def, Limits{})
			return err
		},
	}
	for name, read := range reads {
		ps := problemsOf(t, read())
		if len(ps) != 1 || ps[0].Sheet != SheetEnheter || ps[0].Row != 2 || ps[0].Column != "epost" || ps[0].Message != want[0].Message {
			t.Errorf("%s: got %v, want row 2, column epost: %q", name, ps, want[0].Message)
		}
	}
}
