package sheet

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// soffice finds LibreOffice: $INVENTERA_SOFFICE, soffice on PATH, or where
// Debian's libreoffice-calc puts it.
func soffice(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("INVENTERA_SOFFICE"); p != "" {
		return p
	}
	if p, err := exec.LookPath("soffice"); err == nil {
		return p
	}
	const debian = "/usr/lib/libreoffice/program/soffice"
	if _, err := os.Stat(debian); err == nil {
		return debian
	}
	t.Fatal("INVENTERA_TEST_LIBREOFFICE=1 but soffice is not installed (apt-get install -y libreoffice-calc)")
	return ""
}

// resave re-saves a workbook with LibreOffice Calc, as a respondent who
// opens the form in LibreOffice (or Excel) and saves it would.
func resave(t *testing.T, data []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "formular.xlsx")
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice(t), "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "xlsx", "--outdir", out, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	resaved, err := os.ReadFile(filepath.Join(out, "formular.xlsx"))
	if err != nil {
		t.Fatalf("soffice wrote no file: %v", err)
	}
	if bytes.Equal(resaved, data) {
		t.Fatal("soffice returned the file unchanged")
	}
	return resaved
}

// TestUnitFormLibreOffice writes the unit form, fills in a row, re-saves it
// with LibreOffice Calc and reads it back: the rows are the same, and the
// dropdowns and number checks are still there. It needs LibreOffice
// (Debian: libreoffice-calc) and runs only with INVENTERA_TEST_LIBREOFFICE=1.
func TestUnitFormLibreOffice(t *testing.T) {
	if os.Getenv("INVENTERA_TEST_LIBREOFFICE") != "1" {
		t.Skip("set INVENTERA_TEST_LIBREOFFICE=1 to re-save the form with LibreOffice (apt-get install -y libreoffice-calc)")
	}
	f := openBook(t, writeUnitForm(t, existingEvaluations(t)))
	fill(t, f, 3, "timmar", 12.5)
	fill(t, f, 6,
		"benamning", "=Elevenkät",
		"periodicitet", "Mer sällan än en gång per år",
		"uppdragsgivare_typ", "Extern uppdragsgivare",
		"syfte", "Mäta trivsel\noch lärande",
		"resultatansvarig/namnd", "ja",
		"anvandning/handlingsplan", "ja",
		"brukarundersokning", "ja",
		"malgrupp", "Elever",
		"metod/enkat_webb", "ja",
		"timmar", "1 234,5",
		"konsult_kr", 2000,
	)
	filled := saveBook(t, f)
	want, err := ReadUnitForm(context.Background(), bytes.NewReader(filled), def, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 {
		t.Fatalf("%d rows before re-saving, want 3", len(want))
	}

	resaved := resave(t, filled)
	got, err := ReadUnitForm(context.Background(), bytes.NewReader(resaved), def, Limits{})
	if err != nil {
		t.Fatalf("re-saved form: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows after re-saving:\n got %v\nwant %v", got, want)
	}
	if got[0].ID != 11 || got[0].Version != 3 {
		t.Errorf("row 3 after re-saving: id %d version %d, want 11 at version 3", got[0].ID, got[0].Version)
	}

	// The dropdowns and number checks survive.
	g := openBook(t, resaved)
	dvs := validationsByColumn(t, g)
	for column, typ := range map[string]string{
		"lagstadgad": "list", "anvandning/handlingsplan": "list", "metod/annan": "list",
		"periodicitet": "list", "uppdragsgivare_typ": "list", "timmar": "decimal", "konsult_kr": "whole",
	} {
		dv := dvs[column]
		if dv == nil {
			t.Errorf("%s: no data validation after re-saving", column)
			continue
		}
		if dv.Type != typ {
			t.Errorf("%s: validation %s after re-saving, want %s", column, dv.Type, typ)
		}
	}
	if dv := dvs["periodicitet"]; dv != nil && !bytes.Contains([]byte(dv.Formula1), []byte("Årligen")) {
		t.Errorf("periodicitet: dropdown %q after re-saving lacks Årligen", dv.Formula1)
	}
	// Frozen panes are not checked: a headless conversion has no view and
	// drops every sheet's view settings, which a user's save does not.
	if typ, _ := g.GetCellType(SheetUnitForm, formCell(t, "benamning", 6)); typ == excelize.CellTypeFormula {
		t.Error("=Elevenkät became a formula")
	}
}
