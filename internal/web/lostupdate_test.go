package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/round"
)

// Two tabs, one evaluation: tab A and tab B load the same version of the
// form; A saves, then B saves what it typed into its stale form. Nothing
// either typed may be lost.

// stale is an evaluation opened in two tabs: the path of its form and the
// version both tabs loaded.
type stale struct {
	path    string
	id      int64
	version string
}

// openTwice adds a complete evaluation (validForm) and opens its form twice,
// as two tabs do.
func (e *env) openTwice(c *http.Client) stale {
	e.t.Helper()
	if st, body, _ := e.post(c, "/l/"+e.token+"/ny", validForm()); st != http.StatusSeeOther {
		e.t.Fatalf("add: %d %s", st, errorsIn(body))
	}
	evs := e.evaluations(e.unit.ID)
	id := evs[len(evs)-1].ID
	path := fmt.Sprintf("/l/%s/u/%d", e.token, id)
	_, tabA := e.get(c, path)
	_, tabB := e.get(c, path)
	va, vb := formVersion(e.t, tabA), formVersion(e.t, tabB)
	if va != vb || va == "" {
		e.t.Fatalf("the tabs loaded versions %q and %q", va, vb)
	}
	return stale{path: path, id: id, version: va}
}

// stored is the evaluation as stored now.
func (e *env) stored(id int64) round.Evaluation {
	e.t.Helper()
	for _, ev := range e.evaluations(e.unit.ID) {
		if ev.ID == id {
			return ev
		}
	}
	e.t.Fatalf("evaluation %d is gone", id)
	return round.Evaluation{}
}

// tab is what a tab posts: the loaded form with changes, from the version.
func tab(version string, changes map[string][]string) url.Values {
	return with(with(validForm(), changes), map[string][]string{"version": {version}})
}

func TestTwoTabsDifferentFieldsMerge(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.openTwice(c)

	st, body, h := e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Tab A:s syfte."}}))
	if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "meddelande=sparad") {
		t.Fatalf("tab A: %d %s %s", st, h.Get("Location"), errorsIn(body))
	}
	st, body, h = e.post(c, s.path, tab(s.version, map[string][]string{"kommentar": {"Tab B:s kommentar."}}))
	if st != http.StatusSeeOther {
		t.Fatalf("tab B: %d, want 303 (merged); %s", st, errorsIn(body))
	}
	_, page := e.get(c, h.Get("Location"))
	if want := "Sparad. Ändringar som någon annan gjort under tiden i Syfte finns kvar."; !strings.Contains(html.UnescapeString(page), want) {
		t.Errorf("unit page after the merge lacks %q (redirected to %s)", want, h.Get("Location"))
	}
	got := e.stored(s.id)
	if got.Answers.Get("syfte") != "Tab A:s syfte." || got.Answers.Get("kommentar") != "Tab B:s kommentar." || !got.Complete {
		t.Errorf("stored syfte %q kommentar %q complete %v, want A's syfte and B's kommentar", got.Answers.Get("syfte"), got.Answers.Get("kommentar"), got.Complete)
	}
	if got.Version != 3 {
		t.Errorf("version %d after two saves, want 3", got.Version)
	}
}

var (
	conflictAction = regexp.MustCompile(`<form method="post" action="([^"]+)" id="konfliktformular">`)
	hiddenInput    = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	choiceInput    = regexp.MustCompile(`<input type="radio" id="([^"]+)-(mitt|sparat)" name="([^"]+)" value="([^"]*)"`)
)

// conflictForm reads the conflict page's form: its action, and what it
// posts with, for each conflicting field, the user's answer (choice
// "mitt") or the stored one ("sparat").
func conflictForm(t *testing.T, page, choice string) (string, url.Values) {
	t.Helper()
	m := conflictAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the conflict page has no form")
	}
	v := url.Values{}
	for _, h := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Add(h[1], html.UnescapeString(h[2]))
	}
	for _, r := range choiceInput.FindAllStringSubmatch(page, -1) {
		if r[2] == choice {
			v.Set(r[3], html.UnescapeString(r[4]))
		}
	}
	return html.UnescapeString(m[1]), v
}

