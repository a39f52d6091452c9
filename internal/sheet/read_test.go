package sheet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// required is the header and values of a minimal valid evaluation.
var (
	reqHeader = []string{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning"}
	reqValues = []string{"Falun", "Skolan", "Nationella prov", "arligen", "Betyg", "namnd", "handlingsplan"}
)

// onlyEvaluation returns the answers of a dataset's single evaluation.
func onlyEvaluation(t *testing.T, ds round.Dataset, err error) form.Answers {
	t.Helper()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if len(ds.Units) != 1 || len(ds.Units[0].Evaluations) != 1 {
		t.Fatalf("dataset = %+v, want one evaluation", ds)
	}
	return ds.Units[0].Evaluations[0].Answers
}

func TestReadCSVVariants(t *testing.T) {
	want := canon(t, form.Answers{
		"benamning": "Nationella prov", "periodicitet": "arligen", "syfte": "Betyg", "resultatansvarig": "namnd",
		"anvandning": "politiskt_beslut;handlingsplan", "timmar": "1234.5", "lagstadgad": "ja",
	})
	tests := []struct {
		name string
		csv  string
	}{
		{"semicolon", csvLines(
			"kommun;enhet;benamning;periodicitet;syfte;resultatansvarig;anvandning;timmar;lagstadgad",
			`Falun;Skolan;Nationella prov;arligen;Betyg;namnd;"politiskt_beslut;handlingsplan";1 234,5;ja`)},
		{"semicolon list quoted", csvLines(
			"kommun;enhet;benamning;periodicitet;syfte;resultatansvarig;anvandning;timmar;lagstadgad",
			`Falun;Skolan;Nationella prov;arligen;Betyg;namnd;"handlingsplan;politiskt_beslut";1 234,5;JA`)},
		{"comma with BOM", "\ufeff" + csvLines(
			"kommun,enhet,benamning,periodicitet,syfte,resultatansvarig,anvandning,timmar,lagstadgad",
			`Falun,Skolan,Nationella prov,arligen,Betyg,namnd,"politiskt_beslut, handlingsplan",1234.5,x`)},
		{"comma, LF line ends, number with comma quoted", "kommun,enhet,benamning,periodicitet,syfte,resultatansvarig,anvandning,timmar,lagstadgad\n" +
			`Falun,Skolan,Nationella prov,arligen,Betyg,namnd,"politiskt_beslut;handlingsplan","1234,50",true` + "\n"},
		{"semicolon with BOM, labels, case, spaces", "\ufeff" + csvLines(
			" Kommun ;ENHET;Benämning;Periodicitet;Syfte;Resultatansvarig;Anvandning;Timmar;Lagstadgad",
			"Falun;Skolan;Nationella prov;Årligen;Betyg;Nämnd eller styrelse;Politiska beslut och ställningstaganden , handlingsplan för förbättringsarbete;1\u00a0234,5;1")},
		{"XLSForm columns", csvLines(
			"kommun;enhet;benamning;periodicitet;syfte;resultatansvarig/namnd;resultatansvarig/kf;anvandning/politiskt_beslut;anvandning/handlingsplan;anvandning/annat;anvandning/inte_alls;timmar;lagstadgad",
			"Falun;Skolan;Nationella prov;arligen;Betyg;ja;nej;JA;x;;Nej;1234,5;Ja")},
		{"XLSForm columns with labels and 1/0", csvLines(
			"kommun;enhet;benamning;periodicitet;syfte;resultatansvarig;anvandning/Politiska beslut och ställningstaganden;anvandning / handlingsplan;anvandning/annat;timmar;lagstadgad",
			"Falun;Skolan;Nationella prov;arligen;Betyg;namnd;1;true;0;1234.5;sant")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadCSV(context.Background(), strings.NewReader(tt.csv), def, DefaultLimits())
			got := onlyEvaluation(t, ds, err)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("answers:\n got %v\nwant %v", got, want)
			}
			wantUnit := round.Unit{Name: "Skolan", Kommuner: []string{"Falun"}, Response: round.Submitted}
			if !reflect.DeepEqual(ds.Units[0].Unit, wantUnit) {
				t.Errorf("unit = %+v, want %+v", ds.Units[0].Unit, wantUnit)
			}
			if !reflect.DeepEqual(ds.Kommuner, []round.Kommun{{Name: "Falun"}}) {
				t.Errorf("kommuner = %+v", ds.Kommuner)
			}
		})
	}
}

