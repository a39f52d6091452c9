package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

var def = form.MustEvaluation()

func pop(n int64) *int64 { return &n }

// canon validates answers as an import would and fails the test on errors,
// so expectations are written in canonical form.
func canon(t testing.TB, a form.Answers) form.Answers {
	t.Helper()
	out, errs := def.Validate(a, form.ModeImport)
	if len(errs) > 0 {
		t.Fatalf("test answers invalid: %v (%v)", errs, a)
	}
	return out
}

func eval(t testing.TB, a form.Answers) round.Evaluation {
	return round.Evaluation{Complete: true, Answers: canon(t, a)}
}

// base is a minimal valid evaluation; fields overrides or adds answers
// ("" deletes one).
func base(fields ...string) form.Answers {
	a := form.Answers{
		"benamning":          "Brukarundersökning hemtjänst",
		"periodicitet":       "arligen",
		"uppdragsgivare_typ": "verksamhet",
		"syfte":              "Mäta nöjdhet",
		"resultatansvarig":   "namnd",
		"anvandning":         "handlingsplan",
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			delete(a, fields[i])
		} else {
			a[fields[i]] = fields[i+1]
		}
	}
	return a
}

// sampleDataset has shared units split by population, equally and by
// shares; formula-looking and Swedish names; every kind of unit status.
func sampleDataset(t testing.TB) round.Dataset {
	return round.Dataset{
		Kommuner: []round.Kommun{
			{Name: "Borlänge", Population: pop(49_000), Kommunkod: "2081"},
			{Name: "Falun", Population: pop(55_000), Kommunkod: "2080"},
			{Name: "Säter", Population: pop(11_000)},
			{Name: "=SUM(A1)", Kommunkod: "0114"},
			{Name: "Vansbro", Population: pop(0)},
		},
		Units: []round.UnitData{
			{
				Unit: round.Unit{Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Borlänge", "Falun", "Säter"},
					Omrade: "Räddning", Fordelning: "Borlänge=0,5;Falun=0,3;Säter=0,2",
					ChefName: "Åsa Öberg", ChefEmail: "asa.oberg@example.se", Response: round.Submitted},
				Evaluations: []round.Evaluation{
					eval(t, base("benamning", "=1+2", "timmar", "12.5", "konsult_kr", "15000", "material_kr", "0",
						"anvandning", "politiskt_beslut;handlingsplan;annat", "anvandning_annat", "+46 telefon",
						"lagstadgad", "ja", "kommunovergripande", "nej")),
					eval(t, base("benamning", "Tillsyn åäö ÅÄÖ", "kostnad_totalt_kr", "250000", "anvandning", "inte_alls",
						"uppdragsgivare_typ", "", "syfte", "rad ett\nrad två", "resultatansvarig", "ingen")),
				},
			},
			{
				Unit: round.Unit{Name: "Gymnasienämnden Borlänge–Säter", Kommuner: []string{"Borlänge", "Säter"},
					Omrade: "Utbildning", Response: round.Submitted},
				Evaluations: []round.Evaluation{
					eval(t, base("brukarundersokning", "ja", "malgrupp", "Elever och föräldrar", "metod", "enkat_webb;intervju",
						"timmar", "0.01", "resultatansvarig", "namnd;forvaltningschef;annan", "resultatansvarig_annan", "-x rektor",
						"uppdragsgivare", "@foo", "kommentar", "'=inte en formel'")),
				},
			},
			{
				Unit:        round.Unit{Name: "NVK", Kommuner: []string{"Falun", "=SUM(A1)"}, Fordelning: "lika", Response: round.Submitted},
				Evaluations: []round.Evaluation{eval(t, base("ovrigt_kr", "1234567", "timmar", "1234.75"))},
			},
			{Unit: round.Unit{Name: "Tillväxtgruppen", Kommuner: []string{"Falun", "Säter"}, Fordelning: "Falun=0,999999;Säter=0,000001"}},
			{Unit: round.Unit{Name: "+46", Kommuner: []string{"=SUM(A1)"}, Response: round.NoEvaluations}},
			{Unit: round.Unit{Name: "-x", Kommuner: []string{"Vansbro"}, Response: round.Declined, Reason: "@foo har inte haft tid"}},
			{Unit: round.Unit{Name: "@foo", Kommuner: []string{"Falun"}, ChefEmail: "chef@falun.example.se"}},
			{
				Unit:        round.Unit{Name: "Socialförvaltningen", Kommuner: []string{"Falun"}, Response: round.Submitted},
				Evaluations: []round.Evaluation{eval(t, base("benamning", "Öppna jämförelser"))},
			},
			{
				// Same name, another kommun: a different unit.
				Unit:        round.Unit{Name: "Socialförvaltningen", Kommuner: []string{"Vansbro"}, Response: round.Submitted},
				Evaluations: []round.Evaluation{eval(t, base("benamning", "Öppna jämförelser"))},
			},
		},
	}
}

// bigDataset has n evaluations over 290 kommuner.
func bigDataset(t testing.TB, n int) round.Dataset {
	var ds round.Dataset
	variants := []form.Answers{
		canon(t, base("timmar", "12.5", "konsult_kr", "15000", "anvandning", "politiskt_beslut;budget_malprocess")),
		canon(t, base("kostnad_totalt_kr", "250000", "brukarundersokning", "ja", "malgrupp", "Brukare", "metod", "enkat_papper")),
		canon(t, base("anvandning", "inte_alls", "kommentar", "En längre kommentar om hur utvärderingen gick till och vad den ledde till.")),
	}
	const kommuner = 290
	for k := 0; k < kommuner; k++ {
		ds.Kommuner = append(ds.Kommuner, round.Kommun{Name: fmt.Sprintf("Kommun %d", k), Population: pop(int64(10_000 + k))})
	}
	perUnit := 10
	for i := 0; i < n; i += perUnit {
		k := (i / perUnit) % kommuner
		u := round.UnitData{Unit: round.Unit{Name: fmt.Sprintf("Förvaltning %d", i/perUnit), Kommuner: []string{ds.Kommuner[k].Name}, Response: round.Submitted}}
		for j := 0; j < perUnit && i+j < n; j++ {
			a := variants[(i+j)%len(variants)].Clone()
			a["benamning"] = fmt.Sprintf("Utvärdering %d", i+j)
			u.Evaluations = append(u.Evaluations, round.Evaluation{Complete: true, Answers: a})
		}
		ds.Units = append(ds.Units, u)
	}
	return ds
}

// workbook builds an XLSX with the given sheets; each sheet is rows of
// cells (any value excelize takes: string, float64, int, nil).
type sheetData struct {
	name string
	rows [][]any
}

func workbook(t testing.TB, sheets ...sheetData) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if str, ok := v.(string); ok {
					err = f.SetCellStr(s.name, cell, str)
				} else {
					err = f.SetCellValue(s.name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// problemsOf fails unless err is Problems.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error = %v (%T), want Problems", err, err)
	}
	return ps
}

// appErrorOf fails unless err is a plain *apperror.Error (not Problems).
func appErrorOf(t *testing.T, err error) *apperror.Error {
	t.Helper()
	var ps Problems
	if errors.As(err, &ps) {
		t.Fatalf("error is Problems, want a plain error:\n%v", ps)
	}
	var ae *apperror.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want *apperror.Error", err, err)
	}
	return ae
}

type where struct {
	Sheet  string
	Row    int
	Column string
}

func wheres(ps Problems) []where {
	out := make([]where, len(ps))
	for i, p := range ps {
		out[i] = where{p.Sheet, p.Row, p.Column}
	}
	return out
}

func csvLines(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }
