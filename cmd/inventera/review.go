package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/inventera/inventera/internal/manage"
)

// runReview is the working group's review step (design §5, §7): review
// list shows a round's sent-in evaluations with their status; review
// exclude rules one out of scope with a reason, review include takes it back
// in (until the round is published). The rules are the domain's
// (manage.Service.Exclude, Include).
func runReview(ctx context.Context, env *environment, args []string) error {
	verb, args, err := subcommand(env, "review", args, "list", "exclude", "include")
	if err != nil {
		return err
	}
	var cfg config
	fs := flag.NewFlagSet("review "+verb, flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn")
	var (
		evaluation, reason, kommun, status *string
	)
	required := []string{"round"}
	switch verb {
	case "list":
		kommun = fs.String("kommun", "", "bara kommunens enheter")
		status = fs.String("status", "", "bara med, utesluten eller fragor (med öppna frågor)")
	case "exclude":
		evaluation = fs.String("evaluation", "", "utvärderingens id (se review list)")
		reason = fs.String("reason", "", "varför utvärderingen ligger utanför avgränsningen")
		required = append(required, "evaluation", "reason")
	case "include":
		evaluation = fs.String("evaluation", "", "utvärderingens id (se review list)")
		required = append(required, "evaluation")
	}
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, required...); err != nil {
		return err
	}
	var id int64
	if evaluation != nil {
		if id, err = strconv.ParseInt(strings.TrimSpace(*evaluation), 10, 64); err != nil || id <= 0 {
			return usageErrorf(fs.Name(), "--evaluation ska vara ett id-nummer från review list, inte ”%s”", *evaluation)
		}
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := manage.System("review " + verb)
	r, err := a.manage.RoundByName(ctx, actor, *name)
	if err != nil {
		return err
	}
	switch verb {
	case "exclude":
		if err := a.manage.Exclude(ctx, actor, r.ID, id, *reason); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "Utvärdering %d är markerad som utanför avgränsningen och räknas inte i rapporten för ”%s”.\n", id, r.Name)
		return nil
	case "include":
		if err := a.manage.Include(ctx, actor, r.ID, id); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "Utvärdering %d räknas i rapporten för ”%s” igen.\n", id, r.Name)
		return nil
	}
	rv, err := a.manage.Review(ctx, actor, r.ID, manage.ReviewFilter{Kommun: *kommun, Status: *status})
	if err != nil {
		return err
	}
	if len(rv.Items) == 0 {
		what := "Inga inskickade utvärderingar"
		if *kommun != "" || *status != "" {
			what += " som matchar urvalet"
		}
		fmt.Fprintf(env.stdout, "%s i ”%s”.\n", what, r.Name)
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKommun\tEnhet\tUtvärdering\tStatus\tÖppna frågor")
	for _, it := range rv.Items {
		st := it.Status()
		if x := it.Evaluation.Excluded; x != nil {
			st += ": " + oneLine(x.Reason)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\n", it.Evaluation.ID, strings.Join(it.Unit.Kommuner, ", "), it.Unit.Name,
			oneLine(it.Evaluation.Title()), st, it.OpenQuestions())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %s med, %s utanför avgränsningen, %s.\n", count(rv.Matched, "utvärdering", "utvärderingar"),
		number(rv.Included), number(rv.Excluded), count(rv.OpenQuestions, "öppen fråga", "öppna frågor"))
	return nil
}

// oneLine keeps a table row on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
