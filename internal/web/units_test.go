package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	inmail "github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/web"
)

// newMailEnv is newEnv with a real SMTP server in the test process.
func newMailEnv(t *testing.T) (*env, *mailtest.Server) {
	t.Helper()
	srv := mailtest.Start(t)
	sender, err := inmail.NewSender(inmail.Config{Addr: srv.Addr, From: "inventera@natverk.example"})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvMailer(t, web.Config{}, sender), srv
}

func recipients(srv *mailtest.Server) []string {
	var to []string
	for _, m := range srv.Messages() {
		to = append(to, m.To...)
	}
	return to
}

// TestReminderToClosedRoundSendsNothing: an old tab's reminder POST (the
// old form, or the confirmed list) to a closed round is refused, and the
// SMTP server receives nothing; the preview is refused too.
func TestReminderToClosedRoundSendsNothing(t *testing.T) {
	e, srv := newMailEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	path := fmt.Sprintf("/admin/omgangar/%d/utskick", e.round.ID)
	// Invited, silent: a reminder would reach it while the round is open.
	if err := e.store.Q(context.Background()).MarkInvited(e.unit.ID, e.round.CreatedAt.Add(-72*3600e9)); err != nil {
		t.Fatal(err)
	}
	status, body := e.get(c, path+"?slag=paminnelse")
	if status != http.StatusOK || !strings.Contains(body, "Skicka 1 e-postmeddelande") {
		t.Fatalf("open round's reminder preview: %d", status)
	}
	for _, state := range []round.State{round.Closed, round.Published} {
		if _, err := e.manage.SetState(context.Background(), manage.System("test"), e.round.ID, state); err != nil {
			t.Fatal(err)
		}
		for name, form := range map[string]url.Values{
			"old form":       {"csrf": {csrf}, "paminnelse": {"ja"}},
			"confirmed list": {"csrf": {csrf}, "slag": {"paminnelse"}, "enhet": {itoa(e.unit.ID)}},
			"invitation":     {"csrf": {csrf}, "slag": {"inbjudan_igen"}, "enhet": {itoa(e.unit.ID)}},
		} {
			status, body, _ := e.post(c, path, form)
			if status != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "skickas bara medan omgången är öppen") {
				t.Errorf("%s round, %s: %d, want 409 saying why", state, name, status)
			}
			if back := fmt.Sprintf(`<a href="/admin/omgangar/%d">Tillbaka till omgångens sida</a>`, e.round.ID); !strings.Contains(body, back) {
				t.Errorf("%s round, %s: the 409 page does not lead back to the round", state, name)
			}
		}
		if status, _ := e.get(c, path+"?slag=paminnelse"); status != http.StatusConflict {
			t.Errorf("%s round's preview: %d, want 409", state, status)
		}
		_, page := e.get(c, fmt.Sprintf("/admin/omgangar/%d", e.round.ID))
		if strings.Contains(page, "utskick?slag=") {
			t.Errorf("%s round's page offers to send", state)
		}
	}
	if got := recipients(srv); len(got) != 0 {
		t.Errorf("the SMTP server received %v", got)
	}
}

// TestErrorPageLeadsBackToRound: an error on one of a round's pages leads
// back to the round when the staff member may see it, and to the start
// page otherwise: a round page they may not see is not offered.
func TestErrorPageLeadsBackToRound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.manage.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Falu omgång", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.manage.AddKommun(ctx, manage.System("test"), other.ID, "Falun", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.manage.SetState(ctx, manage.System("test"), e.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	coord, falun := e.client(), e.client()
	e.login(coord, "samordnare")
	e.loginAs(falun, "pl@falun.example", "projektledare", "Falun")
	roundPage := fmt.Sprintf("/admin/omgangar/%d", e.round.ID)
	toRound := fmt.Sprintf(`<a href="%s">Tillbaka till omgångens sida</a>`, roundPage)
	toStart := `<a href="/">Till startsidan</a>`
	for _, tc := range []struct {
		name   string
		c      *http.Client
		path   string
		status int
		want   string
	}{
		{"reminder preview of a closed round", coord, roundPage + "/utskick?slag=paminnelse", http.StatusConflict, toRound},
		{"unknown kind of send", coord, roundPage + "/utskick?slag=spam", http.StatusUnprocessableEntity, toRound},
		{"unknown round", coord, "/admin/omgangar/999999/utskick?slag=paminnelse", http.StatusNotFound, toStart},
		{"another kommun's round", falun, roundPage + "/utskick?slag=paminnelse", http.StatusNotFound, toStart},
	} {
		status, body := e.get(tc.c, tc.path)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %d with %s", tc.name, status, tc.status, tc.want)
		}
		if tc.want == toStart && strings.Contains(body, roundPage) {
			t.Errorf("%s: the error page links the round %s", tc.name, roundPage)
		}
	}
}

