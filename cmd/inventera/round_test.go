package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

const testRound = "Ludvika 2026"

// roundDB imports a small round into a new database: Miljö has sent in
// one evaluation (imported evaluations count as sent in); the other units
// have not answered. Then Socialförvaltningen gets 3 draft evaluations and
// the shared Räddningstjänsten 2, entered by staff and never submitted;
// Kultur has none.
func roundDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	wb := filepath.Join(dir, "omgang.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "kommuner")
	f.SetSheetRow("kommuner", "A1", &[]any{"kommun", "invanare"})
	f.SetSheetRow("kommuner", "A2", &[]any{"Ludvika", 26000})
	f.SetSheetRow("kommuner", "A3", &[]any{"Smedjebacken", 10800})
	f.NewSheet("enheter")
	f.SetSheetRow("enheter", "A1", &[]any{"enhet", "kommun", "verksamhetschef", "epost"})
	units := [][]any{
		{"Socialförvaltningen", "Ludvika", "Anna Lind", "anna@ludvika.example"},
		{"Kultur", "Ludvika", "Bo Ek", "bo@ludvika.example"},
		{"Räddningstjänsten", "Ludvika;Smedjebacken", "Cia Berg", "cia@ludvika.example"},
		{"Miljö", "Smedjebacken", "Dan Al", "dan@smedjebacken.example"},
	}
	for i, u := range units {
		f.SetSheetRow("enheter", fmt.Sprintf("A%d", i+2), &u)
	}
	f.NewSheet("utvarderingar")
	f.SetSheetRow("utvarderingar", "A1", &[]any{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning", "brukarundersokning"})
	f.SetSheetRow("utvarderingar", "A2", &[]any{"Smedjebacken", "Miljö", "Miljöbarometern", "arligen", "Uppföljning", "namnd", "handlingsplan", "nej"})
	if err := f.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, db, "import", wb, "--round", testRound); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	a, err := openApp(context.Background(), config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, staff := context.Background(), manage.System("test")
	r, err := a.manage.RoundByName(ctx, staff, testRound)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := a.manage.ProgressList(ctx, staff, r.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	drafts := map[string]int{"Socialförvaltningen": 3, "Räddningstjänsten": 2}
	for _, u := range ov.Units {
		for i := 0; i < drafts[u.Name]; i++ {
			sv, err := a.respond.Save(ctx, staff.UnitScope(u.ID), respond.Edit{Answers: form.Answers{"benamning": fmt.Sprintf("Utkast %d", i+1)}, Draft: true})
			if err != nil {
				t.Fatalf("draft for %s: %v", u.Name, err)
			}
			_ = sv.Errors // a draft keeps what was typed; missing fields are expected
		}
	}
	return db
}

// roundState reads the round's state from the database.
func roundState(t *testing.T, db string) round.State {
	t.Helper()
	a, err := openApp(context.Background(), config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r, err := a.manage.RoundByName(context.Background(), manage.System("test"), testRound)
	if err != nil {
		t.Fatal(err)
	}
	return r.State
}

// TestRoundCloseWarnsOfDrafts: closing a round whose units hold evaluations
// never sent in names those units and how many each, on stderr, and closes
// (exit 0); --dry-run says the same and changes nothing.
func TestRoundCloseWarnsOfDrafts(t *testing.T) {
	db := roundDB(t)
	wantWarning := []string{
		"Varning: 2 enheter har 5 utvärderingar som inte är inskickade och inte kommer med i rapporten:",
		"Socialförvaltningen (Ludvika): 3 utvärderingar",
		"Räddningstjänsten (Ludvika, Smedjebacken): 2 utvärderingar",
	}
	for _, tc := range []struct {
		args      []string
		wantState round.State
		wantOut   string
	}{
		{[]string{"round", "close", "--round", testRound, "--dry-run"}, round.Open, "Inget är ändrat"},
		{[]string{"round", "close", "--round", testRound}, round.Closed, "är nu stängd"},
	} {
		code, out, errs := cli(t, db, tc.args...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", tc.args, code, errs)
		}
		for _, w := range wantWarning {
			if !strings.Contains(errs, w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tc.args, w, errs)
			}
		}
		for _, sent := range []string{"Miljö", "Kultur"} {
			if strings.Contains(errs, sent) {
				t.Errorf("%q: the warning names %s, which has nothing unsent:\n%s", tc.args, sent, errs)
			}
		}
		if !strings.Contains(out, tc.wantOut) {
			t.Errorf("%q: stdout lacks %q:\n%s", tc.args, tc.wantOut, out)
		}
		if got := roundState(t, db); got != tc.wantState {
			t.Errorf("%q: state %q, want %q", tc.args, got, tc.wantState)
		}
	}
	// A round with nothing unsent closes without a warning.
	dir := t.TempDir()
	wb, other := filepath.Join(dir, "natverk.xlsx"), filepath.Join(dir, "n.db")
	networkWorkbook(t, wb)
	if code, _, errs := cli(t, other, "import", "--round", "Nätverk", wb); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	code, out, errs := cli(t, other, "round", "close", "--round", "Nätverk")
	if code != 0 || errs != "" || !strings.Contains(out, "är nu stängd") {
		t.Errorf("close without drafts: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestRoundStateMoves: the moves the domain allows succeed, the others fail
// with a non-zero exit and the domain's reason, and change nothing.
func TestRoundStateMoves(t *testing.T) {
	db := roundDB(t)
	for _, tc := range []struct {
		verb      string
		wantCode  int
		wantState round.State
		want      string // in stdout on success, stderr on failure
	}{
		{"publish", 1, round.Open, "Stäng omgången ”" + testRound + "” innan rapporten publiceras"},
		{"open", 1, round.Open, "redan öppen"},
		{"close", 0, round.Closed, "är nu stängd"},
		{"close", 1, round.Closed, "redan stängd"},
		{"open", 0, round.Open, "är nu öppen"},
		{"close", 0, round.Closed, "är nu stängd"},
		{"publish", 0, round.Published, "är nu publicerad"},
		{"open", 1, round.Published, "är publicerad"},
		{"close", 1, round.Published, "är publicerad"},
		{"publish", 1, round.Published, "redan publicerad"},
	} {
		code, out, errs := cli(t, db, "round", tc.verb, "--round", testRound)
		if code != tc.wantCode {
			t.Errorf("%s: exit %d, want %d\n%s%s", tc.verb, code, tc.wantCode, out, errs)
		}
		got := out
		if tc.wantCode != 0 {
			got = errs
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: output lacks %q:\nstdout %s\nstderr %s", tc.verb, tc.want, out, errs)
		}
		if st := roundState(t, db); st != tc.wantState {
			t.Errorf("%s: state %q, want %q", tc.verb, st, tc.wantState)
		}
	}
	// An unknown round is named.
	code, _, errs := cli(t, db, "round", "close", "--round", "Ludvika 2062")
	if code == 0 || !strings.Contains(errs, "Ludvika 2062") {
		t.Errorf("unknown round: exit %d, stderr %q", code, errs)
	}
}

// TestRoundList: each round with its state in Swedish, its units, how many
// have answered and its evaluations (drafts included).
func TestRoundList(t *testing.T) {
	db := roundDB(t)
	if code, _, errs := cli(t, db, "round", "close", "--round", testRound); code != 0 {
		t.Fatalf("close: %s", errs)
	}
	code, out, errs := cli(t, db, "round", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want a header and one round:\n%s", out)
	}
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "Omgång Läge Enheter Har svarat Utvärderingar" {
		t.Errorf("header = %q", lines[0])
	}
	if got := strings.Join(strings.Fields(lines[1]), " "); got != testRound+" Stängd 4 1 6" {
		t.Errorf("row = %q, want %q", got, testRound+" Stängd 4 1 6")
	}
	empty := filepath.Join(t.TempDir(), "tom.db")
	if code, out, _ := cli(t, empty, "round", "list"); code != 0 || !strings.Contains(out, "inga omgångar") {
		t.Errorf("empty database: exit %d, %q", code, out)
	}
}

// TestRoundRemindClosed: a closed round sends neither invitations nor
// reminders from the command line: non-zero exit, nothing sent (design §7).
// The refusal is the domain's (manage.Invite asks round.Round.Allows); the
// command line adds no check of its own.
func TestRoundRemindClosed(t *testing.T) {
	db := roundDB(t)
	if code, _, errs := cli(t, db, "round", "close", "--round", testRound); code != 0 {
		t.Fatalf("close: %s", errs)
	}
	srv := mailtest.Start(t)
	env := map[string]string{"INVENTERA_DB": db, "INVENTERA_SMTP": srv.Addr,
		"INVENTERA_MAIL_FROM": "inventera@natverk.example", "INVENTERA_BASE_URL": "https://inventera.example"}
	for _, args := range [][]string{
		{"invite", "--remind", "--round", testRound},
		{"invite", "--round", testRound},
	} {
		var out, errb strings.Builder
		e := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(k string) string { return env[k] }}
		code := run(context.Background(), e, args)
		if code == 0 {
			t.Errorf("%q on a closed round: exit 0\n%s", args, out.String())
		}
		if !strings.Contains(errb.String(), "stängd") {
			t.Errorf("%q: stderr does not say the round is closed: %q", args, errb.String())
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d mails sent for a closed round", n)
	}
}
