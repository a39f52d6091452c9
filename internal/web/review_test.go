package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// submitByLink posts the form as a new evaluation through the unit's link
// and sends the list in; it returns the evaluation's ID.
func (e *env) submitByLink(token string, form url.Values) int64 {
	e.t.Helper()
	c := e.client()
	if status, body, _ := e.post(c, "/l/"+token+"/ny", form); status != http.StatusSeeOther {
		e.t.Fatalf("save: %d %s", status, body)
	}
	if status, body, _ := e.post(c, "/l/"+token+"/skicka-in", nil); status != http.StatusSeeOther {
		e.t.Fatalf("submit: %d %s", status, body)
	}
	evs := e.evaluations(e.unit.ID)
	return evs[len(evs)-1].ID
}

// TestReviewPages: the samordnare excludes a sent-in evaluation on its
// review panel (a reason is required), sees it so in the filtered list and
// in the report JSON, takes it back in, and asks the unit a question; the
// round page counts the open question per kommun and shows the kommun's
// code.
func TestReviewPages(t *testing.T) {
	e := newEnv(t)
	id := e.submitByLink(e.token, validForm())
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	rid := e.round.ID
	panel := fmt.Sprintf("/admin/omgangar/%d/granskning/%d", rid, id)

	status, body := e.get(sam, fmt.Sprintf("/admin/omgangar/%d/granskning", rid))
	if status != http.StatusOK || !strings.Contains(body, `href="`+panel+`"`) || !strings.Contains(body, "Med i rapporten") {
		t.Fatalf("review list: %d\n%s", status, body)
	}
	status, body = e.get(sam, panel)
	for _, want := range []string{"Brukarundersökning hemtjänst", "Markera som utanför avgränsningen", "Ny fråga till enheten",
		"<dt>Egen insatt tid (timmar)</dt><dd>1\u00a0234,5</dd>", "<dd>Handlingsplan för förbättringsarbete, Budget- och målprocessen</dd>"} {
		if status != http.StatusOK || !strings.Contains(html.UnescapeString(body), html.UnescapeString(want)) {
			t.Errorf("panel lacks %q (status %d)", want, status)
		}
	}

	// A reason is required; what was typed in the question form is not lost.
	status, body, _ = e.post(sam, panel+"/utanfor", url.Values{"csrf": {csrf}, "skal": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Skriv varför utvärderingen ligger utanför avgränsningen") {
		t.Errorf("exclusion without a reason: %d", status)
	}
	const reason = "Kundenkät utan uppföljning – ingen utvärdering"
	if status, _, h := e.post(sam, panel+"/utanfor", url.Values{"csrf": {csrf}, "skal": {reason}}); status != http.StatusSeeOther || h.Get("Location") != panel+"?meddelande=utesluten" {
		t.Fatalf("exclude: %d → %s", status, h.Get("Location"))
	}
	_, body = e.get(sam, panel+"?meddelande=utesluten")
	if !strings.Contains(body, "Ta med igen") || !strings.Contains(body, html.EscapeString(reason)) || !strings.Contains(body, "räknas inte i rapporten") {
		t.Errorf("panel after exclusion:\n%s", body)
	}
	_, body = e.get(sam, fmt.Sprintf("/admin/omgangar/%d/granskning?status=utesluten&kommun=Borl%%C3%%A4nge", rid))
	if !strings.Contains(body, "Utanför avgränsningen") || !strings.Contains(body, html.EscapeString(reason)) || !strings.Contains(body, "1 utvärdering: 0 med i rapporten, 1 utanför avgränsningen") {
		t.Errorf("filtered list:\n%s", body)
	}
	if r := e.reportJSON(sam); r.Network.Evaluations != 0 {
		t.Errorf("report counts %d evaluations after the exclusion, want 0", r.Network.Evaluations)
	}
	if status, _, _ := e.post(sam, panel+"/med", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
		t.Fatalf("include: %d", status)
	}
	if r := e.reportJSON(sam); r.Network.Evaluations != 1 {
		t.Errorf("report counts %d evaluations after taking it back in, want 1", r.Network.Evaluations)
	}

	// A question: the round page counts it for Borlänge.
	if status, _, _ := e.post(sam, panel+"/fraga", url.Values{"csrf": {csrf}, "fraga": {"Är 1 234,5 timmar rätt?"}}); status != http.StatusSeeOther {
		t.Fatalf("ask: %d", status)
	}
	_, body = e.get(sam, fmt.Sprintf("/admin/omgangar/%d", rid))
	if !regexp.MustCompile(`<th scope="row">(?:<a [^>]*>)?Borlänge(?:</a>)?</th>.*?<a href="/admin/omgangar/\d+/granskning\?kommun=Borl%c3%a4nge&amp;status=fragor">1<span class="visually-hidden"> öppen fråga i Borlänge</span></a>`).MatchString(body) {
		t.Errorf("round page does not count Borlänge's open question:\n%s", body)
	}
	if !strings.Contains(body, "1 öppen fråga") {
		t.Error("round page's unit list does not show the unit's open question")
	}

	// The kommun's code, added on the round page.
	if status, body, _ := e.post(sam, fmt.Sprintf("/admin/omgangar/%d/kommuner", rid), url.Values{"csrf": {csrf}, "kommun": {"Falun"}, "kommunkod": {"20800"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "ingen kommunkod") {
		t.Errorf("bad kommunkod: %d", status)
	}
	if status, _, _ := e.post(sam, fmt.Sprintf("/admin/omgangar/%d/kommuner", rid), url.Values{"csrf": {csrf}, "kommun": {"Falun"}, "invanare": {"55 000"}, "kommunkod": {"2080"}}); status != http.StatusSeeOther {
		t.Fatalf("add kommun with code: %d", status)
	}
	_, body = e.get(sam, fmt.Sprintf("/admin/omgangar/%d", rid))
	if !regexp.MustCompile(`<th scope="row">(?:<a [^>]*>)?Falun(?:</a>)?</th><td>2080</td>`).MatchString(body) || !strings.Contains(body, `id="kommunkod" name="kommunkod"`) {
		t.Errorf("round page lacks Falun's code or the field")
	}
}

// TestQuestionOnUnitPage: the verksamhetschef sees the open question on
// the link's page, answers it and corrects the evaluation (saved complete
// only, no drafts, no autosave); closing the round first lists the open
// question and closes only once it was shown.
func TestQuestionOnUnitPage(t *testing.T) {
	e := newEnv(t)
	id := e.submitByLink(e.token, validForm())
	q, err := e.manage.Ask(context.Background(), manage.System("test"), e.round.ID, id, "Är 1 234,5 timmar rätt?")
	if err != nil {
		t.Fatal(err)
	}
	chef := e.client()
	base := "/l/" + e.token
	_, body := e.get(chef, base)
	for _, want := range []string{"Frågor från granskningen (1)", "Är 1 234,5 timmar rätt?",
		fmt.Sprintf(`action="%s/fragor/%d/svar"`, base, q.ID), fmt.Sprintf(`href="%s/u/%d/ratta"`, base, id)} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("chef's page lacks %q", want)
		}
	}
	if status, body, _ := e.post(chef, fmt.Sprintf("%s/fragor/%d/svar", base, q.ID), url.Values{"svar": {" "}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Skriv ett svar") {
		t.Errorf("empty answer: %d", status)
	}
	if status, _, h := e.post(chef, fmt.Sprintf("%s/fragor/%d/svar", base, q.ID), url.Values{"svar": {"Nej, 123,5 timmar."}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "fragesvar") {
		t.Fatalf("answer: %d %s", status, h.Get("Location"))
	}
	_, body = e.get(chef, base+"?meddelande=fragesvar")
	if !strings.Contains(body, "Ditt svar på frågan är skickat") || !strings.Contains(body, "Nej, 123,5 timmar.") || !strings.Contains(body, "Ändra ditt svar") {
		t.Errorf("page after answering:\n%s", body)
	}

	status, body := e.get(chef, fmt.Sprintf("%s/u/%d/ratta", base, id))
	if status != http.StatusOK || !strings.Contains(body, "<h1>Rätta utvärdering</h1>") || strings.Contains(body, `value="utkast"`) ||
		strings.Contains(body, "autosave.js") || !strings.Contains(body, "Är 1 234,5 timmar rätt?") {
		t.Errorf("correction page (%d): wants the question, no draft button, no autosave", status)
	}
	if status, body, _ := e.post(chef, fmt.Sprintf("%s/u/%d/ratta", base, id), with(validForm(), map[string][]string{"syfte": nil})); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Rätta utvärdering") {
		t.Errorf("incomplete correction: %d", status)
	}
	if status, _, _ := e.post(chef, fmt.Sprintf("%s/u/%d/ratta", base, id), with(validForm(), map[string][]string{"timmar": {"123,5"}})); status != http.StatusSeeOther {
		t.Fatalf("correction: %d", status)
	}
	if evs := e.evaluations(e.unit.ID); evs[0].Answers.Get("timmar") != "123.5" || !evs[0].Complete {
		t.Errorf("stored after correction: %+v", evs[0])
	}
	if u, err := e.store.Q(context.Background()).Unit(e.unit.ID); err != nil || u.Response != round.Submitted {
		t.Errorf("unit after correction: %q, %v; want still inskickad", u.Response, err)
	}

	sam := e.client()
	csrf := e.login(sam, "samordnare")
	stateURL := fmt.Sprintf("/admin/omgangar/%d/status", e.round.ID)
	status, body, _ = e.post(sam, stateURL, url.Values{"csrf": {csrf}, "status": {"stangd"}})
	if status != http.StatusOK || !strings.Contains(body, "1 fråga från granskningen är fortfarande öppen") || !strings.Contains(body, fmt.Sprintf(`name="fraga" value="%d"`, q.ID)) {
		t.Fatalf("closing with an open question: %d\n%s", status, body)
	}
	if status, _, _ := e.post(sam, stateURL, url.Values{"csrf": {csrf}, "status": {"stangd"}, "bekrafta": {"1"}}); status != http.StatusConflict {
		t.Errorf("confirming without the question: %d, want 409", status)
	}
	if status, _, _ := e.post(sam, stateURL, url.Values{"csrf": {csrf}, "status": {"stangd"}, "bekrafta": {"1"}, "fraga": {fmt.Sprint(q.ID)}}); status != http.StatusSeeOther {
		t.Errorf("confirming with the question: %d, want 303", status)
	}
	// Closed: the question shows, but no longer takes answers.
	_, body = e.get(chef, base)
	if !strings.Contains(body, "Är 1 234,5 timmar rätt?") || strings.Contains(body, "/svar\"") {
		t.Errorf("chef's page in a closed round should show the question without the answer form")
	}
}

// TestCarriedOnUnitPage: in the next round the chef's page lists last
// year's recurring evaluations to confirm, change or drop, and links to
// last year's answers, shown read-only.
func TestCarriedOnUnitPage(t *testing.T) {
	e := newEnv(t)
	e.submitByLink(e.token, validForm())
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	if status, _, _ := e.post(sam, fmt.Sprintf("/admin/omgangar/%d/overfor", e.round.ID), url.Values{"csrf": {csrf}, "namn": {"Resultatstyrning 2010"}}); status != http.StatusSeeOther {
		t.Fatalf("carry forward: %d", status)
	}
	next, err := e.manage.RoundByName(context.Background(), manage.System("test"), "Resultatstyrning 2010")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := e.manage.Overview(context.Background(), manage.System("test"), next.ID, manage.OverviewFilter{})
	if err != nil || len(ov.Units) != 1 {
		t.Fatalf("next round: %v, %d units", err, len(ov.Units))
	}
	base := "/l/" + ov.Units[0].Link[strings.LastIndex(ov.Units[0].Link, "/")+1:]
	chef := e.client()
	_, body := e.get(chef, base)
	evs := e.evaluations(ov.Units[0].ID)
	if len(evs) != 1 {
		t.Fatalf("carried %d evaluations, want 1", len(evs))
	}
	for _, want := range []string{"Från förra omgången: bekräfta årets lista (1)", fmt.Sprintf(`action="%s/u/%d/bekrafta"`, base, evs[0].ID),
		fmt.Sprintf(`action="%s/u/%d/upphor"`, base, evs[0].ID), `href="` + base + `/forra"`, "<td>Årligen</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("chef's page lacks %q", want)
		}
	}
	status, body := e.get(chef, base+"/forra")
	if status != http.StatusOK || !strings.Contains(body, "svaren från Resultatstyrning 2009") || !strings.Contains(body, "<dd>Brukare i hemtjänsten</dd>") || strings.Contains(body, "<form") {
		t.Errorf("previous answers (%d): want last year's answers, read-only", status)
	}
	// Confirming is idempotent like every post on the unit's pages: its
	// repeat (a double click) is answered as the first, not as a conflict
	// with the version the first made.
	var confirm url.Values
	_, page := e.get(chef, base)
	for _, f := range postForm.FindAllString(page, -1) {
		if strings.Contains(f, fmt.Sprintf(`action="%s/u/%d/bekrafta"`, base, evs[0].ID)) {
			confirm = url.Values{"idem": {formKey(t, f)}}
			if m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(f); m != nil {
				confirm.Set("version", m[1])
			}
		}
	}
	if confirm == nil {
		t.Fatal("no confirm form on the chef's page")
	}
	first := send(t, chef, e.srv.URL+fmt.Sprintf("%s/u/%d/bekrafta", base, evs[0].ID), confirm, false)
	if first.status != http.StatusSeeOther || !strings.Contains(first.location, "bekraftad") || first.replayed {
		t.Fatalf("confirm: %+v", first)
	}
	if again := send(t, chef, e.srv.URL+fmt.Sprintf("%s/u/%d/bekrafta", base, evs[0].ID), confirm, false); !again.same(first) || !again.replayed {
		t.Fatalf("repeated confirm answered %+v, want %+v replayed", again, first)
	}
	_, body = e.get(chef, base)
	if strings.Contains(body, "Från förra omgången") || !e.evaluations(ov.Units[0].ID)[0].Complete {
		t.Error("after confirming, the evaluation is still waiting")
	}
}

// TestStaleCorrectionMergesOrConflicts: two correction forms loaded at the
// same version: the second one's change to another field is merged with
// the first's; a third that changes the same field as the first gets the
// conflict page, which posts back to the correction.
func TestStaleCorrectionMergesOrConflicts(t *testing.T) {
	e := newEnv(t)
	id := e.submitByLink(e.token, validForm())
	if _, err := e.manage.Ask(context.Background(), manage.System("test"), e.round.ID, id, "Stämmer timmarna?"); err != nil {
		t.Fatal(err)
	}
	chef := e.client()
	path := fmt.Sprintf("/l/%s/u/%d/ratta", e.token, id)
	_, page := e.get(chef, path)
	loaded := formVersion(t, page)
	post := func(changes map[string][]string) (int, string) {
		t.Helper()
		st, body, _ := e.post(chef, path, with(with(validForm(), changes), map[string][]string{"version": {loaded}}))
		return st, body
	}
	if st, body := post(map[string][]string{"timmar": {"123,5"}}); st != http.StatusSeeOther {
		t.Fatalf("first correction: %d %s", st, errorsIn(body))
	}
	if st, body := post(map[string][]string{"syfte": {"Rättat syfte."}}); st != http.StatusSeeOther {
		t.Fatalf("second correction, another field: %d %s", st, errorsIn(body))
	}
	got := e.stored(id)
	if got.Answers.Get("timmar") != "123.5" || got.Answers.Get("syfte") != "Rättat syfte." {
		t.Errorf("after both corrections: timmar %q syfte %q, want both kept", got.Answers.Get("timmar"), got.Answers.Get("syfte"))
	}
	st, body := post(map[string][]string{"timmar": {"99"}})
	if st != http.StatusConflict || !strings.Contains(body, fmt.Sprintf(`action="%s"`, path)) {
		t.Errorf("third correction, same field: %d, want 409 posting back to %s", st, path)
	}
	if got := e.stored(id); got.Answers.Get("timmar") != "123.5" {
		t.Errorf("the conflicting correction stored timmar %q", got.Answers.Get("timmar"))
	}
}
