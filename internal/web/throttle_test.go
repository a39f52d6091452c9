package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/web"
)

// fromAddress sends every request as if from addr, through a trusted proxy
// (the server must run with TrustProxy).
type fromAddress struct{ addr string }

func (f fromAddress) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// clientFrom is e.client() at another address.
func (e *env) clientFrom(addr string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: fromAddress{addr},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestStaleBookmarksDoNotLockTheLink: many 404s for evaluations that do not
// (or no longer) exist, under a valid link, are no guessing; the link and
// the client's address stay open.
func TestStaleBookmarksDoNotLockTheLink(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if st, _, _ := e.post(c, "/l/"+e.token+"/ny", validForm()); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	deleted := itoa(e.evaluations(e.unit.ID)[0].ID)
	if st, _, _ := e.post(c, "/l/"+e.token+"/u/"+deleted+"/ta-bort", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("delete: %d", st)
	}
	base := "/l/" + e.token
	cases := []struct {
		name, method, path string
	}{
		{"deleted evaluation", http.MethodGet, base + "/u/" + deleted},
		{"unknown evaluation", http.MethodGet, base + "/u/999999"},
		{"delete page of an unknown evaluation", http.MethodGet, base + "/u/999999/ta-bort"},
		{"saving an unknown evaluation", http.MethodPost, base + "/u/999999"},
		{"deleting an unknown evaluation", http.MethodPost, base + "/u/999999/ta-bort"},
		{"no evaluation id", http.MethodGet, base + "/u/abc"},
	}
	for _, tc := range cases {
		for i := range 25 {
			var st int
			if tc.method == http.MethodGet {
				st, _ = e.get(c, tc.path)
			} else {
				st, _, _ = e.post(c, tc.path, validForm())
			}
			if st != http.StatusNotFound {
				t.Fatalf("%s, request %d: status %d, want 404", tc.name, i+1, st)
			}
		}
		if st, _ := e.get(c, base); st != http.StatusOK {
			t.Fatalf("after 25 × %s: the link gives %d, want 200", tc.name, st)
		}
	}
	if k := e.securityKinds(); k["lank_okand"] != 0 || k["lank_strypt"] != 0 {
		t.Errorf("security log = %v, want no link guesses", k)
	}
	// The address is not marked either: 19 real guesses are still free.
	for i := range 19 {
		if st, _ := e.get(c, "/l/"+strings.Repeat("x", 43)); st != http.StatusNotFound {
			t.Fatalf("guess %d: %d, want 404", i+1, st)
		}
	}
	if st, _ := e.get(c, base); st != http.StatusOK {
		t.Errorf("after 19 guesses: %d, want 200", st)
	}
}

// TestBadTokensThrottled: unknown and revoked tokens count as guesses; the
// 21st request from the address gets 429, even with the real link.
func TestBadTokensThrottled(t *testing.T) {
	// Each case makes the i-th guess of an environment.
	cases := []struct {
		name  string
		want  int // the status of each guess before the limit
		guess func(e *env) func(i int) string
	}{
		{"unknown tokens", http.StatusNotFound, func(*env) func(int) string {
			return func(i int) string { return strings.Repeat(string(rune('a'+i%26)), 43) }
		}},
		{"malformed tokens", http.StatusNotFound, func(*env) func(int) string {
			return func(i int) string { return "kort" + itoa(int64(i)) }
		}},
		{"unknown tokens before an evaluation's path", http.StatusNotFound, func(*env) func(int) string {
			return func(i int) string { return strings.Repeat("q", 42) + string(rune('a'+i%26)) + "/u/1" }
		}},
		{"a revoked link", http.StatusGone, func(e *env) func(int) string {
			old := e.token
			link, err := e.manage.ReissueLink(context.Background(), manage.System("test"), e.unit.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.token = link[strings.LastIndex(link, "/")+1:]
			return func(int) string { return old }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			guess := tc.guess(e)
			c := e.client()
			for i := range 20 {
				if st, _ := e.get(c, "/l/"+guess(i)); st != tc.want {
					t.Fatalf("guess %d: status %d, want %d", i+1, st, tc.want)
				}
			}
			if st, _ := e.get(c, "/l/"+guess(20)); st != http.StatusTooManyRequests {
				t.Errorf("guess 21: status %d, want 429", st)
			}
			if st, _ := e.get(c, "/l/"+e.token); st != http.StatusTooManyRequests {
				t.Errorf("the real link from the throttled address: %d, want 429", st)
			}
			if k := e.securityKinds(); k["lank_okand"] != 19 || k["lank_strypt"] != 1 {
				t.Errorf("security log = %v, want 19 guesses and one throttling", k)
			}
		})
	}
}

// TestPasswordGuessingDoesNotLockTheOwnerOut: a stranger guessing the
// samordnare's password is slowed down, more with every failure, while the
// samordnare logs in from their own address.
func TestPasswordGuessingDoesNotLockTheOwnerOut(t *testing.T) {
	e := newEnvWith(t, web.Config{TrustProxy: true})
	stopped := time.Now() // the waits are measured to the second: only skew moves the clock
	e.clock = func() time.Time { return stopped }
	const email, password = "samordnare@borlange.se", "ett-langt-losenord"
	if _, _, err := e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: email, Role: staff.Samordnare, Password: password}); err != nil {
		t.Fatal(err)
	}
	attacker, owner := e.clientFrom("203.0.113.66"), e.clientFrom("198.51.100.7")
	try := func(c *http.Client, email, password string) (int, string) {
		t.Helper()
		_, body := e.get(c, "/logga-in")
		m := csrfField.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no csrf field on the login page")
		}
		st, body, _ := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {email}, "losenord": {password}})
		return st, body
	}

	for i := range 5 {
		if st, _ := try(attacker, email, "gissning-"+itoa(int64(i))); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, st)
		}
	}
	// Each step: how long after the last failure the attacker may try again.
	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute} {
		if st, _ := try(owner, email, password); st != http.StatusSeeOther {
			t.Fatalf("step %d: the owner's login during the attack: status %d, want 303", i, st)
		}
		if st, body := try(attacker, email, password); st != http.StatusTooManyRequests || !strings.Contains(body, "Vänta") {
			t.Fatalf("step %d: the right password from the attacker: status %d, want 429 with a wait", i, st)
		}
		e.skew += wait - time.Second
		if st, _ := try(attacker, email, "gissning"); st != http.StatusTooManyRequests {
			t.Fatalf("step %d: the attacker a second before the %v wait ends: %d, want 429", i, wait, st)
		}
		e.skew += time.Second
		if st, _ := try(attacker, email, "gissning"); st != http.StatusUnauthorized {
			t.Fatalf("step %d: the attacker after the %v wait: %d, want another try (401)", i, wait, st)
		}
	}
	k := e.securityKinds()
	if k["inloggning_misslyckad"] != 11 || k["konto_last"] != 7 || k["inloggning"] != 6 {
		t.Errorf("security log = %v, want 11 failures, 7 waits, 6 logins", k)
	}
}

