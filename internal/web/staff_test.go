package web_test

import (
	"context"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestStaffCSRF(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	posts := []struct {
		path string
		form url.Values
	}{
		{"/admin/omgangar", url.Values{"namn": {"Resultatstyrning 2010"}}},
		{"/admin/omgangar/1/kommuner", url.Values{"kommun": {"Falun"}}},
		{"/admin/omgangar/1/enheter", url.Values{"enhet": {"Ny enhet"}, "kommun": {"Borlänge"}}},
		{"/admin/omgangar/1/status", url.Values{"status": {"stangd"}}},
		{"/logga-ut", url.Values{}},
	}
	for _, p := range posts {
		for _, token := range []string{"", "fel-token"} {
			f := with(p.form, map[string][]string{"csrf": {token}})
			if status, _, _ := e.post(c, p.path, f); status != http.StatusForbidden {
				t.Errorf("POST %s with csrf %q: status %d, want 403", p.path, token, status)
			}
		}
	}
	rs, _ := e.manage.Rounds(context.Background(), manage.System("test"))
	if len(rs) != 1 || rs[0].State != "oppen" {
		t.Fatalf("refused POSTs changed rounds: %+v", rs)
	}
	// With the token, the same POST goes through.
	if status, _, _ := e.post(c, "/admin/omgangar", url.Values{"csrf": {csrf}, "namn": {"Resultatstyrning 2010"}}); status != http.StatusSeeOther {
		t.Fatalf("POST with token: status %d", status)
	}
}

func TestLoginRequiredAndWrongPassword(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	status, _ := e.get(c, "/admin")
	if status != http.StatusSeeOther {
		t.Errorf("GET /admin logged out: status %d, want redirect to login", status)
	}
	if status, _, _ := e.post(c, "/admin/omgangar", url.Values{"namn": {"x"}}); status != http.StatusUnauthorized {
		t.Errorf("POST logged out: status %d, want 401", status)
	}
	e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: "s@example.se", Role: "samordnare", Password: "ett-langt-losenord"})
	_, body := e.get(c, "/logga-in")
	m := csrfField.FindStringSubmatch(body)
	status, body, _ = e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {"s@example.se"}, "losenord": {"fel-losenord!"}})
	if status != http.StatusUnauthorized || !strings.Contains(html.UnescapeString(body), "Fel e-postadress eller lösenord") {
		t.Errorf("wrong password: status %d", status)
	}
}

func TestStyrgruppCannotAdminister(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	_, body := e.get(c, "/logga-in")
	m := csrfField.FindStringSubmatch(body)
	e.staff.AddUser(context.Background(), staff.CommandLine(), staff.UserInput{Email: "sg@example.se", Role: "styrgrupp", Password: "ett-langt-losenord"})
	e.post(c, "/logga-in", url.Values{"csrf": {m[1]}, "epost": {"sg@example.se"}, "losenord": {"ett-langt-losenord"}})
	if status, _ := e.get(c, "/admin"); status != http.StatusForbidden {
		t.Errorf("styrgrupp GET /admin: status %d, want 403", status)
	}
}

func TestSamordnareRegistersUnitAndCopiesLink(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	status, body, _ := e.post(c, "/admin/omgangar/1/enheter", url.Values{"csrf": {csrf}, "enhet": {"Räddningstjänsten Dala Mitt"},
		"kommun": {"Borlänge"}, "verksamhetschef": {"Per Berg"}, "epost": {"per@example.se"}})
	if status != http.StatusSeeOther {
		t.Fatalf("add unit: status %d %s", status, body)
	}
	_, body = e.get(c, "/admin/omgangar/1")
	i := strings.Index(body, "Räddningstjänsten Dala Mitt")
	if i < 0 {
		t.Fatal("unit not listed")
	}
	rest := body[i:]
	j := strings.Index(rest, e.srv.URL+"/l/")
	if j < 0 {
		t.Fatal("no link to copy")
	}
	link := rest[j : j+len(e.srv.URL)+3+43]
	path := strings.TrimPrefix(link, e.srv.URL)
	if status, page := e.get(e.client(), path); status != http.StatusOK || !strings.Contains(page, "Räddningstjänsten Dala Mitt") {
		t.Errorf("copied link opens status %d", status)
	}
	// Bad input is refused with a message and nothing stored.
	status, body, _ = e.post(c, "/admin/omgangar/1/enheter", url.Values{"csrf": {csrf}, "enhet": {"Utan kommun"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Välj minst en kommun") {
		t.Errorf("unit without kommun: status %d", status)
	}
}
