package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/inventera/inventera/internal/nearest"
)

// usageLines is each command's one-line usage, by the name of its flag set
// ("import", "user add"); a usage error ends with it, and `inventera help
// KOMMANDO` prints it. Design §7 is the contract for these lines.
func usageLines() map[string]string {
	const db = " [--db FIL | --database-url postgres://…]"
	return map[string]string{
		"serve":          "inventera serve [--addr :8080]" + db + " [--demo] [--behind-tls] [--trust-proxy]",
		"import":         "inventera import --round NAMN [--hourly-rate 280] [--population-source \"SCB 2009-12-31\"]" + db + " FIL.xlsx|FIL.csv",
		"report":         "inventera report --round NAMN [--compare TIDIGARE] [--format json|html|xlsx] [--out FIL]" + db,
		"export":         "inventera export --round NAMN --out FIL.xlsx" + db,
		"user":           "inventera user add|list|disable|enable [flaggor]" + db,
		"user add":       "inventera user add --email E --role samordnare|projektledare|styrgrupp [--kommun K] [--name N] [--password-stdin]" + db,
		"user list":      "inventera user list" + db,
		"user disable":   "inventera user disable --email E" + db,
		"user enable":    "inventera user enable --email E" + db,
		"fixtures":       "inventera fixtures load bergslagen-2009|bergslagen-2010" + db,
		"fixtures load":  "inventera fixtures load bergslagen-2009|bergslagen-2010" + db,
		"backup":         "inventera backup --out FIL" + db,
		"invite":         "inventera invite --round NAMN [--kommun K] [--remind | --again]" + db,
		"bench":          "inventera bench [--scale 1] [--db FIL | --database-url postgres://…] [--kommuner 290] [--units 5] [--evaluations 100] [--submissions 5000] [--clients 50] [--reports 4] [--timeout 120s] [--keep KATALOG] [--cpuprofile KATALOG]",
		"bench step":     "inventera bench step STEG --dir KATALOG --db FIL|--database-url URL (körs av inventera bench)",
		"round":          "inventera round open|close|publish --round NAMN [--dry-run]" + db + "  eller  inventera round list" + db,
		"round open":     "inventera round open --round NAMN [--dry-run]" + db,
		"round close":    "inventera round close --round NAMN [--dry-run]" + db,
		"round publish":  "inventera round publish --round NAMN [--dry-run]" + db,
		"round list":     "inventera round list" + db,
		"review":         "inventera review list|exclude|include --round NAMN [flaggor]" + db,
		"review list":    "inventera review list --round NAMN [--kommun K] [--status med|utesluten|fragor]" + db,
		"review exclude": "inventera review exclude --round NAMN --evaluation ID --reason TEXT" + db,
		"review include": "inventera review include --round NAMN --evaluation ID" + db,
	}
}

// usageLine is the command's one-line usage; a subcommand without a line of
// its own gets its command's.
func usageLine(cmd string) string {
	lines := usageLines()
	if l, ok := lines[cmd]; ok {
		return l
	}
	if head, _, ok := strings.Cut(cmd, " "); ok {
		if l, ok := lines[head]; ok {
			return l
		}
	}
	return "inventera " + cmd + " [flaggor]"
}

// usageError is a command called the wrong way: run prints what was wrong
// and the command's one-line usage, and exits with code 2.
type usageError struct {
	cmd     string // the flag set's name: "import", "user add"
	problem string // in Swedish, e.g. "--round saknas (omgångens namn)"
}

func (e *usageError) Error() string { return e.problem }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, problem: fmt.Sprintf(format, args...)}
}

// errHelp reports that help was asked for and printed; the exit code is 0.
var errHelp = errors.New("help")

// parseFlags reads args into fs. Flags and positional arguments may come
// in any order; "--" ends the flags. positional names, in Swedish, the
// arguments the command takes (none when empty), each of them required;
// fs.Args() returns them afterwards. A mistake is a *usageError that says
// what was wrong: an unknown flag, a flag without its value, a value of the
// wrong kind, a missing or an extra argument. -h or --help prints the
// command's usage and flags to stdout and returns errHelp.
func parseFlags(fs *flag.FlagSet, env *environment, args []string, positional ...string) error {
	fs.SetOutput(io.Discard)
	var rest []string
	split := "" // a flag's value followed by an argument: a name with a space, unquoted?
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if i >= 2 && split == "" && !looksLikeFile(a) && strings.HasPrefix(args[i-2], "-") && !strings.Contains(args[i-2], "=") && !looksLikeFlag(fs, args[i-1]) {
				if f := fs.Lookup(strings.TrimLeft(args[i-2], "-")); f != nil && !isBoolFlag(f) {
					split = fmt.Sprintf(". Är ”%s %s” ett namn? Skriv det inom citattecken: --%s \"%s %s\"", args[i-1], a, f.Name, args[i-1], a)
				}
			}
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			if name == "h" || name == "help" {
				printHelp(env.stdout, fs)
				return errHelp
			}
			return unknownFlag(fs, name)
		}
		if isBoolFlag(f) {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 == len(args) || looksLikeFlag(fs, args[i+1]) {
				return usageErrorf(fs.Name(), "--%s saknar värde (%s)", name, f.Usage)
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return badValue(fs.Name(), f, value)
		}
	}
	// Hand the positional arguments to fs, so that fs.Args() returns them;
	// after "--" nothing is read as a flag, so this cannot fail.
	if err := fs.Parse(append([]string{"--"}, rest...)); err != nil {
		return usageErrorf(fs.Name(), "%v", err)
	}
	switch {
	case len(rest) < len(positional):
		return usageErrorf(fs.Name(), "%s saknas", positional[len(rest)])
	case len(rest) > len(positional):
		extra := rest[len(positional)]
		if len(positional) == 0 {
			return usageErrorf(fs.Name(), "oväntat argument ”%s”: kommandot tar bara flaggor%s", clipArg(extra), split)
		}
		return usageErrorf(fs.Name(), "oväntat argument ”%s”: kommandot tar bara %s%s", clipArg(extra), strings.Join(positional, " och "), split)
	}
	return nil
}

