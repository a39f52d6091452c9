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

	"github.com/inventera/inventera/internal/staff"
)

var oneTimeCode = regexp.MustCompile(`<code>([^<]+)</code>`)

// loginWith posts the login form and returns the status and where it
// redirects.
func (e *env) loginWith(c *http.Client, email, password string) (int, string, string) {
	e.t.Helper()
	_, body := e.get(c, "/logga-in")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no csrf field on login page")
	}
	status, body, h := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {email}, "losenord": {password}})
	return status, h.Get("Location"), body
}

// csrfOf reads the session's CSRF token from a page.
func (e *env) csrfOf(c *http.Client, path string) string {
	e.t.Helper()
	_, body := e.get(c, path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

// createAccount makes an account through the samordnare's form and returns
// its one-time password.
func (e *env) createAccount(c *http.Client, csrf string, form url.Values) string {
	e.t.Helper()
	status, body, _ := e.post(c, "/admin/konton", with(form, map[string][]string{"csrf": {csrf}}))
	if status != http.StatusOK {
		e.t.Fatalf("create account: status %d\n%s", status, body)
	}
	m := oneTimeCode.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no one-time password shown")
	}
	return html.UnescapeString(m[1])
}

func (e *env) accountID(email string) int64 {
	e.t.Helper()
	u, err := e.store.Q(context.Background()).UserByEmail(email)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

// TestOneTimePasswordForcesChange: an account the samordnare creates logs
// in with its one-time password and can do nothing but change it.
func TestOneTimePasswordForcesChange(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	onetime := e.createAccount(sam, csrf, url.Values{"namn": {"Per Lund"}, "epost": {"per@borlange.example"},
		"roll": {"projektledare"}, "kommun": {"Borlänge"}})
	_, list := e.get(sam, "/admin/konton")
	for _, want := range []string{"Per Lund", "per@borlange.example", "Projektledare", "Borlänge", "Engångslösenord"} {
		if !strings.Contains(html.UnescapeString(list), want) {
			t.Errorf("account list lacks %q", want)
		}
	}
	if strings.Contains(list, onetime) {
		t.Error("the account list shows the one-time password again")
	}

	pl, other := e.client(), e.client()
	status, location, _ := e.loginWith(pl, "per@borlange.example", onetime)
	if status != http.StatusSeeOther || location != "/konto/losenord" {
		t.Fatalf("login with one-time password: %d → %q, want 303 → /konto/losenord", status, location)
	}
	e.loginWith(other, "per@borlange.example", onetime) // a second session, to be ended

	staffPages := []string{"/admin", fmt.Sprintf("/admin/omgangar/%d", e.round.ID), fmt.Sprintf("/admin/enheter/%d", e.unit.ID),
		fmt.Sprintf("/admin/omgangar/%d/andringslogg", e.round.ID), fmt.Sprintf("/admin/omgangar/%d/export.xlsx", e.round.ID), "/rapporter"}
	for _, path := range staffPages {
		resp, err := pl.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/konto/losenord" {
			t.Errorf("GET %s before the change: %d → %q, want 303 → /konto/losenord", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	status, page := e.get(pl, "/konto/losenord")
	if status != http.StatusOK || !strings.Contains(html.UnescapeString(page), "engångslösenord") {
		t.Fatalf("password page: %d", status)
	}
	plCSRF := csrfField.FindStringSubmatch(page)[1]
	// A POST elsewhere does nothing either.
	status, _, h := e.post(pl, fmt.Sprintf("/admin/omgangar/%d/enheter", e.round.ID), url.Values{"csrf": {plCSRF}, "enhet": {"Smygenheten"}, "kommun": {"Borlänge"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/konto/losenord" {
		t.Errorf("POST before the change: %d → %q", status, h.Get("Location"))
	}
	if units, _ := e.store.Q(context.Background()).Units(e.round.ID); len(units) != 1 {
		t.Errorf("a POST before the change registered a unit: %d units", len(units))
	}

	// Faults are tied to their fields.
	tests := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"wrong current", url.Values{"nuvarande": {"fel-losenord"}, "nytt": {"ett-eget-losenord"}, "upprepa": {"ett-eget-losenord"}}, "nuvarande", "stämmer inte"},
		{"too short", url.Values{"nuvarande": {onetime}, "nytt": {"kort"}, "upprepa": {"kort"}}, "nytt", fmt.Sprintf("minst %d tecken", staff.MinPasswordLength)},
		{"not repeated", url.Values{"nuvarande": {onetime}, "nytt": {"ett-eget-losenord"}, "upprepa": {"ett-annat-losenord"}}, "upprepa", "inte lika"},
		{"the one-time password again", url.Values{"nuvarande": {onetime}, "nytt": {onetime}, "upprepa": {onetime}}, "nytt", "annat lösenord"},
	}
	for _, tt := range tests {
		status, body, _ := e.post(pl, "/konto/losenord", with(tt.form, map[string][]string{"csrf": {plCSRF}}))
		body = html.UnescapeString(body)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, status)
		}
		if !strings.Contains(body, `id="fel-`+tt.field+`"`) || !strings.Contains(body, `aria-describedby="fel-`+tt.field+`" aria-invalid="true"`) &&
			!strings.Contains(body, `fel-`+tt.field+`" aria-invalid="true"`) {
			t.Errorf("%s: no error tied to %s", tt.name, tt.field)
		}
		if !strings.Contains(body, tt.msg) || !strings.Contains(body, `href="#`+tt.field+`"`) {
			t.Errorf("%s: summary lacks %q linked to #%s", tt.name, tt.msg, tt.field)
		}
	}
	status, _, h = e.post(pl, "/konto/losenord", url.Values{"csrf": {plCSRF}, "nuvarande": {onetime}, "nytt": {"ett-eget-losenord"}, "upprepa": {"ett-eget-losenord"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/admin?meddelande=losenord" {
		t.Fatalf("change: %d → %q", status, h.Get("Location"))
	}
	for _, path := range staffPages {
		if status, _ := e.get(pl, path); status != http.StatusOK {
			t.Errorf("GET %s after the change: %d", path, status)
		}
	}
	// The change ended the account's other session.
	resp, err := other.Get(e.srv.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/logga-in" {
		t.Errorf("the other session after the change: %d → %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, location, _ := e.loginWith(e.client(), "per@borlange.example", "ett-eget-losenord"); status != http.StatusSeeOther || location != "/admin" {
		t.Errorf("login with the new password: %d → %q", status, location)
	}
	if status, _, _ := e.loginWith(e.client(), "per@borlange.example", onetime); status != http.StatusUnauthorized {
		t.Errorf("login with the old one-time password: %d", status)
	}
	// Two accounts were made: the test's samordnare, and Per's on the web.
	if kinds := e.securityKinds(); kinds["konto_skapat"] != 2 || kinds["losenord_bytt"] != 1 {
		t.Errorf("security log %v", kinds)
	}
}

// TestDisabledAccountCannotLogIn: disabling ends the sessions and refuses
// logins until the account is enabled again.
func TestDisabledAccountCannotLogIn(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	pl := e.client()
	e.login(pl, "projektledare")
	id := e.accountID("projektledare@example.se")

	status, _, h := e.post(sam, fmt.Sprintf("/admin/konton/%d/avstang", id), url.Values{"csrf": {csrf}})
	if status != http.StatusSeeOther || h.Get("Location") != "/admin/konton?meddelande=avstangt" {
		t.Fatalf("disable: %d → %q", status, h.Get("Location"))
	}
	if status, _ := e.get(pl, "/admin"); status != http.StatusSeeOther {
		t.Errorf("the disabled account's session: %d, want a redirect to login", status)
	}
	status, _, body := e.loginWith(e.client(), "projektledare@example.se", "ett-langt-losenord")
	if status != http.StatusUnauthorized || !strings.Contains(html.UnescapeString(body), "Kontot är avstängt") {
		t.Errorf("disabled login: %d", status)
	}
	_, list := e.get(sam, "/admin/konton")
	if !strings.Contains(html.UnescapeString(list), "Avstängt") || !strings.Contains(list, fmt.Sprintf("/admin/konton/%d/aktivera", id)) {
		t.Error("the list does not show the account disabled with an enable button")
	}
	// Nobody disables themselves.
	status, body, _ = e.post(sam, fmt.Sprintf("/admin/konton/%d/avstang", e.accountID("samordnare@example.se")), url.Values{"csrf": {csrf}})
	if status != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "ditt eget konto") {
		t.Errorf("self-disable: %d", status)
	}
	if status, _, _ := e.post(sam, fmt.Sprintf("/admin/konton/%d/aktivera", id), url.Values{"csrf": {csrf}}); status != http.StatusSeeOther {
		t.Fatalf("enable: %d", status)
	}
	if status, location, _ := e.loginWith(e.client(), "projektledare@example.se", "ett-langt-losenord"); status != http.StatusSeeOther || location != "/admin" {
		t.Errorf("login after enabling: %d → %q", status, location)
	}
	_, log := e.get(sam, "/admin/sakerhetslogg")
	for _, kind := range []string{"konto_avstangt", "konto_aktiverat"} {
		if !strings.Contains(log, kind) {
			t.Errorf("security log page lacks %s", kind)
		}
	}
}

// TestResetPassword: the samordnare confirms, sees a new one-time password
// once, and the old password stops working.
func TestResetPassword(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	pl := e.client()
	e.login(pl, "projektledare")
	id := e.accountID("projektledare@example.se")
	path := fmt.Sprintf("/admin/konton/%d/nytt-losenord", id)
	if status, body := e.get(sam, path); status != http.StatusOK || !strings.Contains(body, `action="`+path+`"`) {
		t.Fatalf("confirm page: %d", status)
	}
	status, body, _ := e.post(sam, path, url.Values{"csrf": {csrf}})
	m := oneTimeCode.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("reset: %d, password shown %v", status, m != nil)
	}
	if status, _ := e.get(pl, "/admin"); status != http.StatusSeeOther {
		t.Errorf("session after reset: %d, want logged out", status)
	}
	if status, _, _ := e.loginWith(e.client(), "projektledare@example.se", "ett-langt-losenord"); status != http.StatusUnauthorized {
		t.Errorf("old password after reset: %d", status)
	}
	if status, location, _ := e.loginWith(e.client(), "projektledare@example.se", html.UnescapeString(m[1])); status != http.StatusSeeOther || location != "/konto/losenord" {
		t.Errorf("login with the reset password: %d → %q", status, location)
	}
}

// TestAccountFormRefusals: faults are tied to fields and nothing is stored.
func TestAccountFormRefusals(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	tests := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"kommun no round knows", url.Values{"epost": {"a@x.se"}, "roll": {"projektledare"}, "kommun": {"Borlange"}}, "kommun", "Menade du Borlänge?"},
		{"projektledare without kommun", url.Values{"epost": {"a@x.se"}, "roll": {"projektledare"}}, "kommun", "måste höra till en kommun"},
		{"no role", url.Values{"epost": {"a@x.se"}}, "roll", "Välj en roll"},
		{"bad e-mail", url.Values{"epost": {"inte en adress"}, "roll": {"styrgrupp"}}, "epost", "ingen giltig e-postadress"},
		{"existing e-mail", url.Values{"epost": {"samordnare@example.se"}, "roll": {"styrgrupp"}}, "epost", "finns redan"},
	}
	for _, tt := range tests {
		status, body, _ := e.post(sam, "/admin/konton", with(tt.form, map[string][]string{"csrf": {csrf}}))
		body = html.UnescapeString(body)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, status)
		}
		if !strings.Contains(body, `id="fel-`+tt.field+`"`) || !strings.Contains(body, tt.msg) || !strings.Contains(body, `href="#`+tt.field+`"`) {
			t.Errorf("%s: no %q tied to %s", tt.name, tt.msg, tt.field)
		}
		if strings.Contains(body, "<code>") {
			t.Errorf("%s: a password is shown", tt.name)
		}
		// What was typed is kept.
		if v := tt.form.Get("epost"); !strings.Contains(body, `value="`+v+`"`) {
			t.Errorf("%s: the form lost the e-mail %q", tt.name, v)
		}
	}
	accs, err := e.staff.Accounts(context.Background(), staff.CommandLine())
	if err != nil {
		t.Fatal(err)
	}
	if len(accs) != 1 {
		t.Errorf("%d accounts after refusals, want 1", len(accs))
	}
	// The kommun select offers the kommuner of the rounds.
	_, page := e.get(sam, "/admin/konton")
	if !strings.Contains(html.UnescapeString(page), "<option>Borlänge</option>") {
		t.Error("the kommun select lacks Borlänge")
	}
	// The start page links to the accounts for the samordnare only.
	if _, body := e.get(sam, "/admin"); !strings.Contains(body, `href="/admin/konton"`) {
		t.Error("the samordnare's start page does not link to the accounts")
	}
	pl := e.client()
	e.login(pl, "projektledare")
	if _, body := e.get(pl, "/admin"); strings.Contains(body, `href="/admin/konton"`) {
		t.Error("the projektledare's start page links to the accounts")
	}
}

