package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/manage"
)

func runInvite(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn")
	kommun := fs.String("kommun", "", "bara enheter i den här kommunen")
	remind := fs.Bool("remind", false, "påminn inbjudna enheter som inte har svarat")
	again := fs.Bool("again", false, "skicka inbjudan igen, också till inbjudna enheter som inte har svarat")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "round"); err != nil {
		return err
	}
	if *remind && *again {
		return usageErrorf("invite", "välj --remind eller --again, inte båda")
	}
	if cfg.BaseURL == "" {
		return errors.New("set INVENTERA_BASE_URL to the service's public address; the links in the e-mails are built on it")
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := manage.System("invite")
	r, err := a.manage.RoundByName(ctx, actor, *name)
	if err != nil {
		return err
	}
	opt := manage.InviteOptions{Kommun: *kommun, Remind: *remind, Again: *again}
	// A round that is not open is refused before anything else, the mail
	// server included.
	if _, err := a.manage.PlanInvite(ctx, actor, r.ID, opt); err != nil {
		return err
	}
	mcfg, err := mail.ConfigFromEnv(env.getenv)
	if err != nil {
		return err
	}
	sender, err := mail.NewSender(mcfg)
	if err != nil {
		return err
	}
	results, err := a.manage.Invite(ctx, actor, sender, r.ID, opt)
	what := opt.Kind().Label()
	sent, failed, missing, skipped := 0, 0, 0, 0
	for _, res := range results {
		switch {
		case res.Sent:
			sent++
			fmt.Fprintf(env.stdout, "skickad\t%s\t%s\t%s\t%s\n", res.Unit.Name, res.Recipient, what, res.Link)
		case res.Failed():
			failed++
			fmt.Fprintf(env.stdout, "MISSLYCKADES\t%s\t%s\t%s\t%s\n", res.Unit.Name, res.Recipient, what, res.Error)
		case res.ByHand:
			missing++
			fmt.Fprintf(env.stdout, "saknar e-post\t%s\t\t%s\t%s\n", res.Unit.Name, what, res.Link)
		default:
			skipped++
			fmt.Fprintf(env.stdout, "skickas inte\t%s\t%s\t%s\t%s\n", res.Unit.Name, res.Recipient, what, res.Reason)
		}
	}
	fmt.Fprintf(env.stdout, "%d skickade, %d misslyckades, %d enheter utan e-postadress, %d får inget utskick nu.\n", sent, failed, missing, skipped)
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d utskick misslyckades", failed)
	}
	return nil
}
