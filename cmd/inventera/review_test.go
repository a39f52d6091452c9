package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/manage"
)

// TestReviewCommands: review list shows the sent-in evaluation with its id;
// review exclude takes it out of the report JSON (listed under
// network.excluded) and review include brings it back; bad calls exit 2
// with a reason, refusals 1 and change nothing; closing warns of open
// questions.
func TestReviewCommands(t *testing.T) {
	db := roundDB(t)
	code, out, errs := cli(t, db, "review", "list", "--round", testRound)
	if code != 0 {
		t.Fatalf("review list: exit %d: %s", code, errs)
	}
	m := regexp.MustCompile(`(?m)^(\d+)\s+Smedjebacken\s+Miljö\s+Miljöbarometern\s+med\s+0$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("review list lacks Miljöbarometern as med:\n%s", out)
	}
	id := m[1]
	if strings.Contains(out, "Utkast") {
		t.Errorf("review list shows drafts that were never sent in:\n%s", out)
	}
	report := func() map[string]any {
		t.Helper()
		code, out, errs := cli(t, db, "report", "--round", testRound, "--format", "json")
		if code != 0 {
			t.Fatalf("report: exit %d: %s", code, errs)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		return doc["network"].(map[string]any)
	}
	if nw := report(); nw["evaluations"] != 1.0 || len(nw["excluded"].([]any)) != 0 {
		t.Fatalf("before: network %v", nw)
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"review", "exclude", "--round", testRound, "--evaluation", id}, 2, "--reason saknas"},
		{[]string{"review", "exclude", "--round", testRound, "--evaluation", "x", "--reason", "r"}, 2, "--evaluation ska vara"},
		{[]string{"review", "exclude", "--round", testRound, "--evaluation", "999999", "--reason", "r"}, 1, "finns inte"},
		{[]string{"review", "exclude", "--round", "Ingen sådan", "--evaluation", id, "--reason", "r"}, 1, "finns inte"},
		{[]string{"review", "include", "--round", testRound, "--evaluation", id}, 1, "inte markerad"},
		{[]string{"review", "list", "--round", testRound, "--status", "fel"}, 1, "Okänd status"},
		{[]string{"review", "remove", "--round", testRound}, 2, "okänt underkommando ”remove”"},
	}
	for _, tc := range bad {
		code, _, errs := cli(t, db, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d saying %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	if nw := report(); nw["evaluations"] != 1.0 {
		t.Fatalf("a refused call changed the report: %v", nw)
	}

	const reason = "Löpande mätning, ingen utvärdering"
	if code, out, errs := cli(t, db, "review", "exclude", "--round", testRound, "--evaluation", id, "--reason", reason); code != 0 || !strings.Contains(out, "utanför avgränsningen") {
		t.Fatalf("review exclude: exit %d, %q, %q", code, out, errs)
	}
	nw := report()
	if nw["evaluations"] != 0.0 {
		t.Errorf("after exclude: %v evaluations, want 0", nw["evaluations"])
	}
	xs := nw["excluded"].([]any)
	if len(xs) != 1 || xs[0].(map[string]any)["benamning"] != "Miljöbarometern" || xs[0].(map[string]any)["reason"] != reason || xs[0].(map[string]any)["kommun"] != "Smedjebacken" {
		t.Errorf("network.excluded = %v", xs)
	}
	_, out, _ = cli(t, db, "review", "list", "--round", testRound, "--status", "utesluten")
	if !strings.Contains(out, "utesluten: "+reason) || !strings.Contains(out, "1 utvärdering: 0 med, 1 utanför avgränsningen") {
		t.Errorf("review list --status utesluten:\n%s", out)
	}
	if code, _, errs := cli(t, db, "review", "include", "--round", testRound, "--evaluation", id); code != 0 {
		t.Fatalf("review include: exit %d: %s", code, errs)
	}
	if nw := report(); nw["evaluations"] != 1.0 || len(nw["excluded"].([]any)) != 0 {
		t.Errorf("after include: network %v", nw)
	}

	// A question left open is named when the round closes.
	a, err := openApp(context.Background(), config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	sys := manage.System("test")
	r, err := a.manage.RoundByName(context.Background(), sys, testRound)
	if err == nil {
		var n int64
		n, err = strconv.ParseInt(id, 10, 64)
		if err == nil {
			_, err = a.manage.Ask(context.Background(), sys, r.ID, n, "Är det här en utvärdering?")
		}
	}
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(t, db, "round", "close", "--round", testRound)
	if code != 0 || !strings.Contains(errs, "Varning: 1 fråga från granskningen är fortfarande öppen") || !strings.Contains(errs, "Miljöbarometern, Miljö (Smedjebacken): Är det här en utvärdering?") {
		t.Errorf("round close: exit %d, stderr:\n%s", code, errs)
	}
	if code, out, _ := cli(t, db, "help", "review"); code != 0 || !strings.Contains(out, "inventera review list|exclude|include") {
		t.Errorf("help review: %d %q", code, out)
	}
}
