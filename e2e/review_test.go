package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/staff"
)

// submitThroughLink stores one complete evaluation in the test unit and
// sends its list in, as the verksamhetschef would through the link.
func (s *server) submitThroughLink(answers form.Answers) int64 {
	s.t.Helper()
	ctx := context.Background()
	sc := s.respond.ByLink(s.token)
	saved, err := s.respond.Save(ctx, sc, respond.Edit{Answers: answers})
	e, errs := saved.Evaluation, saved.Errors
	if err != nil || errs != nil {
		s.t.Fatalf("save: %v %v", err, errs)
	}
	if err := s.respond.Submit(ctx, sc); err != nil {
		s.t.Fatal(err)
	}
	return e.ID
}

// TestReviewQuestionThroughLink: a projektledare opens a question about a
// sent-in evaluation on its review panel; the verksamhetschef finds it on
// the personal link's page, answers it and corrects the evaluation, by
// keyboard; the projektledare sees the answer and the correction and closes
// the question. The pages pass axe.
func TestReviewQuestionThroughLink(t *testing.T) {
	b := newBrowser(t)
	axeSrc := axeSource(t)
	s := newServer(t, false)
	s.addUser("projektledare@e2e.example", staff.Projektledare, "Borlänge")
	id := s.submitThroughLink(form.Answers{"benamning": "Brukarundersökning hemtjänst", "periodicitet": "arligen",
		"uppdragsgivare_typ": "politisk", "syfte": "Följa upp hemtjänsten.", "resultatansvarig": "namnd",
		"anvandning": "handlingsplan", "timmar": "1200"})
	panel := fmt.Sprintf("/admin/omgangar/%d/granskning/%d", s.round.ID, id)

	// The reviewer finds the evaluation in the round's review list and asks.
	b.login(s.url, "projektledare@e2e.example")
	b.open(s.url, fmt.Sprintf("/admin/omgangar/%d", s.round.ID))
	b.loadAfter("open the review", chromedp.Click(chromedp.CSS(`main a[href$="/granskning"]`)))
	b.axe(axeSrc)
	b.loadAfter("open the evaluation", chromedp.Click(chromedp.CSS(`main a[href="`+panel+`"]`)))
	if got := b.text("main h1"); got != "Brukarundersökning hemtjänst" {
		t.Fatalf("review panel heading %q", got)
	}
	const question = "1 200 timmar är mycket för en enkät. Stämmer det?"
	b.typeInto("fraga", question)
	b.tabToCSS(`main form[action$="/fraga"] button[type=submit]`)
	b.loadAfter("send the question", b.press("\r"))
	if got := b.text("main .notice[role=status]"); !strings.Contains(got, "Frågan är skickad") {
		t.Fatalf("after asking: notice %q (at %s)", got, b.location())
	}
	if got := b.text("main .question"); !strings.Contains(got, question) || !strings.Contains(got, "Väntar på svar") {
		t.Errorf("the panel shows the question as %q", got)
	}
	b.axe(axeSrc)
	b.screenshot("fraga-stalld")

	// The verksamhetschef opens the link, answers and corrects.
	if st := b.open(s.link, ""); st != 200 {
		t.Fatalf("personal link: status %d", st)
	}
	if got := b.text("main .review-questions"); !strings.Contains(got, question) || !strings.Contains(got, "Brukarundersökning hemtjänst") {
		t.Fatalf("the chef's page shows the questions as %q", got)
	}
	b.axe(axeSrc)
	qs, err := s.store.Q(context.Background()).UnitQuestions(s.unit.ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("questions stored: %v, %v", qs, err)
	}
	answerField := fmt.Sprintf("svar-%d", qs[0].ID)
	const answer = "Nej, det ska vara 120 timmar. Jag rättar."
	b.typeInto(answerField, answer)
	b.tabToCSS(`main form[action$="/svar"] button[type=submit]`)
	b.loadAfter("send the answer", b.press("\r"))
	if got := b.text("main .notice[role=status]"); !strings.Contains(got, "Ditt svar på frågan är skickat") {
		t.Fatalf("after answering: notice %q", got)
	}
	b.tabToCSS(`main .review-questions a[href$="/ratta"]`)
	b.loadAfter("open the correction", b.press("\r"))
	if got := b.text("main h1"); got != "Rätta utvärdering" {
		t.Fatalf("correction page heading %q", got)
	}
	if n := b.count(`button[value=utkast]`); n != 0 {
		t.Error("the correction page offers to save a draft")
	}
	b.axe(axeSrc)
	eval[bool](b, `(function(){ document.getElementById('timmar').value = ''; return true; })()`)
	b.typeInto("timmar", "120")
	b.loadAfter("save the correction", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
	if got := b.text("main .notice[role=status]"); !strings.Contains(got, "Utvärderingen är rättad") {
		t.Fatalf("after correcting: notice %q (at %s)", got, b.location())
	}
	evs := s.evaluations(s.unit.ID)
	if len(evs) != 1 || evs[0].Answers.Get("timmar") != "120" || !evs[0].Complete || s.storedUnit(s.unit.ID).Response != "inskickad" {
		t.Fatalf("after the correction: %+v, unit %q", evs, s.storedUnit(s.unit.ID).Response)
	}
	b.screenshot("fraga-besvarad")

	// The reviewer sees the answer and the correction, and closes it.
	b.open(s.url, panel)
	q := b.text("main .question")
	for _, want := range []string{answer, "Besvarad", "har ändrats sedan frågan ställdes"} {
		if !strings.Contains(q, want) {
			t.Errorf("the panel's question lacks %q: %q", want, q)
		}
	}
	b.tabToCSS(`main form[action$="/avsluta"] button[type=submit]`)
	b.loadAfter("close the question", b.press("\r"))
	if got := b.text("main .question"); !strings.Contains(got, "Avslutad") {
		t.Errorf("after closing, the question reads %q", got)
	}
	if n := b.count(`main form[action$="/avsluta"]`); n != 0 {
		t.Error("a closed question can still be closed")
	}
	qs, err = s.store.Q(context.Background()).UnitQuestions(s.unit.ID)
	if err != nil || len(qs) != 1 || qs[0].Open() || !qs[0].Answered() || !strings.Contains(qs[0].ClosedBy, "projektledare@e2e.example") {
		t.Errorf("the stored question: %+v, %v", qs, err)
	}
	// The chef's page no longer lists it.
	b.open(s.link, "")
	if n := b.count("main .review-questions"); n != 0 {
		t.Error("the chef's page still lists the closed question")
	}
}

// TestExcludedLeavesReport: the samordnare rules one of the Bergslagen
// fixture's evaluations out of scope on its review panel; the report no
// longer shows it anywhere but in the methods note, which counts it per
// kommun and gives the reason, and the report JSON lists it under
// network.excluded.
func TestExcludedLeavesReport(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, true)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	const name = "Miljöbäst i Sverige (fd Sveriges bästa miljökommun)"
	report := fmt.Sprintf("/rapporter/%d", s.fixture.ID)

	b.login(s.url, "samordnare@e2e.example")
	b.open(s.url, report)
	if !strings.Contains(b.text("body"), name) {
		t.Fatalf("before the exclusion the report does not name %q", name)
	}
	if n := b.count("p.metod.utanfor"); n != 0 {
		t.Errorf("before the exclusion the methods note speaks of %d exclusions", n)
	}
	b.open(s.url, "/rapporter") // the report page itself allows no fetch (its CSP)
	before := b.reportJSON(s.fixture.ID)

	b.open(s.url, fmt.Sprintf("/admin/omgangar/%d/granskning?kommun=Falun", s.fixture.ID))
	href := eval[string](b, `(function(){ var a = Array.from(document.querySelectorAll('main table a')).find(function(a){ return a.textContent === `+jsString(name)+`; }); return a ? a.getAttribute('href') : ''; })()`)
	if href == "" {
		t.Fatalf("the review list of Falun does not list %q", name)
	}
	b.open(s.url, href)
	const reason = "Ett jämförande index, ingen egen utvärdering"
	b.typeInto("skal", reason)
	b.tabToCSS(`main form[action$="/utanfor"] button[type=submit]`)
	b.loadAfter("exclude", b.press("\r"))
	if got := b.text("main .notice[role=status]"); !strings.Contains(got, "utanför avgränsningen") {
		t.Fatalf("after excluding: notice %q (at %s)", got, b.location())
	}
	b.screenshot("utanfor-avgransningen")

	b.open(s.url, report)
	note := b.text("p.metod.utanfor")
	for _, want := range []string{"1 utvärdering ligger utanför studiens avgränsning", "Per kommun: Falun 1"} {
		if !strings.Contains(note, want) {
			t.Errorf("the methods note lacks %q: %q", want, note)
		}
	}
	notes := eval[string](b, `Array.from(document.querySelectorAll('p.metod.utanfor')).map(function(p){ return p.textContent; }).join(' ')`)
	if !strings.Contains(notes, name) || !strings.Contains(notes, reason) {
		t.Errorf("the methods note does not name the evaluation and its reason: %q", notes)
	}
	elsewhere := eval[string](b, `(function(){ var c = document.body.cloneNode(true);
	  c.querySelectorAll('p.metod.utanfor').forEach(function(p){ p.remove(); }); return c.textContent; })()`)
	if strings.Contains(elsewhere, name) {
		t.Errorf("the excluded evaluation %q is still shown outside the methods note", name)
	}
	b.open(s.url, "/rapporter")
	after := b.reportJSON(s.fixture.ID)
	if after.Network.Evaluations != before.Network.Evaluations-1 {
		t.Errorf("report JSON counts %d evaluations, want %d", after.Network.Evaluations, before.Network.Evaluations-1)
	}
	for _, m := range after.Municipalities {
		for _, mb := range before.Municipalities {
			if m.Name == mb.Name && m.Name == "Falun" && m.Evaluations != mb.Evaluations-1 {
				t.Errorf("Falun counts %d evaluations, want %d", m.Evaluations, mb.Evaluations-1)
			}
		}
	}
	excluded := run(b, "fetch network.excluded", chromedp.Evaluate[[]map[string]any](
		fmt.Sprintf(`fetch('/rapporter/%d/fil/json', {credentials: 'same-origin'}).then(function(r){ return r.json(); }).then(function(j){ return j.network.excluded; })`, s.fixture.ID),
		chromedp.EvalAwaitPromise))
	if len(excluded) != 1 || excluded[0]["benamning"] != name || excluded[0]["kommun"] != "Falun" || excluded[0]["reason"] != reason {
		t.Errorf("network.excluded = %v", excluded)
	}
}
