package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// compareCSV writes an utvarderingar table: for each kommun, n evaluations
// of which the first unused are not used at all.
func compareCSV(t *testing.T, path string, rows map[string][2]int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("kommun;enhet;benamning;periodicitet;uppdragsgivare_typ;syfte;resultatansvarig;anvandning;konsult_kr\n")
	for kommun, r := range rows {
		for i := range r[0] {
			use := "handlingsplan"
			if i < r[1] {
				use = "inte_alls"
			}
			b.WriteString(kommun + ";Nämnden;Utvärdering " + string(rune('A'+i)) + ";arligen;extern;Syfte;namnd;" + use + ";1000\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReportCompare: report --compare gives each kommun in both rounds and
// the network the earlier round's figures and the change, in every format;
// a kommun in one round only has none; a bad --compare changes nothing and
// says why.
func TestReportCompare(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	first, second := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	compareCSV(t, first, map[string][2]int{"Falun": {10, 3}, "Heby": {4, 0}})
	compareCSV(t, second, map[string][2]int{"Falun": {12, 1}, "Ludvika": {5, 0}})
	for _, imp := range [][2]string{{"Mätning 1", first}, {"Mätning 2", second}} {
		if code, _, errs := cli(t, db, "import", "--round", imp[0], imp[1]); code != 0 {
			t.Fatalf("import %s: exit %d: %s", imp[0], code, errs)
		}
	}
	code, out, errs := cli(t, db, "report", "--round", "Mätning 2", "--compare", "Mätning 1", "--format", "json")
	if code != 0 {
		t.Fatalf("report --compare: exit %d: %s", code, errs)
	}
	type figures struct {
		Evaluations int `json:"evaluations"`
		Costs       struct {
			Total float64 `json:"total"`
		} `json:"costs"`
		UserSurveys int                `json:"user_surveys"`
		Usage       map[string]float64 `json:"usage"`
	}
	var doc struct {
		Municipalities []struct {
			Name     string   `json:"name"`
			Previous *figures `json:"previous"`
			Change   *figures `json:"change"`
			Compared struct {
				Status string `json:"status"`
			} `json:"compared"`
			Recurrence *struct {
				Recurring int `json:"recurring"`
				New       int `json:"new"`
				Dropped   int `json:"dropped"`
			} `json:"recurrence"`
		} `json:"municipalities"`
		Network struct {
			Previous *figures `json:"previous"`
			Change   *figures `json:"change"`
		} `json:"network"`
		Comparison struct {
			Round struct {
				Name string `json:"name"`
			} `json:"round"`
			OnlyPrevious []struct {
				Name string `json:"name"`
			} `json:"only_previous"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range doc.Municipalities {
		switch m.Name {
		case "Falun":
			if m.Previous == nil || m.Previous.Evaluations != 10 || m.Change.Evaluations != 2 ||
				m.Previous.Costs.Total != 10000 || m.Change.Costs.Total != 2000 || m.Previous.Usage["inte_alls"] != 0.3 {
				t.Errorf("Falun: previous %+v, change %+v; want 10 evaluations, 10 000 kr, 30 %% unused, then +2 and +2 000 kr", m.Previous, m.Change)
			}
			// Utvärdering A–J recur by unit and name; K and L are new.
			if r := m.Recurrence; r == nil || r.Recurring != 10 || r.New != 2 || r.Dropped != 0 {
				t.Errorf("Falun: recurrence %+v, want 10 recurring, 2 new, none dropped", r)
			}
		case "Ludvika":
			if m.Previous != nil || m.Change != nil || m.Compared.Status != "only_current" {
				t.Errorf("Ludvika is new: previous %+v, change %+v, status %q", m.Previous, m.Change, m.Compared.Status)
			}
		}
	}
	if p := doc.Network.Previous; p == nil || p.Evaluations != 14 || doc.Network.Change.Evaluations != 3 {
		t.Errorf("network: previous %+v, change %+v; want 14 then and +3", p, doc.Network.Change)
	}
	if doc.Comparison.Round.Name != "Mätning 1" || len(doc.Comparison.OnlyPrevious) != 1 || doc.Comparison.OnlyPrevious[0].Name != "Heby" {
		t.Errorf("comparison = %+v; want Mätning 1 with Heby only then", doc.Comparison)
	}

	code, html, errs := cli(t, db, "report", "--round", "Mätning 2", "--compare", "Mätning 1", "--format", "html")
	if code != 0 || !strings.Contains(html, "Jämförelse med Mätning 1") {
		t.Errorf("html report --compare: exit %d (%s); has a comparison section: %v", code, errs, strings.Contains(html, "Jämförelse med Mätning 1"))
	}
	xlsx := filepath.Join(dir, "r.xlsx")
	if code, _, errs := cli(t, db, "report", "--round", "Mätning 2", "--compare", "Mätning 1", "--format", "xlsx", "--out", xlsx); code != 0 {
		t.Fatalf("xlsx report --compare: exit %d: %s", code, errs)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex("Jämförelse"); idx < 0 {
		t.Errorf("the workbook has no sheet Jämförelse: %v", f.GetSheetList())
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "--round", "Mätning 2", "--compare", "Mätning 2"}, 2, "--compare ska vara en annan omgång"},
		{[]string{"report", "--round", "Mätning 2", "--compare", "Mätning 0"}, 1, "finns inte"},
	}
	for _, tc := range bad {
		code, out, errs := cli(t, db, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("%q: exit %d, stdout %d bytes, stderr %q; want exit %d saying %q and no output", tc.args, code, len(out), errs, tc.code, tc.want)
		}
	}
}
