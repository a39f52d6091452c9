package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// runRound changes a round's state (round open|close|publish) or lists the
// rounds (round list). Which moves there are is the domain's decision
// (round.Round.CanBecome); closing names the units whose evaluations were
// never sent in and so are left out of the report.
func runRound(ctx context.Context, env *environment, args []string) error {
	verb, args, err := subcommand(env, "round", args, "open", "close", "publish", "list")
	if err != nil {
		return err
	}
	if verb == "list" {
		return runRoundList(ctx, env, args)
	}
	var cfg config
	fs := flag.NewFlagSet("round "+verb, flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn")
	dryRun := fs.Bool("dry-run", false, "visa vad som skulle hända, utan att ändra något")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "round"); err != nil {
		return err
	}
	to, err := round.ParseState(verb)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := manage.System("round " + verb)
	r, err := a.manage.RoundByName(ctx, actor, *name)
	if err != nil {
		return err
	}
	change := a.manage.SetState
	if *dryRun {
		change = a.manage.PreviewState
	}
	ch, err := change(ctx, actor, r.ID, to)
	if err != nil {
		return err
	}
	if len(ch.Unsubmitted) > 0 {
		warnUnsubmitted(env.stderr, ch)
	}
	if len(ch.OpenQuestions) > 0 {
		warnOpenQuestions(env.stderr, ch)
	}
	state := strings.ToLower(to.Label())
	if *dryRun {
		fmt.Fprintf(env.stdout, "Omgången ”%s” kan bli %s. Inget är ändrat (--dry-run).\n", ch.Round.Name, state)
		return nil
	}
	fmt.Fprintf(env.stdout, "Omgången ”%s” är nu %s.\n", ch.Round.Name, state)
	if len(ch.Unsubmitted) > 0 {
		fmt.Fprintf(env.stdout, "Ska svaren hinna skickas in? Öppna omgången igen: inventera round open --round %q\n", ch.Round.Name)
	}
	return nil
}

// warnUnsubmitted names the units whose evaluations the closed round's
// report leaves out, with how many each.
func warnUnsubmitted(w io.Writer, ch manage.StateChange) {
	units, evals := len(ch.Unsubmitted), ch.Evaluations
	fmt.Fprintf(w, "Varning: %s har %s som inte är %s och inte kommer med i rapporten:\n",
		count(units, "enhet", "enheter"), count(evals, "utvärdering", "utvärderingar"), plural(evals, "inskickad", "inskickade"))
	for _, u := range ch.Unsubmitted {
		fmt.Fprintf(w, "  %s (%s): %s\n", u.Unit.Name, strings.Join(u.Unit.Kommuner, ", "), count(u.Evaluations, "utvärdering", "utvärderingar"))
	}
}

// warnOpenQuestions names the review's questions still open when the
// round closes: the units can no longer answer them.
func warnOpenQuestions(w io.Writer, ch manage.StateChange) {
	n := len(ch.OpenQuestions)
	fmt.Fprintf(w, "Varning: %s från granskningen är fortfarande %s; enheterna kan inte svara när omgången är stängd:\n",
		count(n, "fråga", "frågor"), plural(n, "öppen", "öppna"))
	for _, q := range ch.OpenQuestions {
		fmt.Fprintf(w, "  %s, %s (%s): %s\n", q.Evaluation, q.Unit.Name, strings.Join(q.Unit.Kommuner, ", "), oneLine(q.Text))
	}
}

func runRoundList(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("round list", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := manage.System("round list")
	rounds, err := a.manage.Rounds(ctx, actor)
	if err != nil {
		return err
	}
	if len(rounds) == 0 {
		fmt.Fprintln(env.stdout, "Det finns inga omgångar i databasen.")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Omgång\tLäge\tEnheter\tHar svarat\tUtvärderingar")
	for _, r := range rounds {
		ov, err := a.manage.Overview(ctx, actor, r.ID, manage.OverviewFilter{})
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.State.Label(), number(ov.UnitCount), number(ov.Answered), number(ov.Evaluations))
	}
	return tw.Flush()
}

func number(n int) string { return form.FormatNumber(float64(n), 0) }

// count is "1 enhet", "2 enheter", "1 234 utvärderingar".
func count(n int, singular, plurals string) string {
	return number(n) + " " + plural(n, singular, plurals)
}

func plural(n int, singular, plurals string) string {
	if n == 1 {
		return singular
	}
	return plurals
}