// TestAccountPostsNeedCSRF: every new POST refuses a missing or wrong token
// and changes nothing.
func TestAccountPostsNeedCSRF(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	e.login(sam, "samordnare")
	pl := e.client()
	e.login(pl, "projektledare")
	id := e.accountID("projektledare@example.se")
	posts := []struct {
		c    *http.Client
		path string
		form url.Values
	}{
		{sam, "/admin/konton", url.Values{"epost": {"ny@x.se"}, "roll": {"styrgrupp"}}},
		{sam, fmt.Sprintf("/admin/konton/%d/avstang", id), url.Values{}},
		{sam, fmt.Sprintf("/admin/konton/%d/aktivera", id), url.Values{}},
		{sam, fmt.Sprintf("/admin/konton/%d/nytt-losenord", id), url.Values{}},
		{pl, "/konto/losenord", url.Values{"nuvarande": {"ett-langt-losenord"}, "nytt": {"ett-nytt-losenord"}, "upprepa": {"ett-nytt-losenord"}}},
	}
	for _, p := range posts {
		for _, token := range []string{"", "fel-token"} {
			if status, _, _ := e.post(p.c, p.path, with(p.form, map[string][]string{"csrf": {token}})); status != http.StatusForbidden {
				t.Errorf("POST %s with csrf %q: %d, want 403", p.path, token, status)
			}
		}
	}
	if status, _ := e.get(pl, "/admin"); status != http.StatusOK {
		t.Errorf("the projektledare was logged out or disabled by a refused POST: %d", status)
	}
	if status, _, _ := e.loginWith(e.client(), "projektledare@example.se", "ett-langt-losenord"); status != http.StatusSeeOther {
		t.Errorf("the password changed through a refused POST: %d", status)
	}
	accs, _ := e.staff.Accounts(context.Background(), staff.CommandLine())
	if len(accs) != 2 {
		t.Errorf("%d accounts, want 2", len(accs))
	}
}