func TestTwoTabsSameFieldConflict(t *testing.T) {
	for _, tt := range []struct {
		choice      string
		wantSyfte   string
		wantKonsult string
	}{
		{"mitt", "Tab B:s syfte.", "40000"},
		{"sparat", "Tab A:s syfte.", "30000"},
	} {
		t.Run(tt.choice, func(t *testing.T) {
			e := newEnv(t)
			c := e.client()
			s := e.openTwice(c)
			e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Tab A:s syfte."}, "konsult_kr": {"30 000"},
				"periodicitet": {"engangs"}}))
			st, page, _ := e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Tab B:s syfte."}, "konsult_kr": {"40 000"},
				"kommentar": {"Tab B:s kommentar, <b>som</b> inte får försvinna."}}))
			if st != http.StatusConflict {
				t.Fatalf("tab B: %d, want 409", st)
			}
			text := html.UnescapeString(page)
			for _, want := range []string{
				"Någon annan har ändrat utvärderingen", "Ingenting är sparat än",
				"Syfte", "Tab A:s syfte.", "Tab B:s syfte.", // the field's label, the stored and B's answer
				"Konsultkostnader (kr)", "30\u00a0000", "40\u00a0000", // Swedish numbers
				"Hur ofta", "Engångsutvärdering", // changed by A only: shown by its option's label, kept
			} {
				if !strings.Contains(text, want) {
					t.Errorf("conflict page lacks %q", want)
				}
			}
			// Nothing stored from B yet: A's save stands.
			if got := e.stored(s.id); got.Version != 2 || got.Answers.Get("syfte") != "Tab A:s syfte." || got.Answers.Get("kommentar") != "" {
				t.Fatalf("tab B's refused save changed the evaluation: version %d %v", got.Version, got.Answers)
			}
			// Everything B typed is in the page's form, which saves against
			// the new version.
			action, form := conflictForm(t, page, tt.choice)
			if action != s.path || form.Get("version") != "2" {
				t.Errorf("conflict form posts to %s from version %q, want %s from 2", action, form.Get("version"), s.path)
			}
			if got := form.Get("kommentar"); got != "Tab B:s kommentar, <b>som</b> inte får försvinna." {
				t.Errorf("conflict form keeps kommentar %q", got)
			}
			if got := form.Get("periodicitet"); got != "engangs" {
				t.Errorf("conflict form holds periodicitet %q, want A's change kept", got)
			}
			form.Set("atgard", "spara")
			st, body, _ := e.post(c, action, form)
			if st != http.StatusSeeOther {
				t.Fatalf("saving the conflict page: %d %s", st, errorsIn(body))
			}
			got := e.stored(s.id)
			for code, want := range map[string]string{"syfte": tt.wantSyfte, "konsult_kr": tt.wantKonsult,
				"kommentar": "Tab B:s kommentar, <b>som</b> inte får försvinna.", "periodicitet": "engangs",
				"resultatansvarig": "namnd;verksamhetschef", "timmar": "1234.5"} {
				if got.Answers.Get(code) != want {
					t.Errorf("after the conflict page: %s = %q, want %q", code, got.Answers.Get(code), want)
				}
			}
			if got.Version != 3 || !got.Complete {
				t.Errorf("after the conflict page: version %d complete %v, want 3 and complete", got.Version, got.Complete)
			}
		})
	}
}

