package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// axeTags are the rule sets run: WCAG 2.0 and 2.1, levels A and AA, which
// the law on accessible public digital services (EN 301 549) requires.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeRunJS runs axe-core on the whole document and reduces its violations
// to what a failure message needs.
const axeRunJS = `axe.run(document, {runOnly: {type: 'tag', values: ` + axeTags + `}, resultTypes: ['violations', 'incomplete']})
  .then(function(r){ function brief(v){ return {id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(function(n){ return {target: n.target.map(String).join(' '), summary: n.failureSummary || ''}; })}; }
    return {violations: r.violations.map(brief), incomplete: r.incomplete.map(brief)}; })`

type axeResults struct {
	Violations []axeViolation `json:"violations"`
	Incomplete []axeViolation `json:"incomplete"` // what axe could not decide: logged
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// axeSource reads axe.min.js. The test skips only without a browser; with
// one, a missing axe-core is an error of the set-up.
func axeSource(t *testing.T) string {
	t.Helper()
	chromium(t)
	p := os.Getenv(envAxe)
	if p == "" {
		t.Fatalf("%s is set but %s is not: set it to axe-core's axe.min.js (.ci/parts/20-browser.sh does)", envChromium, envAxe)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", envAxe, err)
	}
	return string(b)
}

// axe injects axe-core into the page, runs it, and fails the test on every
// serious or critical violation; lesser ones are logged.
func (b *browser) axe(src string) {
	b.t.Helper()
	if !eval[bool](b, `typeof axe === 'object'`) {
		run(b, "inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	res := run(b, "axe.run", chromedp.Evaluate[axeResults](axeRunJS, chromedp.EvalAwaitPromise))
	for _, v := range res.Incomplete {
		b.t.Logf("axe could not decide %s on %d elements (%s)", v.ID, len(v.Nodes), firstSummary(v))
	}
	for _, v := range res.Violations {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, n.Target)
		}
		msg := fmt.Sprintf("axe %s (%s): %s – %s\n    nodes: %s", v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(targets, " | "))
		if f := firstSummary(v); f != "" {
			msg += "\n    first: " + f
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
}

func firstSummary(v axeViolation) string {
	if len(v.Nodes) == 0 {
		return ""
	}
	return strings.Join(strings.Fields(v.Nodes[0].Summary), " ")
}

// in is the browser for a subtest: failures and screenshots go to t.
func (b *browser) in(t *testing.T) *browser {
	c := *b
	c.t, c.shots = t, 0
	return &c
}

// TestAccessibility runs axe-core's WCAG 2.1 A and AA rules on every page
// type, as a verksamhetschef and as a samordnare sees it.
func TestAccessibility(t *testing.T) {
	src := axeSource(t)
	b := newBrowser(t)
	s := newServer(t, true)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	ctx := context.Background()
	done, err := s.respond.Save(ctx, s.respond.ByLink(s.token), respond.Edit{Answers: form.Answers{"benamning": "Brukarundersökning hemtjänst", "kommunovergripande": "nej",
		"periodicitet": "arligen", "uppdragsgivare_typ": "politisk", "syfte": "Brukarnas upplevelse.",
		"resultatansvarig": "namnd", "anvandning": "handlingsplan", "brukarundersokning": "nej"}})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := s.respond.Save(ctx, s.respond.ByLink(s.token), respond.Edit{Answers: form.Answers{"benamning": "Nationella prov åk 9"}, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	link := "/l/" + s.token
	fixtureEvs, err := s.store.Q(ctx).RoundEvaluations(s.fixture.ID)
	if err != nil || len(fixtureEvs) == 0 {
		t.Fatalf("fixture evaluations: %v", err)
	}
	// The next round, carried forward from the small one: its unit's page
	// lists last year's evaluations and links to last year's answers.
	nextUnit := func(b *browser) string {
		b.t.Helper()
		next, err := s.manage.CarryForward(ctx, manage.System("e2e"), s.round.ID, manage.RoundInput{Name: "Webbtest 2027"})
		if err != nil {
			b.t.Fatal(err)
		}
		ov, err := s.manage.Overview(ctx, manage.System("e2e"), next.ID, manage.OverviewFilter{})
		if err != nil || len(ov.Units) != 1 {
			b.t.Fatalf("next round: %v", err)
		}
		return ov.Units[0].Link
	}

	type pageCase struct {
		name   string
		path   string
		status int64
		before func(t *testing.T) // before opening path
		setup  func(b *browser)   // after opening path, before axe
	}
	anonymous := []pageCase{
		{name: "startsida", path: "/", status: 200},
		{name: "inloggning", path: "/logga-in", status: 200},
		{name: "tillganglighetsredogorelse", path: "/tillganglighet", status: 200},
		{name: "enhet", path: link, status: 200},
		{name: "formular-tomt", path: link + "/ny", status: 200},
		{name: "formular-fel", path: link + "/ny", status: 200, setup: func(b *browser) {
			b.loadAfter("Spara an empty form", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
			b.waitVisible("#felsammanfattning")
		}},
		{name: "formular-utkast", path: fmt.Sprintf("%s/u/%d", link, draft.Evaluation.ID), status: 200, setup: func(b *browser) {
			b.waitVisible("#felsammanfattning")
		}},
		{name: "ta-bort", path: fmt.Sprintf("%s/u/%d/ta-bort", link, done.Evaluation.ID), status: 200},
		// Someone else saves the evaluation while the form is open; Spara
		// with a change to the same field shows the conflict page.
		{name: "konflikt", path: fmt.Sprintf("%s/u/%d", link, done.Evaluation.ID), status: 200, setup: func(b *browser) {
			changed := done.Evaluation.Answers.Clone()
			changed["syfte"] = "Ändrat i en annan flik."
			if _, err := s.respond.Save(ctx, s.respond.ByLink(s.token), respond.Edit{ID: done.Evaluation.ID, Version: done.Evaluation.Version, Answers: changed}); err != nil {
				b.t.Fatal(err)
			}
			eval[string](b, `document.getElementById('syfte').value = 'Ändrat här.'`)
			b.loadAfter("Spara a stale form", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
			b.waitVisible("#konflikt")
		}},
		{name: "fel-404-lank", path: "/l/en-lank-som-inte-finns", status: 404},
	}
	staffPages := []pageCase{
		{name: "omgangar", path: "/admin", status: 200},
		{name: "omgang-oversikt", path: fmt.Sprintf("/admin/omgangar/%d", s.fixture.ID), status: 200},
		{name: "omgang-oversikt-liten", path: fmt.Sprintf("/admin/omgangar/%d", s.round.ID), status: 200},
		{name: "andringslogg", path: fmt.Sprintf("/admin/omgangar/%d/andringslogg", s.round.ID), status: 200},
		{name: "enhet-personal", path: fmt.Sprintf("/admin/enheter/%d", s.unit.ID), status: 200},
		// Closing the small round, whose unit has a draft, asks first.
		{name: "stang-bekrafta", path: fmt.Sprintf("/admin/omgangar/%d", s.round.ID), status: 200, setup: func(b *browser) {
			b.loadAfter("Stäng omgången", chromedp.Click(chromedp.CSS(`main form[action$="/status"] button[value=stangd]`)))
			b.waitVisible("main button.danger")
		}},
		{name: "granskning", path: fmt.Sprintf("/admin/omgangar/%d/granskning", s.fixture.ID), status: 200},
		{name: "granskning-utvardering", path: fmt.Sprintf("/admin/omgangar/%d/granskning/%d", s.fixture.ID, fixtureEvs[0].ID), status: 200},
		{name: "enhet-nasta-omgang-och-forra-svaren", path: "/admin", status: 200, setup: func(b *browser) {
			l := nextUnit(b)
			if st := b.open(l, ""); st != 200 {
				b.t.Fatalf("next round's link: %d", st)
			}
			b.waitVisible("main .carried")
			b.axe(src)
			if st := b.open(l, "/forra"); st != 200 {
				b.t.Fatalf("last year's answers: %d", st)
			}
		}},
		{name: "rapporter", path: "/rapporter", status: 200},
		{name: "rapport", path: fmt.Sprintf("/rapporter/%d", s.fixture.ID), status: 200},
		{name: "fel-404", path: "/sidan-finns-inte", status: 404},
		// The published report has no "Utkast" watermark behind the text, so
		// axe can check the contrast of all of it.
		{name: "rapport-publicerad", path: fmt.Sprintf("/rapporter/%d", s.fixture.ID), status: 200, before: func(t *testing.T) {
			if _, err := s.manage.SetState(ctx, manage.System("e2e"), s.fixture.ID, round.Closed); err != nil {
				t.Fatal(err)
			}
			if _, err := s.manage.SetState(ctx, manage.System("e2e"), s.fixture.ID, round.Published); err != nil {
				t.Fatal(err)
			}
		}},
	}
	check := func(pc pageCase) {
		t.Run(pc.name, func(t *testing.T) {
			b := b.in(t)
			if pc.before != nil {
				pc.before(t)
			}
			if st := b.open(s.url, pc.path); st != pc.status {
				t.Fatalf("%s: status %d, want %d", pc.path, st, pc.status)
			}
			if pc.setup != nil {
				pc.setup(b)
			}
			b.screenshotTop(pc.name)
			b.axe(src)
		})
	}
	for _, pc := range anonymous {
		check(pc)
	}
	b.login(s.url, "samordnare@e2e.example")
	for _, pc := range staffPages {
		check(pc)
	}
}
