package web_test

import (
	"bytes"
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
	"github.com/inventera/inventera/internal/web"
)

const nbsp = "\u00a0"

// TestSubmittedEvaluationIsReadOnly: once the unit's answer is sent in, or
// the round is closed, an evaluation opens as a summary to read, with a
// banner at the top saying why and how to change it.
func TestSubmittedEvaluationIsReadOnly(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	posted := with(validForm(), map[string][]string{"timmar": {"12,5"}, "konsult_kr": {"12 500 kr"}})
	if st, body, _ := e.post(c, "/l/"+e.token+"/ny", posted); st != http.StatusSeeOther {
		t.Fatalf("save: status %d; %s", st, errorsIn(body))
	}
	id := e.evaluations(e.unit.ID)[0].ID
	path := fmt.Sprintf("/l/%s/u/%d", e.token, id)

	// Open: the form.
	if _, body := e.get(c, path); !strings.Contains(body, `name="benamning"`) || strings.Contains(body, `class="banner"`) {
		t.Fatalf("an open unit's evaluation is not an editable form")
	}

	if st, _, _ := e.post(c, "/l/"+e.token+"/skicka-in", nil); st != http.StatusSeeOther {
		t.Fatalf("submit: status %d", st)
	}
	st, body := e.get(c, path)
	if st != http.StatusOK {
		t.Fatalf("submitted evaluation: status %d", st)
	}
	text := html.UnescapeString(body)
	// No inputs: nothing looks editable, and nothing autosaves.
	for _, bad := range []string{"<input", "<textarea", `<button type="submit" name="atgard"`, "autosave.js", `id="evaluation-form"`} {
		if strings.Contains(body, bad) {
			t.Errorf("read-only page contains %s", bad)
		}
	}
	// The banner comes before the answers and says why and how.
	banner := strings.Index(body, `class="banner"`)
	firstAnswer := strings.Index(body, "<dt>")
	if banner < 0 || firstAnswer < 0 || banner > firstAnswer {
		t.Fatalf("banner at %d, first answer at %d: want a banner above the answers", banner, firstAnswer)
	}
	for _, want := range []string{"Utvärderingen kan bara läsas", "Enhetens svar är redan inskickat", "Ändra svaret", `<a href="/l/` + e.token + `">enhetens sida</a>`} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q", want)
		}
	}
	// The answers with their labels, option labels and Swedish numbers.
	for label, want := range map[string]string{
		"Utvärderingens namn":                 "Brukarundersökning hemtjänst",
		"Hur ofta":                            "Årligen",
		"Vem initierade utvärderingen":        "Politisk uppdragsgivare",
		"Vem ansvarar för resultatet":         "Nämnd eller styrelse, Verksamhetschef",
		"Resultatet har legat till grund för": "Handlingsplan för förbättringsarbete, Budget- och målprocessen",
		"Lagstadgad":                          "Nej",
		"Metod":                               "Enkät på papper",
		"Egen insatt tid (timmar)":            "12,5",
		"Konsultkostnader (kr)":               "12" + nbsp + "500",
		"Material o dyl (kr)":                 "Inte ifyllt",
	} {
		if got := answerFor(text, label); got != want {
			t.Errorf("answer for %q = %q, want %q", label, got, want)
		}
	}
	if got := titleOf(text); got != "Brukarundersökning hemtjänst – inventera" {
		t.Errorf("title %q", got)
	}

	// Reopened: the form again.
	if st, _, _ := e.post(c, "/l/"+e.token+"/andra", nil); st != http.StatusSeeOther {
		t.Fatalf("reopen: status %d", st)
	}
	if _, body := e.get(c, path); !strings.Contains(body, `name="benamning"`) || strings.Contains(body, `class="banner"`) {
		t.Fatalf("a reopened unit's evaluation is not an editable form")
	}

	// Closed round: read-only, and "Ändra svaret" is not offered, for the
	// link and for staff.
	if _, err := e.manage.SetState(context.Background(), manage.System("test"), e.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	staff := e.client()
	e.login(staff, "projektledare")
	for who, p := range map[string]struct {
		c    *http.Client
		path string
	}{"link": {c, path}, "staff": {staff, fmt.Sprintf("/admin/enheter/%d/u/%d", e.unit.ID, id)}} {
		st, body := e.get(p.c, p.path)
		text := html.UnescapeString(body)
		if st != http.StatusOK || !strings.Contains(body, `class="banner"`) || strings.Contains(body, "<input type=\"text\"") {
			t.Errorf("%s: closed round's evaluation: status %d, banner %v", who, st, strings.Contains(body, `class="banner"`))
		}
		if !strings.Contains(text, "Omgången ”Resultatstyrning 2009” är stängd") || strings.Contains(text, "Ändra svaret") {
			t.Errorf("%s: closed round's banner does not say the round is closed, or offers Ändra svaret", who)
		}
	}
}

