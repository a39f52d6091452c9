package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportPopulationSource: `import --population-source` records where the
// populations come from, and the report states it; too long a source is
// refused and nothing is stored.
func TestImportPopulationSource(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	wb := filepath.Join(dir, "natverk.xlsx")
	networkWorkbook(t, wb)
	if code, _, errs := cli(t, db, "import", "--round", "Nätverk 2026", "--population-source", strings.Repeat("x", 301), wb); code == 0 ||
		!strings.Contains(errs, "för lång") {
		t.Fatalf("too long a source: exit %d: %s", code, errs)
	}
	if code, _, _ := cli(t, db, "report", "--round", "Nätverk 2026", "--format", "json"); code == 0 {
		t.Fatal("a refused import left a round behind")
	}
	if code, _, errs := cli(t, db, "import", "--round", "Nätverk 2026", "--population-source", "SCB 2025-12-31", wb); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, db, "report", "--round", "Nätverk 2026", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var got struct {
		Round struct {
			PopulationSource string `json:"population_source"`
		} `json:"round"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Round.PopulationSource != "SCB 2025-12-31" {
		t.Errorf("population_source = %q", got.Round.PopulationSource)
	}
	code, html, _ := cli(t, db, "report", "--round", "Nätverk 2026", "--format", "html")
	if code != 0 || !strings.Contains(html, "Invånarantal: SCB 2025-12-31.") {
		t.Errorf("the HTML report does not state the population source (exit %d)", code)
	}
}
