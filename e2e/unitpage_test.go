package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
)

// reportFigures is what these tests read of the report JSON.
type reportFigures struct {
	Municipalities []struct {
		Name        string `json:"name"`
		Evaluations int    `json:"evaluations"`
	} `json:"municipalities"`
	Network struct {
		Evaluations            int `json:"evaluations"`
		UnsubmittedEvaluations int `json:"unsubmitted_evaluations"`
		UnsubmittedUnits       []struct {
			Enhet       string `json:"enhet"`
			Evaluations int    `json:"evaluations"`
		} `json:"unsubmitted_units"`
	} `json:"network"`
}

// reportJSON fetches the round's report JSON with the browser's session, as
// the report page's download link does.
func (b *browser) reportJSON(roundID int64) reportFigures {
	b.t.Helper()
	return run(b, "fetch the report JSON", chromedp.Evaluate[reportFigures](
		fmt.Sprintf(`fetch('/rapporter/%d/fil/json', {credentials: 'same-origin'}).then(function(r){
		  if (!r.ok) throw new Error('report JSON: HTTP ' + r.status); return r.json(); })`, roundID),
		chromedp.EvalAwaitPromise))
}

// logout presses "Logga ut" in the menu.
func (b *browser) logout() {
	b.t.Helper()
	b.loadAfter("log out", chromedp.Click(chromedp.CSS(`header.site nav form[action="/logga-ut"] button`)))
}

// TestProjektledareHelpsUnitAndSubmits: a projektledare helps a unit on its
// staff page, by hand and by uploading the unit's Excel form, and submits
// for it; the report JSON then counts those evaluations (and left them out,
// saying so, before).
func TestProjektledareHelpsUnitAndSubmits(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("projektledare@e2e.example", staff.Projektledare, "Borlänge")
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	unitPage := fmt.Sprintf("/admin/enheter/%d", s.unit.ID)

	b.login(s.url, "projektledare@e2e.example")
	if st := b.open(s.url, unitPage); st != 200 {
		t.Fatalf("%s: status %d", unitPage, st)
	}
	if got := b.text("main h1"); got != s.unit.Name {
		t.Fatalf("staff unit page heading %q", got)
	}
	// Every answer the chef can give is on the page.
	for _, sel := range []string{`form[action$="/excel/fil"]`, `form[action$="/inga"]`, `form[action$="/avboj"]`} {
		if b.count("main "+sel) == 0 {
			t.Errorf("the empty unit's staff page has no %s", sel)
		}
	}

	// By hand.
	b.loadAfter("Lägg till en utvärdering", chromedp.Click(chromedp.CSS(`main a[href$="/ny"]`)))
	b.do("fill in the form",
		chromedp.SendKeys(chromedp.ID("benamning"), "Brukarundersökning hemtjänst"),
		chromedp.Click(chromedp.CSS(`label[for="periodicitet-arligen"]`)),
		chromedp.Click(chromedp.CSS(`label[for="uppdragsgivare_typ-politisk"]`)),
		chromedp.SendKeys(chromedp.ID("syfte"), "Ta reda på hur brukarna upplever hemtjänsten."),
		chromedp.Click(chromedp.CSS(`label[for="resultatansvarig-namnd"]`)),
		chromedp.Click(chromedp.CSS(`label[for="anvandning-handlingsplan"]`)),
		chromedp.SendKeys(chromedp.ID("timmar"), "40"),
	)
	b.loadAfter("Spara", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
	if n := b.count(`main .error-summary`); n > 0 {
		t.Fatalf("the form was refused: %s", b.text("main .error-summary"))
	}
	if loc := b.location(); !strings.HasPrefix(loc, s.url+unitPage+"?") {
		t.Fatalf("after Spara the browser is at %s, want the staff unit page", loc)
	}

	// By the Excel form.
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
	b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS(`main form[action$="/excel/fil"] input[type=file]`), []string{file}))
	b.loadAfter("upload", chromedp.Click(chromedp.CSS(`main form[action$="/excel/fil"] button[type=submit]`)))
	if n := b.count(`main .error-summary`); n > 0 {
		t.Fatalf("the upload was refused: %s", b.text("main .error-summary"))
	}
	if n := len(s.evaluations(s.unit.ID)); n != 2 {
		t.Fatalf("%d evaluations stored, want 2", n)
	}
	b.screenshot("projektledare-hjalper-enhet")

	// Submit for the unit.
	if b.count(`main form[action$="/skicka-in"] button[type=submit]`) == 0 {
		t.Fatalf("the staff page offers no submit (at %s)", b.location())
	}
	b.loadAfter("Skicka in enhetens svar", chromedp.Click(chromedp.CSS(`main form[action$="/skicka-in"] button[type=submit]`)))
	if got := s.storedUnit(s.unit.ID).Response; got != round.Submitted {
		t.Fatalf("after the projektledare submitted, the unit's answer is %q", got)
	}
	if b.count(`main form[action$="/andra"]`) == 0 {
		t.Error("the submitted unit's staff page offers no Ändra svaret")
	}

	// The samordnare's report counts them.
	b.logout()
	b.login(s.url, "samordnare@e2e.example")
	rep := b.reportJSON(s.round.ID)
	if rep.Network.Evaluations != 2 || rep.Network.UnsubmittedEvaluations != 0 || len(rep.Municipalities) != 1 || rep.Municipalities[0].Evaluations != 2 {
		t.Fatalf("report JSON after the projektledare submitted: %+v", rep)
	}
	trail, err := s.manage.AuditTrail(context.Background(), manage.System("e2e"), s.def, s.round.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	submittedBy := ""
	for _, ev := range trail.Entries {
		if ev.Action == manage.ActionLabel("svar_inskickad") {
			submittedBy = ev.Actor
		}
	}
	if submittedBy != "projektledare@e2e.example" {
		t.Errorf("the audit trail says the unit was submitted by %q", submittedBy)
	}
}