func TestReadValues(t *testing.T) {
	tests := []struct {
		column, cell string
		want         string // canonical answer; "" = not given
	}{
		{"timmar", "1 234,5", "1234.5"},
		{"timmar", "1234.5", "1234.5"},
		{"timmar", "1,5", "1.5"},
		{"timmar", "1,234", ""}, // 1.234: three decimals, refused below
		{"timmar", "0", "0"},
		{"timmar", "", ""},
		{"konsult_kr", "12 000", "12000"},
		{"lagstadgad", "JA", "ja"},
		{"lagstadgad", "x", "ja"},
		{"lagstadgad", "1", "ja"},
		{"lagstadgad", "true", "ja"},
		{"lagstadgad", "Nej", "nej"},
		{"lagstadgad", "0", "nej"},
		{"lagstadgad", "", ""},
		{"uppdragsgivare_typ", "", ""}, // blank counts as ej_angiven in the report
		{"uppdragsgivare_typ", "Politisk uppdragsgivare", "politisk"},
		{"anvandning", "inte_alls", "inte_alls"},
		{"kommentar", "'=1+2", "=1+2"},
		{"kommentar", "'hej", "'hej"},
	}
	for _, tt := range tests {
		header := append(append([]string{}, reqHeader...), tt.column)
		values := append(append([]string{}, reqValues...), tt.cell)
		if i := indexOf(reqHeader, tt.column); i >= 0 {
			header, values = reqHeader, append([]string{}, reqValues...)
			values[i] = tt.cell
		}
		in := csvLines(strings.Join(header, ";"), strings.Join(values, ";"))
		ds, err := ReadCSV(context.Background(), strings.NewReader(in), def, DefaultLimits())
		if tt.column == "timmar" && tt.cell == "1,234" {
			ps := problemsOf(t, err)
			if got := wheres(ps); !reflect.DeepEqual(got, []where{{SheetUtvarderingar, 2, "timmar"}}) {
				t.Errorf("%s=%q: problems %v", tt.column, tt.cell, ps)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%q: %v", tt.column, tt.cell, err)
			continue
		}
		if got := ds.Units[0].Evaluations[0].Answers[tt.column]; got != tt.want {
			t.Errorf("%s=%q: got %q, want %q", tt.column, tt.cell, got, tt.want)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestReadXLSXCells(t *testing.T) {
	// Numbers stored as numbers, with formats that display otherwise, and a
	// float with binary noise; booleans; XLSForm columns.
	header := []any{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning/handlingsplan", "anvandning/annat", "anvandning_annat", "timmar", "konsult_kr", "lagstadgad"}
	rows := [][]any{
		header,
		{"Falun", "Skolan", "A", "arligen", "Betyg", "namnd", "ja", nil, nil, 1234.5, 15000, true},
		{"Falun", "Skolan", "B", "arligen", "Betyg", "namnd", true, false, nil, 12.499999999999998, 1.5e4, false},
		{"Falun", "Skolan", 2009, "arligen", "Betyg", "namnd", 1, 1, "Budget", "12,5", "15 000", 1},
		{"Falun", "Skolan", "D", "arligen", "Betyg", "namnd", "x", nil, nil, 0.1 + 0.2, nil, "Nej"},
	}
	data := workbook(t, sheetData{"Utvärderingar", rows})
	// A date format on a number cell must not change what is read.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	moneyFmt := `#,##0.00 "kr"`
	moneyStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	_ = f.SetCellStyle("Utvärderingar", "J2", "J2", dateStyle)
	_ = f.SetCellStyle("Utvärderingar", "K2", "K2", moneyStyle)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ds, err := ReadXLSX(context.Background(), &buf, def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []form.Answers{
		canon(t, base("benamning", "A", "syfte", "Betyg", "anvandning", "handlingsplan", "timmar", "1234.5", "konsult_kr", "15000", "lagstadgad", "ja")),
		canon(t, base("benamning", "B", "syfte", "Betyg", "anvandning", "handlingsplan", "timmar", "12.5", "konsult_kr", "15000", "lagstadgad", "nej")),
		canon(t, base("benamning", "2009", "syfte", "Betyg", "anvandning", "handlingsplan;annat", "anvandning_annat", "Budget", "timmar", "12.5", "konsult_kr", "15000", "lagstadgad", "ja")),
		canon(t, base("benamning", "D", "syfte", "Betyg", "anvandning", "handlingsplan", "timmar", "0.3", "lagstadgad", "nej")),
	}
	for i := range want {
		delete(want[i], "uppdragsgivare_typ")
	}
	if len(ds.Units) != 1 || len(ds.Units[0].Evaluations) != len(want) {
		t.Fatalf("dataset = %+v", ds)
	}
	for i, w := range want {
		if got := ds.Units[0].Evaluations[i].Answers; !reflect.DeepEqual(got, w) {
			t.Errorf("row %d:\n got %v\nwant %v", i+2, got, w)
		}
	}
}

func TestNormalizeFloat(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		want     string
	}{
		{"12.499999999999998", 2, "12.5"},
		{"12.4999999999999", 2, "12.5"},
		{"0.30000000000000004", 2, "0.3"},
		{"12.499", 2, "12.499"},
		{"1.005", 2, "1.005"},
		{"1E-3", 2, "0.001"},
		{"1.5E4", 0, "15000"},
		{"15000.000000000002", 0, "15000"},
		{"1234.5", 2, "1234.5"},
		{"1234.5", 0, "1234.5"},
		{"15000", 0, "15000"},
		{"1 234,5", 2, "1 234,5"},
		{"1,5", 2, "1,5"},
		{"-2.5", 2, "-2.5"},
		{"e", 2, "e"},
		{"1e400", 2, "1e400"},
		{"abc.def", 2, "abc.def"},
	}
	for _, tt := range tests {
		if got := normalizeFloat(tt.in, tt.decimals); got != tt.want {
			t.Errorf("normalizeFloat(%q, %d) = %q, want %q", tt.in, tt.decimals, got, tt.want)
		}
	}
}

// TestFaultyWorkbook: nine faulty rows of different kinds among good ones;
// every one is reported with sheet, row and column, and nothing else.
func TestFaultyWorkbook(t *testing.T) {
	header := []any{"kommun", "enhet", "benamning", "periodicitet", "uppdragsgivare_typ", "syfte", "resultatansvarig",
		"anvandning", "anvandning_annat", "brukarundersokning", "malgrupp", "metod", "timmar", "konsult_kr", "kostnad_totalt_kr"}
	good := func(changes ...any) []any {
		row := []any{"Falun", "Skolan", "Nationella prov", "arligen", "extern", "Betyg", "namnd",
			"handlingsplan", nil, "nej", nil, nil, 10.5, 2000, nil}
		for i := 0; i+1 < len(changes); i += 2 {
			row[indexOf(toStrings(header), changes[i].(string))] = changes[i+1]
		}
		return row
	}
	utv := [][]any{
		header,
		good(),                               // 2
		good("benamning", nil),               // 3: missing benamning
		good("timmar", "tolv"),               // 4: bad number
		good("resultatansvarig", "ingen;kf"), // 5: ingen with kf
		good(),                               // 6
		good("anvandning", "annat"),          // 7: annat without anvandning_annat
		good("brukarundersokning", "ja", "metod", "enkat_webb"), // 8: no malgrupp
		good("periodicitet", "varannan vecka"),                  // 9: unknown option
		good("konsult_kr", -500),                                // 10: negative kr
		{},                                                      // 11: blank row, skipped
		good("kostnad_totalt_kr", 90000),                        // 12: total and parts
		good("kommun", "Vansbro", "enhet", "Räddningstjänsten Dala Mitt"), // 13: not a member
		good("kommun", "Säter", "enhet", "Räddningstjänsten Dala Mitt"),   // 14
	}
	data := workbook(t,
		sheetData{SheetKommuner, [][]any{{"kommun", "invanare"}, {"Borlänge", 49000}, {"Falun", 55000}, {"Säter", 11000}, {"Vansbro", 7000}}},
		sheetData{SheetEnheter, [][]any{{"enhet", "kommun", "fordelning"}, {"Räddningstjänsten Dala Mitt", "Borlänge;Falun;Säter", "Borlänge=0,5;Falun=0,3;Säter=0,2"}, {"Skolan", "Falun"}}},
		sheetData{SheetUtvarderingar, utv},
	)
	_, err := ReadXLSX(context.Background(), bytes.NewReader(data), def, DefaultLimits())
	ps := problemsOf(t, err)
	want := []where{
		{SheetUtvarderingar, 3, "benamning"},
		{SheetUtvarderingar, 4, "timmar"},
		{SheetUtvarderingar, 5, "resultatansvarig"},
		{SheetUtvarderingar, 7, "anvandning_annat"},
		{SheetUtvarderingar, 8, "malgrupp"},
		{SheetUtvarderingar, 9, "periodicitet"},
		{SheetUtvarderingar, 10, "konsult_kr"},
		{SheetUtvarderingar, 12, "kostnad_totalt_kr"},
		{SheetUtvarderingar, 13, "kommun"},
	}
	if got := wheres(ps); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%v\nwant at %v", ps, want)
	}
	for _, p := range ps {
		if p.Message == "" {
			t.Errorf("problem %+v has no message", p)
		}
	}
	if !strings.Contains(ps.Error(), "utvarderingar rad 4, kolumn timmar: ") {
		t.Errorf("Error() = %q", ps.Error())
	}
	if n := strings.Count(ps.Error(), "\n"); n != len(want)-1 {
		t.Errorf("Error() has %d lines, want %d", n+1, len(want))
	}
	if apperror.Code(err) != apperror.Invalid || !strings.Contains(apperror.Message(err), "9 fel") {
		t.Errorf("apperror view = %s %q", apperror.Code(err), apperror.Message(err))
	}
}

func toStrings(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}

func TestReadWorkbookProblems(t *testing.T) {
	utvHeader := []any{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning"}
	ev := func(kommun, enhet string) []any {
		return []any{kommun, enhet, "Prov", "arligen", "Betyg", "namnd", "handlingsplan"}
	}
	kommuner := sheetData{SheetKommuner, [][]any{{"kommun", "invanare"}, {"Borlänge", 49000}, {"Falun", nil}, {"Säter", 11000}}}
	tests := []struct {
		name   string
		sheets []sheetData
		want   []where
	}{
		{
			name: "enheter rules",
			sheets: []sheetData{kommuner, {SheetEnheter, [][]any{
				{"enhet", "kommun", "fordelning", "status", "orsak", "epost"},
				{"Räddningstjänsten", "Borlänge;Falun", nil},        // 2: population of Falun unknown
				{"Gymnasiet", "Borlänge;Säter", "invanare"},         // 3: fine
				{"Gymnasiet", "Säter", nil},                         // 4: Gymnasiet in Säter again
				{"Vården", "Borlänge;Mora", "lika"},                 // 5: Mora not on kommuner
				{"Kultur", "Falun", nil, "avbojt"},                  // 6: no reason
				{"Teknik", "Falun", nil, "kanske"},                  // 7: bad status
				{"Miljö", "Säter", nil, nil, nil, "inte en adress"}, // 8: bad e-mail
				{"NVK", "Borlänge;Säter", "Borlänge=0,5;Säter=0,6"}, // 9: shares sum to 1.1
				{"Bygg", "Borlänge", nil, nil, "för att"},           // 10: reason without status
				{"Tomt", nil},                                        // 11: no kommun
				{"Dubbel", "Säter;Säter", "lika"},                    // 12: member twice
				{"Ingen", "Säter", nil, "inga utvärderingar"},        // 13: fine, then evaluation below
				{"Avböjd", "Säter", nil, "Avböjt", "Omorganisation"}, // 14: fine, then evaluation below
			}}, {SheetUtvarderingar, [][]any{utvHeader, ev("Säter", "Ingen"), ev("Säter", "Avböjd"), ev("Säter", "Gymnasiet"), ev("Mora", "X")}}},
			want: []where{
				{SheetEnheter, 2, "fordelning"},
				{SheetEnheter, 4, "enhet"},
				{SheetEnheter, 5, "kommun"},
				{SheetEnheter, 6, "orsak"},
				{SheetEnheter, 7, "status"},
				{SheetEnheter, 8, "epost"},
				{SheetEnheter, 9, "fordelning"},
				{SheetEnheter, 10, "orsak"},
				{SheetEnheter, 11, "kommun"},
				{SheetEnheter, 12, "kommun"},
				{SheetUtvarderingar, 2, "enhet"},
				{SheetUtvarderingar, 3, "enhet"},
				{SheetUtvarderingar, 5, "kommun"},
			},
		},
		{
			name: "kommuner rules",
			sheets: []sheetData{{SheetKommuner, [][]any{
				{"Kommun", "Invånare"},
				{"Falun", "55 000"},
				{"falun", 1},         // 3: duplicate
				{"Mora", -5},         // 4: negative
				{"Leksand", "många"}, // 5: not a number
				{nil, 300},           // 6: no name
				{"A;B", nil},         // 7: semicolon
				{"Rättvik", 10.5},    // 8: decimals
			}}},
			want: []where{
				{SheetKommuner, 3, "kommun"},
				{SheetKommuner, 4, "invanare"},
				{SheetKommuner, 5, "invanare"},
				{SheetKommuner, 6, "kommun"},
				{SheetKommuner, 7, "kommun"},
				{SheetKommuner, 8, "invanare"},
			},
		},
		{
			name: "headers",
			sheets: []sheetData{
				{SheetKommuner, [][]any{{"kommun", "invanare", "län"}, {"Falun", 1}}},
				{SheetEnheter, [][]any{{"enhet", "omrade"}, {"Skolan", "Skola"}}},
				{SheetUtvarderingar, [][]any{
					{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning", "timar", "Syfte", "metod", "metod/enkat_webb", "anvandning/kaffe", "Utvärderingens namn", nil},
					{"Falun", "Skolan", "Prov", "arligen", "Betyg", "namnd", "handlingsplan", 1, "x", nil, nil, nil, nil, "värde utan rubrik"},
				}},
			},
			want: []where{
				{SheetKommuner, 1, "län"},
				{SheetEnheter, 1, "kommun"},
				{SheetUtvarderingar, 1, "timar"},
				{SheetUtvarderingar, 1, "syfte"},
				{SheetUtvarderingar, 1, "anvandning/kaffe"},
				{SheetUtvarderingar, 1, "Utvärderingens namn"},
				{SheetUtvarderingar, 1, "metod"},
				{SheetUtvarderingar, 2, "N"},
			},
		},
		{
			name:   "missing columns",
			sheets: []sheetData{{SheetUtvarderingar, [][]any{{"kommun", "benamning", "periodicitet"}, {"Falun", "Prov", "arligen"}, {"Falun", "Prov2", "arligen"}}}},
			want: []where{
				{SheetUtvarderingar, 1, "enhet"},
				{SheetUtvarderingar, 1, "syfte"},
				{SheetUtvarderingar, 1, "resultatansvarig"},
				{SheetUtvarderingar, 1, "anvandning"},
			},
		},
		{
			name:   "no known sheet",
			sheets: []sheetData{{"Blad1", [][]any{{"x"}}}, {"Blad2", [][]any{{"y"}}}},
			want:   []where{{"", 0, ""}},
		},
		{
			name:   "empty workbook",
			sheets: []sheetData{{SheetUtvarderingar, nil}},
			want:   []where{{"", 0, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadXLSX(context.Background(), bytes.NewReader(workbook(t, tt.sheets...)), def, DefaultLimits())
			ps := problemsOf(t, err)
			if got := wheres(ps); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%v\n got at %v\nwant at %v", ps, got, tt.want)
			}
		})
	}
}

func TestReadSingleOddlyNamedSheet(t *testing.T) {
	rows := [][]any{toAny(reqHeader), toAny(reqValues)}
	ds, err := ReadXLSX(context.Background(), bytes.NewReader(workbook(t, sheetData{"Blad1", rows})), def, DefaultLimits())
	onlyEvaluation(t, ds, err)
}

func TestReadEnheterOnly(t *testing.T) {
	data := workbook(t,
		sheetData{SheetKommuner, [][]any{{"kommun", "invanare"}, {"Borlänge", 49000}, {"Säter", 11000}, {"Falun", nil}}},
		sheetData{SheetEnheter, [][]any{
			{"enhet", "kommun", "omrade", "fordelning", "status", "orsak", "verksamhetschef", "epost"},
			{"Gymnasienämnden", "borlänge; Säter", "Utbildning", nil, nil, nil, "Eva Ek", "eva.ek@example.se"},
			{"Kultur", "Falun", nil, nil, "avbojt", "Ingen tid"},
			{"Socialförvaltningen", "Falun"},
			{"Socialförvaltningen", "Säter", nil, nil, "inga_utvarderingar"},
		}},
	)
	ds, err := ReadXLSX(context.Background(), bytes.NewReader(data), def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := round.Dataset{
		Kommuner: []round.Kommun{{Name: "Borlänge", Population: pop(49000)}, {Name: "Säter", Population: pop(11000)}, {Name: "Falun"}},
		Units: []round.UnitData{
			{Unit: round.Unit{Name: "Gymnasienämnden", Kommuner: []string{"Borlänge", "Säter"}, Omrade: "Utbildning", ChefName: "Eva Ek", ChefEmail: "eva.ek@example.se"}},
			{Unit: round.Unit{Name: "Kultur", Kommuner: []string{"Falun"}, Response: round.Declined, Reason: "Ingen tid"}},
			{Unit: round.Unit{Name: "Socialförvaltningen", Kommuner: []string{"Falun"}}},
			{Unit: round.Unit{Name: "Socialförvaltningen", Kommuner: []string{"Säter"}, Response: round.NoEvaluations}},
		},
	}
	diffDatasets(t, ds, want)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestReadCSVRefused(t *testing.T) {
	valid := csvLines(strings.Join(reqHeader, ";"), strings.Join(reqValues, ";"))
	latin1 := strings.ReplaceAll(valid, "Falun", "G\xe4vle") // ä in ISO 8859-1
	utf16 := "\xff\xfek\x00o\x00m\x00"
	tests := []struct {
		name string
		in   string
		lim  Limits
		code string
		msg  string
	}{
		{"latin-1", latin1, Limits{}, apperror.Invalid, "CSV UTF-8"},
		{"utf-16", utf16, Limits{}, apperror.Invalid, "UTF-16"},
		{"xlsx uploaded as CSV", "PK\x03\x04rest", Limits{}, apperror.Invalid, "arbetsbok"},
		{"too large", valid, Limits{MaxBytes: 50}, apperror.TooLarge, "för stor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(context.Background(), strings.NewReader(tt.in), def, tt.lim)
			ae := appErrorOf(t, err)
			if ae.Code != tt.code || !strings.Contains(ae.Message, tt.msg) {
				t.Errorf("error = %s %q, want %s containing %q", ae.Code, ae.Message, tt.code, tt.msg)
			}
		})
	}
	if _, err := ReadCSV(context.Background(), strings.NewReader(valid), def, Limits{MaxBytes: int64(len(valid))}); err != nil {
		t.Errorf("file of exactly MaxBytes refused: %v", err)
	}
}

func TestReadCSVRows(t *testing.T) {
	h := strings.Join(reqHeader, ";")
	v := strings.Join(reqValues, ";")
	tests := []struct {
		name string
		in   string
		want []where
	}{
		{"ragged", csvLines(h, v, v+";extra", "Falun;Skolan", v), []where{
			{SheetUtvarderingar, 3, ""},
			{SheetUtvarderingar, 4, ""},
		}},
		// Blank lines count as rows; a quoted line break does not.
		{"row numbers", csvLines(h, v, "", ";;;;;;", `Falun;Skolan;"två`+"\r\n"+`rader";arligen;Betyg;namnd;handlingsplan`, v, "Falun;Skolan;;arligen;Betyg;namnd;handlingsplan"), []where{
			{SheetUtvarderingar, 7, "benamning"},
		}},
		{"bare quote", csvLines(h, `Falun;Skolan;Prov "A";arligen;Betyg;namnd;handlingsplan`, v), []where{
			{SheetUtvarderingar, 2, ""},
		}},
		{"unknown header", csvLines(h+";timar", v+";3"), []where{
			{SheetUtvarderingar, 1, "timar"},
		}},
		{"header only", csvLines(h), []where{{"", 0, ""}}},
		{"too wide", csvLines(h+strings.Repeat(";x", MaxColumns), v), []where{{SheetUtvarderingar, 1, ""}}},
		{"empty", "", []where{{"", 0, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(context.Background(), strings.NewReader(tt.in), def, DefaultLimits())
			ps := problemsOf(t, err)
			if got := wheres(ps); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%v\n got at %v\nwant at %v", ps, got, tt.want)
			}
		})
	}
	_, err := ReadCSV(context.Background(), strings.NewReader(csvLines(h+";timar", v+";3")), def, DefaultLimits())
	if msg := problemsOf(t, err)[0].Message; !strings.Contains(msg, "Menade du timmar?") {
		t.Errorf("unknown header message = %q, want a suggestion", msg)
	}
}

func TestLimits(t *testing.T) {
	h := strings.Join(reqHeader, ";")
	v := strings.Join(reqValues, ";")
	bad := strings.Replace(v, "arligen", "ibland", 1)

	t.Run("MaxRows", func(t *testing.T) {
		_, err := ReadCSV(context.Background(), strings.NewReader(csvLines(h, v, v, v, v)), def, Limits{MaxRows: 2})
		ps := problemsOf(t, err)
		if got, want := wheres(ps), []where{{SheetUtvarderingar, 4, ""}}; !reflect.DeepEqual(got, want) {
			t.Errorf("problems %v, want %v", ps, want)
		}
	})
	t.Run("problem cap", func(t *testing.T) {
		lines := []string{h}
		for i := 0; i < 1500; i++ {
			lines = append(lines, bad)
		}
		_, err := ReadCSV(context.Background(), strings.NewReader(csvLines(lines...)), def, DefaultLimits())
		ps := problemsOf(t, err)
		if len(ps) != MaxProblems+1 {
			t.Fatalf("%d problems, want %d", len(ps), MaxProblems+1)
		}
		if last := ps[len(ps)-1]; last.Row != 0 || !strings.Contains(last.Message, "fler än 1000 fel") {
			t.Errorf("last problem = %+v", last)
		}
		if ps[MaxProblems-1].Row != MaxProblems+1 {
			t.Errorf("problem %d at row %d", MaxProblems, ps[MaxProblems-1].Row)
		}
	})
	t.Run("MaxBytes xlsx", func(t *testing.T) {
		data := workbook(t, sheetData{SheetUtvarderingar, [][]any{toAny(reqHeader), toAny(reqValues)}})
		_, err := ReadXLSX(context.Background(), bytes.NewReader(data), def, Limits{MaxBytes: int64(len(data)) - 1})
		if ae := appErrorOf(t, err); ae.Code != apperror.TooLarge {
			t.Errorf("error = %v", ae)
		}
	})
}

// TestZipBomb: a sheet that unzips far beyond MaxUnzipSize is refused at
// once, from the sizes the zip declares, without unpacking it.
func TestZipBomb(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	filler := strings.Repeat("a", 200)
	for r := 1; r <= 20_000; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, []any{filler, filler, filler}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetName("Sheet1", SheetUtvarderingar); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("test workbook is %d bytes: not a compressed bomb", buf.Len())
	}
	start := time.Now()
	_, err = ReadXLSX(context.Background(), bytes.NewReader(buf.Bytes()), def, Limits{MaxUnzipSize: 2 << 20})
	elapsed := time.Since(start)
	ae := appErrorOf(t, err)
	if ae.Code != apperror.TooLarge || !strings.Contains(ae.Message, "uppackad") {
		t.Errorf("error = %s %q", ae.Code, ae.Message)
	}
	if elapsed > time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
}

func TestReadXLSXUnreadable(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		msg  string
	}{
		{"empty", nil, "Excel-arbetsbok"},
		{"text", []byte("kommun;enhet\nFalun;Skolan\n"), "Excel-arbetsbok"},
		{"xls or encrypted", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), ".xls"},
		{"truncated", workbook(t, sheetData{SheetUtvarderingar, [][]any{toAny(reqHeader)}})[:300], "Excel-arbetsbok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadXLSX(context.Background(), bytes.NewReader(tt.in), def, DefaultLimits())
			ae := appErrorOf(t, err)
			if ae.Code != apperror.Invalid || !strings.Contains(ae.Message, tt.msg) {
				t.Errorf("error = %s %q, want message with %q", ae.Code, ae.Message, tt.msg)
			}
		})
	}
}

// TestReadTables reads a fixture-style directory of CSV files.
func TestReadTables(t *testing.T) {
	dir := filepath.Join("testdata", "natverk")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]io.Reader{}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tables[e.Name()] = f
	}
	ds, err := ReadTables(context.Background(), tables, def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := round.Dataset{
		Kommuner: []round.Kommun{
			{Name: "Borlänge", Population: pop(49_000)}, {Name: "Falun", Population: pop(55_000)},
			{Name: "Säter", Population: pop(11_000)}, {Name: "Vansbro"},
		},
		Units: []round.UnitData{
			{Unit: round.Unit{Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Borlänge", "Falun", "Säter"}, Omrade: "Räddningstjänst", Response: round.Submitted},
				Evaluations: []round.Evaluation{
					eval(t, base("benamning", "Olycksstatistik", "kommunovergripande", "nej", "uppdragsgivare_typ", "extern", "uppdragsgivare", "MSB", "syfte", "Följa olyckor", "resultatansvarig", "namnd", "anvandning", "handlingsplan;budget_malprocess", "timmar", "40", "konsult_kr", "0")),
					eval(t, base("benamning", "Medborgarenkät", "uppdragsgivare_typ", "politisk", "syfte", "Trygghet", "resultatansvarig", "ks;namnd", "anvandning", "politiskt_beslut", "brukarundersokning", "ja", "malgrupp", "Invånare", "metod", "enkat_papper;enkat_webb", "kostnad_totalt_kr", "85000")),
				}},
			{Unit: round.Unit{Name: "Gymnasienämnden Borlänge–Säter", Kommuner: []string{"Borlänge", "Säter"}, Fordelning: "Borlänge=0,8;Säter=0,2", Response: round.Submitted},
				Evaluations: []round.Evaluation{
					eval(t, base("benamning", "Skolinspektion", "uppdragsgivare_typ", "extern", "syfte", "Tillsyn", "resultatansvarig", "forvaltningschef", "anvandning", "inte_alls", "lagstadgad", "ja")),
				}},
			{Unit: round.Unit{Name: "Kommunstyrelsen", Kommuner: []string{"Vansbro"}, Response: round.Declined, Reason: "Hann inte"}},
			{Unit: round.Unit{Name: "Socialförvaltningen", Kommuner: []string{"Falun"}, Response: round.Submitted},
				Evaluations: []round.Evaluation{eval(t, base("benamning", "Öppna jämförelser", "uppdragsgivare_typ", "", "timmar", "7.25"))}},
		},
	}
	diffDatasets(t, ds, want)

	_, err = ReadTables(context.Background(), map[string]io.Reader{"kommuner": strings.NewReader("kommun\nFalun\n"), "enheterna": strings.NewReader("")}, def, DefaultLimits())
	if got := wheres(problemsOf(t, err)); !reflect.DeepEqual(got, []where{{"enheterna", 0, ""}}) {
		t.Errorf("unknown table: %v", got)
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		{Sheet: SheetUtvarderingar, Row: 7, Column: "timmar", Message: "”x” är inget tal."},
		{Sheet: SheetEnheter, Row: 2, Message: "Raden kunde inte läsas."},
		{Sheet: SheetKommuner, Message: "Bladet är tomt."},
		{Message: "Filen är tom."},
	}
	want := "utvarderingar rad 7, kolumn timmar: ”x” är inget tal.\nenheter rad 2: Raden kunde inte läsas.\nkommuner: Bladet är tomt.\nFilen är tom."
	if got := ps.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	ps.sort()
	if got := wheres(ps); !reflect.DeepEqual(got, []where{{"", 0, ""}, {SheetKommuner, 0, ""}, {SheetEnheter, 2, ""}, {SheetUtvarderingar, 7, "timmar"}}) {
		t.Errorf("sorted = %v", got)
	}
	var err error = ps
	var ae *apperror.Error
	if !errors.As(err, &ae) || ae.Code != apperror.Invalid {
		t.Errorf("errors.As(*apperror.Error) = %v", ae)
	}
}
