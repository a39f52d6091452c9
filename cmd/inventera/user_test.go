package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// cliStdin runs the binary's run function with stdin.
func cliStdin(t *testing.T, db, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin), getenv: func(k string) string {
		if k == "INVENTERA_DB" {
			return db
		}
		return ""
	}}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// TestUserCommands: add (with a name, a one-time or a chosen password, and
// the nearest-name refusal), list, disable and enable.
func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "u.db")

	// Before any round, a projektledare has no kommun to belong to.
	code, _, errs := cli(t, db, "user", "add", "--email", "pl@avesta.example", "--role", "projektledare", "--kommun", "Avesta")
	if code != 1 || !strings.Contains(errs, "ingen omgång") {
		t.Errorf("projektledare before any round: exit %d %s", code, errs)
	}

	wb := filepath.Join(dir, "natverk.xlsx")
	networkWorkbook(t, wb) // Avesta, Hedemora, Norrby
	if code, _, errs := cli(t, db, "import", "--round", "Nätverk 2026", wb); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}

	refusals := []struct {
		name string
		args []string
		want string
	}{
		{"typo in the kommun", []string{"--email", "pl@avesta.example", "--role", "projektledare", "--kommun", "Avsta"}, "Menade du Avesta?"},
		{"kommun without diacritics or case", []string{"--email", "pl@avesta.example", "--role", "projektledare", "--kommun", "HEDEMORRA"}, "Menade du Hedemora?"},
		{"kommun far from all", []string{"--email", "pl@avesta.example", "--role", "projektledare", "--kommun", "Kiruna"}, "De närmaste namnen är"},
		{"unknown role", []string{"--email", "x@avesta.example", "--role", "chef"}, "Okänd roll"},
		{"kommun for the styrgrupp", []string{"--email", "x@avesta.example", "--role", "styrgrupp", "--kommun", "Avesta"}, "Bara en projektledare"},
	}
	for _, tt := range refusals {
		code, out, errs := cli(t, db, append([]string{"user", "add"}, tt.args...)...)
		if code != 1 || !strings.Contains(errs, tt.want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 1 and %q", tt.name, code, errs, out, tt.want)
		}
	}

	code, out, errs := cli(t, db, "user", "add", "--email", "PL@Avesta.example", "--role", "projektledare", "--kommun", "avesta", "--name", "Anna Lind")
	if code != 0 {
		t.Fatalf("add: exit %d %s", code, errs)
	}
	m := regexp.MustCompile(`Engångslösenord: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "Anna Lind <pl@avesta.example> (Projektledare, Avesta)") {
		t.Fatalf("add printed %q", out)
	}
	code, out, errs = cliStdin(t, db, "ett-langt-losenord\n", "user", "add", "--email", "sam@natverk.example", "--role", "samordnare", "--password-stdin")
	if code != 0 || strings.Contains(out, "Engångslösenord") {
		t.Fatalf("add with --password-stdin: exit %d %q %s", code, out, errs)
	}
	if code, _, errs := cli(t, db, "user", "add", "--email", "pl@avesta.example", "--role", "styrgrupp"); code != 1 || !strings.Contains(errs, "finns redan") {
		t.Errorf("duplicate: exit %d %s", code, errs)
	}

	// The one-time password must be changed at the first login; the chosen
	// one need not.
	st, err := store.Open(context.Background(), store.Options{Path: db})
	if err != nil {
		t.Fatal(err)
	}
	svc := &staff.Service{Store: st, Now: func() time.Time { return time.Now().UTC() }}
	for _, tt := range []struct {
		email, password string
		mustChange      bool
	}{{"pl@avesta.example", m[1], true}, {"sam@natverk.example", "ett-langt-losenord", false}} {
		sess, err := svc.Login(context.Background(), tt.email, tt.password)
		if err != nil || sess.MustChangePassword() != tt.mustChange {
			t.Errorf("login %s: %v, must change %v, want %v", tt.email, err, sess.MustChangePassword(), tt.mustChange)
		}
	}
	st.Close()

	list := func() [][]string {
		t.Helper()
		code, out, errs := cli(t, db, "user", "list")
		if code != 0 {
			t.Fatalf("list: exit %d %s", code, errs)
		}
		var rows [][]string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			rows = append(rows, regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1))
		}
		return rows
	}
	want := [][]string{
		{"e-post", "namn", "roll", "kommun", "status"},
		{"pl@avesta.example", "Anna Lind", "Projektledare", "Avesta", "Engångslösenord (byts vid inloggning)"},
		{"sam@natverk.example", "–", "Samordnare", "–", "Aktivt"},
	}
	if got := list(); !equalRows(got, want) {
		t.Errorf("list:\n%q\nwant\n%q", got, want)
	}

	if code, out, errs := cli(t, db, "user", "disable", "--email", "PL@avesta.example"); code != 0 || !strings.Contains(out, "avstängt") {
		t.Fatalf("disable: exit %d %q %s", code, out, errs)
	}
	if got := list(); got[1][4] != "Avstängt" {
		t.Errorf("after disable: %q", got[1])
	}
	if code, _, errs := cli(t, db, "user", "enable", "--email", "pl@avesta.example"); code != 0 {
		t.Fatalf("enable: exit %d %s", code, errs)
	}
	if got := list(); got[1][4] == "Avstängt" {
		t.Errorf("after enable: %q", got[1])
	}

	usage := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"user"}, 2, "add, list, disable eller enable"},
		{"unknown subcommand", []string{"user", "remove"}, 2, "okänt underkommando ”remove”"},
		{"disable without e-mail", []string{"user", "disable"}, 2, "--email saknas"},
		{"stray argument", []string{"user", "list", "extra"}, 2, "oväntat argument ”extra”"},
		{"unknown account", []string{"user", "disable", "--email", "nobody@example.se"}, 1, "inget konto"},
	}
	for _, tt := range usage {
		code, _, errs := cli(t, db, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%s: exit %d %q, want exit %d and %q", tt.name, code, errs, tt.code, tt.want)
		}
	}
	// The help lists what user does.
	if _, out, _ := cli(t, db, "help"); !strings.Contains(out, "user add, list, disable, enable") {
		t.Errorf("help: %s", out)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return false
		}
	}
	return true
}
