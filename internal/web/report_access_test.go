package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestReportForTheStyrgrupp: the home and login pages speak to the
// styrgrupp; an unpublished report says who publishes it; the report page
// links each chart as an image, and the links work.
func TestReportForTheStyrgrupp(t *testing.T) {
	e := newEnv(t)
	anon := e.client()
	for _, p := range []string{"/", "/logga-in"} {
		if status, body := e.get(anon, p); status != http.StatusOK || !strings.Contains(strings.ToLower(body), "styrgrupp") ||
			!strings.Contains(body, "publicera") {
			t.Errorf("%s: %d, does not speak to the styrgrupp", p, status)
		}
	}

	styr := e.client()
	e.loginAs(styr, "ledamot@borlange.example", "styrgrupp", "")
	status, body := e.get(styr, "/rapporter")
	if status != http.StatusOK || !strings.Contains(body, "Samordnaren publicerar") {
		t.Errorf("styrgrupp's report list: %d, does not say who publishes the report", status)
	}
	id := strconv.FormatInt(e.round.ID, 10)
	if status, body := e.get(styr, "/rapporter/"+id); status != http.StatusNotFound || !strings.Contains(body, "Samordnaren publicerar den när omgången är stängd") {
		t.Errorf("unpublished report for the styrgrupp: %d, want 404 saying who publishes it", status)
	}

	sam := e.client()
	e.login(sam, "samordnare")
	status, body = e.get(sam, "/rapporter/"+id)
	if status != http.StatusOK || !strings.Contains(body, "Inte publicerad.") {
		t.Fatalf("samordnare's report: %d, want the not-published notice", status)
	}
	links := regexp.MustCompile(`href="(/rapporter/`+id+`/diagram/[a-z-]+/(png|svg))"`).FindAllStringSubmatch(body, -1)
	if len(links) != 8 {
		t.Fatalf("%d chart links in the report, want PNG and SVG for each of 4 charts", len(links))
	}
	for _, l := range links {
		resp, err := sam.Get(e.srv.URL + l[1])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[string]string{"png": "image/png", "svg": "image/svg+xml"}[l[2]]; resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %s, want 200 %s", l[1], resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

// TestPopulationSource: the samordnare records where the populations come
// from, when creating a round or later; the report states it.
func TestPopulationSource(t *testing.T) {
	e := newEnv(t)
	sam := e.client()
	csrf := e.login(sam, "samordnare")
	status, _, hdr := e.post(sam, "/admin/omgangar", url.Values{"csrf": {csrf}, "namn": {"Resultatstyrning 2010"},
		"timkostnad": {"280"}, "invanarkalla": {"SCB 2010-12-31"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create round: %d", status)
	}
	newPath := hdr.Get("Location")
	newID := strings.TrimSuffix(strings.TrimPrefix(newPath, "/admin/omgangar/"), "?meddelande=omgang")
	if _, body := e.get(sam, "/admin/omgangar/"+newID+"/rapporttexter"); !strings.Contains(body, `value="SCB 2010-12-31"`) {
		t.Errorf("the new round's population source is not shown")
	}

	id := strconv.FormatInt(e.round.ID, 10)
	status, _, _ = e.post(sam, "/admin/omgangar/"+id+"/invanarkalla", url.Values{"csrf": {csrf}, "invanarkalla": {"  SCB   2009-12-31 "}})
	if status != http.StatusSeeOther {
		t.Fatalf("set population source: %d", status)
	}
	if _, body := e.get(sam, "/rapporter/"+id); !strings.Contains(body, "Invånarantal: SCB 2009-12-31.") {
		t.Errorf("the report does not state the population source")
	}
	status, body, _ := e.post(sam, "/admin/omgangar/"+id+"/invanarkalla", url.Values{"csrf": {csrf}, "invanarkalla": {strings.Repeat("x", 301)}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "för lång") {
		t.Errorf("too long a source: %d", status)
	}
	pl := e.client()
	csrf2 := e.loginAs(pl, "pl@borlange.example", "projektledare", "Borlänge")
	if status, _, _ := e.post(pl, "/admin/omgangar/"+id+"/invanarkalla", url.Values{"csrf": {csrf2}, "invanarkalla": {"x"}}); status != http.StatusForbidden {
		t.Errorf("projektledare setting the source: %d, want 403", status)
	}
}
