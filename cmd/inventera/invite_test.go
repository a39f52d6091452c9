package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// TestInviteAndRemind runs `invite` and `invite --remind` against a real
// SMTP server in the test process, on a workbook built here: each unit with
// an address gets one mail with its own link; after two units answer, the
// reminder reaches exactly the silent one.
func TestInviteAndRemind(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	wb := filepath.Join(dir, "enheter.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "kommuner")
	f.SetSheetRow("kommuner", "A1", &[]any{"kommun", "invanare"})
	f.SetSheetRow("kommuner", "A2", &[]any{"Ludvika", 26000})
	f.NewSheet("enheter")
	f.SetSheetRow("enheter", "A1", &[]any{"enhet", "kommun", "verksamhetschef", "epost"})
	units := [][]any{
		{"Socialförvaltningen", "Ludvika", "Anna Lind", "anna@ludvika.example"},
		{"Kultur och fritid", "Ludvika", "Bo Ek", "bo@ludvika.example"},
		{"Miljökontoret", "Ludvika", "Cia Berg", "cia@ludvika.example"},
		{"Överförmyndaren", "Ludvika", "Dan Al", ""},
	}
	for i, u := range units {
		f.SetSheetRow("enheter", fmt.Sprintf("A%d", i+2), &u)
	}
	if err := f.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, db, "import", "--round", "Ludvika 2026", wb); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	srv := mailtest.Start(t)
	env := map[string]string{"INVENTERA_DB": db, "INVENTERA_SMTP": srv.Addr,
		"INVENTERA_MAIL_FROM": "inventera@natverk.example", "INVENTERA_BASE_URL": "https://inventera.example"}
	invite := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		e := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(k string) string { return env[k] }}
		code := run(context.Background(), e, append([]string{"invite", "--round", "Ludvika 2026"}, args...))
		return code, out.String(), errb.String()
	}
	code, out, errs := invite()
	if code != 0 {
		t.Fatalf("invite: exit %d: %s %s", code, out, errs)
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("mails = %d, want 3", len(msgs))
	}
	if !strings.Contains(out, "saknar e-post\tÖverförmyndaren") {
		t.Errorf("the unit without address is not listed:\n%s", out)
	}
	linkRe := regexp.MustCompile(`https://inventera\.example/l/[A-Za-z0-9_-]{43}`)
	linkOf := map[string]string{}
	for _, m := range msgs {
		raw := strings.ReplaceAll(strings.ReplaceAll(string(m.Raw), "=\r\n", ""), "=3D", "=")
		links := linkRe.FindAllString(raw, -1)
		if len(links) == 0 {
			t.Fatalf("mail to %v has no link", m.To)
		}
		linkOf[m.To[0]] = links[0]
	}
	if len(linkOf) != 3 || linkOf["anna@ludvika.example"] == linkOf["bo@ludvika.example"] {
		t.Fatalf("links not distinct: %v", linkOf)
	}
	// Open the links: each opens its own unit.
	cfg := config{DBPath: db}
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	token := func(link string) string { return link[strings.LastIndex(link, "/")+1:] }
	for addr, link := range linkOf {
		p, err := a.respond.Open(context.Background(), a.respond.ByLink(token(link)))
		if err != nil || p.Unit.ChefEmail != addr {
			t.Errorf("link mailed to %s opens %q (%v)", addr, p.Unit.Name, err)
		}
	}
	// Anna answers "inga utvärderingar", Bo declines; Cia stays silent.
	if err := a.respond.NoEvaluations(context.Background(), a.respond.ByLink(token(linkOf["anna@ludvika.example"]))); err != nil {
		t.Fatal(err)
	}
	if err := a.respond.Decline(context.Background(), a.respond.ByLink(token(linkOf["bo@ludvika.example"])), "Omorganisation"); err != nil {
		t.Fatal(err)
	}
	// The same day, nobody is reminded: they were just invited (design §7:
	// one mail, not a reminder on the heels of the invitation).
	code, out, errs = invite("--remind")
	if code != 0 || len(srv.Messages()) != 3 || !strings.Contains(out, "skickas inte\tMiljökontoret\tcia@ludvika.example\tPåminnelse\tfick ett utskick") {
		t.Fatalf("remind the same day: exit %d, %d mails: %s %s", code, len(srv.Messages()), out, errs)
	}
	// A day later the reminder reaches exactly the silent unit.
	dayLater(t, db)
	code, out, errs = invite("--remind")
	if code != 0 {
		t.Fatalf("remind: exit %d: %s %s", code, out, errs)
	}
	reminded := srv.Messages()[3:]
	if len(reminded) != 1 || reminded[0].To[0] != "cia@ludvika.example" {
		var to []string
		for _, m := range reminded {
			to = append(to, m.To[0])
		}
		t.Errorf("reminders went to %v, want exactly the silent unit's cia@ludvika.example", to)
	}
	// Answered units never get mail, also with --again.
	dayLater(t, db)
	before := len(srv.Messages())
	if code, out, errs = invite("--again"); code != 0 {
		t.Fatalf("again: exit %d: %s %s", code, out, errs)
	}
	if again := srv.Messages()[before:]; len(again) != 1 || again[0].To[0] != "cia@ludvika.example" {
		t.Errorf("--again wrote to %d, want only the silent unit", len(again))
	}
	if !strings.Contains(out, "skickas inte\tSocialförvaltningen\tanna@ludvika.example\tInbjudan (igen)\thar redan svarat") {
		t.Errorf("--again does not say why the answered unit got nothing:\n%s", out)
	}
	if code, _, errs = invite("--again", "--remind"); code != 2 || !strings.Contains(errs, "inte båda") {
		t.Errorf("--again --remind: exit %d: %s", code, errs)
	}
	// A refused delivery makes the command fail and says so.
	dayLater(t, db)
	srv.Reject("cia@ludvika.example")
	code, out, _ = invite("--remind")
	if code == 0 || !strings.Contains(out, "MISSLYCKADES\tMiljökontoret") {
		t.Errorf("refused delivery: exit %d, output:\n%s", code, out)
	}
}

