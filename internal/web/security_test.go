package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/web"
)

func (e *env) securityKinds() map[string]int {
	e.t.Helper()
	evs, err := e.store.Q(context.Background()).SecurityEvents(1000)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range evs {
		out[ev.Kind]++
	}
	return out
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/l/" + e.token, "/l/" + e.token + "/ny", "/logga-in", "/", "/tillganglighet"} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if got := h.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy = %q, want no-referrer (the link's token must not leak)", path, got)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
	}
}

func TestLinkGuessingThrottled(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	var statuses []int
	for i := 0; i < 30; i++ {
		guess := strings.Repeat(string(rune('a'+i%26)), 43)
		status, _ := e.get(c, "/l/"+guess)
		statuses = append(statuses, status)
	}
	for i, st := range statuses {
		want := http.StatusNotFound
		if i >= 20 {
			want = http.StatusTooManyRequests
		}
		if st != want {
			t.Errorf("guess %d: status %d, want %d", i+1, st, want)
		}
	}
	// Locked out: even the real link waits.
	if status, _ := e.get(c, "/l/"+e.token); status != http.StatusTooManyRequests {
		t.Errorf("real link from a throttled client: %d, want 429", status)
	}
	if k := e.securityKinds(); k["lank_strypt"] != 1 || k["lank_okand"] < 19 {
		t.Errorf("security log = %v, want the misses and one throttling", k)
	}
}

func TestUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	body := bytes.Repeat([]byte("a"), 50<<20)
	resp, err := http.Post(e.srv.URL+"/l/"+e.token+"/ny", "application/x-www-form-urlencoded", bytes.NewReader(append([]byte("benamning="), body...)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("50 MB POST: status %d, want 413", resp.StatusCode)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 0 {
		t.Errorf("oversized POST stored %d evaluations", n)
	}
}

func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: "s@example.se", Role: "samordnare", Password: "ett-langt-losenord"})
	try := func(password string) int {
		_, body := e.get(c, "/logga-in")
		m := csrfField.FindStringSubmatch(body)
		status, _, _ := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {"s@example.se"}, "losenord": {password}})
		return status
	}
	for i := 0; i < 5; i++ {
		if st := try("fel-losenord-" + string(rune('a'+i))); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i+1, st)
		}
	}
	if st := try("ett-langt-losenord"); st != http.StatusTooManyRequests {
		t.Errorf("right password on a locked account: status %d, want 429", st)
	}
	k := e.securityKinds()
	if k["inloggning_misslyckad"] != 5 || k["konto_last"] != 1 || k["inloggning"] != 0 {
		t.Errorf("security log = %v", k)
	}
	// After the lock, the right password works and the login is logged.
	e.skew = 16 * time.Minute
	if st := try("ett-langt-losenord"); st != http.StatusSeeOther {
		t.Errorf("after the lock: status %d, want 303", st)
	}
	if e.securityKinds()["inloggning"] != 1 {
		t.Error("successful login not logged")
	}
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnvWith(t, web.Config{SecureCookies: secure})
		c := e.client()
		_, body := e.get(c, "/logga-in")
		m := csrfField.FindStringSubmatch(body)
		e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: "x@example.se", Role: "samordnare", Password: "ett-langt-losenord"})
		_, _, h := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {"x@example.se"}, "losenord": {"ett-langt-losenord"}})
		var line string
		for _, l := range h.Values("Set-Cookie") {
			if strings.HasPrefix(l, "inventera_session=") {
				line = l
			}
		}
		if line == "" {
			t.Fatal("no session cookie set")
		}
		for _, flag := range []string{"HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(line, flag) {
				t.Errorf("session cookie lacks %s: %s", flag, line)
			}
		}
		if strings.Contains(line, "Secure") != secure {
			t.Errorf("SecureCookies=%v: cookie %s", secure, line)
		}
	}
}

func TestSessionExpiresAndLogoutEnds(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	if st, _ := e.get(c, "/admin"); st != http.StatusOK {
		t.Fatalf("logged in: %d", st)
	}
	e.skew = 9 * time.Hour
	if st, _ := e.get(c, "/admin"); st != http.StatusSeeOther {
		t.Errorf("after 9 hours: status %d, want a redirect to the login page", st)
	}
	e.skew = 0
	if st, _ := e.get(c, "/admin"); st != http.StatusOK {
		t.Fatalf("back in time: %d", st)
	}
	if st, _, _ := e.post(c, "/logga-ut", url.Values{"csrf": {csrf}}); st != http.StatusSeeOther {
		t.Fatalf("logout: %d", st)
	}
	// The old cookie no longer works, even if replayed.
	if st, _ := e.get(c, "/admin"); st != http.StatusSeeOther {
		t.Errorf("after logout: status %d, want redirect", st)
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	e := newEnv(t)
	evil := `<script>alert(1)</script>`
	u, link, err := e.manage.AddUnit(context.Background(), manage.System("test"), e.round.ID, manage.UnitInput{Name: evil, Kommuner: []string{"Borlänge"}, ChefName: `"><img src=x onerror=alert(2)>`})
	if err != nil {
		t.Fatal(err)
	}
	tok := link[strings.LastIndex(link, "/")+1:]
	c := e.client()
	e.post(c, "/l/"+tok+"/ny", with(validForm(), map[string][]string{"benamning": {evil}, "syfte": {`</textarea><script>alert(3)</script>`}, "atgard": {"utkast"}}))
	admin := e.client()
	e.login(admin, "samordnare")
	for _, page := range []struct {
		c    *http.Client
		path string
	}{{c, "/l/" + tok}, {c, "/l/" + tok + "/u/" + itoa(e.evaluations(u.ID)[0].ID)}, {admin, "/admin/omgangar/1"}} {
		_, body := e.get(page.c, page.path)
		for _, raw := range []string{"<script>alert", "<img src=x", "</textarea><script>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s holds unescaped user text %q", page.path, raw)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestLinkRevocationLogged(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	if st, _, _ := e.post(c, "/admin/enheter/1/ny-lank", url.Values{"csrf": {csrf}}); st != http.StatusSeeOther {
		t.Fatalf("reissue: %d", st)
	}
	if e.securityKinds()["lank_aterkallad"] != 1 {
		t.Error("link revocation not in the security log")
	}
	if st, _, _ := e.post(c, "/admin/omgangar", url.Values{"csrf": {"fel"}, "namn": {"x"}}); st != http.StatusForbidden {
		t.Fatalf("csrf: %d", st)
	}
	if e.securityKinds()["csrf_nekad"] != 1 {
		t.Error("CSRF refusal not in the security log")
	}
}