// TestStaleSaveOfADeletedEvaluation: tab A deletes, tab B saves: B's text
// comes back on a page that saves it as a new evaluation.
func TestStaleSaveOfADeletedEvaluation(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.openTwice(c)
	if st, _, _ := e.post(c, s.path+"/ta-bort", nil); st != http.StatusSeeOther {
		t.Fatalf("delete: %d", st)
	}
	// B's autosave is refused and says so; B's page keeps the text.
	st, res := e.autosave(s.path, tab(s.version, map[string][]string{"kommentar": {"Skrivet i flik B."}}))
	if st != http.StatusConflict || !strings.Contains(fmt.Sprint(res["message"]), "tagit bort") {
		t.Errorf("autosave of a deleted evaluation: %d %v", st, res)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 0 {
		t.Fatalf("the autosave stored %d evaluations", n)
	}
	st, page, _ := e.post(c, s.path, tab(s.version, map[string][]string{"kommentar": {"Skrivet i flik B."}}))
	if st != http.StatusConflict || !strings.Contains(html.UnescapeString(page), "Skrivet i flik B.") {
		t.Fatalf("tab B: %d, want 409 with what B typed", st)
	}
	action, form := conflictForm(t, page, "mitt")
	if action != "/l/"+e.token+"/ny" {
		t.Errorf("the page saves to %s, want a new evaluation", action)
	}
	form.Set("atgard", "spara")
	if st, body, _ := e.post(c, action, form); st != http.StatusSeeOther {
		t.Fatalf("save as new: %d %s", st, errorsIn(body))
	}
	evs := e.evaluations(e.unit.ID)
	if len(evs) != 1 || evs[0].Answers.Get("kommentar") != "Skrivet i flik B." || evs[0].Answers.Get("syfte") != validForm().Get("syfte") {
		t.Fatalf("after saving as new: %+v", evs)
	}
}

// autosave posts the form as autosave.js does.
func (e *env) autosave(path string, form url.Values) (int, map[string]any) {
	e.t.Helper()
	form = with(form, map[string][]string{"atgard": {"utkast"}})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Autosave", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatalf("autosave %d: not JSON: %s", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

func TestAutosaveConflict(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.openTwice(c)

	// Tab B's own autosaves follow the version the server returns, so they
	// never conflict with each other.
	version := s.version
	for i, kommentar := range []string{"B", "B skriver", "B skriver mer"} {
		st, res := e.autosave(s.path, tab(version, map[string][]string{"kommentar": {kommentar}}))
		if st != http.StatusOK {
			t.Fatalf("autosave %d: %d %v", i+1, st, res)
		}
		next := fmt.Sprint(res["version"])
		if next == version || next == "<nil>" {
			t.Fatalf("autosave %d returned version %s after %s", i+1, next, version)
		}
		version = next
	}
	// Tab A, still at the version it loaded, autosaves too: refused, since
	// B changed the evaluation and A's page does not show it.
	st, res := e.autosave(s.path, tab(s.version, map[string][]string{"syfte": {"A:s syfte"}}))
	if st != http.StatusConflict || res["conflict"] != true {
		t.Fatalf("tab A's stale autosave: %d %v, want 409 conflict", st, res)
	}
	if want := "Någon annan har ändrat utvärderingen – ladda om för att se ändringarna; din text finns kvar här"; res["message"] != want {
		t.Errorf("message %q, want %q", res["message"], want)
	}
	got := e.stored(s.id)
	if got.Answers.Get("syfte") != validForm().Get("syfte") || got.Answers.Get("kommentar") != "B skriver mer" || fmt.Sprint(got.Version) != version {
		t.Errorf("after the refused autosave: syfte %q kommentar %q version %d", got.Answers.Get("syfte"), got.Answers.Get("kommentar"), got.Version)
	}
	// A's text is still in A's page; "Spara" from it merges.
	st, body, _ := e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"A:s syfte"}}))
	if st != http.StatusSeeOther {
		t.Fatalf("tab A's Spara: %d %s", st, errorsIn(body))
	}
	got = e.stored(s.id)
	if got.Answers.Get("syfte") != "A:s syfte" || got.Answers.Get("kommentar") != "B skriver mer" {
		t.Errorf("after A's Spara: syfte %q kommentar %q, want both tabs' text", got.Answers.Get("syfte"), got.Answers.Get("kommentar"))
	}
}

