package web_test

import (
	"context"
	"fmt"
	"github.com/inventera/inventera/internal/manage"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// TestFormRules holds the web form against every rule of design §3: a valid
// form is stored; each violation is refused with its Swedish message beside
// the field, everything typed is shown again, and nothing is stored.
func TestFormRules(t *testing.T) {
	tests := []struct {
		name    string
		change  map[string][]string
		field   string // the field whose error must be shown; "" = valid
		message string
	}{
		{"valid", nil, "", ""},
		{"valid without survey", map[string][]string{"brukarundersokning": {"nej"}, "malgrupp": nil, "metod": nil}, "", ""},
		{"valid total cost only", map[string][]string{"timmar": nil, "konsult_kr": nil, "kostnad_totalt_kr": {"120 000"}}, "", ""},
		{"valid English number", map[string][]string{"timmar": {"1234.25"}}, "", ""},
		{"valid ingen alone", map[string][]string{"resultatansvarig": {"ingen"}}, "", ""},
		{"valid annan with text", map[string][]string{"resultatansvarig": {"annan"}, "resultatansvarig_annan": {"Revisorerna"}}, "", ""},
		{"valid annat with text", map[string][]string{"anvandning": {"annat"}, "anvandning_annat": {"Marknadsföring"}}, "", ""},
		{"name required", map[string][]string{"benamning": {"  "}}, "benamning", "”Utvärderingens namn” måste fyllas i."},
		{"name too long", map[string][]string{"benamning": {strings.Repeat("a", 301)}}, "benamning", "högst 300 tecken"},
		{"periodicity required", map[string][]string{"periodicitet": nil}, "periodicitet", "Välj ett alternativ under ”Hur ofta”."},
		{"periodicity unknown", map[string][]string{"periodicitet": {"varje_vecka"}}, "periodicitet", "inget giltigt val"},
		{"initiator required on the web", map[string][]string{"uppdragsgivare_typ": nil}, "uppdragsgivare_typ", "Välj ett alternativ under ”Vem initierade utvärderingen”."},
		{"purpose required", map[string][]string{"syfte": nil}, "syfte", "”Syfte” måste fyllas i."},
		{"owner required", map[string][]string{"resultatansvarig": nil}, "resultatansvarig", "Markera minst ett alternativ under ”Vem ansvarar för resultatet”."},
		{"ingen stands alone", map[string][]string{"resultatansvarig": {"ingen", "kf"}}, "resultatansvarig", "”Ingen” kan inte kombineras"},
		{"annan needs text", map[string][]string{"resultatansvarig": {"annan"}}, "resultatansvarig_annan", "”Annan resultatansvarig” måste fyllas i"},
		{"usage required", map[string][]string{"anvandning": nil}, "anvandning", "Markera minst ett alternativ under ”Resultatet har legat till grund för”."},
		{"inte_alls stands alone", map[string][]string{"anvandning": {"inte_alls", "handlingsplan"}}, "anvandning", "”Inte alls” kan inte kombineras"},
		{"annat needs text", map[string][]string{"anvandning": {"annat"}}, "anvandning_annat", "”Annat, nämligen” måste fyllas i"},
		{"survey needs target group", map[string][]string{"malgrupp": nil}, "malgrupp", "”Målgrupp” måste fyllas i"},
		{"survey needs method", map[string][]string{"metod": nil}, "metod", "”Metod” måste fyllas i"},
		{"yes/no must be ja or nej", map[string][]string{"lagstadgad": {"kanske"}}, "lagstadgad", "svara ja eller nej"},
		{"hours not a number", map[string][]string{"timmar": {"tolv"}}, "timmar", "är inget tal"},
		{"hours negative", map[string][]string{"timmar": {"-3"}}, "timmar", "får inte vara negativt"},
		{"hours three decimals", map[string][]string{"timmar": {"1,125"}}, "timmar", "högst 2 decimaler"},
		{"kronor whole", map[string][]string{"konsult_kr": {"100,50"}}, "konsult_kr", "ska vara ett heltal"},
		{"kronor negative", map[string][]string{"material_kr": {"-1"}}, "material_kr", "får inte vara negativt"},
		{"total only without parts", map[string][]string{"kostnad_totalt_kr": {"5000"}}, "kostnad_totalt_kr", "bara när kostnaden inte kan delas upp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client()
			posted := with(validForm(), tt.change)
			status, body, _ := e.post(c, "/l/"+e.token+"/ny", posted)
			evs := e.evaluations(e.unit.ID)
			if tt.field == "" {
				if status != http.StatusSeeOther {
					t.Fatalf("status = %d, want 303; body: %s", status, errorsIn(body))
				}
				if len(evs) != 1 || !evs[0].Complete {
					t.Fatalf("stored %d evaluations (complete=%v), want 1 complete", len(evs), len(evs) == 1 && evs[0].Complete)
				}
				return
			}
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", status)
			}
			if len(evs) != 0 {
				t.Fatalf("stored %d evaluations, want none", len(evs))
			}
			text := html.UnescapeString(body)
			if !strings.Contains(text, tt.message) {
				t.Errorf("page lacks message %q; errors shown: %s", tt.message, errorsIn(body))
			}
			// The message is tied to its field for screen readers.
			if !strings.Contains(body, `id="fel-`+tt.field+`"`) || !strings.Contains(body, "fel-"+tt.field+`"`) {
				t.Errorf("no error element fel-%s tied to the field", tt.field)
			}
			// Everything typed is shown again.
			if !strings.Contains(text, posted.Get("syfte")) && posted.Get("syfte") != "" {
				t.Errorf("typed purpose not kept in the re-shown form")
			}
		})
	}
}

