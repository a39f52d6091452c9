package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/sheet/sheettest"
)

// cli runs the binary's run function with captured output.
func cli(t *testing.T, db string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(k string) string {
		if k == "INVENTERA_DB" {
			return db
		}
		return ""
	}}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// evaluation is one row of the test network, with the values the expected
// figures are computed from by hand in this file.
type evaluation struct {
	kommun, enhet, name, initiator string
	usage                          []string
	owners                         []string
	sameOwner, survey              bool
	hours                          float64 // -1 = blank
	konsult, material, ovrigt      int64   // -1 = blank
	total                          int64   // -1 = blank
	yes, no                        string  // how this row spells ja and nej
}

type unitSpec struct {
	name, kommuner, fordelning, status, orsak string
}

var (
	population = map[string]int64{"Avesta": 22000, "Hedemora": 15000} // Norrby unknown
	unitSpecs  = []unitSpec{
		{"Socialnämnden", "Avesta", "", "", ""},
		{"Räddningstjänsten Mitt", "Avesta;Hedemora", "", "", ""}, // by population
		{"Gemensam IT", "Avesta;Hedemora;Norrby", "lika", "", ""},
		{"Miljö", "Hedemora;Norrby", "Hedemora=0,7;Norrby=0,3", "", ""},
		{"+Tekniska", "Norrby", "", "", ""},
		{"Fastigheter", "Norrby", "", "avbojt", "Ingen tid i år"},
		{"Kultur", "Hedemora", "", "", ""},
		{"Skolan", "Hedemora", "", "inga_utvarderingar", ""},
	}
	evaluations = []evaluation{
		{"Avesta", "Socialnämnden", "=SUM(A1:A3)", "extern", []string{"politiskt_beslut", "handlingsplan"}, []string{"namnd", "verksamhetschef"}, true, true, 1234.5, 12500, -1, -1, -1, "JA", "Nej"},
		{"Avesta", "Socialnämnden", "Brukarenkät", "politisk", []string{"budget_malprocess"}, []string{"namnd"}, false, false, 10, -1, -1, -1, -1, "x", "0"},
		{"Avesta", "Socialnämnden", "SCB-statistik", "", []string{"inte_alls"}, []string{"ingen"}, false, false, -1, -1, -1, -1, 90000, "1", "nej"},
		{"Hedemora", "Räddningstjänsten Mitt", "Tillsyn MSB", "extern", []string{"handlingsplan", "annat"}, []string{"forvaltningschef"}, true, false, 40, 0, 3000, 500, -1, "true", "false"},
		{"Avesta", "Räddningstjänsten Mitt", "Olycksstatistik", "verksamhet", []string{"inte_alls"}, []string{"verksamhetschef"}, false, false, -1, -1, -1, -1, -1, "ja", "nej"},
		{"Norrby", "Gemensam IT", "Nöjdhet IT-stöd", "verksamhet", []string{"handlingsplan"}, []string{"verksamhetschef", "enhetschef", "ks"}, false, true, 7.25, 30000, -1, -1, -1, "Ja", "NEJ"},
		{"Hedemora", "Miljö", "Miljöbarometern", "politisk", []string{"politiskt_beslut", "budget_malprocess"}, []string{"namnd"}, true, false, 100, 10000, 1000, -1, -1, "x", ""},
		{"Norrby", "+Tekniska", "@VA-enkät", "extern", []string{"annat"}, []string{"annan"}, false, true, 0, -1, -1, -1, -1, "1", "0"},
	}
)

func networkWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "kommuner")
	f.SetSheetRow("kommuner", "A1", &[]any{"kommun", "invanare"})
	f.SetSheetRow("kommuner", "A2", &[]any{"Avesta", "22 000"})
	f.SetSheetRow("kommuner", "A3", &[]any{"Hedemora", 15000})
	f.SetSheetRow("kommuner", "A4", &[]any{"Norrby", ""})
	f.NewSheet("enheter")
	f.SetSheetRow("enheter", "A1", &[]any{"enhet", "kommun", "omrade", "fordelning", "status", "orsak", "verksamhetschef", "epost"})
	for i, u := range unitSpecs {
		f.SetSheetRow("enheter", fmt.Sprintf("A%d", i+2), &[]any{u.name, u.kommuner, "", u.fordelning, u.status, u.orsak, "Chef " + u.name, ""})
	}
	f.NewSheet("utvarderingar")
	usageKeys := []string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat", "inte_alls"}
	header := []any{"kommun", "enhet", "benamning", "periodicitet", "uppdragsgivare_typ", "syfte", "resultatansvarig",
		"resultatansvarig_annan", "uppdragsgivare_ar_resultatansvarig", "brukarundersokning", "malgrupp", "metod",
		"anvandning_annat", "timmar", "konsult_kr", "material_kr", "ovrigt_kr", "kostnad_totalt_kr"}
	for _, k := range usageKeys {
		header = append(header, "anvandning/"+k) // XLSForm-style columns
	}
	f.SetSheetRow("utvarderingar", "A1", &header)
	num := func(v int64) any {
		if v < 0 {
			return ""
		}
		return fmt.Sprintf("%d", v)
	}
	for i, e := range evaluations {
		yn := func(b bool) string {
			if b {
				return e.yes
			}
			return e.no
		}
		hours := ""
		if e.hours >= 0 {
			hours = strings.Replace(fmt.Sprintf("%g", e.hours), ".", ",", 1) // Swedish decimal comma
			if e.hours >= 1000 {
				hours = "1 234,5"
			}
		}
		annan, annat, malgrupp, metod := "", "", "", ""
		if contains(e.owners, "annan") {
			annan = "Revisorerna"
		}
		if contains(e.usage, "annat") {
			annat = "Jämförelser"
		}
		if e.survey {
			malgrupp, metod = "Brukare", "enkat_webb, intervju"
		}
		konsult := num(e.konsult)
		if e.konsult == 12500 {
			konsult = "12 500"
		}
		row := []any{e.kommun, e.enhet, e.name, "arligen", e.initiator, "Syfte", strings.Join(e.owners, "; "), annan,
			yn(e.sameOwner), yn(e.survey), malgrupp, metod, annat, hours, konsult, num(e.material), num(e.ovrigt), num(e.total)}
		for _, k := range usageKeys {
			row = append(row, yn(contains(e.usage, k)))
		}
		f.SetSheetRow("utvarderingar", fmt.Sprintf("A%d", i+2), &row)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// expected computes the report's figures by hand from the rows above.
type expectedKommun struct {
	evaluations                                     int
	byInitiator                                     map[string]map[string]int
	lon, konsult, material, ovrigt, total           float64
	withCost, surveys, sameOwner, noOwner, multiOwn int
	unused                                          []string
	units, submitted, inga, declined, notResponded  int
}

func members(enhet string) []string {
	for _, u := range unitSpecs {
		if u.name == enhet {
			return strings.Split(u.kommuner, ";")
		}
	}
	panic(enhet)
}

func share(enhet, kommun string) float64 {
	ms := members(enhet)
	var spec unitSpec
	for _, u := range unitSpecs {
		if u.name == enhet {
			spec = u
		}
	}
	switch {
	case len(ms) == 1:
		return 1
	case spec.fordelning == "lika":
		return 1 / float64(len(ms))
	case spec.fordelning == "":
		var tot float64
		for _, m := range ms {
			tot += float64(population[m])
		}
		return float64(population[kommun]) / tot
	default:
		for _, part := range strings.Split(spec.fordelning, ";") {
			k, v, _ := strings.Cut(part, "=")
			if k == kommun {
				var f float64
				fmt.Sscanf(strings.Replace(v, ",", ".", 1), "%g", &f)
				return f
			}
		}
	}
	panic("no share")
}

func expectedReport(rate float64) map[string]*expectedKommun {
	out := map[string]*expectedKommun{}
	for _, k := range []string{"Avesta", "Hedemora", "Norrby"} {
		out[k] = &expectedKommun{byInitiator: map[string]map[string]int{}}
		for _, row := range []string{"extern", "politisk", "verksamhet", "ej_angiven", "totalt"} {
			out[k].byInitiator[row] = map[string]int{}
		}
	}
	for _, e := range evaluations {
		for _, k := range members(e.enhet) {
			x := out[k]
			x.evaluations++
			init := e.initiator
			if init == "" {
				init = "ej_angiven"
			}
			for _, row := range []string{init, "totalt"} {
				x.byInitiator[row]["count"]++
				for _, u := range e.usage {
					x.byInitiator[row][u]++
				}
			}
			sh := share(e.enhet, k)
			var parts float64
			given := false
			if e.hours >= 0 {
				x.lon += e.hours * rate * sh
				parts += e.hours * rate
				given = true
			}
			for _, p := range []struct {
				v   int64
				dst *float64
			}{{e.konsult, &x.konsult}, {e.material, &x.material}, {e.ovrigt, &x.ovrigt}} {
				if p.v >= 0 {
					*p.dst += float64(p.v) * sh
					parts += float64(p.v)
					given = true
				}
			}
			if !given && e.total >= 0 {
				parts = float64(e.total)
			}
			x.total += parts * sh
			if given || e.total >= 0 {
				x.withCost++
			}
			if e.survey {
				x.surveys++
			}
			if e.sameOwner {
				x.sameOwner++
			}
			if contains(e.owners, "ingen") {
				x.noOwner++
			}
			if len(e.owners) >= 2 {
				x.multiOwn++
			}
			if contains(e.usage, "inte_alls") {
				x.unused = append(x.unused, e.name)
			}
		}
	}
	hasEval := map[string]bool{}
	for _, e := range evaluations {
		hasEval[e.enhet] = true
	}
	for _, u := range unitSpecs {
		for _, k := range strings.Split(u.kommuner, ";") {
			x := out[k]
			x.units++
			switch {
			case u.status == "avbojt":
				x.declined++
			case u.status == "inga_utvarderingar":
				x.inga++
			case hasEval[u.name]:
				x.submitted++
			default:
				x.notResponded++
			}
		}
	}
	return out
}

type jsonReport struct {
	Round struct {
		Name       string `json:"name"`
		HourlyRate int64  `json:"hourly_rate"`
	} `json:"round"`
	Municipalities []struct {
		Name        string                    `json:"name"`
		Population  *int64                    `json:"population"`
		Evaluations int                       `json:"evaluations"`
		ByInitiator map[string]map[string]int `json:"by_initiator"`
		Costs       struct {
			Lon, Konsult, Material, Ovrigt, Total float64
			WithCost                              int      `json:"with_cost"`
			PerInvanare                           *float64 `json:"per_invanare"`
		} `json:"costs"`
		UserSurveys    int `json:"user_surveys"`
		Responsibility struct {
			InitiatorIsOwner int `json:"initiator_is_owner"`
			NoOwner          int `json:"no_owner"`
			MultipleOwners   int `json:"multiple_owners"`
		} `json:"responsibility"`
		Unused []struct {
			Benamning         string `json:"benamning"`
			Enhet             string `json:"enhet"`
			UppdragsgivareTyp string `json:"uppdragsgivare_typ"`
		} `json:"unused"`
		Response struct {
			Units              int      `json:"units"`
			Submitted          int      `json:"submitted"`
			IngaUtvarderingar  int      `json:"inga_utvarderingar"`
			Declined           int      `json:"declined"`
			NotResponded       int      `json:"not_responded"`
			NonRespondingUnits []string `json:"non_responding_units"`
		} `json:"response"`
	} `json:"municipalities"`
	Network struct {
		Evaluations int                `json:"evaluations"`
		UsageMean   map[string]float64 `json:"usage_mean"`
		UsagePooled map[string]float64 `json:"usage_pooled"`
		Costs       struct {
			Total float64 `json:"total"`
		} `json:"costs"`
	} `json:"network"`
}

// TestImportAnotherNetwork imports a workbook that is not the fixture —
// hourly rate 310, shared units with all three kinds of fordelning, Swedish
// numbers, mixed ja/nej spellings, formula-looking names — and holds every
// key of the JSON contract against figures computed by hand.
func TestImportAnotherNetwork(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	wb := filepath.Join(dir, "natverk.xlsx")
	networkWorkbook(t, wb)
	if code, _, errs := cli(t, db, "import", "--round", "Nätverk 2026", "--hourly-rate", "310", wb); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, db, "report", "--round", "Nätverk 2026", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var got jsonReport
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Round.Name != "Nätverk 2026" || got.Round.HourlyRate != 310 {
		t.Errorf("round = %+v", got.Round)
	}
	want := expectedReport(310)
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01 }
	if len(got.Municipalities) != 3 {
		t.Fatalf("kommuner = %d", len(got.Municipalities))
	}
	for _, m := range got.Municipalities {
		w := want[m.Name]
		if m.Evaluations != w.evaluations {
			t.Errorf("%s evaluations = %d, want %d", m.Name, m.Evaluations, w.evaluations)
		}
		for row, cells := range w.byInitiator {
			for _, key := range []string{"count", "politiskt_beslut", "handlingsplan", "budget_malprocess", "annat", "inte_alls"} {
				if m.ByInitiator[row][key] != cells[key] {
					t.Errorf("%s by_initiator.%s.%s = %d, want %d", m.Name, row, key, m.ByInitiator[row][key], cells[key])
				}
			}
		}
		c := m.Costs
		for _, p := range []struct {
			name      string
			got, want float64
		}{{"lon", c.Lon, w.lon}, {"konsult", c.Konsult, w.konsult}, {"material", c.Material, w.material}, {"ovrigt", c.Ovrigt, w.ovrigt}, {"total", c.Total, w.total}} {
			if !near(p.got, p.want) {
				t.Errorf("%s costs.%s = %.2f, want %.2f", m.Name, p.name, p.got, p.want)
			}
		}
		if c.WithCost != w.withCost {
			t.Errorf("%s with_cost = %d, want %d", m.Name, c.WithCost, w.withCost)
		}
		if pop, ok := population[m.Name]; ok {
			if m.Population == nil || *m.Population != pop || c.PerInvanare == nil || !near(*c.PerInvanare, w.total/float64(pop)) {
				t.Errorf("%s population/per_invanare = %v/%v", m.Name, m.Population, c.PerInvanare)
			}
		} else if m.Population != nil || c.PerInvanare != nil {
			t.Errorf("%s: unknown population should give null population and per_invanare", m.Name)
		}
		if m.UserSurveys != w.surveys {
			t.Errorf("%s user_surveys = %d, want %d", m.Name, m.UserSurveys, w.surveys)
		}
		r := m.Responsibility
		if r.InitiatorIsOwner != w.sameOwner || r.NoOwner != w.noOwner || r.MultipleOwners != w.multiOwn {
			t.Errorf("%s responsibility = %+v, want %d/%d/%d", m.Name, r, w.sameOwner, w.noOwner, w.multiOwn)
		}
		var unused []string
		for _, u := range m.Unused {
			unused = append(unused, u.Benamning)
			if u.Benamning == "SCB-statistik" && u.UppdragsgivareTyp != "ej_angiven" {
				t.Errorf("unused without initiator: uppdragsgivare_typ = %q", u.UppdragsgivareTyp)
			}
		}
		sort.Strings(unused)
		sort.Strings(w.unused)
		if strings.Join(unused, "|") != strings.Join(w.unused, "|") {
			t.Errorf("%s unused = %v, want %v", m.Name, unused, w.unused)
		}
		rs := m.Response
		if rs.Units != w.units || rs.Submitted != w.submitted || rs.IngaUtvarderingar != w.inga || rs.Declined != w.declined || rs.NotResponded != w.notResponded {
			t.Errorf("%s response = %+v, want units %d submitted %d inga %d declined %d not %d", m.Name, rs, w.units, w.submitted, w.inga, w.declined, w.notResponded)
		}
		if len(rs.NonRespondingUnits) != w.declined+w.notResponded {
			t.Errorf("%s non_responding_units = %v", m.Name, rs.NonRespondingUnits)
		}
	}
	// Network: distinct evaluations, costs not double counted, mean vs pooled.
	if got.Network.Evaluations != len(evaluations) {
		t.Errorf("network evaluations = %d, want %d", got.Network.Evaluations, len(evaluations))
	}
	var realTotal float64
	pooled := map[string]int{}
	for _, e := range evaluations {
		parts, given := 0.0, false
		if e.hours >= 0 {
			parts += e.hours * 310
			given = true
		}
		for _, v := range []int64{e.konsult, e.material, e.ovrigt} {
			if v >= 0 {
				parts += float64(v)
				given = true
			}
		}
		if !given && e.total >= 0 {
			parts = float64(e.total)
		}
		realTotal += parts
		for _, u := range e.usage {
			pooled[u]++
		}
	}
	if !near(got.Network.Costs.Total, realTotal) {
		t.Errorf("network costs.total = %.2f, want %.2f", got.Network.Costs.Total, realTotal)
	}
	for _, key := range []string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat", "inte_alls"} {
		if !near(got.Network.UsagePooled[key], float64(pooled[key])/float64(len(evaluations))) {
			t.Errorf("usage_pooled.%s = %.4f, want %d/%d", key, got.Network.UsagePooled[key], pooled[key], len(evaluations))
		}
		var mean float64
		for _, k := range []string{"Avesta", "Hedemora", "Norrby"} {
			w := want[k]
			mean += float64(w.byInitiator["totalt"][key]) / float64(w.evaluations) / 3
		}
		if !near(got.Network.UsageMean[key], mean) {
			t.Errorf("usage_mean.%s = %.4f, want %.4f", key, got.Network.UsageMean[key], mean)
		}
	}

	// The formula-looking names come back as text in every export.
	xlsxOut := filepath.Join(dir, "rapport.xlsx")
	if code, _, errs := cli(t, db, "report", "--round", "Nätverk 2026", "--format", "xlsx", "--out", xlsxOut); code != 0 {
		t.Fatalf("xlsx report: %s", errs)
	}
	assertNoFormulas(t, xlsxOut)
	exp := filepath.Join(dir, "export.xlsx")
	if code, _, errs := cli(t, db, "export", "--round", "Nätverk 2026", "--out", exp); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	assertNoFormulas(t, exp)

	// Export → import into an empty database → the same report JSON.
	db2 := filepath.Join(dir, "tom.db")
	if code, _, errs := cli(t, db2, "import", "--round", "Nätverk 2026", "--hourly-rate", "310", exp); code != 0 {
		t.Fatalf("re-import: %s", errs)
	}
	_, again, _ := cli(t, db2, "report", "--round", "Nätverk 2026", "--format", "json")
	if again != out {
		t.Errorf("report after export → import differs from the original")
	}
}

