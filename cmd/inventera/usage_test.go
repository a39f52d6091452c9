package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrors: every way of calling a command wrongly is refused with
// exit code 2, a Swedish message that names what was wrong and the
// command's one-line usage; nothing is opened or created.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		want  []string // substrings of stderr
		usage string   // the usage line's start ("" = the command list)
	}{
		// unknown commands and subcommands, with the nearest name
		{[]string{"improt"}, []string{"okänt kommando ”improt”", "menade du import?"}, ""},
		{[]string{"rond", "list"}, []string{"okänt kommando ”rond”", "menade du round?"}, ""},
		{[]string{"--db", "x.db", "import"}, []string{"kommandot ska stå först"}, ""},
		{[]string{"round"}, []string{"ange vad som ska göras: open, close, publish eller list"}, "inventera round "},
		{[]string{"round", "clse", "--round", "X"}, []string{"okänt underkommando ”clse”", "menade du close?"}, "inventera round "},
		{[]string{"round", "--round", "X", "close"}, []string{"ange först vad som ska göras"}, "inventera round "},
		{[]string{"user"}, []string{"ange vad som ska göras: add"}, "inventera user "},
		{[]string{"user", "ad", "--email", "a@b.se"}, []string{"okänt underkommando ”ad”", "menade du add?"}, "inventera user "},
		{[]string{"fixtures"}, []string{"ange vad som ska göras: load"}, "inventera fixtures load"},
		{[]string{"fixtures", "lod", "bergslagen-2009"}, []string{"okänt underkommando ”lod”", "menade du load?"}, "inventera fixtures load"},

		// unknown flags, with the nearest flag
		{[]string{"import", "--foo", "--round", "X", "a.xlsx"}, []string{"okänd flagga --foo"}, "inventera import --round NAMN"},
		{[]string{"import", "a.xlsx", "--rond", "X"}, []string{"okänd flagga --rond", "menade du --round?"}, "inventera import --round NAMN"},
		{[]string{"report", "--round", "X", "--fromat", "json"}, []string{"okänd flagga --fromat", "--format"}, "inventera report --round NAMN"},
		{[]string{"serve", "--adr", ":8080"}, []string{"okänd flagga --adr", "--addr"}, "inventera serve "},
		{[]string{"invite", "--round", "X", "--remnd"}, []string{"okänd flagga --remnd", "--remind"}, "inventera invite --round NAMN"},
		{[]string{"round", "close", "--round", "X", "--dryrun"}, []string{"okänd flagga --dryrun", "--dry-run"}, "inventera round close --round NAMN"},

		// required flags, each named when missing
		{[]string{"import", "a.xlsx"}, []string{"--round saknas"}, "inventera import --round NAMN"},
		{[]string{"report", "--format", "json"}, []string{"--round saknas"}, "inventera report --round NAMN"},
		{[]string{"export", "--out", "x.xlsx"}, []string{"--round saknas"}, "inventera export --round NAMN --out FIL.xlsx"},
		{[]string{"export", "--round", "X"}, []string{"--out saknas"}, "inventera export --round NAMN --out FIL.xlsx"},
		{[]string{"backup"}, []string{"--out saknas"}, "inventera backup --out FIL"},
		{[]string{"invite", "--remind"}, []string{"--round saknas"}, "inventera invite --round NAMN"},
		{[]string{"user", "add", "--role", "samordnare"}, []string{"--email saknas"}, "inventera user add --email E"},
		{[]string{"user", "add", "--email", "a@b.se"}, []string{"--role saknas"}, "inventera user add --email E"},
		{[]string{"round", "open"}, []string{"--round saknas"}, "inventera round open --round NAMN"},
		{[]string{"round", "close", "--dry-run"}, []string{"--round saknas"}, "inventera round close --round NAMN"},
		{[]string{"round", "publish"}, []string{"--round saknas"}, "inventera round publish --round NAMN"},

		// a flag without its value
		{[]string{"import", "a.xlsx", "--round"}, []string{"--round saknar värde"}, "inventera import --round NAMN"},
		{[]string{"import", "--round", "--db", "x.db", "a.xlsx"}, []string{"--round saknar värde"}, "inventera import --round NAMN"},
		{[]string{"report", "--round", "X", "--out"}, []string{"--out saknar värde"}, "inventera report --round NAMN"},
		{[]string{"backup", "--out", "--"}, []string{"--out saknar värde"}, "inventera backup --out FIL"},

		// a value of the wrong kind
		{[]string{"import", "--round", "X", "--hourly-rate", "280kr", "a.xlsx"}, []string{"--hourly-rate ska vara ett heltal, inte ”280kr”"}, "inventera import --round NAMN"},
		{[]string{"invite", "--round", "X", "--remind=kanske"}, []string{"--remind tar inget värde", "”kanske”"}, "inventera invite --round NAMN"},
		{[]string{"bench", "--timeout", "länge"}, []string{"--timeout ska vara en tid", "”länge”"}, "inventera bench "},
		{[]string{"bench", "--kommuner", "0"}, []string{"--kommuner ska vara minst 1"}, "inventera bench "},
		{[]string{"report", "--round", "X", "--format", "pdf"}, []string{"okänt format ”pdf”", "json, html eller xlsx"}, "inventera report --round NAMN"},

		// missing or extra arguments
		{[]string{"import", "--round", "X"}, []string{"filen att läsa in (FIL.xlsx eller FIL.csv) saknas"}, "inventera import --round NAMN"},
		{[]string{"import", "--round", "X", "a.xlsx", "b.xlsx"}, []string{"oväntat argument ”b.xlsx”"}, "inventera import --round NAMN"},
		{[]string{"import", "--round", "Resultatstyrning", "2009", "a.xlsx"}, []string{"oväntat argument ”a.xlsx”", `--round "Resultatstyrning 2009"`}, "inventera import --round NAMN"},
		{[]string{"fixtures", "load"}, []string{"datamängdens namn (bergslagen-2009 eller bergslagen-2010) saknas"}, "inventera fixtures load"},
		{[]string{"fixtures", "load", "bergslagen-2009", "extra"}, []string{"oväntat argument ”extra”"}, "inventera fixtures load"},
		{[]string{"serve", "8080"}, []string{"oväntat argument ”8080”", "bara flaggor"}, "inventera serve "},
		{[]string{"report", "--round", "X", "rapport.json"}, []string{"oväntat argument ”rapport.json”"}, "inventera report --round NAMN"},
		{[]string{"round", "list", "extra"}, []string{"oväntat argument ”extra”"}, "inventera round list"},
		{[]string{"bench", "extra"}, []string{"oväntat argument ”extra”"}, "inventera bench "},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "aldrig.db")
			code, out, errs := cli(t, db, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", code, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr does not say %q:\n%s", w, errs)
				}
			}
			wantUsage := "Användning: " + tc.usage
			if tc.usage == "" {
				wantUsage = "Användning: inventera KOMMANDO"
			}
			if !strings.Contains(errs, wantUsage) {
				t.Errorf("stderr lacks the usage %q:\n%s", wantUsage, errs)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a usage error opened the database (%v)", err)
			}
		})
	}
}