// TestFormCarriesVersion: the form renders the version it was loaded with;
// a new evaluation's form has the field, blank, for autosave to fill.
func TestFormCarriesVersion(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	_, page := e.get(c, "/l/"+e.token+"/ny")
	if v := formVersion(t, page); v != "" {
		t.Errorf("new form carries version %q, want blank", v)
	}
	s := e.openTwice(c)
	e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Ändrat"}}))
	_, page = e.get(c, s.path)
	if v := formVersion(t, page); v != "2" {
		t.Errorf("form after one save carries version %q, want 2", v)
	}
	// A refused save shows the form again at the version stored.
	st, page, _ := e.post(c, s.path, tab("2", map[string][]string{"syfte": {""}}))
	if st != http.StatusUnprocessableEntity || formVersion(t, page) != "2" {
		t.Errorf("refused save: %d, version %q, want 422 at 2", st, formVersion(t, page))
	}
}

// TestStaleExcelUpload: the unit's Excel form is downloaded, the evaluation
// is changed on the web, then the old file is uploaded: a change to
// another field merges; a change to the same field is refused, naming the
// row, the field and both values, and nothing is stored.
func TestStaleExcelUpload(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.openTwice(c)
	old := e.download(c, "/l/"+e.token+"/excel")
	if st, body, _ := e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Ändrat på webben."}})); st != http.StatusSeeOther {
		t.Fatalf("web change: %d %s", st, errorsIn(body))
	}
	upload := func(values map[string]any) (int, string, http.Header) {
		t.Helper()
		f, err := excelize.OpenReader(bytes.NewReader(old))
		if err != nil {
			t.Fatal(err)
		}
		fillRow(t, f, 3, values)
		var buf bytes.Buffer
		f.Write(&buf)
		return e.uploadHeaders(c, "/l/"+e.token+"/excel/fil", buf.Bytes())
	}

	// Same field: refused.
	st, page, _ := upload(map[string]any{"syfte": "Ändrat i filen.", "kommentar": "Från filen."})
	text := html.UnescapeString(page)
	if st != http.StatusConflict {
		t.Fatalf("stale upload changing syfte: %d, want 409", st)
	}
	for _, want := range []string{"ingenting sparades", "Rad 3", "Syfte", "i filen ”Ändrat i filen.”", "sparat nu ”Ändrat på webben.”", "Ladda ner formuläret på nytt"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal lacks %q", want)
		}
	}
	if got := e.stored(s.id); got.Version != 2 || got.Answers.Get("kommentar") != "" || got.Answers.Get("syfte") != "Ändrat på webben." {
		t.Fatalf("refused upload changed the evaluation: version %d %v", got.Version, got.Answers)
	}

	// Another field: merged, both kept.
	st, _, h := upload(map[string]any{"kommentar": "Från filen."})
	if st != http.StatusSeeOther {
		t.Fatalf("stale upload changing kommentar: %d, want 303", st)
	}
	_, page = e.get(c, h.Get("Location"))
	if want := "Ändringar som någon annan gjort under tiden i Syfte finns kvar."; !strings.Contains(html.UnescapeString(page), want) {
		t.Errorf("unit page after the merged upload lacks %q", want)
	}
	got := e.stored(s.id)
	if got.Answers.Get("syfte") != "Ändrat på webben." || got.Answers.Get("kommentar") != "Från filen." || got.Version != 3 {
		t.Errorf("after the merged upload: syfte %q kommentar %q version %d", got.Answers.Get("syfte"), got.Answers.Get("kommentar"), got.Version)
	}
	// The file carries the version per row: a fresh download says 3.
	f, err := excelize.OpenReader(bytes.NewReader(e.download(c, "/l/"+e.token+"/excel")))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Utvärderingar")
	if last := rows[0][len(rows[0])-1]; last != "version" || rows[2][len(rows[0])-1] != "3" {
		t.Errorf("downloaded form: last column %q, row 3 holds %q, want version 3", last, rows[2][len(rows[0])-1])
	}
}