func assertNoFormulas(t *testing.T, path string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := map[string]bool{}
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(sh, cell); formula != "" {
					t.Errorf("%s %s!%s holds a formula %q", filepath.Base(path), sh, cell, formula)
				}
				for _, name := range []string{"=SUM(A1:A3)", "+Tekniska", "@VA-enkät"} {
					if v == name {
						found[name] = true
					}
				}
			}
		}
	}
	if !found["=SUM(A1:A3)"] {
		t.Errorf("%s: the name =SUM(A1:A3) is not kept as text", filepath.Base(path))
	}
}

// TestRefusedImportStoresNothing: a workbook with nine faulty rows is refused
// whole, each faulty row named, and not even the round is created.
func TestRefusedImportStoresNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	wb := filepath.Join(dir, "fel.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "utvarderingar")
	f.SetSheetRow("utvarderingar", "A1", &[]any{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning", "anvandning_annat", "brukarundersokning", "malgrupp", "timmar", "konsult_kr", "kostnad_totalt_kr"})
	good := []any{"Avesta", "Socialnämnden", "Bra", "arligen", "Syfte", "namnd", "handlingsplan", "", "nej", "", "10", "", ""}
	bad := [][]any{
		{"Avesta", "Socialnämnden", "", "arligen", "Syfte", "namnd", "handlingsplan", "", "nej", "", "", "", ""},       // no name
		{"Avesta", "Socialnämnden", "B", "ibland", "Syfte", "namnd", "handlingsplan", "", "nej", "", "", "", ""},       // bad periodicity
		{"Avesta", "Socialnämnden", "C", "arligen", "", "namnd", "handlingsplan", "", "nej", "", "", "", ""},           // no purpose
		{"Avesta", "Socialnämnden", "D", "arligen", "Syfte", "ingen;kf", "handlingsplan", "", "nej", "", "", "", ""},   // ingen with kf
		{"Avesta", "Socialnämnden", "E", "arligen", "Syfte", "namnd", "annat", "", "nej", "", "", "", ""},              // annat without text
		{"Avesta", "Socialnämnden", "F", "arligen", "Syfte", "namnd", "handlingsplan", "", "ja", "", "", "", ""},       // survey without target group
		{"Avesta", "Socialnämnden", "G", "arligen", "Syfte", "namnd", "handlingsplan", "", "nej", "", "tio", "", ""},   // hours not a number
		{"Avesta", "Socialnämnden", "H", "arligen", "Syfte", "namnd", "handlingsplan", "", "nej", "", "", "-500", ""},  // negative kronor
		{"Avesta", "Socialnämnden", "I", "arligen", "Syfte", "namnd", "handlingsplan", "", "nej", "", "5", "", "1000"}, // total with parts
	}
	rows := [][]any{good}
	rows = append(rows, bad...)
	rows = append(rows, good)
	for i, r := range rows {
		f.SetSheetRow("utvarderingar", fmt.Sprintf("A%d", i+2), &r)
	}
	if err := f.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, db, "import", "--round", "Ska inte finnas", wb)
	if code == 0 {
		t.Fatal("faulty import accepted")
	}
	for row := 3; row <= 11; row++ {
		if !strings.Contains(errs, fmt.Sprintf("rad %d", row)) {
			t.Errorf("error does not name row %d:\n%s", row, errs)
		}
	}
	for _, ok := range []string{"rad 2,", "rad 12,"} {
		if strings.Contains(errs, ok) {
			t.Errorf("error names a valid row (%s)", ok)
		}
	}
	code, _, errs = cli(t, db, "report", "--round", "Ska inte finnas", "--format", "json")
	if code == 0 || !strings.Contains(errs, "finns inte") {
		t.Errorf("the refused import left a round behind: exit %d %s", code, errs)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
}

// TestHostileImportStoresNothing: hostile files are refused with a message
// naming what was too big, the round is not created and no temporary file
// remains.
func TestHostileImportStoresNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	def := form.MustEvaluation()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"long.xlsx", sheettest.BigSharedString(sheettest.Import, 40_000).Bytes(), "Cellen E2 på bladet utvarderingar har 40\u00a0000 tecken; högst 32\u00a0767 tillåts."},
		{"whitespace.xlsx", sheettest.Whitespace(sheettest.Import, 40_000).Bytes(), "Bladet utvarderingar har 40\u00a0000 tecken i följd utanför cellerna (efter cell H1)"},
		{"bomb.xlsx", sheettest.SharedRefs(sheettest.Import, def, 20_000).Bytes(), "Arbetsbokens celler har tillsammans mer än 100\u00a0000\u00a0000 tecken"},
		{"header.csv", sheettest.HeaderOnlyCSV(1_000_000), "utvarderingar rad 1, kolumn C: fältet har 1\u00a0000\u00a0000 tecken; högst 32\u00a0767 tillåts."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errs := cli(t, db, "import", "--round", "Ska inte finnas", path)
			if code == 0 || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr lacks %q:\n%.500s", code, tc.want, errs)
			}
			if len(errs) > 1000 {
				t.Errorf("message of %d bytes", len(errs))
			}
			code, _, errs = cli(t, db, "report", "--round", "Ska inte finnas", "--format", "json")
			if code == 0 || !strings.Contains(errs, "finns inte") {
				t.Errorf("the refused import left a round behind: exit %d %s", code, errs)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "inventera-xlsx-*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}