func errorsIn(body string) string {
	var out []string
	for _, part := range strings.Split(body, `class="field-error"`)[1:] {
		out = append(out, html.UnescapeString(part[:min(len(part), 160)]))
	}
	return strings.Join(out, " | ")
}

func TestDraftSavedAndResumed(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	status, _, h := e.post(c, "/l/"+e.token+"/ny", url.Values{"benamning": {"Nationella prov åk 9"}, "timmar": {"tolv"}, "atgard": {"utkast"}})
	if status != http.StatusSeeOther {
		t.Fatalf("draft: status %d, want 303", status)
	}
	if loc := h.Get("Location"); !strings.HasPrefix(loc, "/l/"+e.token) {
		t.Errorf("draft redirects to %q", loc)
	}
	evs := e.evaluations(e.unit.ID)
	if len(evs) != 1 || evs[0].Complete {
		t.Fatalf("want one draft, got %+v", evs)
	}
	if got := evs[0].Answers.Get("timmar"); got != "tolv" {
		t.Errorf("draft kept timmar = %q, want what was typed", got)
	}
	// Come back later from the same link: a new client, same URL.
	later := e.client()
	_, body := e.get(later, "/l/"+e.token)
	if !strings.Contains(body, "Nationella prov åk 9") || !strings.Contains(body, "Utkast") {
		t.Errorf("unit page does not list the draft")
	}
	_, body = e.get(later, fmt.Sprintf("/l/%s/u/%d", e.token, evs[0].ID))
	if !strings.Contains(body, `value="Nationella prov åk 9"`) || !strings.Contains(body, `value="tolv"`) {
		t.Errorf("edit page does not show what was typed")
	}
	if !strings.Contains(html.UnescapeString(body), "Det här saknas innan utvärderingen är klar") {
		t.Errorf("draft page does not list what is missing")
	}
	// Finish it, from the form as loaded (with its version).
	status, body, _ = e.post(later, fmt.Sprintf("/l/%s/u/%d", e.token, evs[0].ID),
		with(validForm(), map[string][]string{"version": {formVersion(t, body)}}))
	if status != http.StatusSeeOther {
		t.Fatalf("complete: status %d; %s", status, errorsIn(body))
	}
	evs = e.evaluations(e.unit.ID)
	if len(evs) != 1 || !evs[0].Complete || evs[0].Answers.Get("timmar") != "1234.5" {
		t.Fatalf("after completing: %+v", evs)
	}
}