var dtdd = regexp.MustCompile(`(?s)<dt>(.*?)</dt><dd>(.*?)</dd>`)
var tags = regexp.MustCompile(`<[^>]+>`)

// answerFor is the text of the definition list's answer to label.
func answerFor(page, label string) string {
	for _, m := range dtdd.FindAllStringSubmatch(page, -1) {
		if m[1] == label {
			return strings.TrimSpace(tags.ReplaceAllString(m[2], ""))
		}
	}
	return "(no such label)"
}

var titleTag = regexp.MustCompile(`<title>(.*?)</title>`)

func titleOf(page string) string {
	if m := titleTag.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// TestNumbersShownBackSwedish: what was stored canonically comes back in
// the input the Swedish way, and kronor fields take a trailing "kr".
func TestNumbersShownBackSwedish(t *testing.T) {
	tests := []struct {
		field, typed, stored, shown string
	}{
		{"konsult_kr", "12 500 kr", "12500", "12" + nbsp + "500"},
		{"konsult_kr", "12500", "12500", "12" + nbsp + "500"},
		{"konsult_kr", "12 500:-", "12500", "12" + nbsp + "500"},
		{"konsult_kr", "1 250 000 kr.", "1250000", "1" + nbsp + "250" + nbsp + "000"},
		{"timmar", "12.5", "12.5", "12,5"},
		{"timmar", "1 234,25 tim", "1234.25", "1" + nbsp + "234,25"},
	}
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.typed, func(t *testing.T) {
			e := newEnv(t)
			c := e.client()
			st, body, _ := e.post(c, "/l/"+e.token+"/ny", with(validForm(), map[string][]string{tt.field: {tt.typed}}))
			if st != http.StatusSeeOther {
				t.Fatalf("%s=%q: status %d, want 303; %s", tt.field, tt.typed, st, errorsIn(body))
			}
			ev := e.evaluations(e.unit.ID)[0]
			if got := ev.Answers.Get(tt.field); got != tt.stored {
				t.Errorf("stored %q, want %q", got, tt.stored)
			}
			_, body = e.get(c, fmt.Sprintf("/l/%s/u/%d", e.token, ev.ID))
			if want := fmt.Sprintf(`id="%s" name="%s" value="%s"`, tt.field, tt.field, tt.shown); !strings.Contains(body, want) {
				t.Errorf("edit page lacks %q", want)
			}
		})
	}
}

// TestFieldHints: each number field says how to write it, tied to the
// input; a kronor field's error no longer suggests a decimal.
func TestFieldHints(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	_, body := e.get(c, "/l/"+e.token+"/ny")
	for field, hint := range map[string]string{
		"konsult_kr":        "Hela kronor, t.ex. 12" + nbsp + "500",
		"material_kr":       "Hela kronor, t.ex. 12" + nbsp + "500",
		"ovrigt_kr":         "Hela kronor, t.ex. 12" + nbsp + "500",
		"kostnad_totalt_kr": "Hela kronor, t.ex. 12" + nbsp + "500",
		"timmar":            "Timmar, t.ex. 12,5",
	} {
		help := regexp.MustCompile(`<span class="help" id="hjalp-` + field + `">(.*?)</span></span>`).FindStringSubmatch(body)
		if help == nil || !strings.Contains(help[1], `<span class="hint">`+hint) {
			t.Errorf("%s: help %q, want the hint %q", field, help, hint)
		}
		if !regexp.MustCompile(`<input [^>]*id="` + field + `"[^>]*aria-describedby="hjalp-` + field + `"`).MatchString(body) {
			t.Errorf("%s: the hint is not tied to the input", field)
		}
	}
	st, body, _ := e.post(c, "/l/"+e.token+"/ny", with(validForm(), map[string][]string{"konsult_kr": {"tolv tusen"}}))
	msg := regexp.MustCompile(`id="fel-konsult_kr">(.*?)</span>\n`).FindStringSubmatch(html.UnescapeString(body))
	if st != http.StatusUnprocessableEntity || msg == nil || !strings.Contains(msg[1], "Skriv hela kronor med siffror, till exempel 12"+nbsp+"500.") || strings.Contains(msg[1], "12,5") {
		t.Errorf("kronor error: status %d, message %q", st, msg)
	}
}

