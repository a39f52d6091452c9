package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// TestReportComparison: a round carried forward is compared with the round
// it came from unless another choice is made (jamfor); the report list
// offers the choice; a bad choice is refused; a styrgrupp that may not
// read the earlier report gets no comparison by default and a refusal
// when it asks for one.
func TestReportComparison(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sys := manage.System("test")
	next, err := e.manage.CarryForward(ctx, sys, e.round.ID, manage.RoundInput{Name: "Resultatstyrning 2010", HourlyRate: "280", Deadline: "2010-12-17"})
	if err != nil {
		t.Fatal(err)
	}
	first, second := strconv.FormatInt(e.round.ID, 10), strconv.FormatInt(next.ID, 10)

	sam := e.client()
	e.login(sam, "samordnare")
	status, body := e.get(sam, "/rapporter")
	if status != http.StatusOK || !strings.Contains(body, `<option value="`+first+`" selected>Resultatstyrning 2009 (som omgången fördes vidare från)</option>`) {
		t.Errorf("report list: %d; the later round's comparison does not default to the round it came from", status)
	}
	if !strings.Contains(body, `<label for="jamfor-`+second+`">`) {
		t.Errorf("report list: no labelled comparison choice for the later round")
	}

	if status, body := e.get(sam, "/rapporter/"+second); status != http.StatusOK || !strings.Contains(body, "8. Jämförelse med Resultatstyrning 2009") {
		t.Errorf("report page: %d; not compared with the round it came from", status)
	}
	if _, body := e.get(sam, "/rapporter/"+second+"?jamfor=ingen"); strings.Contains(body, "Jämförelse med") {
		t.Errorf("report page with jamfor=ingen is compared all the same")
	}

	compared := func(c *http.Client, path string) (int, map[string]any) {
		t.Helper()
		status, body := e.get(c, path)
		if status != http.StatusOK {
			return status, nil
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return status, doc
	}
	tests := []struct {
		path       string
		wantStatus int
		wantPrev   string // the round compared with; "" for none
	}{
		{"/rapporter/" + second + "/fil/json", http.StatusOK, "Resultatstyrning 2009"},
		{"/rapporter/" + second + "/fil/json?jamfor=ingen", http.StatusOK, ""},
		{"/rapporter/" + second + "/fil/json?jamfor=" + first, http.StatusOK, "Resultatstyrning 2009"},
		{"/rapporter/" + first + "/fil/json", http.StatusOK, ""},
		{"/rapporter/" + first + "/fil/json?jamfor=" + second, http.StatusOK, "Resultatstyrning 2010"},
		{"/rapporter/" + second + "/fil/json?jamfor=" + second, http.StatusUnprocessableEntity, ""},
		{"/rapporter/" + second + "/fil/json?jamfor=x", http.StatusUnprocessableEntity, ""},
		{"/rapporter/" + second + "/fil/json?jamfor=999999", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		// The report is sent as it is written (BuildTo): a refusal is an
		// error page, not a file.
		resp, err := sam.Get(e.srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		disposition, ctype := resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Type")
		if tt.wantStatus == http.StatusOK && (!strings.HasPrefix(disposition, "attachment; filename=") || ctype != "application/json") {
			t.Errorf("%s: sent as %q, %q; want an attached JSON file", tt.path, disposition, ctype)
		}
		if tt.wantStatus != http.StatusOK && (disposition != "" || !strings.HasPrefix(ctype, "text/html")) {
			t.Errorf("%s: refused as %q, %q; want an error page", tt.path, disposition, ctype)
		}
		status, doc := compared(sam, tt.path)
		if status != tt.wantStatus {
			t.Errorf("%s: %d, want %d", tt.path, status, tt.wantStatus)
			continue
		}
		if doc == nil {
			continue
		}
		got := ""
		if c, ok := doc["comparison"].(map[string]any); ok {
			got = c["round"].(map[string]any)["name"].(string)
			if nw := doc["network"].(map[string]any); nw["previous"] == nil || nw["change"] == nil {
				t.Errorf("%s: compared, but the network has no previous and change", tt.path)
			}
		}
		if got != tt.wantPrev {
			t.Errorf("%s: compared with %q, want %q", tt.path, got, tt.wantPrev)
		}
	}

	// The styrgrupp reads published reports only: the later round is
	// published, the earlier one is not.
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := e.manage.SetState(ctx, sys, next.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	styr := e.client()
	e.loginAs(styr, "ledamot@borlange.example", "styrgrupp", "")
	if status, doc := compared(styr, "/rapporter/"+second+"/fil/json"); status != http.StatusOK || doc["comparison"] != nil {
		t.Errorf("styrgrupp's default report: %d, comparison %v; want the report alone", status, doc["comparison"])
	}
	if status, _ := compared(styr, "/rapporter/"+second+"/fil/json?jamfor="+first); status != http.StatusNotFound {
		t.Errorf("styrgrupp compares with an unpublished round: %d, want 404", status)
	}
}