func TestAutosaveReturnsEditAction(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/l/"+e.token+"/ny", strings.NewReader(url.Values{"benamning": {"Halvfärdig"}, "atgard": {"utkast"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Autosave", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("autosave status %d", resp.StatusCode)
	}
	if evs := e.evaluations(e.unit.ID); len(evs) != 1 || evs[0].Answers.Get("benamning") != "Halvfärdig" {
		t.Fatalf("autosave stored %+v", evs)
	}
}

func (e *env) unitNow(t *testing.T) round.Unit {
	u, err := e.store.Q(context.Background()).Unit(e.unit.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSubmit(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	// Nothing to submit yet.
	status, body, _ := e.post(c, "/l/"+e.token+"/skicka-in", nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Det finns inga utvärderingar att skicka in") {
		t.Fatalf("empty submit: status %d", status)
	}
	e.post(c, "/l/"+e.token+"/ny", validForm())
	e.post(c, "/l/"+e.token+"/ny", url.Values{"benamning": {"Utkast"}, "atgard": {"utkast"}})
	status, body, _ = e.post(c, "/l/"+e.token+"/skicka-in", nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "”Utkast”") {
		t.Fatalf("submit with a draft: status %d, want 422 naming the draft", status)
	}
	if got := e.unitNow(t).Response; got != round.NoResponse {
		t.Fatalf("response after refused submit = %q", got)
	}
	evs := e.evaluations(e.unit.ID)
	e.post(c, fmt.Sprintf("/l/%s/u/%d/ta-bort", e.token, evs[1].ID), nil)
	status, _, _ = e.post(c, "/l/"+e.token+"/skicka-in", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("submit: status %d", status)
	}
	if got := e.unitNow(t).Response; got != round.Submitted {
		t.Fatalf("response = %q, want submitted", got)
	}
	// A submitted list is read-only until reopened.
	status, _, _ = e.post(c, "/l/"+e.token+"/ny", validForm())
	if status != http.StatusConflict {
		t.Errorf("edit after submit: status %d, want 409", status)
	}
	if status, _, _ = e.post(c, "/l/"+e.token+"/andra", nil); status != http.StatusSeeOther {
		t.Fatalf("reopen: status %d", status)
	}
	if got := e.unitNow(t).Response; got != round.NoResponse {
		t.Errorf("response after reopen = %q", got)
	}
}

func TestNoEvaluationsAndDecline(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if status, _, _ := e.post(c, "/l/"+e.token+"/inga", nil); status != http.StatusSeeOther {
		t.Fatalf("inga: status %d", status)
	}
	if got := e.unitNow(t).Response; got != round.NoEvaluations {
		t.Fatalf("response = %q, want inga_utvarderingar", got)
	}

	u2, token2 := e.addUnit("Kommunfastigheter")
	status, body, _ := e.post(c, "/l/"+token2+"/avboj", url.Values{"orsak": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Skriv varför enheten inte deltar") {
		t.Fatalf("decline without reason: status %d", status)
	}
	if status, _, _ = e.post(c, "/l/"+token2+"/avboj", url.Values{"orsak": {"Har meddelat att de inte deltar."}}); status != http.StatusSeeOther {
		t.Fatalf("decline: status %d", status)
	}
	got, _ := e.store.Q(context.Background()).Unit(u2.ID)
	if got.Response != round.Declined || got.Reason != "Har meddelat att de inte deltar." {
		t.Fatalf("declined unit = %q %q", got.Response, got.Reason)
	}
}

func TestLinks(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if status, body := e.get(c, "/l/"+e.token); status != http.StatusOK || !strings.Contains(body, "Socialnämnden") {
		t.Fatalf("own link: status %d", status)
	}
	_, body := e.get(c, "/l/"+e.token+"/ny")
	for _, code := range []string{"benamning", "periodicitet", "resultatansvarig", "anvandning", "timmar", "kostnad_totalt_kr"} {
		if !strings.Contains(body, `name="`+code+`"`) {
			t.Errorf("form lacks field %s", code)
		}
	}
	made := strings.Repeat("A", 43)
	for _, path := range []string{"/l/" + made, "/l/nonsense", "/l/" + made + "/ny"} {
		if status, _ := e.get(c, path); status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, status)
		}
	}
	if _, err := e.manage.ReissueLink(context.Background(), manage.System("test"), e.unit.ID); err != nil {
		t.Fatal(err)
	}
	if status, body := e.get(c, "/l/"+e.token); status != http.StatusGone || strings.Contains(body, "Socialnämnden") {
		t.Errorf("revoked link: status %d, want 410 without the unit's data", status)
	}
	if status, _, _ := e.post(c, "/l/"+e.token+"/ny", validForm()); status != http.StatusGone {
		t.Errorf("POST on revoked link: status %d, want 410", status)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 0 {
		t.Errorf("revoked link stored %d evaluations", n)
	}
}

func TestOtherUnitsEvaluationNotReachable(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	e.post(c, "/l/"+e.token+"/ny", validForm())
	theirs := e.evaluations(e.unit.ID)[0]
	_, other := e.addUnit("Barn- och skolnämnden")
	path := fmt.Sprintf("/l/%s/u/%d", other, theirs.ID)
	if status, body := e.get(c, path); status != http.StatusNotFound || strings.Contains(body, "Brukarundersökning hemtjänst") {
		t.Errorf("another unit's evaluation: status %d, want 404", status)
	}
	if status, _, _ := e.post(c, path+"/ta-bort", nil); status != http.StatusNotFound {
		t.Errorf("deleting another unit's evaluation: status %d, want 404", status)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 1 {
		t.Errorf("evaluations = %d, want 1", n)
	}
}

func TestClosedRoundIsReadOnly(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	e.post(c, "/l/"+e.token+"/ny", validForm())
	if _, err := e.manage.SetState(context.Background(), manage.System("test"), e.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	evs := e.evaluations(e.unit.ID)
	for _, path := range []string{"/l/" + e.token + "/ny", fmt.Sprintf("/l/%s/u/%d", e.token, evs[0].ID),
		fmt.Sprintf("/l/%s/u/%d/ta-bort", e.token, evs[0].ID), "/l/" + e.token + "/skicka-in", "/l/" + e.token + "/inga"} {
		if status, _, _ := e.post(c, path, with(validForm(), map[string][]string{"benamning": {"Ändrad"}})); status != http.StatusConflict {
			t.Errorf("POST %s on closed round: status %d, want 409", path, status)
		}
	}
	if status, body := e.get(c, "/l/"+e.token); status != http.StatusOK || !strings.Contains(body, "Omgången är stängd") {
		t.Errorf("closed round page: status %d", status)
	}
	after := e.evaluations(e.unit.ID)
	if len(after) != 1 || after[0].Answers.Get("benamning") != "Brukarundersökning hemtjänst" {
		t.Errorf("closed round changed: %+v", after)
	}
}

// TestConcurrentSubmissions: 50 clients submit at once to one SQLite file;
// every one succeeds and every row is there.
func TestConcurrentSubmissions(t *testing.T) {
	e := newEnv(t)
	const clients = 50
	tokens := make([]string, clients)
	units := make([]round.Unit, clients)
	for i := range tokens {
		units[i], tokens[i] = e.addUnit(fmt.Sprintf("Enhet %02d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := make(chan struct{})
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := e.client()
			<-start
			for _, step := range []struct {
				path string
				form url.Values
			}{{"/l/" + tokens[i] + "/ny", validForm()}, {"/l/" + tokens[i] + "/ny", validForm()}, {"/l/" + tokens[i] + "/skicka-in", nil}} {
				resp, err := c.PostForm(e.srv.URL+step.path, step.form)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					errs <- fmt.Errorf("client %d: POST %s: status %d", i, step.path, resp.StatusCode)
					return
				}
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, u := range units {
		if n := len(e.evaluations(u.ID)); n != 2 {
			t.Errorf("unit %d: %d evaluations, want 2", i, n)
		}
		got, _ := e.store.Q(context.Background()).Unit(u.ID)
		if got.Response != round.Submitted {
			t.Errorf("unit %d: response %q", i, got.Response)
		}
	}
}