// TestUsageHelp: asking for help is not an error; it prints the usage to
// stdout.
func TestUsageHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"Användning: inventera KOMMANDO", "round ", "före eller efter filen"}},
		{[]string{"help"}, []string{"Användning: inventera KOMMANDO"}},
		{[]string{"help", "import"}, []string{"Användning: inventera import --round NAMN"}},
		{[]string{"import", "--help"}, []string{"Användning: inventera import --round NAMN", "--hourly-rate TAL", "(standard: 280)"}},
		{[]string{"round", "close", "-h"}, []string{"Användning: inventera round close --round NAMN", "--dry-run"}},
		{[]string{"round", "--help"}, []string{"Användning: inventera round open|close|publish"}},
	} {
		code, out, errs := cli(t, filepath.Join(t.TempDir(), "x.db"), tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

// TestUsageParseFlags: flags and arguments mix in any order; "--" ends the
// flags; -x and --x, "--x v" and "--x=v" are the same.
func TestUsageParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		npos      int
		wantArgs  string // joined with |
		wantRound string
		wantRate  int64
		wantDry   bool
		wantErr   string // "" = no error
	}{
		{[]string{"a.xlsx", "--round", "X"}, 1, "a.xlsx", "X", 280, false, ""},
		{[]string{"--round", "X", "a.xlsx"}, 1, "a.xlsx", "X", 280, false, ""},
		{[]string{"--dry-run", "a.xlsx", "--round=Y Z", "-rate", "300"}, 1, "a.xlsx", "Y Z", 300, true, ""},
		{[]string{"--round", "X", "--", "--a.xlsx"}, 1, "--a.xlsx", "X", 280, false, ""},
		{[]string{"-", "--round", "X"}, 1, "-", "X", 280, false, ""},
		{[]string{"--rate", "-5", "--round", "X", "a"}, 1, "a", "X", -5, false, ""},
		{[]string{"--dry-run=false", "--round", "", "a"}, 1, "a", "", 280, false, ""},
		{[]string{"a", "b", "--round", "X"}, 2, "a|b", "X", 280, false, ""},
		{[]string{"a", "--round", "X"}, 2, "", "", 0, false, "b saknas"},
		{[]string{"a", "b"}, 1, "", "", 0, false, "oväntat argument ”b”"},
		{[]string{"--round"}, 0, "", "", 0, false, "--round saknar värde"},
		{[]string{"--round", "--rate", "3"}, 0, "", "", 0, false, "--round saknar värde"},
		{[]string{"--rate", "tre"}, 0, "", "", 0, false, "--rate ska vara ett heltal"},
		{[]string{"--raet", "3"}, 0, "", "", 0, false, "okänd flagga --raet (menade du --rate?)"},
		{[]string{"---round", "X"}, 0, "", "", 0, false, "okänd flagga --" + "-round"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		round := fs.String("round", "", "omgångens namn")
		rate := fs.Int64("rate", 280, "timkostnad")
		dry := fs.Bool("dry-run", false, "prova")
		positional := []string{"a", "b"}[:tc.npos]
		var out bytes.Buffer
		err := parseFlags(fs, &environment{stdout: &out, stderr: &out}, tc.args, positional...)
		if tc.wantErr != "" {
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(ue.problem, tc.wantErr) {
				t.Errorf("%q: error %v, want a usage error saying %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if got := strings.Join(fs.Args(), "|"); got != tc.wantArgs {
			t.Errorf("%q: args = %q, want %q", tc.args, got, tc.wantArgs)
		}
		if *round != tc.wantRound || *rate != tc.wantRate || *dry != tc.wantDry {
			t.Errorf("%q: round %q rate %d dry %v, want %q %d %v", tc.args, *round, *rate, *dry, tc.wantRound, tc.wantRate, tc.wantDry)
		}
	}
}

// TestCLIFlagsAfterFile: import takes its flags before or after the file,
// and the --db given wins over INVENTERA_DB.
func TestCLIFlagsAfterFile(t *testing.T) {
	dir := t.TempDir()
	wb := filepath.Join(dir, "natverk.xlsx")
	networkWorkbook(t, wb)
	envDB := filepath.Join(dir, "fel.db")
	for i, tc := range []struct {
		args []string // {db} and {wb} are replaced
		rate int64
	}{
		{[]string{"import", "{wb}", "--round", "Nätverk", "--db", "{db}"}, 280},
		{[]string{"import", "--db", "{db}", "{wb}", "--round=Nätverk", "--hourly-rate", "300"}, 300},
		{[]string{"import", "--round", "Nätverk", "--hourly-rate=310", "--db={db}", "--", "{wb}"}, 310},
		{[]string{"import", "-round", "Nätverk", "{wb}", "-db", "{db}"}, 280},
	} {
		db := filepath.Join(dir, "n"+string(rune('a'+i))+".db")
		args := make([]string, len(tc.args))
		for j, a := range tc.args {
			args[j] = strings.NewReplacer("{db}", db, "{wb}", wb).Replace(a)
		}
		code, out, errs := cli(t, envDB, args...)
		if code != 0 {
			t.Errorf("%q: exit %d: %s", args, code, errs)
			continue
		}
		if !strings.Contains(out, "8 utvärderingar") {
			t.Errorf("%q: stdout %q", args, out)
		}
		code, out, errs = cli(t, envDB, "report", "--format", "json", "--db", db, "--round", "Nätverk")
		if code != 0 {
			t.Errorf("%q: report: exit %d: %s", args, code, errs)
			continue
		}
		var got jsonReport
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if got.Round.Name != "Nätverk" || got.Round.HourlyRate != tc.rate || got.Network.Evaluations != len(evaluations) {
			t.Errorf("%q: round %q rate %v evaluations %d, want Nätverk %d %d", args, got.Round.Name, got.Round.HourlyRate, got.Network.Evaluations, tc.rate, len(evaluations))
		}
	}
	if _, err := os.Stat(envDB); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("INVENTERA_DB was used although --db was given (%v)", err)
	}
}

// FuzzParseFlags: whatever is typed, parsing ends in the flags' values and
// exactly the arguments asked for, help, or a usage error that says what
// was wrong; it never panics.
func FuzzParseFlags(f *testing.F) {
	for _, seed := range []string{
		"a.xlsx\x00--round\x00X",
		"--round=X\x00--\x00-a",
		"--rate\x00-5\x00--dry-run=true\x00a",
		"---\x00-\x00--=\x00-=x",
		"--round\x00--help",
		"-h",
		"--dry-run=\x00--rate=\x00b",
	} {
		f.Add(seed, 1)
	}
	f.Fuzz(func(t *testing.T, joined string, npos int) {
		args := strings.Split(joined, "\x00")
		npos = ((npos % 3) + 3) % 3
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.String("round", "", "omgångens namn")
		fs.Int64("rate", 280, "timkostnad")
		fs.Bool("dry-run", false, "prova")
		var out bytes.Buffer
		err := parseFlags(fs, &environment{stdout: &out, stderr: &out}, args, []string{"a", "b"}[:npos]...)
		var ue *usageError
		switch {
		case err == nil:
			if fs.NArg() != npos {
				t.Errorf("%q: %d arguments, want %d", args, fs.NArg(), npos)
			}
		case errors.Is(err, errHelp):
			if !strings.Contains(out.String(), "Användning:") {
				t.Errorf("%q: help without usage: %q", args, out.String())
			}
		case errors.As(err, &ue):
			if strings.TrimSpace(ue.problem) == "" {
				t.Errorf("%q: usage error says nothing", args)
			}
		default:
			t.Errorf("%q: unexpected error %v", args, err)
		}
	})
}