// dayLater moves every send in the mail log a day back, as if the next
// command ran the next day.
func dayLater(t *testing.T, db string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT id, at FROM mail_log")
	if err != nil {
		t.Fatal(err)
	}
	moved := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		moved[id] = at.Add(-25 * time.Hour)
	}
	rows.Close()
	for id, at := range moved {
		if _, err := conn.Exec("UPDATE mail_log SET at = ? WHERE id = ?", at, id); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInviteClosedRound: `invite --remind` (and every other send) on a
// round that is not open exits non-zero, says why, and sends nothing.
func TestInviteClosedRound(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	wb := filepath.Join(dir, "enheter.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "enheter")
	f.SetSheetRow("enheter", "A1", &[]any{"enhet", "kommun", "verksamhetschef", "epost"})
	f.SetSheetRow("enheter", "A2", &[]any{"Socialförvaltningen", "Ludvika", "Anna Lind", "anna@ludvika.example"})
	if err := f.SaveAs(wb); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, db, "import", "--round", "Ludvika 2026", wb); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	srv := mailtest.Start(t)
	env := map[string]string{"INVENTERA_DB": db, "INVENTERA_SMTP": srv.Addr,
		"INVENTERA_MAIL_FROM": "inventera@natverk.example", "INVENTERA_BASE_URL": "https://inventera.example"}
	invite := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		e := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), getenv: func(k string) string { return env[k] }}
		code := run(context.Background(), e, append([]string{"invite", "--round", "Ludvika 2026"}, args...))
		return code, out.String(), errb.String()
	}
	if code, out, errs := invite(); code != 0 || len(srv.Messages()) != 1 {
		t.Fatalf("invite while open: exit %d, %d mails: %s %s", code, len(srv.Messages()), out, errs)
	}
	dayLater(t, db)
	a, err := openApp(context.Background(), config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.manage.RoundByName(context.Background(), manage.System("test"), "Ludvika 2026")
	if err == nil {
		_, err = a.manage.SetState(context.Background(), manage.System("test"), r.ID, round.Closed)
	}
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--remind"}, {"--again"}, {}, {"--remind", "--kommun", "Ludvika"}} {
		code, out, errs := invite(args...)
		if code == 0 || !strings.Contains(errs, "är stängd") || !strings.Contains(errs, "skickas bara medan omgången är öppen") {
			t.Errorf("invite %v on a closed round: exit %d, stderr %q", args, code, errs)
		}
		if out != "" {
			t.Errorf("invite %v on a closed round printed %q", args, out)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d mails after the round closed, want none", n-1)
	}
	// No SMTP server at all: still the round's refusal, not the server's.
	env["INVENTERA_SMTP"] = ""
	if code, _, errs := invite("--remind"); code == 0 || !strings.Contains(errs, "är stängd") {
		t.Errorf("closed round without SMTP: exit %d, %q", code, errs)
	}
}
