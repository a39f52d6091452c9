package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/sheet"
)

// TestLargeImport: a file of more rows than the former cap (100 000) with
// one faulty last row is refused and stores nothing, not even the round;
// without that row it is imported whole.
func TestLargeImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100 010 evaluations")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "stor.db")
	ds := natgen.Generate(natgen.Options{Kommuner: 10, EvaluationsPerKommun: 10_001})
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, form.MustEvaluation(), ds); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	lines := strings.Split(strings.TrimRight(good, "\r\n"), "\r\n")
	header, last := strings.Split(lines[0], ";"), strings.Split(lines[len(lines)-1], ";")
	for i, h := range header {
		if h == "periodicitet" {
			last[i] = "ibland"
		}
	}
	badRow := len(lines) + 1
	files := map[string]string{"stor.csv": good, "fel.csv": good + strings.Join(last, ";") + "\r\n"}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	code, _, errs := cli(t, db, "import", "--round", "Ska inte finnas", filepath.Join(dir, "fel.csv"))
	if want := fmt.Sprintf("rad %d, kolumn periodicitet", badRow); code == 0 || !strings.Contains(errs, want) {
		t.Errorf("faulty file: exit %d, stderr lacks %q:\n%.500s", code, want, errs)
	}
	if code, _, errs := cli(t, db, "report", "--round", "Ska inte finnas", "--format", "json"); code == 0 || !strings.Contains(errs, "finns inte") {
		t.Errorf("the refused import left a round behind: exit %d %s", code, errs)
	}

	code, out, errs := cli(t, db, "import", "--round", "Stor", filepath.Join(dir, "stor.csv"))
	if want := numfmt.Int(ds.EvaluationCount()) + " utvärderingar"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("exit %d, output %q lacks %q; stderr %.500s", code, out, want, errs)
	}
}
