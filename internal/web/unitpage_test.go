package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// reportJSON is what these tests read of the report JSON.
type reportJSON struct {
	Municipalities []struct {
		Name                   string `json:"name"`
		Evaluations            int    `json:"evaluations"`
		UnsubmittedEvaluations int    `json:"unsubmitted_evaluations"`
	} `json:"municipalities"`
	Network struct {
		Evaluations            int `json:"evaluations"`
		UnsubmittedEvaluations int `json:"unsubmitted_evaluations"`
		UnsubmittedDrafts      int `json:"unsubmitted_drafts"`
		UnsubmittedUnits       []struct {
			Enhet       string `json:"enhet"`
			Evaluations int    `json:"evaluations"`
		} `json:"unsubmitted_units"`
	} `json:"network"`
}

func (e *env) reportJSON(c *http.Client) reportJSON {
	e.t.Helper()
	var r reportJSON
	if err := json.Unmarshal(e.download(c, fmt.Sprintf("/rapporter/%d/fil/json", e.round.ID)), &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// formActions lists the paths the page's forms post to.
func formActions(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestStaffHelpsUnitAndSubmits: a projektledare types one evaluation and
// uploads another from the unit's Excel form, and the report leaves both
// out (and says so) until the projektledare submits for the unit; then it
// counts them. Every step is audited under the projektledare's name.
func TestStaffHelpsUnitAndSubmits(t *testing.T) {
	e := newEnv(t)
	pl := e.client()
	csrf := e.loginAs(pl, "pl@borlange.example", "projektledare", "Borlänge")
	sam := e.client()
	e.login(sam, "samordnare")
	base := fmt.Sprintf("/admin/enheter/%d", e.unit.ID)

	// An empty unit: staff may answer "inga" or decline, as the chef may.
	status, body := e.get(pl, base)
	if status != http.StatusOK {
		t.Fatalf("staff unit page: %d", status)
	}
	for _, want := range []string{base + "/excel/fil", base + "/inga", base + "/avboj"} {
		if !strings.Contains(strings.Join(formActions(body), " "), want) {
			t.Errorf("empty unit's staff page has no form posting to %s; forms: %q", want, formActions(body))
		}
	}

	// By hand, then by the Excel form.
	if status, body, _ := e.post(pl, base+"/ny", with(validForm(), map[string][]string{"csrf": {csrf}})); status != http.StatusSeeOther {
		t.Fatalf("staff save: %d %s", status, errorsIn(body))
	}
	f, err := excelize.OpenReader(bytes.NewReader(e.download(pl, base+"/excel")))
	if err != nil {
		t.Fatal(err)
	}
	fillRow(t, f, 4, map[string]any{
		"benamning": "Nationella prov åk 9", "periodicitet": "Årligen", "uppdragsgivare_typ": "Extern uppdragsgivare",
		"syfte": "Jämföra resultat", "resultatansvarig/forvaltningschef": "ja", "anvandning/handlingsplan": "ja", "brukarundersokning": "nej",
	})
	var buf bytes.Buffer
	f.Write(&buf)
	if status, body := e.upload(pl, base+"/excel/fil", "formular.xlsx", buf.Bytes(), csrf); status != http.StatusSeeOther {
		t.Fatalf("staff upload: %d %s", status, html.UnescapeString(body))
	}
	if n := len(e.evaluations(e.unit.ID)); n != 2 {
		t.Fatalf("%d evaluations stored, want 2", n)
	}

	// Not sent in: the report leaves them out and says whose they are.
	r := e.reportJSON(sam)
	if r.Network.Evaluations != 0 || r.Network.UnsubmittedEvaluations != 2 || len(r.Network.UnsubmittedUnits) != 1 ||
		r.Network.UnsubmittedUnits[0].Enhet != "Socialnämnden" {
		t.Fatalf("report before submitting: %+v", r.Network)
	}

	// The staff page offers to submit for the unit, and does.
	_, body = e.get(pl, base)
	if !strings.Contains(strings.Join(formActions(body), " "), base+"/skicka-in") {
		t.Fatalf("staff page offers no submit; forms: %q", formActions(body))
	}
	if !strings.Contains(html.UnescapeString(body), "skickar du in svaret för enhetens räkning") {
		t.Error("staff page does not tell the projektledare to submit for the unit")
	}
	if status, body, _ := e.post(pl, base+"/skicka-in", url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
		t.Fatalf("staff submit: %d %s", status, errorsIn(body))
	}
	if got := e.unitNow(t).Response; got != round.Submitted {
		t.Fatalf("unit's answer after staff submit: %q", got)
	}
	r = e.reportJSON(sam)
	if r.Network.Evaluations != 2 || r.Network.UnsubmittedEvaluations != 0 || len(r.Municipalities) != 1 || r.Municipalities[0].Evaluations != 2 {
		t.Fatalf("report after submitting: %+v", r)
	}

	// Submitted: the page offers "Ändra svaret" and no editing.
	_, body = e.get(pl, base)
	actions := strings.Join(formActions(body), " ")
	if !strings.Contains(actions, base+"/andra") || strings.Contains(actions, base+"/excel/fil") || strings.Contains(body, base+"/ny\"") {
		t.Errorf("submitted unit's staff page: forms %q", formActions(body))
	}

	trail, err := e.manage.AuditTrail(context.Background(), manage.System("test"), form.MustEvaluation(), e.round.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	byPL := map[string]bool{}
	for _, ev := range trail.Entries {
		if strings.HasPrefix(ev.Actor, "pl@borlange.example") {
			byPL[ev.Action+" "+ev.Actor] = true
		}
	}
	for _, want := range []string{manage.ActionLabel("utvardering_ny") + " pl@borlange.example", manage.ActionLabel("utvardering_ny") + " pl@borlange.example via Excel-formulär",
		manage.ActionLabel("svar_inskickad") + " pl@borlange.example"} {
		if !byPL[want] {
			t.Errorf("audit trail lacks %q; has %v", want, byPL)
		}
	}
}

// TestStaffAnswersForUnit: staff record "inga utvärderingar", a decline
// with a reason, and take each back, through the router.
func TestStaffAnswersForUnit(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	base := fmt.Sprintf("/admin/enheter/%d", e.unit.ID)
	steps := []struct {
		path string
		form url.Values
		want round.Response
	}{
		{"/inga", nil, round.NoEvaluations},
		{"/andra", nil, round.NoResponse},
		{"/avboj", url.Values{"orsak": {"Omorganisation under hösten"}}, round.Declined},
		{"/andra", nil, round.NoResponse},
	}
	for _, s := range steps {
		status, body, _ := e.post(c, base+s.path, with(s.form, map[string][]string{"csrf": {csrf}}))
		if status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", s.path, status, errorsIn(body))
		}
		if got := e.unitNow(t).Response; got != s.want {
			t.Fatalf("after %s the answer is %q, want %q", s.path, got, s.want)
		}
	}
	// A decline needs a reason, shown on the unit page.
	status, body, _ := e.post(c, base+"/avboj", url.Values{"csrf": {csrf}, "orsak": {" "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Skriv varför enheten inte deltar") {
		t.Errorf("decline without reason: %d", status)
	}
	// Without the session's CSRF token nothing happens.
	if status, _, _ := e.post(c, base+"/inga", url.Values{"csrf": {"fel"}}); status != http.StatusForbidden {
		t.Errorf("inga without CSRF: %d, want 403", status)
	}
	if got := e.unitNow(t).Response; got != round.NoResponse {
		t.Errorf("refused POSTs changed the answer to %q", got)
	}
}

// TestCloseRoundWithDraftsWarns: closing a round where units have entered
// evaluations without sending them in shows those units and counts first;
// only a confirmation naming them closes, and a unit that saved a draft
// after the question was asked is shown again.
func TestCloseRoundWithDraftsWarns(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	roundPage := fmt.Sprintf("/admin/omgangar/%d", e.round.ID)

	// Socialnämnden: a draft; Tekniska nämnden: two complete, not sent in;
	// Kultur: sent in; Miljö: nothing.
	lc := e.client()
	e.post(lc, "/l/"+e.token+"/ny", url.Values{"benamning": {"Halvfärdig enkät"}, "atgard": {"utkast"}})
	_, teknTok := e.addUnit("Tekniska nämnden")
	e.post(lc, "/l/"+teknTok+"/ny", validForm())
	e.post(lc, "/l/"+teknTok+"/ny", with(validForm(), map[string][]string{"benamning": {"Gatuenkät"}}))
	_, kultTok := e.addUnit("Kulturnämnden")
	e.post(lc, "/l/"+kultTok+"/ny", validForm())
	if status, _, _ := e.post(lc, "/l/"+kultTok+"/skicka-in", nil); status != http.StatusSeeOther {
		t.Fatal("Kulturnämnden could not submit")
	}
	_, miljoTok := e.addUnit("Miljönämnden")

	// The round page offers only the moves an open round has.
	_, body := e.get(c, roundPage)
	if got := statusButtons(body); got != "stangd" {
		t.Errorf("open round's state buttons: %q, want only stangd", got)
	}

	status, body, _ := e.post(c, roundPage+"/status", url.Values{"csrf": {csrf}, "status": {"stangd"}})
	text := html.UnescapeString(body)
	if status != http.StatusOK || !strings.Contains(text, "Stäng omgången") {
		t.Fatalf("closing with drafts: status %d, want the confirm page", status)
	}
	if !strings.Contains(text, "2 enheter har registrerat utvärderingar men inte skickat in sitt svar") ||
		!strings.Contains(text, "deras 3 utvärderingar") {
		t.Errorf("confirm page does not count the units and evaluations")
	}
	for _, want := range []string{">Socialnämnden</a></td><td>Borlänge</td><td class=\"num\">1</td>", ">Tekniska nämnden</a></td><td>Borlänge</td><td class=\"num\">2</td>"} {
		if !strings.Contains(text, want) {
			t.Errorf("confirm page lacks the row %q", want)
		}
	}
	for _, not := range []string{"Kulturnämnden", "Miljönämnden"} {
		if strings.Contains(text, not) {
			t.Errorf("confirm page names %s, which has nothing left out", not)
		}
	}
	if e.roundNow(t).State != round.Open {
		t.Fatal("the round closed without confirmation")
	}
	shown := regexp.MustCompile(`name="enhet" value="(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(shown) != 2 {
		t.Fatalf("confirm form carries %d units, want 2", len(shown))
	}
	confirm := url.Values{"csrf": {csrf}, "status": {"stangd"}, "bekrafta": {"1"}}
	for _, m := range shown {
		confirm.Add("enhet", m[1])
	}

	// Meanwhile Miljönämnden saves a draft: the confirmation no longer
	// covers everything left out, so the question is asked again.
	e.post(lc, "/l/"+miljoTok+"/ny", url.Values{"benamning": {"Sent utkast"}, "atgard": {"utkast"}})
	status, body, _ = e.post(c, roundPage+"/status", confirm)
	if status != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "Miljönämnden") || e.roundNow(t).State != round.Open {
		t.Fatalf("stale confirmation: status %d, round %s; want 409 naming Miljönämnden and the round open", status, e.roundNow(t).State)
	}
	shown = regexp.MustCompile(`name="enhet" value="(\d+)"`).FindAllStringSubmatch(body, -1)
	confirm.Del("enhet")
	for _, m := range shown {
		confirm.Add("enhet", m[1])
	}
	if len(shown) != 3 {
		t.Fatalf("second confirm form carries %d units, want 3", len(shown))
	}
	if status, _, _ := e.post(c, roundPage+"/status", confirm); status != http.StatusSeeOther {
		t.Fatalf("confirmed close: status %d", status)
	}
	if e.roundNow(t).State != round.Closed {
		t.Fatal("the confirmed close did not close the round")
	}
	_, body = e.get(c, roundPage)
	if got := statusButtons(body); got != "oppen publicerad" {
		t.Errorf("closed round's state buttons: %q, want oppen publicerad", got)
	}
	// The report counts Kulturnämnden's only, and names what it left out.
	r := e.reportJSON(c)
	if r.Network.Evaluations != 1 || r.Network.UnsubmittedEvaluations != 4 || r.Network.UnsubmittedDrafts != 2 || len(r.Network.UnsubmittedUnits) != 3 {
		t.Errorf("report after closing: %+v", r.Network)
	}
}

// TestClosingWithoutDraftsDoesNotAsk: a round where everything entered was
// sent in closes at once.
func TestClosingWithoutDraftsDoesNotAsk(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	lc := e.client()
	e.post(lc, "/l/"+e.token+"/ny", validForm())
	e.post(lc, "/l/"+e.token+"/skicka-in", nil)
	status, _, _ := e.post(c, fmt.Sprintf("/admin/omgangar/%d/status", e.round.ID), url.Values{"csrf": {csrf}, "status": {"stangd"}})
	if status != http.StatusSeeOther || e.roundNow(t).State != round.Closed {
		t.Fatalf("close: status %d, round %s", status, e.roundNow(t).State)
	}
	// A move the round does not allow is refused on the round page.
	status, body, _ := e.post(c, fmt.Sprintf("/admin/omgangar/%d/status", e.round.ID), url.Values{"csrf": {csrf}, "status": {"stangd"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "är redan stängd") {
		t.Errorf("closing a closed round: status %d", status)
	}
}

func statusButtons(body string) string {
	var out []string
	for _, m := range regexp.MustCompile(`<button type="submit" name="status" value="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " ")
}

func (e *env) roundNow(t *testing.T) round.Round {
	t.Helper()
	r, err := e.store.Q(context.Background()).Round(e.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
