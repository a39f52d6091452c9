package web_test

import (
	"context"
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

// env is a running server on a temporary SQLite database with one open
// round, one kommun and one unit.
type env struct {
	t      *testing.T
	skew   time.Duration    // added to the clock, to expire sessions
	clock  func() time.Time // the clock before skew: time.Now unless a test stops it
	srv    *httptest.Server
	store  *store.Store
	manage *manage.Service
	staff  *staff.Service
	round  round.Round
	unit   round.Unit
	token  string // the unit's personal link token
}

func newEnv(t *testing.T) *env { return newEnvWith(t, web.Config{}) }

func newEnvWith(t *testing.T, cfg web.Config) *env { return newEnvMailer(t, cfg, nil) }

// newEnvMailer is newEnvWith with a mailer for invitations (nil: none).
func newEnvMailer(t *testing.T, cfg web.Config, mailer manage.Mailer) *env {
	t.Helper()
	return newEnvFull(t, cfg, storetest.MustOpen(t), mailer)
}

// newEnvOn is newEnvWith on a store the test opened.
func newEnvOn(t *testing.T, cfg web.Config, st *store.Store) *env {
	t.Helper()
	return newEnvFull(t, cfg, st, nil)
}

func newEnvFull(t *testing.T, cfg web.Config, st *store.Store, mailer manage.Mailer) *env {
	t.Helper()
	e := &env{t: t, clock: time.Now}
	now := func() time.Time { return e.clock().UTC().Add(e.skew) }
	def := form.MustEvaluation()
	m := &manage.Service{Store: st, Keys: round.LinkKey("test-key-test-key-test-key-test-key"), Now: now}
	stf := &staff.Service{Store: st, Now: now}
	reports, err := comparison.NewService(m, def, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(cfg, web.Deps{Form: def, Respond: &respond.Service{Store: st, Form: def, Now: now},
		Manage: m, Staff: stf, Reports: reports, Mailer: mailer, Guard: &guard.Guard{Store: st, Policy: guard.DefaultPolicy(), Now: now}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Settle) // reports are kept after they are served; before the database closes
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	m.BaseURL = ts.URL
	e.srv, e.store, e.manage, e.staff = ts, st, m, stf
	ctx := context.Background()
	e.round, err = m.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Resultatstyrning 2009", HourlyRate: "280", Deadline: "2009-12-18"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddKommun(ctx, manage.System("test"), e.round.ID, "Borlänge", "47 000"); err != nil {
		t.Fatal(err)
	}
	e.unit, e.token = e.addUnit("Socialnämnden")
	return e
}

func (e *env) addUnit(name string) (round.Unit, string) {
	e.t.Helper()
	u, link, err := e.manage.AddUnit(context.Background(), manage.System("test"), e.round.ID, manage.UnitInput{Name: name,
		Kommuner: []string{"Borlänge"}, ChefName: "Anna Lind", ChefEmail: "anna@borlange.example"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u, link[strings.LastIndex(link, "/")+1:]
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so tests see each response.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) post(c *http.Client, path string, form url.Values) (int, string, http.Header) {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (e *env) evaluations(unitID int64) []round.Evaluation {
	e.t.Helper()
	evs, err := e.store.Q(context.Background()).UnitEvaluations(unitID)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// validForm is a complete, valid evaluation as the web form posts it.
func validForm() url.Values {
	return url.Values{
		"benamning":                          {"Brukarundersökning hemtjänst"},
		"kommunovergripande":                 {"nej"},
		"periodicitet":                       {"arligen"},
		"uppdragsgivare_typ":                 {"politisk"},
		"uppdragsgivare":                     {"Socialnämnden"},
		"lagstadgad":                         {"nej"},
		"syfte":                              {"Ta reda på hur brukarna upplever hemtjänsten."},
		"resultatansvarig":                   {"namnd", "verksamhetschef"},
		"uppdragsgivare_ar_resultatansvarig": {"ja"},
		"anvandning":                         {"handlingsplan", "budget_malprocess"},
		"brukarundersokning":                 {"ja"},
		"malgrupp":                           {"Brukare i hemtjänsten"},
		"metod":                              {"enkat_papper"},
		"timmar":                             {"1 234,5"},
		"konsult_kr":                         {"25 000"},
		"atgard":                             {"spara"},
	}
}

func with(v url.Values, changes map[string][]string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for k, vs := range changes {
		if vs == nil {
			delete(out, k)
		} else {
			out[k] = vs
		}
	}
	return out
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login makes a user with the role and logs c in; it returns the session's
// CSRF token.
func (e *env) login(c *http.Client, role string) string {
	e.t.Helper()
	kommun := ""
	if role == staff.Projektledare {
		kommun = "Borlänge"
	}
	return e.loginAs(c, role+"@example.se", role, kommun)
}

func (e *env) loginAs(c *http.Client, email, role, kommun string) string {
	e.t.Helper()
	if _, _, err := e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: email, Role: role, Kommun: kommun, Password: "ett-langt-losenord"}); err != nil {
		e.t.Fatal(err)
	}
	_, body := e.get(c, "/logga-in")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no csrf field on login page")
	}
	status, _, _ := e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {email}, "losenord": {"ett-langt-losenord"}})
	if status != http.StatusSeeOther {
		e.t.Fatalf("login: status %d", status)
	}
	_, body = e.get(c, "/rapporter")
	m = csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no csrf field on the reports page")
	}
	return m[1]
}

var versionField = regexp.MustCompile(`name="version" value="(\d*)"`)

// formVersion is the version an evaluation form page was loaded with (its
// hidden field), as a browser posts it back.
func formVersion(t *testing.T, page string) string {
	t.Helper()
	m := versionField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the form has no version field")
	}
	return m[1]
}