// TestClosingRoundWarnsOfDrafts: the samordnare closes a round in which two
// units entered evaluations without sending them in; the browser shows
// those units and their counts first, and only "Stäng omgången ändå"
// closes. The report then says what it left out.
func TestClosingRoundWarnsOfDrafts(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	ctx := context.Background()
	sys := manage.System("e2e")
	if _, err := s.respond.Save(ctx, s.respond.ByLink(s.token), respond.Edit{Answers: form.Answers{"benamning": "Halvfärdig enkät"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	tekn, link, err := s.manage.AddUnit(ctx, sys, s.round.ID, manage.UnitInput{Name: "Tekniska nämnden", Kommuner: []string{"Borlänge"}})
	if err != nil {
		t.Fatal(err)
	}
	teknScope := s.respond.ByLink(link[strings.LastIndex(link, "/")+1:])
	for _, name := range []string{"Gatuenkät", "Parkenkät"} {
		if _, err := s.respond.Save(ctx, teknScope, respond.Edit{Answers: form.Answers{"benamning": name, "periodicitet": "arligen", "uppdragsgivare_typ": "verksamhet",
			"syfte": "Följa upp", "resultatansvarig": "verksamhetschef", "anvandning": "handlingsplan"}}); err != nil {
			t.Fatal(err)
		}
	}

	b.login(s.url, "samordnare@e2e.example")
	roundPage := fmt.Sprintf("/admin/omgangar/%d", s.round.ID)
	if st := b.open(s.url, roundPage); st != 200 {
		t.Fatalf("round page: %d", st)
	}
	buttons := eval[[]string](b, `Array.from(document.querySelectorAll('main form[action$="/status"] button[name=status]')).map(function(e){ return e.textContent.trim(); })`)
	if len(buttons) != 1 || buttons[0] != "Stäng omgången" {
		t.Fatalf("an open round's state buttons: %q, want only Stäng omgången", buttons)
	}
	b.loadAfter("Stäng omgången", chromedp.Click(chromedp.CSS(`main form[action$="/status"] button[value=stangd]`)))
	b.screenshot("stang-med-utkast")
	type row struct {
		Unit  string `json:"unit"`
		Count string `json:"count"`
	}
	rows := eval[[]row](b, tableRowsJS("Enheter som inte har skickat in", `{unit: tr.cells[0].textContent.trim(), count: tr.cells[2].textContent.trim()}`))
	want := []row{{"Socialnämnden", "1"}, {"Tekniska nämnden", "2"}}
	if len(rows) != len(want) || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("the confirm page lists %+v, want %+v", rows, want)
	}
	if got := b.text("main h1"); !strings.Contains(got, "Stäng omgången") {
		t.Errorf("confirm page heading %q", got)
	}
	if r := s.overview(s.round.ID).Round; r.State != round.Open {
		t.Fatalf("the round is %s before the confirmation", r.State)
	}
	b.loadAfter("Stäng omgången ändå", chromedp.Click(chromedp.CSS(`main button.danger`)))
	if r := s.overview(s.round.ID).Round; r.State != round.Closed {
		t.Fatalf("after confirming the round is %s", r.State)
	}
	buttons = eval[[]string](b, `Array.from(document.querySelectorAll('main form[action$="/status"] button[name=status]')).map(function(e){ return e.textContent.trim(); })`)
	if strings.Join(buttons, "|") != "Öppna omgången igen|Publicera rapporten" {
		t.Errorf("a closed round's state buttons: %q", buttons)
	}
	rep := b.reportJSON(s.round.ID)
	if rep.Network.Evaluations != 0 || rep.Network.UnsubmittedEvaluations != 3 || len(rep.Network.UnsubmittedUnits) != 2 ||
		rep.Network.UnsubmittedUnits[1].Enhet != tekn.Name {
		t.Errorf("the report JSON after closing: %+v", rep.Network)
	}
}
