package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/inventera/inventera/fixtures"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
)

func runFixtures(ctx context.Context, env *environment, args []string) error {
	_, args, err := subcommand(env, "fixtures", args, "load")
	if err != nil {
		return err
	}
	var cfg config
	fs := flag.NewFlagSet("fixtures load", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	var names []string
	for _, fx := range fixtures.All() {
		names = append(names, fx.Name)
	}
	names = append(names, fixtures.SecondName)
	if err := parseFlags(fs, env, args, "datamängdens namn ("+joinOr(names)+")"); err != nil {
		return err
	}
	name := fs.Arg(0)
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := loadFixture(ctx, a, name, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Omgången ”%s” är inläst från %s.\n", r.Name, name)
	return nil
}

// loadFixture imports a bundled fixture into its round. With reuse set, a
// round that already exists is returned as it is (the demo restarts).
func loadFixture(ctx context.Context, a *app, name string, reuse bool) (round.Round, error) {
	if name == fixtures.SecondName {
		return loadSecond(ctx, a, reuse)
	}
	fx, err := fixtures.Lookup(name)
	if err != nil {
		return round.Round{}, err
	}
	if r, err := a.manage.RoundByName(ctx, manage.System("fixtures"), fx.Round); err == nil {
		if reuse {
			return r, nil
		}
		return round.Round{}, apperror.New(apperror.Conflict, "Omgången ”%s” finns redan i databasen.", fx.Round)
	}
	tables, err := fx.Tables()
	if err != nil {
		return round.Round{}, err
	}
	ds, err := sheet.ReadTables(ctx, tables, a.form, sheet.DefaultLimits())
	if err != nil {
		return round.Round{}, fmt.Errorf("fixture %s: %w", name, err)
	}
	ds.PopulationSource = fx.PopulationSource
	return a.manage.ImportDataset(ctx, manage.System("fixtures load "+name), fx.Round, fx.HourlyRate, ds)
}

// loadSecond loads the synthetic second Bergslagen round: the first round
// (loaded if it is not there yet) carried forward and answered by the
// fixture's rules. With reuse set, a second round that exists is returned
// as it is.
func loadSecond(ctx context.Context, a *app, reuse bool) (round.Round, error) {
	if r, err := a.manage.RoundByName(ctx, manage.System("fixtures"), fixtures.SecondRound.Name); err == nil {
		if reuse {
			return r, nil
		}
		return round.Round{}, apperror.New(apperror.Conflict, "Omgången ”%s” finns redan i databasen.", r.Name)
	}
	first, err := loadFixture(ctx, a, fixtures.SecondRound.From, true)
	if err != nil {
		return round.Round{}, err
	}
	return fixtures.LoadSecond(ctx, a.manage, a.respond, first)
}