// TestTimesInSwedishTime: every time shown is Swedish time with its zone.
func TestTimesInSwedishTime(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	e.post(c, "/l/"+e.token+"/ny", validForm())
	ev := e.evaluations(e.unit.ID)[0]
	want := round.SwedishTime(ev.UpdatedAt)
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d CES?T$`).MatchString(want) {
		t.Fatalf("SwedishTime = %q", want)
	}
	if _, body := e.get(c, "/l/"+e.token); !strings.Contains(body, "<td>"+want+"</td>") {
		t.Errorf("unit page lacks Ändrad %q", want)
	}
	staff := e.client()
	e.login(staff, "samordnare")
	if _, body := e.get(staff, fmt.Sprintf("/admin/omgangar/%d", e.round.ID)); !strings.Contains(body, "<td>"+round.SwedishTime(e.unitNow(t).UpdatedAt)+"</td>") {
		t.Errorf("round page lacks the unit's last activity in Swedish time")
	}
	ctx := context.Background()
	audit, err := e.store.Q(ctx).AuditTrail(e.round.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := e.store.Q(ctx).SecurityEvents(1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) == 0 || len(sec) == 0 {
		t.Fatalf("%d audit events, %d security events: want some of each", len(audit), len(sec))
	}
	for path, at := range map[string]string{
		fmt.Sprintf("/admin/omgangar/%d/andringslogg", e.round.ID): round.SwedishTimeSeconds(audit[0].At),
		"/admin/sakerhetslogg": round.SwedishTimeSeconds(sec[0].At),
	} {
		_, body := e.get(staff, path)
		if !strings.Contains(body, `<td class="time">`+at+"</td>") || !strings.Contains(body, "När (svensk tid)") || strings.Contains(body, "UTC") {
			t.Errorf("%s: lacks %q under När (svensk tid), or still says UTC", path, at)
		}
	}
}

// TestErrorPagesLeadBackToTheUnit: an error on one of a unit's pages links
// back to the unit's page, not the start page, when that page can be
// opened; an unknown or revoked link, or a unit the person may not see,
// gets no such link.
func TestErrorPagesLeadBackToTheUnit(t *testing.T) {
	e := newEnvWith(t, web.Config{MaxBodyBytes: 64 << 10})
	c := e.client()
	e.post(c, "/l/"+e.token+"/ny", validForm())
	e.post(c, "/l/"+e.token+"/skicka-in", nil)
	unitLink := "/l/" + e.token
	staff := e.client()
	e.login(staff, "projektledare")
	other := e.client()
	if _, err := e.manage.AddKommun(context.Background(), manage.System("test"), e.round.ID, "Falun", ""); err != nil {
		t.Fatal(err)
	}
	e.loginAs(other, "pl@falun.example", "projektledare", "Falun")
	staffUnit := fmt.Sprintf("/admin/enheter/%d", e.unit.ID)
	_, revokedToken := e.addUnit("Tekniska nämnden")
	if _, err := e.manage.ReissueLink(context.Background(), manage.System("test"), e.unitByName(t, "Tekniska nämnden").ID); err != nil {
		t.Fatal(err)
	}

	back := `<a href="%s">Tillbaka till enhetens sida</a>`
	tests := []struct {
		name   string
		c      *http.Client
		method string
		path   string
		form   url.Values
		status int
		back   string // "" = no way back, the start page instead
	}{
		{"409 new evaluation after submit", c, http.MethodGet, unitLink + "/ny", nil, 409, unitLink},
		{"409 save after submit", c, http.MethodPost, unitLink + "/ny", validForm(), 409, unitLink},
		{"404 unknown evaluation", c, http.MethodGet, unitLink + "/u/999999", nil, 404, unitLink},
		{"404 unknown page under the link", c, http.MethodGet, unitLink + "/finns-inte", nil, 404, unitLink},
		{"404 evaluation id not a number", c, http.MethodPost, unitLink + "/u/abc", nil, 404, unitLink},
		{"404 unknown link", c, http.MethodGet, "/l/" + strings.Repeat("x", 43), nil, 404, ""},
		{"404 unknown link, deeper", c, http.MethodGet, "/l/" + strings.Repeat("x", 43) + "/ny", nil, 404, ""},
		{"410 revoked link", c, http.MethodGet, "/l/" + revokedToken, nil, 410, ""},
		{"404 staff, unknown evaluation", staff, http.MethodGet, staffUnit + "/u/999999", nil, 404, staffUnit},
		{"403 staff, stale form", staff, http.MethodPost, staffUnit + "/ny", url.Values{"csrf": {"fel"}}, 403, staffUnit},
		{"404 staff, unknown unit", staff, http.MethodGet, "/admin/enheter/999999", nil, 404, ""},
		{"404 staff, another kommun's unit", other, http.MethodGet, staffUnit + "/u/1", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st int
			var body string
			if tt.method == http.MethodGet {
				st, body = e.get(tt.c, tt.path)
			} else {
				st, body, _ = e.post(tt.c, tt.path, tt.form)
			}
			if st != tt.status {
				t.Fatalf("%s %s: status %d, want %d", tt.method, tt.path, st, tt.status)
			}
			hasBack := strings.Contains(body, "Tillbaka till enhetens sida")
			switch {
			case tt.back != "" && !strings.Contains(body, fmt.Sprintf(back, tt.back)):
				t.Errorf("no link back to %s", tt.back)
			case tt.back != "" && strings.Contains(body, "Till startsidan"):
				t.Errorf("links to the start page instead of only the unit")
			case tt.back == "" && hasBack:
				t.Errorf("offers a way back to a unit page it cannot open")
			case tt.back == "" && !strings.Contains(body, `<a href="/">Till startsidan</a>`):
				t.Errorf("no link to the start page")
			}
		})
	}

	// A request refused before the link throttle (too large) does not tell a
	// guesser whether the link exists without counting the guess.
	before := e.securityKinds()["lank_okand"]
	guess := "/l/" + strings.Repeat("y", 43) + "/ny"
	resp, err := http.Post(e.srv.URL+guess, "application/x-www-form-urlencoded", bytes.NewReader(bytes.Repeat([]byte("a"), 128<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large POST: status %d", resp.StatusCode)
	}
	if after := e.securityKinds()["lank_okand"]; after != before+1 {
		t.Errorf("unknown link in a too large request: %d misses counted, want 1", after-before)
	}
}

func (e *env) unitByName(t *testing.T, name string) round.Unit {
	t.Helper()
	units, err := e.store.Q(context.Background()).Units(e.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("no unit %q", name)
	return round.Unit{}
}

// TestRefusedFormAnnouncesEachErrorOnce: the summary is the page's one
// alert and takes the focus; each message is in it once and beside its
// field once, tied by aria-describedby, and no field message is a live
// region of its own.
func TestRefusedFormAnnouncesEachErrorOnce(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	st, body, _ := e.post(c, "/l/"+e.token+"/ny", with(validForm(), map[string][]string{"syfte": nil, "konsult_kr": {"tolv"}}))
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", st)
	}
	if n := strings.Count(body, `role="alert"`); n != 1 {
		t.Errorf("%d alerts, want only the summary", n)
	}
	if n := strings.Count(body, "aria-live"); n != 0 {
		t.Errorf("%d aria-live regions besides the summary", n)
	}
	if !regexp.MustCompile(`<div class="error-summary" role="alert" tabindex="-1" id="felsammanfattning" aria-labelledby="felrubrik" autofocus>`).MatchString(body) {
		t.Errorf("the summary is not a focusable alert that takes the focus")
	}
	if !strings.Contains(body, `<script src="/static/errors.js" defer></script>`) {
		t.Errorf("errors.js (focus on the summary) is not loaded")
	}
	for _, code := range []string{"syfte", "konsult_kr"} {
		msg := regexp.MustCompile(`<span class="field-error" id="fel-` + code + `"><span class="visually-hidden">Fel: </span>(.*?)</span>`).FindStringSubmatch(body)
		if msg == nil {
			t.Fatalf("no message beside %s", code)
		}
		if n := strings.Count(body, msg[1]); n != 2 {
			t.Errorf("message %q appears %d times, want twice (summary and field)", msg[1], n)
		}
		if !strings.Contains(body, `<li><a href="#`+code+`-fokus">`+msg[1]+`</a></li>`) {
			t.Errorf("summary does not link %s's message to the field", code)
		}
		if !regexp.MustCompile(`id="` + code + `"[^>]*aria-describedby="[^"]*fel-` + code + `"`).MatchString(body) {
			t.Errorf("%s's message is not tied to the field", code)
		}
	}
}
