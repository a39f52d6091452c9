package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
	"github.com/inventera/inventera/internal/web"
)

// instance is one running copy of the service, as behind a load balancer:
// its own store (connections), services and HTTP server.
type instance struct {
	t      *testing.T
	name   string
	srv    *httptest.Server
	manage *manage.Service
	staff  *staff.Service
}

// sharedKey is INVENTERA_SECRET, the same on every instance.
var sharedKey = round.LinkKey("shared-secret-shared-secret-shared-secret")

func newInstance(t *testing.T, name string, st *store.Store) *instance {
	t.Helper()
	now := func() time.Time { return time.Now().UTC() }
	def := form.MustEvaluation()
	m := &manage.Service{Store: st, Keys: sharedKey, Now: now}
	stf := &staff.Service{Store: st, Now: now}
	reports, err := comparison.NewService(m, def, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{}, web.Deps{Form: def, Respond: &respond.Service{Store: st, Form: def, Now: now},
		Manage: m, Staff: stf, Reports: reports, Guard: &guard.Guard{Store: st, Policy: guard.DefaultPolicy(), Now: now}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Settle) // reports are kept after they are served; before the database closes
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	m.BaseURL = ts.URL
	return &instance{t: t, name: name, srv: ts, manage: m, staff: stf}
}

func (in *instance) do(c *http.Client, method, path string, form url.Values) (int, string) {
	in.t.Helper()
	var (
		resp *http.Response
		err  error
	)
	if method == http.MethodPost {
		resp, err = c.PostForm(in.srv.URL+path, form)
	} else {
		resp, err = c.Get(in.srv.URL + path)
	}
	if err != nil {
		in.t.Fatalf("%s %s on %s: %v", method, path, in.name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mustStatus does the request and fails unless it answers want.
func (in *instance) mustStatus(c *http.Client, want int, method, path string, form url.Values) string {
	in.t.Helper()
	status, body := in.do(c, method, path, form)
	if status != want {
		in.t.Fatalf("%s %s on %s: status %d, want %d", method, path, in.name, status, want)
	}
	return body
}

var linkToken = regexp.MustCompile(`/l/([A-Za-z0-9_-]{20,})`)

// unitRow is a unit's row of the round overview: its progress, evaluation
// count and personal link token.
func unitRow(t *testing.T, overview, unit string) (progress, evaluations, token string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)<a href="/admin/enheter/\d+">` + regexp.QuoteMeta(unit) +
		`</a>.*?<td class="status">([^<]*).*?<td class="num">(\d+)</td>(.*?)</tr>`)
	m := re.FindStringSubmatch(overview)
	if m == nil {
		t.Fatalf("no row for %s in the overview", unit)
	}
	tok := linkToken.FindStringSubmatch(m[3])
	if tok == nil {
		t.Fatalf("no personal link for %s in the overview", unit)
	}
	return m[1], m[2], tok[1]
}

// TestInstancesShareOneDatabase runs two instances on one PostgreSQL
// schema, as behind a load balancer: a session made on one works on the
// other, what one writes the other shows, and link guessing is throttled
// across both.
func TestInstancesShareOneDatabase(t *testing.T) {
	sa, sb := storetest.OpenPostgresPair(t)
	a, b := newInstance(t, "A", sa), newInstance(t, "B", sb)
	ctx := context.Background()

	r, err := a.manage.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Resultatstyrning 2009", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "samordnare@natverk.example", Role: staff.Samordnare, Password: "ett-langt-losenord"}); err != nil {
		t.Fatal(err)
	}

	// Log in on A. The browser's cookies belong to the host, which both
	// instances share, as they would behind one load balancer's address.
	jar, _ := cookiejar.New(nil)
	staffer := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	m := csrfField.FindStringSubmatch(a.mustStatus(staffer, http.StatusOK, http.MethodGet, "/logga-in", nil))
	if m == nil {
		t.Fatal("no csrf field on A's login page")
	}
	a.mustStatus(staffer, http.StatusSeeOther, http.MethodPost, "/logga-in",
		url.Values{"csrf": {m[1]}, "epost": {"samordnare@natverk.example"}, "losenord": {"ett-langt-losenord"}})
	overviewPath := fmt.Sprintf("/admin/omgangar/%d", r.ID)
	m = csrfField.FindStringSubmatch(a.mustStatus(staffer, http.StatusOK, http.MethodGet, overviewPath, nil))
	if m == nil {
		t.Fatal("no csrf field on A's overview")
	}
	csrf := m[1]

	// Act on B with A's session and CSRF token.
	b.mustStatus(staffer, http.StatusSeeOther, http.MethodPost, overviewPath+"/kommuner",
		url.Values{"csrf": {csrf}, "kommun": {"Falun"}, "invanare": {"57 000"}})
	b.mustStatus(staffer, http.StatusSeeOther, http.MethodPost, overviewPath+"/enheter",
		url.Values{"csrf": {csrf}, "enhet": {"Kulturnämnden"}, "kommun": {"Falun"}, "verksamhetschef": {"Åsa Öberg"}, "epost": {"asa@falun.example"}})
	// A refused CSRF token is refused on B as on A.
	b.mustStatus(staffer, http.StatusForbidden, http.MethodPost, overviewPath+"/kommuner",
		url.Values{"csrf": {"fel"}, "kommun": {"Mora"}})

	// A shows what B wrote, with a personal link B answers to (one key).
	overview := a.mustStatus(staffer, http.StatusOK, http.MethodGet, overviewPath, nil)
	if !strings.Contains(overview, "Falun") {
		t.Fatal("A's overview lacks the kommun added on B")
	}
	progress, n, token := unitRow(t, overview, "Kulturnämnden")
	if progress != round.NotInvited.Label() || n != "0" {
		t.Fatalf("before answering, A shows %q with %s evaluations", progress, n)
	}

	// The respondent answers on B; A's progress shows it.
	respondent := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.mustStatus(respondent, http.StatusOK, http.MethodGet, "/l/"+token, nil)
	b.mustStatus(respondent, http.StatusSeeOther, http.MethodPost, "/l/"+token+"/ny", validForm())
	progress, n, _ = unitRow(t, a.mustStatus(staffer, http.StatusOK, http.MethodGet, overviewPath, nil), "Kulturnämnden")
	if progress != round.Draft.Label() && progress != round.Opened.Label() || n != "1" {
		t.Fatalf("after saving on B, A shows %q with %s evaluations", progress, n)
	}
	b.mustStatus(respondent, http.StatusSeeOther, http.MethodPost, "/l/"+token+"/skicka-in", nil)
	progress, n, _ = unitRow(t, a.mustStatus(staffer, http.StatusOK, http.MethodGet, overviewPath, nil), "Kulturnämnden")
	if progress != round.ProgressSubmitted.Label() || n != "1" {
		t.Fatalf("after submitting on B, A shows %q with %s evaluations", progress, n)
	}
	// A submitted unit is read-only on A too.
	a.mustStatus(respondent, http.StatusConflict, http.MethodPost, "/l/"+token+"/ny", validForm())

	// Logging out on B ends the session on A.
	b.mustStatus(staffer, http.StatusSeeOther, http.MethodPost, "/logga-ut", url.Values{"csrf": {csrf}})
	if status, _ := a.do(staffer, http.MethodGet, overviewPath, nil); status == http.StatusOK {
		t.Fatal("A still serves the session ended on B")
	}

	// Link guessing counts on both: 10 misses on A and 10 on B use up the
	// 20 the policy allows, and the next guess is refused on either.
	guesser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range 20 {
		in := a
		if i >= 10 {
			in = b
		}
		guess := strings.Repeat(string(rune('a'+i)), 43)
		in.mustStatus(guesser, http.StatusNotFound, http.MethodGet, "/l/"+guess, nil)
	}
	for _, in := range []*instance{a, b} {
		in.mustStatus(guesser, http.StatusTooManyRequests, http.MethodGet, "/l/"+strings.Repeat("z", 43), nil)
		in.mustStatus(guesser, http.StatusTooManyRequests, http.MethodGet, "/l/"+token, nil)
	}
}
