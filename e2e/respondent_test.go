package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/inventera/inventera/internal/round"
)

// TestRespondentByKeyboard walks the verksamhetschef's whole errand with the
// keyboard alone: Tab to move, typing into fields, Space on radio buttons
// and checkboxes, Enter on links and buttons. No mouse event is sent.
func TestRespondentByKeyboard(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	base := s.url + "/l/" + s.token

	// The personal link.
	if st := b.open(base, ""); st != 200 {
		t.Fatalf("personal link: status %d", st)
	}
	if got := b.text("main h1"); got != "Socialnämnden" {
		t.Fatalf("unit page heading %q", got)
	}
	if got := b.text("main h2"); !strings.Contains(got, "(0)") {
		t.Fatalf("unit page lists evaluations before any was added: %q", got)
	}
	b.screenshot("enhet-tom")

	// The first Tab reaches the skip link, which then shows, and it leads
	// to the main content.
	b.key(kb.Tab)
	skip := eval[string](b, `(function(el){ var r = el.getBoundingClientRect();
	  return el.matches('a.skip') && r.left >= 0 && r.top >= 0 && r.width > 0 ? el.getAttribute('href') : ''; })(document.activeElement)`)
	if skip != "#innehall" {
		t.Fatalf("the first Tab does not show the skip link to #innehall; focus is on %s", eval[string](b, activeElementJS))
	}
	b.focusVisible("the skip link")
	b.key(kb.Enter)
	if got := eval[string](b, `document.activeElement.id`); got != "innehall" {
		t.Fatalf("Enter on the skip link moved the focus to %s, not to main#innehall", eval[string](b, activeElementJS))
	}

	// First evaluation, filled in completely.
	b.tabTo("the link Lägg till en utvärdering", `el.tagName === 'A' && el.textContent.trim() === 'Lägg till en utvärdering'`)
	b.loadAfter("Enter on Lägg till en utvärdering", b.press(kb.Enter))
	if got := b.text("main h1"); got != "Ny utvärdering" {
		t.Fatalf("form heading %q", got)
	}
	b.typeInto("benamning", "Brukarundersökning hemtjänst")
	b.choose("periodicitet", "arligen")
	b.choose("uppdragsgivare_typ", "politisk")
	b.typeInto("uppdragsgivare", "Socialnämnden")
	b.choose("lagstadgad", "nej")
	b.typeInto("syfte", "Ta reda på hur brukarna upplever hemtjänsten.")
	b.check("resultatansvarig-namnd")
	b.check("resultatansvarig-verksamhetschef")
	b.choose("uppdragsgivare_ar_resultatansvarig", "ja")
	b.typeInto("resultat_anvandning", "Resultaten gick in i verksamhetsplanen.")
	b.check("anvandning-handlingsplan")
	b.check("anvandning-budget_malprocess")
	b.choose("brukarundersokning", "ja")
	b.typeInto("malgrupp", "Brukare i hemtjänsten")
	b.check("metod-enkat_papper")
	b.typeInto("timmar", "120,5")
	b.typeInto("konsult_kr", "25 000")
	b.screenshot("formular-ifyllt")
	b.tabToCSS(`button[name=atgard][value=spara]`)
	b.loadAfter("Enter on Spara", b.press(kb.Enter))
	if got := b.text("main .notice"); got != "Utvärderingen är sparad." {
		t.Fatalf("after Spara the notice is %q (at %s)", got, b.location())
	}
	if got := b.text("main tbody tr:nth-child(1) td.status"); got != "Klar" {
		t.Fatalf("first evaluation's status %q", got)
	}

	// Second evaluation: Syfte and Resultatet har legat till grund för left
	// empty; Spara refuses it.
	b.tabTo("the link Lägg till en utvärdering", `el.tagName === 'A' && el.textContent.trim() === 'Lägg till en utvärdering'`)
	b.loadAfter("Enter on Lägg till en utvärdering", b.press(kb.Enter))
	b.typeInto("benamning", "Nationella prov åk 9")
	b.choose("periodicitet", "flera_per_ar")
	b.choose("uppdragsgivare_typ", "extern")
	b.check("resultatansvarig-forvaltningschef")
	b.tabToCSS(`button[name=atgard][value=spara]`)
	b.loadAfter("Enter on Spara with fields missing", b.press(kb.Enter))
	b.waitVisible("#felsammanfattning")
	if got := b.text("#felsammanfattning h2"); !strings.Contains(got, "Formuläret är inte sparat – 2 saker behöver rättas") {
		t.Fatalf("error summary heading %q", got)
	}
	if got := eval[string](b, `document.getElementById('felsammanfattning').getAttribute('role')`); got != "alert" {
		t.Fatalf("error summary role %q, want alert", got)
	}
	for _, code := range []string{"syfte", "anvandning"} {
		if n := b.count(`#felsammanfattning a[href="#` + code + `-fokus"]`); n != 1 {
			t.Fatalf("error summary has %d links to %s", n, code)
		}
	}
	// The text field's error is tied to it.
	syfte := eval[describedField](b, describeFieldJS("syfte"))
	if !syfte.DescribedBy["fel-syfte"] || syfte.Invalid != "true" || syfte.Error == "" {
		t.Fatalf("#syfte: aria-describedby %v, aria-invalid %q, error %q; want fel-syfte, true and a message", syfte.DescribedBy, syfte.Invalid, syfte.Error)
	}
	if !syfte.DescribedBy["hjalp-syfte"] {
		t.Errorf("#syfte lost its help text from aria-describedby: %v", syfte.DescribedBy)
	}
	// And the checkbox group's error to its fieldset.
	anv := eval[describedField](b, describeFieldJS("falt-anvandning"))
	if !anv.DescribedBy["fel-anvandning"] || anv.Error == "" {
		t.Fatalf("#falt-anvandning: aria-describedby %v, error %q", anv.DescribedBy, anv.Error)
	}
	// What was typed is kept.
	if got := eval[string](b, `document.getElementById('benamning').value`); got != "Nationella prov åk 9" {
		t.Fatalf("the refused form lost the name: %q", got)
	}
	b.screenshot("formular-fel")

	// Fix one of the two through the summary's link, and save a draft.
	b.tabToCSS(`#felsammanfattning a[href="#anvandning-fokus"]`)
	b.key(kb.Enter) // a link within the page: moves the focus start, loads nothing
	b.check("anvandning-politiskt_beslut")
	b.tabToCSS(`button[name=atgard][value=utkast]`)
	b.loadAfter("Enter on Spara utkast", b.press(kb.Enter))
	if got := b.text("main .notice"); !strings.HasPrefix(got, "Utkastet är sparat.") {
		t.Fatalf("after Spara utkast the notice is %q (at %s)", got, b.location())
	}

	// Reload: the draft is listed.
	b.loadAfter("reload", chromedp.Reload())
	row := eval[[]string](b, `Array.from(document.querySelectorAll('main tbody tr')).map(tr => tr.cells[0].textContent.trim() + '|' + tr.cells[1].textContent.trim())`)
	if len(row) != 2 || row[1] != "Nationella prov åk 9|Utkast" {
		t.Fatalf("after reload the unit lists %q; want the draft Nationella prov åk 9 second", row)
	}
	if got := b.text("main form[action$='/skicka-in'] p"); !strings.Contains(got, "1 utvärdering är ett utkast") {
		t.Fatalf("the submit section does not mention the draft: %q", got)
	}
	b.screenshot("enhet-utkast")

	// Open the draft, complete it, save.
	b.tabTo("the draft's link", `el.matches('main tbody td:first-child a') && el.textContent.trim() === 'Nationella prov åk 9'`)
	b.loadAfter("Enter on the draft", b.press(kb.Enter))
	if got := b.text("main h1"); got != "Ändra utvärdering" {
		t.Fatalf("draft heading %q", got)
	}
	if got := b.text("#felsammanfattning h2"); got != "Det här saknas innan utvärderingen är klar" {
		t.Fatalf("draft hints heading %q", got)
	}
	if got := eval[bool](b, `document.getElementById('anvandning-politiskt_beslut').checked`); !got {
		t.Fatal("the draft lost the fixed answer")
	}
	b.typeInto("syfte", "Följa upp elevernas kunskaper.")
	b.tabToCSS(`button[name=atgard][value=spara]`)
	b.loadAfter("Enter on Spara (draft)", b.press(kb.Enter))
	if got := b.text("main .notice"); got != "Utvärderingen är sparad." {
		t.Fatalf("after completing the draft the notice is %q (at %s)", got, b.location())
	}
	statuses := eval[[]string](b, `Array.from(document.querySelectorAll('main tbody td.status')).map(td => td.textContent.trim())`)
	if strings.Join(statuses, ",") != "Klar,Klar" {
		t.Fatalf("statuses %q, want both Klar", statuses)
	}

	// Submit the unit's answer.
	b.tabTo("the button Skicka in enhetens svar", `el.tagName === 'BUTTON' && el.textContent.trim() === 'Skicka in enhetens svar'`)
	b.loadAfter("Enter on Skicka in enhetens svar", b.press(kb.Enter))
	if got := b.text("main .notice"); got != "Tack! Enhetens svar är inskickat." {
		t.Fatalf("after submitting the notice is %q (at %s)", got, b.location())
	}
	if n := b.count(`main a[href$="/ny"]`); n != 0 {
		t.Fatalf("a submitted unit still offers to add evaluations (%d links)", n)
	}
	b.screenshot("enhet-inskickad")

	// The database agrees.
	evs := s.evaluations(s.unit.ID)
	if len(evs) != 2 {
		t.Fatalf("%d evaluations stored, want 2", len(evs))
	}
	names := map[string]bool{}
	for _, e := range evs {
		if !e.Complete {
			t.Errorf("evaluation %q is stored as a draft", e.Title())
		}
		names[e.Title()] = true
	}
	if !names["Brukarundersökning hemtjänst"] || !names["Nationella prov åk 9"] {
		t.Errorf("stored evaluations %v", names)
	}
	for _, e := range evs {
		if e.Title() != "Brukarundersökning hemtjänst" {
			continue
		}
		a := e.Answers
		want := map[string]string{"periodicitet": "arligen", "uppdragsgivare_typ": "politisk", "lagstadgad": "nej",
			"uppdragsgivare_ar_resultatansvarig": "ja", "brukarundersokning": "ja", "malgrupp": "Brukare i hemtjänsten"}
		for k, v := range want {
			if a.Get(k) != v {
				t.Errorf("stored %s = %q, want %q", k, a.Get(k), v)
			}
		}
		for _, o := range [][2]string{{"resultatansvarig", "namnd"}, {"resultatansvarig", "verksamhetschef"},
			{"anvandning", "handlingsplan"}, {"anvandning", "budget_malprocess"}, {"metod", "enkat_papper"}} {
			if !a.HasOption(o[0], o[1]) {
				t.Errorf("stored %s lacks %s: %q", o[0], o[1], a.Get(o[0]))
			}
		}
	}
	if u := s.storedUnit(s.unit.ID); u.Response != round.Submitted {
		t.Fatalf("unit response %q, want %q", u.Response, round.Submitted)
	}
}

// describedField is what describeFieldJS reads about a form control.
type describedField struct {
	DescribedBy map[string]bool `json:"describedBy"`
	Invalid     string          `json:"invalid"`
	Error       string          `json:"error"` // text of the elements it is described by whose id starts with fel-
}

func describeFieldJS(id string) string {
	return `(function(){ var f = document.getElementById(` + jsString(id) + `); if (!f) return null;
  var ids = (f.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean), by = {}, err = '';
  ids.forEach(function(i){ by[i] = true; var e = document.getElementById(i); if (e && i.indexOf('fel-') === 0) err += e.textContent.trim(); });
  return {describedBy: by, invalid: f.getAttribute('aria-invalid') || '', error: err}; })()`
}