// requireFlags names the first of the flags that was left empty.
func requireFlags(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		f := fs.Lookup(n)
		if f == nil {
			return fmt.Errorf("cmd: flag --%s is not defined on %s", n, fs.Name())
		}
		if strings.TrimSpace(f.Value.String()) == "" {
			return usageErrorf(fs.Name(), "--%s saknas (%s)", n, f.Usage)
		}
	}
	return nil
}

// subcommand reads the word that picks what cmd does ("add" in `user add`),
// which comes first; it returns the word and the arguments after it.
func subcommand(env *environment, cmd string, args []string, names ...string) (string, []string, error) {
	choice := joinOr(names)
	if len(args) == 0 {
		return "", nil, usageErrorf(cmd, "ange vad som ska göras: %s", choice)
	}
	word := args[0]
	switch {
	case word == "-h" || word == "--help" || word == "-help" || word == "help":
		fmt.Fprintf(env.stdout, "Användning: %s\n", usageLine(cmd))
		return "", nil, errHelp
	case strings.HasPrefix(word, "-"):
		return "", nil, usageErrorf(cmd, "ange först vad som ska göras (%s), sedan flaggorna", choice)
	}
	for _, n := range names {
		if word == n {
			return word, args[1:], nil
		}
	}
	return "", nil, usageErrorf(cmd, "okänt underkommando ”%s”%s: välj %s", clipArg(word), didYouMean(word, names, ""), choice)
}

func unknownFlag(fs *flag.FlagSet, name string) error {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	return usageErrorf(fs.Name(), "okänd flagga --%s%s", clipArg(name), didYouMean(name, names, "--"))
}

// didYouMean suggests the names closest to a mistyped one.
func didYouMean(typed string, names []string, prefix string) string {
	near := nearest.Names(typed, names)
	if len(near) == 0 {
		return ""
	}
	for i, n := range near {
		near[i] = prefix + n
	}
	return " (menade du " + joinOr(near) + "?)"
}

// looksLikeFile tells whether an argument is a file name (it has an
// extension such as .xlsx), not the second word of an unquoted name.
func looksLikeFile(a string) bool {
	ext := strings.TrimPrefix(filepath.Ext(a), ".")
	return ext != "" && strings.IndexFunc(ext, unicode.IsLetter) >= 0
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// looksLikeFlag tells whether the argument after a flag that needs a value
// is another flag instead: "--" or anything that starts with "--", or a
// one-dash flag the command has (so "-5" is still a value).
func looksLikeFlag(fs *flag.FlagSet, a string) bool {
	if a == "--" || (strings.HasPrefix(a, "--") && len(a) > 2) {
		return true
	}
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	name, _, _ := strings.Cut(a[1:], "=")
	return fs.Lookup(name) != nil || name == "h" || name == "help"
}

// badValue says what kind of value the flag takes.
func badValue(cmd string, f *flag.Flag, value string) error {
	v := clipArg(value)
	var kind any
	if g, ok := f.Value.(flag.Getter); ok {
		kind = g.Get()
	}
	switch kind.(type) {
	case bool:
		return usageErrorf(cmd, "--%s tar inget värde (eller true/false), inte ”%s”", f.Name, v)
	case int, int64:
		return usageErrorf(cmd, "--%s ska vara ett heltal, inte ”%s”", f.Name, v)
	case uint, uint64:
		return usageErrorf(cmd, "--%s ska vara ett heltal, 0 eller större, inte ”%s”", f.Name, v)
	case float64:
		return usageErrorf(cmd, "--%s ska vara ett tal, inte ”%s”", f.Name, v)
	case time.Duration:
		return usageErrorf(cmd, "--%s ska vara en tid som 90s eller 2m, inte ”%s”", f.Name, v)
	}
	return usageErrorf(cmd, "ogiltigt värde ”%s” för --%s", v, f.Name)
}

// printHelp writes the command's usage and flags.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Användning: %s\n\nFlaggor:\n", usageLine(fs.Name()))
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		switch kind {
		case "":
		case "string":
			head += " TEXT"
		case "int", "uint", "float":
			head += " TAL"
		case "duration":
			head += " TID"
		default:
			head += " " + kind
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = " (standard: " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n      %s%s\n", head, text, def)
	})
}

// joinOr lists choices the Swedish way: "a, b eller c".
func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " eller " + items[len(items)-1]
}

// clipArg shortens what the user typed, quoted back in a message.
func clipArg(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
