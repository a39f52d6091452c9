// Command inventera is the one binary of the service: the web server and the
// command-line tools of design §7. This package is wiring only: flags and
// environment become a config value, which opens the store and builds the
// services that the subcommands call.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/inventera/inventera/internal/apperror"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// commands is the table of subcommands; `inventera help` lists it.
func commands() map[string]command {
	return map[string]command{
		"serve":  {"kör webbtjänsten", runServe},
		"import": {"läser in en arbetsbok (XLSX) eller CSV i en omgång", runImport},

		"report":   {"skriver jämförelserapporten (json, html eller xlsx)", runReport},
		"export":   {"skriver en omgång i utbytesformatet (XLSX)", runExport},
		"user":     {"hanterar personalkonton: user add, list, disable, enable", runUser},
		"fixtures": {"läser in medföljande data: fixtures load bergslagen-2009", runFixtures},
		"backup":   {"gör en konsekvent kopia av databasen medan tjänsten körs", runBackup},
		"invite":   {"skickar personliga länkar (eller påminnelser) med e-post", runInvite},
		"bench":    {"mäter en nationell omgång: import, rapporter och inlämningar", runBench},
		"round":    {"öppnar, stänger eller publicerar en omgång; round list visar omgångarna", runRound},
		"review":   {"granskar inskickade utvärderingar: review list, exclude, include", runReview},
	}
}

// environment is what a subcommand gets from the process.
type environment struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}
	os.Exit(run(ctx, env, os.Args[1:]))
}

func run(ctx context.Context, env *environment, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if _, ok := cmds[args[1]]; ok {
				fmt.Fprintf(env.stdout, "Användning: %s\n", usageLine(args[1]))
				return 0
			}
		}
		usage(env.stdout, cmds)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		if strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(env.stderr, "inventera: kommandot ska stå först, före flaggorna (okänd flagga ”%s”)\n\n", clipArg(args[0]))
		} else {
			fmt.Fprintf(env.stderr, "inventera: okänt kommando ”%s”%s\n\n", clipArg(args[0]), didYouMean(args[0], names, ""))
		}
		usage(env.stderr, cmds)
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.stderr, "inventera %s: %s\nAnvändning: %s\n", ue.cmd, ue.problem, usageLine(ue.cmd))
		return 2
	case errors.Is(err, errUsage):
		return 2
	}
	msg := err.Error()
	if apperror.Code(err) == apperror.Internal {
		msg = "fel: " + msg
	}
	fmt.Fprintf(env.stderr, "inventera %s: %s\n", args[0], strings.TrimSpace(msg))
	return 1
}

// errUsage reports a usage error the command has already printed. Prefer
// a *usageError (usageErrorf), which says what was wrong.
var errUsage = errors.New("usage")

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Användning: inventera KOMMANDO [flaggor]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nAlla kommandon tar --db FIL (SQLite) eller --database-url postgres://… (även INVENTERA_DB / DATABASE_URL).")
	fmt.Fprintln(w, "Flaggor får stå före eller efter filen. inventera help KOMMANDO visar hur kommandot används.")
}
