package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/sheet/sheettest"
)

func (e *env) upload(c *http.Client, path, name string, data []byte, csrf string) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	fw, _ := mw.CreateFormFile("fil", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) download(c *http.Client, path string) []byte {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

// fillRow writes an evaluation into row `row` of the unit form by column name.
func fillRow(t *testing.T, f *excelize.File, row int, values map[string]any) {
	t.Helper()
	header := sheet.UnitFormHeader(form.MustEvaluation())
	for col, name := range header {
		v, ok := values[name]
		if !ok {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(col+1, row)
		if err := f.SetCellValue("Utvärderingar", cell, v); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExcelFormRoundTrip(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	e.post(c, "/l/"+e.token+"/ny", validForm()) // one existing evaluation
	existing := e.evaluations(e.unit.ID)[0]

	f, err := excelize.OpenReader(bytes.NewReader(e.download(c, "/l/"+e.token+"/excel")))
	if err != nil {
		t.Fatal(err)
	}
	// Change the existing row's name, add a new evaluation below it.
	fillRow(t, f, 3, map[string]any{"benamning": "Brukarundersökning hemtjänst 2009"})
	fillRow(t, f, 4, map[string]any{
		"benamning": "Nationella prov åk 9", "periodicitet": "Årligen", "uppdragsgivare_typ": "Extern uppdragsgivare",
		"uppdragsgivare": "Skolverket", "syfte": "=Jämföra resultat", "resultatansvarig/forvaltningschef": "ja",
		"anvandning/handlingsplan": "ja", "anvandning/budget_malprocess": "ja", "brukarundersokning": "nej", "timmar": "1 234,5",
	})
	var buf bytes.Buffer
	f.Write(&buf)
	status, body := e.upload(c, "/l/"+e.token+"/excel/fil", "formular.xlsx", buf.Bytes(), "")
	if status != http.StatusSeeOther {
		t.Fatalf("upload: status %d: %s", status, body)
	}
	evs := e.evaluations(e.unit.ID)
	if len(evs) != 2 {
		t.Fatalf("after upload: %d evaluations, want 2", len(evs))
	}
	if evs[0].ID != existing.ID || evs[0].Answers.Get("benamning") != "Brukarundersökning hemtjänst 2009" {
		t.Errorf("existing evaluation not updated: %+v", evs[0].Answers)
	}
	n := evs[1].Answers
	if n.Get("uppdragsgivare_typ") != "extern" || n.Get("anvandning") != "handlingsplan;budget_malprocess" || n.Get("timmar") != "1234.5" || n.Get("syfte") != "=Jämföra resultat" || !evs[1].Complete {
		t.Errorf("new evaluation = %+v", n)
	}

	// A faulty upload is refused whole, every faulty row named.
	f2, _ := excelize.OpenReader(bytes.NewReader(e.download(c, "/l/"+e.token+"/excel")))
	fillRow(t, f2, 3, map[string]any{"benamning": "Ändrad men ska inte sparas"})
	fillRow(t, f2, 5, map[string]any{"benamning": "Utan syfte", "periodicitet": "Årligen", "uppdragsgivare_typ": "Extern uppdragsgivare", "resultatansvarig/ingen": "ja", "anvandning/inte_alls": "ja"})
	fillRow(t, f2, 6, map[string]any{"benamning": "Fel tal", "periodicitet": "Årligen", "uppdragsgivare_typ": "Extern uppdragsgivare", "syfte": "x", "resultatansvarig/ingen": "ja", "anvandning/inte_alls": "ja", "timmar": "tolv"})
	buf.Reset()
	f2.Write(&buf)
	status, body = e.upload(c, "/l/"+e.token+"/excel/fil", "formular.xlsx", buf.Bytes(), "")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("faulty upload: status %d", status)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{"rad 5", "syfte", "rad 6", "timmar", "ingenting sparades"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal page lacks %q", want)
		}
	}
	after := e.evaluations(e.unit.ID)
	if len(after) != 2 || after[0].Answers.Get("benamning") != "Brukarundersökning hemtjänst 2009" {
		t.Errorf("refused upload changed the unit's evaluations")
	}
}

func TestExcelUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	status, _ := e.upload(e.client(), "/l/"+e.token+"/excel/fil", "stor.xlsx", bytes.Repeat([]byte{'P'}, 50<<20), "")
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("50 MB upload: status %d, want 413", status)
	}
}

func TestUnitsUploadAndLinksList(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.loginAs(c, "pl@borlange.example", "projektledare", "Borlänge")
	csv := "enhet;kommun;omrade;fordelning;status;orsak;verksamhetschef;epost\n" +
		"Kultur- och fritidsnämnden;Borlänge;Kultur och fritid;;;;Eva Ek;eva@borlange.example\n" +
		"Omsorgsnämnden;Borlänge;Vård och omsorg;;;;Per Ros;per@borlange.example\n"
	status, body := e.upload(c, "/admin/omgangar/1/enheter/fil", "enheter.csv", []byte(csv), csrf)
	if status != http.StatusSeeOther {
		t.Fatalf("units upload: %d %s", status, body)
	}
	xlsx := e.download(c, "/admin/omgangar/1/lankar.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	links := 0
	for _, r := range rows {
		for _, v := range r {
			if strings.HasPrefix(v, e.srv.URL+"/l/") {
				links++
			}
		}
	}
	if links != 3 { // Socialnämnden and the two uploaded
		t.Errorf("links list holds %d links, want 3", links)
	}
	// A projektledare cannot upload units of another kommun; nothing stored.
	bad := "enhet;kommun\nFaluns enhet;Falun\nBorlänges enhet;Borlänge\n"
	status, _ = e.upload(c, "/admin/omgangar/1/enheter/fil", "enheter.csv", []byte(bad), csrf)
	if status == http.StatusSeeOther {
		t.Fatal("upload with another kommun's unit accepted")
	}
	if status != http.StatusUnprocessableEntity && status != http.StatusForbidden {
		t.Errorf("refused units upload: status %d", status)
	}
	_, page := e.get(c, "/admin/omgangar/1")
	if strings.Contains(page, "Borlänges enhet") {
		t.Error("refused units upload stored a unit")
	}
}

// TestHostileUploads: each hostile shape, uploaded through every upload of
// the service, is refused with a page naming what was too big; nothing is
// stored, no temporary file remains and the service goes on serving.
func TestHostileUploads(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	staffClient := e.client()
	csrf := e.login(staffClient, "samordnare")
	def := form.MustEvaluation()
	units := func() int {
		ov, err := e.manage.Overview(context.Background(), manage.System("test"), e.round.ID, manage.OverviewFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(ov.Units)
	}
	evaluations := func() int { return len(e.evaluations(e.unit.ID)) }
	endpoints := []struct {
		name, path, file string
		sheet            sheettest.Sheet
		client           *http.Client
		csrf             string
		stored           func() int
	}{
		{"personal link", "/l/" + e.token + "/excel/fil", "formular.xlsx", sheettest.Upload, e.client(), "", evaluations},
		{"staff on the unit's behalf", fmt.Sprintf("/admin/enheter/%d/excel/fil", e.unit.ID), "formular.xlsx", sheettest.Upload, staffClient, csrf, evaluations},
		{"units", fmt.Sprintf("/admin/omgangar/%d/enheter/fil", e.round.ID), "enheter.xlsx", sheettest.Units, staffClient, csrf, units},
	}
	shapes := []struct {
		name string
		book func(s sheettest.Sheet) sheettest.Book
		want string
	}{
		{"long shared string", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigSharedString(s, 40_000) }, "2 på bladet " /* Cellen X2 … */},
		{"long cell", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigInlineCell(s, 40_000) }, "tecken; högst 32\u00a0767 tillåts."},
		{"whitespace", func(s sheettest.Sheet) sheettest.Book { return sheettest.Whitespace(s, 40_000) }, "tecken i följd utanför cellerna"},
		{"shared string bomb", func(s sheettest.Sheet) sheettest.Book { return sheettest.SharedRefs(s, def, 6_000) }, "celler har tillsammans mer än 20\u00a0000\u00a0000 tecken"},
		{"tiny strings", func(s sheettest.Sheet) sheettest.Book { return sheettest.TinyStrings(s, 200_001) }, "fler än 200\u00a0000 delade texter"},
		{"empty cells", func(s sheettest.Sheet) sheettest.Book { return sheettest.EmptyCells(s, 70, 16_000) }, "fler än 1\u00a0000\u00a0000 celler"},
		{"unpacks too large", func(s sheettest.Sheet) sheettest.Book { return sheettest.Whitespace(s, 200<<20) }, "tillåts uppackad"},
	}
	for _, ep := range endpoints {
		for _, sh := range shapes {
			t.Run(ep.name+"/"+sh.name, func(t *testing.T) {
				before := ep.stored()
				status, body := e.upload(ep.client, ep.path, ep.file, sh.book(ep.sheet).Bytes(), ep.csrf)
				page := html.UnescapeString(body)
				if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, sh.want) {
					t.Errorf("status %d, page lacks %q:\n%.600s", status, sh.want, page)
				}
				if after := ep.stored(); after != before {
					t.Errorf("stored: %d before, %d after", before, after)
				}
				if left, _ := filepath.Glob(filepath.Join(tmp, "inventera-xlsx-*")); len(left) > 0 {
					t.Errorf("temporary files left: %v", left)
				}
				if status, _ := e.get(e.client(), "/"); status != http.StatusOK {
					t.Errorf("GET / after the upload: %d", status)
				}
			})
		}
	}
}