// TestAuditTrailNamesStaff: a change a named projektledare makes is shown
// under their name, in words, and the unit page links to it.
func TestAuditTrailNamesStaff(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	onetime := e.createAccount(sam, csrf, url.Values{"namn": {"Lena Lind"}, "epost": {"lena@borlange.example"},
		"roll": {"projektledare"}, "kommun": {"Borlänge"}})
	pl := e.client()
	e.loginWith(pl, "lena@borlange.example", onetime)
	plCSRF := e.csrfOf(pl, "/konto/losenord")
	e.post(pl, "/konto/losenord", url.Values{"csrf": {plCSRF}, "nuvarande": {onetime}, "nytt": {"ett-eget-losenord"}, "upprepa": {"ett-eget-losenord"}})
	unitPath := fmt.Sprintf("/admin/enheter/%d", e.unit.ID)
	status, page := e.get(pl, unitPath)
	trailLink := fmt.Sprintf("/admin/omgangar/%d/andringslogg?enhet=%d", e.round.ID, e.unit.ID)
	if status != http.StatusOK || !strings.Contains(html.UnescapeString(page), `href="`+trailLink+`"`) {
		t.Fatalf("unit page %d does not link to the unit's trail", status)
	}
	if status, _, _ := e.post(pl, unitPath+"/ny", with(validForm(), map[string][]string{"csrf": {plCSRF}})); status != http.StatusSeeOther {
		t.Fatalf("save on behalf: %d", status)
	}
	status, trail := e.get(pl, trailLink)
	trail = html.UnescapeString(trail)
	if status != http.StatusOK {
		t.Fatalf("the projektledare's trail: %d", status)
	}
	for _, want := range []string{"Lena Lind (lena@borlange.example)", "Ny utvärdering", "Socialnämnden", "Brukarundersökning hemtjänst",
		"Utvärderingens namn", "Egen insatt tid (timmar)", "1\u00a0234,5", "Årligen"} {
		if !strings.Contains(trail, want) {
			t.Errorf("trail lacks %q", want)
		}
	}
	for _, code := range []string{"utvardering_ny", ">timmar<", ">arligen<"} {
		if strings.Contains(trail, code) {
			t.Errorf("trail shows the code %q", code)
		}
	}
	// The header names the logged-in member.
	if !strings.Contains(trail, "Lena Lind (Projektledare)") {
		t.Error("the header does not name the projektledare")
	}
}
