package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
)

func runImport(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn, t.ex. \"Resultatstyrning 2009\"")
	rate := fs.Int64("hourly-rate", round.DefaultHourlyRate, "standardkostnad per timme (kr) för en ny omgång")
	popSource := fs.String("population-source", "", "källa och datum för invånarantalen, t.ex. \"SCB 2009-12-31\"")
	if err := parseFlags(fs, env, args, "filen att läsa in (FIL.xlsx eller FIL.csv)"); err != nil {
		return err
	}
	if err := requireFlags(fs, "round"); err != nil {
		return err
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("kan inte öppna %s: %w", path, err)
	}
	defer f.Close()
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	var im *sheet.Import
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		im, err = sheet.ReadImportXLSX(ctx, f, a.form, sheet.DefaultLimits())
	case ".csv", ".txt":
		im, err = sheet.ReadImportCSV(ctx, f, a.form, sheet.DefaultLimits())
	default:
		return errors.New("filen måste vara .xlsx eller .csv")
	}
	if err != nil {
		return fmt.Errorf("%s läses inte in; inget har sparats:\n%w", path, err)
	}
	im.PopulationSource = *popSource
	r, err := a.manage.Import(ctx, manage.System("import "+filepath.Base(path)), *name, *rate, im)
	if err != nil {
		return fmt.Errorf("%s läses inte in; inget har sparats: %w", path, err)
	}
	ds := im.Content()
	fmt.Fprintf(env.stdout, "Inläst i ”%s”: %s kommuner, %s enheter, %s utvärderingar.\n", r.Name,
		numfmt.Int(len(ds.Kommuner)), numfmt.Int(len(ds.Units)), numfmt.Int(im.EvaluationCount()))
	return nil
}