// TestClientThrottledAcrossAccounts: 20 failed logins from one address,
// spread over accounts, refuse that address for every account; others log in.
func TestClientThrottledAcrossAccounts(t *testing.T) {
	e := newEnvWith(t, web.Config{TrustProxy: true})
	if _, _, err := e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: "s@example.se", Role: staff.Samordnare, Password: "ett-langt-losenord"}); err != nil {
		t.Fatal(err)
	}
	attacker, owner := e.clientFrom("203.0.113.66"), e.clientFrom("198.51.100.7")
	try := func(c *http.Client, email, password string) int {
		t.Helper()
		_, body := e.get(c, "/logga-in")
		m := csrfField.FindStringSubmatch(body)
		st, _, _ := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {email}, "losenord": {password}})
		return st
	}
	for i := range 20 {
		email := "konto" + itoa(int64(i%5)) + "@example.se" // 4 tries each: no account waits
		if st := try(attacker, email, "gissning"); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, st)
		}
	}
	if st := try(attacker, "s@example.se", "ett-langt-losenord"); st != http.StatusTooManyRequests {
		t.Errorf("the throttled address with the right password: %d, want 429", st)
	}
	if st := try(owner, "s@example.se", "ett-langt-losenord"); st != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", st)
	}
	if k := e.securityKinds(); k["klient_strypt"] != 1 || k["konto_last"] != 0 {
		t.Errorf("security log = %v, want one throttled client and no account waits", k)
	}
}