// TestInvitePreviewConfirmSend: the preview lists who gets what; a post
// without the confirmed list sends nothing; the confirmed post sends and
// lists the outcome; the unit's page shows the send in Swedish time.
func TestInvitePreviewConfirmSend(t *testing.T) {
	e, srv := newMailEnv(t)
	ctx := context.Background()
	noMail, _, err := e.manage.AddUnit(ctx, manage.System("test"), e.round.ID, manage.UnitInput{Name: "Överförmyndaren", Kommuner: []string{"Borlänge"}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	csrf := e.loginAs(c, "pl@borlange.example", "projektledare", "Borlänge")
	path := fmt.Sprintf("/admin/omgangar/%d/utskick", e.round.ID)

	_, body := e.get(c, path+"?slag=inbjudan")
	body = html.UnescapeString(body)
	for _, want := range []string{"Får länken med e-post (1)", "anna@borlange.example", "Saknar e-postadress (1)", "Överförmyndaren", "/l/", `name="enhet" value="` + itoa(e.unit.ID) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(body, `name="enhet" value="`+itoa(noMail.ID)+`"`) {
		t.Error("the unit without address is in the list to send")
	}

	status, body, _ := e.post(c, path, url.Values{"csrf": {csrf}, "slag": {"inbjudan"}})
	if status != http.StatusOK || !strings.Contains(body, "Ingenting har skickats") || len(srv.Messages()) != 0 {
		t.Fatalf("unconfirmed post: %d, %d mails", status, len(srv.Messages()))
	}

	status, body, _ = e.post(c, path, url.Values{"csrf": {csrf}, "slag": {"inbjudan"}, "enhet": {itoa(e.unit.ID)}})
	if status != http.StatusOK || !strings.Contains(body, "1 skickade.") {
		t.Fatalf("confirmed post: %d\n%s", status, body)
	}
	if got := recipients(srv); len(got) != 1 || got[0] != "anna@borlange.example" {
		t.Fatalf("sent to %v", got)
	}
	// Pressing again sends nothing: the unit is invited.
	e.post(c, path, url.Values{"csrf": {csrf}, "slag": {"inbjudan"}, "enhet": {itoa(e.unit.ID)}})
	if len(srv.Messages()) != 1 {
		t.Errorf("second press sent %d mails in all", len(srv.Messages()))
	}

	_, body = e.get(c, fmt.Sprintf("/admin/enheter/%d", e.unit.ID))
	row := regexp.MustCompile(`<tr><td>(\d{4}-\d\d-\d\d \d\d:\d\d CES?T)</td><td>Inbjudan</td><td>anna@borlange.example</td><td>pl@borlange.example</td><td class="status">Skickad</td></tr>`)
	if !row.MatchString(body) {
		t.Errorf("unit page lacks the send history row:\n%s", body)
	}
}

// TestCorrectUnitOnTheWeb: the correction form saves every field and
// resends the link to a changed address; bad input is shown at its field.
func TestCorrectUnitOnTheWeb(t *testing.T) {
	e, srv := newMailEnv(t)
	ctx := context.Background()
	if _, err := e.manage.AddKommun(ctx, manage.System("test"), e.round.ID, "Falun", "59 000"); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	csrf := e.login(c, "samordnare")
	path := fmt.Sprintf("/admin/enheter/%d/uppgifter", e.unit.ID)
	status, body := e.get(c, path)
	if status != http.StatusOK || !strings.Contains(body, `value="anna@borlange.example"`) || !strings.Contains(body, `id="skicka_lank" name="skicka_lank" value="ja" checked`) {
		t.Fatalf("edit form: %d", status)
	}
	form := url.Values{"csrf": {csrf}, "enhet": {"Vård och omsorg"}, "kommun": {"Borlänge", "Falun"}, "omrade": {"Vård"},
		"fordelning": {"lika"}, "verksamhetschef": {"Eva Ek"}, "epost": {"eva.ek@borlange.example"}, "skicka_lank": {"ja"}}
	status, _, h := e.post(c, path, form)
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "meddelande=uppgifter-lank") {
		t.Fatalf("save: %d %s", status, h.Get("Location"))
	}
	u, _ := e.manage.Unit(ctx, manage.System("test"), e.unit.ID)
	if u.Name != "Vård och omsorg" || strings.Join(u.Kommuner, ",") != "Borlänge,Falun" || u.Omrade != "Vård" || u.Fordelning != "lika" || u.ChefName != "Eva Ek" || u.ChefEmail != "eva.ek@borlange.example" {
		t.Errorf("unit after save: %+v", u)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "eva.ek@borlange.example" || !strings.Contains(strings.ReplaceAll(string(msgs[0].Raw), "=\r\n", ""), e.token) {
		t.Fatalf("the new address did not get the unit's link: %v", recipients(srv))
	}

	form.Set("epost", "eva@borlange")
	status, body, _ = e.post(c, path, form)
	body = html.UnescapeString(body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `<span class="field-error" id="fel-epost"><span class="visually-hidden">Fel: </span>”eva@borlange” är ingen giltig e-postadress.</span>`) ||
		!strings.Contains(body, `aria-describedby="hjalp-epost fel-epost" aria-invalid="true" value="eva@borlange"`) {
		t.Errorf("bad e-mail: %d\n%s", status, body)
	}
	if len(srv.Messages()) != 1 {
		t.Error("a refused correction sent mail")
	}
}

// TestBadEmailSameMessageOnTheWeb: registering a unit, correcting it and
// uploading the units sheet refuse a bad address with one message.
func TestBadEmailSameMessageOnTheWeb(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	const want = "”eva@borlange” är ingen giltig e-postadress."
	_, body, _ := e.post(c, fmt.Sprintf("/admin/omgangar/%d/enheter", e.round.ID), url.Values{"csrf": {csrf}, "enhet": {"Kultur"}, "kommun": {"Borlänge"}, "epost": {"eva@borlange"}})
	if !strings.Contains(html.UnescapeString(body), want) {
		t.Error("register form: message missing")
	}
	_, body, _ = e.post(c, fmt.Sprintf("/admin/enheter/%d/uppgifter", e.unit.ID), url.Values{"csrf": {csrf}, "enhet": {"Socialnämnden"}, "kommun": {"Borlänge"}, "epost": {"eva@borlange"}})
	if !strings.Contains(html.UnescapeString(body), want) {
		t.Error("correction form: message missing")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("fil", "enheter.csv")
	fw.Write([]byte("enhet;kommun;epost\nKultur;Borlänge;eva@borlange\n"))
	mw.Close()
	resp, err := c.Post(e.srv.URL+fmt.Sprintf("/admin/omgangar/%d/enheter/fil", e.round.ID), mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if !strings.Contains(html.UnescapeString(b.String()), "rad 2, kolumn epost: "+want) {
		t.Errorf("units upload: %d, message missing:\n%s", resp.StatusCode, b.String())
	}
}

// TestNewLinkAsksFirst: "Ny länk" opens a page that explains and offers to
// mail the link; confirming revokes the old link and mails the new one.
func TestNewLinkAsksFirst(t *testing.T) {
	e, srv := newMailEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	path := fmt.Sprintf("/admin/enheter/%d/ny-lank", e.unit.ID)
	status, body := e.get(c, path)
	body = html.UnescapeString(body)
	if status != http.StatusOK || !strings.Contains(body, "Den gamla länken slutar fungera direkt") ||
		!strings.Contains(body, `name="skicka" value="ja" checked`) || !strings.Contains(body, "anna@borlange.example") {
		t.Fatalf("confirm page: %d\n%s", status, body)
	}
	if st, _ := e.get(e.client(), "/l/"+e.token); st != http.StatusOK {
		t.Fatal("the link does not work before")
	}
	status, _, h := e.post(c, path, url.Values{"csrf": {csrf}, "skicka": {"ja"}})
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "lank-skickad") {
		t.Fatalf("new link: %d %s", status, h.Get("Location"))
	}
	if st, _ := e.get(e.client(), "/l/"+e.token); st != http.StatusGone {
		t.Errorf("old link answers %d, want 410", st)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	raw := strings.ReplaceAll(strings.ReplaceAll(string(msgs[0].Raw), "=\r\n", ""), "=3D", "=")
	m := regexp.MustCompile(`/l/([A-Za-z0-9_-]{43})`).FindStringSubmatch(raw)
	if m == nil || m[1] == e.token {
		t.Fatal("the mail holds no new link")
	}
	if st, _ := e.get(e.client(), "/l/"+m[1]); st != http.StatusOK {
		t.Errorf("mailed link answers %d", st)
	}
}

// TestDeleteAndMarkOnTheWeb: a unit without evaluations is deleted after
// its confirmation page; a unit without address is marked as sent by hand
// from the round's page.
func TestDeleteAndMarkOnTheWeb(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	csrf := e.login(c, "samordnare")
	u, link, err := e.manage.AddUnit(ctx, manage.System("test"), e.round.ID, manage.UnitInput{Name: "Överförmyndaren", Kommuner: []string{"Borlänge"}})
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.get(c, fmt.Sprintf("/admin/omgangar/%d", e.round.ID))
	if !strings.Contains(body, link) || !strings.Contains(body, fmt.Sprintf(`action="/admin/enheter/%d/manuellt"`, u.ID)) {
		t.Fatal("round page lacks the link and the button for the unit without address")
	}
	status, _, h := e.post(c, fmt.Sprintf("/admin/enheter/%d/manuellt", u.ID), url.Values{"csrf": {csrf}, "tillbaka": {"omgang"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), fmt.Sprintf("/admin/omgangar/%d?", e.round.ID)) {
		t.Fatalf("mark: %d %s", status, h.Get("Location"))
	}
	ov, _ := e.manage.Overview(ctx, manage.System("test"), e.round.ID, manage.OverviewFilter{})
	for _, st := range ov.Units {
		if st.ID == u.ID && (st.Progress != round.Invited || st.ByHand) {
			t.Errorf("after marking: %s, by hand %v", st.Progress.Label(), st.ByHand)
		}
	}

	// Delete it: the page asks first.
	status, body = e.get(c, fmt.Sprintf("/admin/enheter/%d/radera", u.ID))
	if status != http.StatusOK || !strings.Contains(body, "Det går inte att ångra") {
		t.Fatalf("delete page: %d", status)
	}
	status, _, h = e.post(c, fmt.Sprintf("/admin/enheter/%d/radera", u.ID), url.Values{"csrf": {csrf}})
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "enhet-borttagen") {
		t.Fatalf("delete: %d", status)
	}
	if st, _ := e.get(c, fmt.Sprintf("/admin/enheter/%d", u.ID)); st != http.StatusNotFound {
		t.Errorf("deleted unit's page: %d", st)
	}
	// A unit with an evaluation is refused, saying why.
	e.post(e.client(), "/l/"+e.token+"/ny", validForm())
	status, body = e.get(c, fmt.Sprintf("/admin/enheter/%d/radera", e.unit.ID))
	if status != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "har 1 utvärdering och kan inte tas bort") {
		t.Errorf("delete page for a unit with an evaluation: %d", status)
	}
}

// TestStaleUnitEditIsRefused: two staff members open the unit's correction
// form; the first saves, the second's save (loaded with the old version)
// is refused with 409 and keeps what was typed, and the first change stays.
func TestStaleUnitEditIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.client(), e.client()
	csrfA := e.login(a, "samordnare")
	csrfB := e.loginAs(b, "pl@borlange.example", "projektledare", "Borlänge")
	path := fmt.Sprintf("/admin/enheter/%d/uppgifter", e.unit.ID)
	version := regexp.MustCompile(`name="version" value="(\d+)"`)
	_, formA := e.get(a, path)
	_, formB := e.get(b, path)
	va, vb := version.FindStringSubmatch(formA), version.FindStringSubmatch(formB)
	if va == nil || vb == nil || va[1] != vb[1] {
		t.Fatalf("edit forms carry versions %v and %v, want the same", va, vb)
	}
	base := url.Values{"enhet": {e.unit.Name}, "kommun": {"Borlänge"}, "epost": {e.unit.ChefEmail}}
	post := func(c *http.Client, csrf, chef string) (int, string) {
		f := url.Values{"csrf": {csrf}, "version": {va[1]}, "verksamhetschef": {chef}}
		for k, v := range base {
			f[k] = v
		}
		status, body, _ := e.post(c, path, f)
		return status, html.UnescapeString(body)
	}
	if status, _ := post(a, csrfA, "Anna Andersson"); status != http.StatusSeeOther {
		t.Fatalf("first save: %d", status)
	}
	status, body := post(b, csrfB, "Bertil Berg")
	if status != http.StatusConflict || !strings.Contains(body, "ändrats av någon annan") || !strings.Contains(body, `value="Bertil Berg"`) {
		t.Fatalf("stale save: %d, want 409 keeping what was typed", status)
	}
	u, _ := e.manage.Unit(ctx, manage.System("test"), e.unit.ID)
	if u.ChefName != "Anna Andersson" {
		t.Errorf("chef after the refused stale save: %q, want the first save's", u.ChefName)
	}
	// The refused page carries the unit's current version: saving again
	// is a knowing choice and goes through.
	if v := version.FindStringSubmatch(body); v == nil || v[1] == va[1] {
		t.Fatalf("conflict page carries version %v, want the new one", v)
	}
}
