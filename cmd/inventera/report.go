package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/sheet"
)

func runReport(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn")
	format := fs.String("format", "json", "json, html eller xlsx")
	out := fs.String("out", "", "fil att skriva till (standard: standard ut)")
	compare := fs.String("compare", "", "en tidigare omgång att jämföra med (dess namn)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "round"); err != nil {
		return err
	}
	if *compare != "" && *compare == *name {
		return usageErrorf(fs.Name(), "--compare ska vara en annan omgång än --round")
	}
	switch *format {
	case comparison.JSON, comparison.HTML, comparison.XLSX:
	default:
		return usageErrorf(fs.Name(), "okänt format ”%s” för --format: välj json, html eller xlsx", clipArg(*format))
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, err := comparison.NewService(a.manage, a.form, a.manage.Now)
	if err != nil {
		return err
	}
	defer svc.Settle() // the report is kept before the database closes
	actor := manage.System("report")
	r, err := a.manage.RoundByName(ctx, actor, *name)
	if err != nil {
		return err
	}
	var previousID int64
	if *compare != "" {
		prev, err := a.manage.RoundByName(ctx, actor, *compare)
		if err != nil {
			return err
		}
		previousID = prev.ID
	}
	return writeOutput(env, *out, func(w io.Writer) error {
		_, err := svc.Build(ctx, actor, r.ID, previousID, *format, w)
		return err
	})
}

func runExport(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	name := fs.String("round", "", "omgångens namn")
	out := fs.String("out", "", "XLSX-fil att skriva")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "round", "out"); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := manage.System("export")
	r, err := a.manage.RoundByName(ctx, actor, *name)
	if err != nil {
		return err
	}
	_, ds, err := a.manage.ExportData(ctx, actor, r.ID)
	if err != nil {
		return err
	}
	if err := writeOutput(env, *out, func(w io.Writer) error { return sheet.WriteXLSX(w, a.form, ds) }); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "Omgången ”%s” exporterad till %s: %d enheter, %d utvärderingar.\n", r.Name, *out, len(ds.Units), ds.EvaluationCount())
	return nil
}

// writeOutput writes to stdout, or to path through a temporary file that is
// renamed into place only when complete, so a failure leaves nothing
// half-written.
func writeOutput(env *environment, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(env.stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("kan inte skriva %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
