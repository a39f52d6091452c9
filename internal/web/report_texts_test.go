package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// TestReportTextsPages: a projektledare writes their kommun's comment, the
// samordnare the network's reflection; both show in the report; a refused
// text is kept as typed with its error tied to the field; publishing
// freezes them.
func TestReportTextsPages(t *testing.T) {
	e := newEnv(t)
	path := "/admin/omgangar/" + strconv.FormatInt(e.round.ID, 10) + "/rapporttexter"

	pl := e.client()
	csrf := e.loginAs(pl, "pl@borlange.example", "projektledare", "Borlänge")
	status, body := e.get(pl, path)
	if status != http.StatusOK || !strings.Contains(body, "Kommentar – Borlänge") || strings.Contains(body, "Reflektioner och förslag (nätverket)") {
		t.Fatalf("projektledare's page: %d, want only Borlänge's comment field:\n%s", status, body)
	}
	status, _, hdr := e.post(pl, path, url.Values{"csrf": {csrf}, "kommun": {"Borlänge"}, "text": {"Vi saknar en kvalitetsfunktion <b>."}})
	if status != http.StatusSeeOther || !strings.HasSuffix(hdr.Get("Location"), path+"?meddelande=texter") {
		t.Fatalf("save: %d %q", status, hdr.Get("Location"))
	}
	if status, _, _ := e.post(pl, path, url.Values{"csrf": {csrf}, "kommun": {""}, "text": {"Reflektion"}}); status != http.StatusForbidden {
		t.Errorf("projektledare writing the reflection: %d, want 403", status)
	}

	sam := e.client()
	csrf2 := e.login(sam, "samordnare")
	long := strings.Repeat("x", round.MaxReportText+1)
	status, body, _ = e.post(sam, path, url.Values{"csrf": {csrf2}, "kommun": {""}, "text": {long}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, long) || !strings.Contains(body, `aria-invalid="true"`) ||
		!strings.Contains(body, "Texten är för lång") {
		t.Errorf("too long: %d, want 422 with the text kept and the error on the field", status)
	}
	if status, _, _ := e.post(sam, path, url.Values{"csrf": {csrf2}, "kommun": {""}, "text": {"- Koppla resultaten till budgeten."}}); status != http.StatusSeeOther {
		t.Fatalf("reflection: %d", status)
	}
	status, body = e.get(sam, "/rapporter/"+strconv.FormatInt(e.round.ID, 10))
	for _, want := range []string{"Vi saknar en kvalitetsfunktion &lt;b&gt;.", "Reflektioner och förslag", "<li>Koppla resultaten till budgeten.</li>"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("report: %d, lacks %q", status, want)
		}
	}

	// Published: frozen, and the page says so.
	sys := manage.System("test")
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := e.manage.SetState(context.Background(), sys, e.round.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if status, _, _ := e.post(pl, path, url.Values{"csrf": {csrf}, "kommun": {"Borlänge"}, "text": {"Ändrad"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("after publishing: %d, want the change refused", status)
	}
	status, body = e.get(pl, path)
	if status != http.StatusOK || !strings.Contains(body, "fastställda") || !strings.Contains(body, "readonly") || strings.Contains(body, ">Spara<") {
		t.Errorf("published page: %d, want read-only with the reason", status)
	}
}