// uploadHeaders uploads a file as the unit page's form does and returns the
// response's headers too.
func (e *env) uploadHeaders(c *http.Client, path string, data []byte) (int, string, http.Header) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("fil", "formular.xlsx")
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
	return resp.StatusCode, string(b), resp.Header
}

// TestStaffAndChefSameField: the projektledare helping the unit has the
// form open while the verksamhetschef saves through the link; the
// projektledare's stale save gets the conflict page (with the session's
// CSRF field), and saving it keeps both.
func TestStaffAndChefSameField(t *testing.T) {
	e := newEnv(t)
	chef := e.client()
	pl := e.client()
	csrf := e.loginAs(pl, "pl@borlange.example", "projektledare", "Borlänge")
	s := e.openTwice(chef)
	staffPath := fmt.Sprintf("/admin/enheter/%d/u/%d", e.unit.ID, s.id)
	_, page := e.get(pl, staffPath)
	loaded := formVersion(t, page)

	if st, body, _ := e.post(chef, s.path, tab(s.version, map[string][]string{"syfte": {"Chefens syfte."}})); st != http.StatusSeeOther {
		t.Fatalf("chef: %d %s", st, errorsIn(body))
	}
	st, page, _ := e.post(pl, staffPath, with(tab(loaded, map[string][]string{"syfte": {"Projektledarens syfte."},
		"timmar": {"40"}}), map[string][]string{"csrf": {csrf}}))
	if st != http.StatusConflict {
		t.Fatalf("projektledare: %d, want 409", st)
	}
	action, form := conflictForm(t, page, "sparat")
	if action != staffPath || form.Get("csrf") != csrf {
		t.Fatalf("conflict form posts to %s with csrf %q", action, form.Get("csrf"))
	}
	form.Set("atgard", "spara")
	if st, body, _ := e.post(pl, action, form); st != http.StatusSeeOther {
		t.Fatalf("projektledare saves the conflict page: %d %s", st, errorsIn(body))
	}
	got := e.stored(s.id)
	if got.Answers.Get("syfte") != "Chefens syfte." || got.Answers.Get("timmar") != "40" {
		t.Errorf("stored syfte %q timmar %q, want the chef's syfte and the projektledare's hours", got.Answers.Get("syfte"), got.Answers.Get("timmar"))
	}
}

// TestStaleDeleteIsRefused: tab A opens the delete page, tab B saves a
// change; A's delete is refused with a message and the evaluation keeps
// B's change. Deleting from a page opened after the change works.
func TestStaleDeleteIsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.openTwice(c)
	_, confirm := e.get(c, s.path+"/ta-bort")
	seen := formVersion(t, confirm)
	if seen != s.version {
		t.Fatalf("the delete page carries version %q, want %q", seen, s.version)
	}
	if st, body, _ := e.post(c, s.path, tab(s.version, map[string][]string{"syfte": {"Ändrat i flik B."}})); st != http.StatusSeeOther {
		t.Fatalf("tab B: %d %s", st, errorsIn(body))
	}
	st, page, _ := e.post(c, s.path+"/ta-bort", url.Values{"version": {seen}})
	if st != http.StatusConflict || !strings.Contains(html.UnescapeString(page), "togs inte bort") {
		t.Errorf("stale delete: %d, want 409 saying it was not deleted", st)
	}
	if got := e.stored(s.id); got.Answers.Get("syfte") != "Ändrat i flik B." {
		t.Fatalf("after the stale delete: syfte = %q, want tab B's", got.Answers.Get("syfte"))
	}
	_, confirm = e.get(c, s.path+"/ta-bort")
	if st, _, _ := e.post(c, s.path+"/ta-bort", url.Values{"version": {formVersion(t, confirm)}}); st != http.StatusSeeOther {
		t.Errorf("delete from a fresh page: %d, want 303", st)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 0 {
		t.Errorf("%d evaluations left, want 0", n)
	}
}
