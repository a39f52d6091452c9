package main

import (
	"context"
	"flag"
	"os"

	"github.com/inventera/inventera/internal/bench"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/web"
)

// benchExecutable is the binary the bench's steps run in; tests point it
// at a freshly built inventera.
var benchExecutable = os.Executable

// benchSecret derives the personal links of the bench's own rounds, so
// that PostgreSQL needs no INVENTERA_SECRET for a measurement.
const benchSecret = "inventera-bench-links-are-for-measuring-only"

// runBench is `inventera bench` (internal/bench), and `inventera bench step
// NAME …`, one of its steps in a child process.
func runBench(ctx context.Context, env *environment, args []string) error {
	var o bench.Options
	if len(args) > 0 && args[0] == bench.StepArg {
		fs := flag.NewFlagSet("bench step", flag.ContinueOnError)
		o.StepFlags(fs)
		name := ""
		if len(args) > 1 {
			name, args = args[1], args[2:]
		} else {
			args = nil
		}
		if err := parseFlags(fs, env, args); err != nil {
			return err
		}
		return bench.RunStep(ctx, benchWiring(), name, o, env.stdout)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o.Flags(fs)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if problem := o.Check(); problem != "" {
		return usageErrorf(fs.Name(), "%s", problem)
	}
	return bench.Run(ctx, benchWiring(), o, env.stdout, env.stderr)
}

// benchWiring opens the bench's database with the services serve runs.
func benchWiring() bench.Wiring {
	return bench.Wiring{
		Executable: benchExecutable,
		Open: func(ctx context.Context, db bench.Database) (*bench.App, error) {
			cfg := config{DBPath: db.Path, DatabaseURL: db.URL, BaseURL: "http://127.0.0.1"}
			if db.URL != "" {
				cfg.Secret = benchSecret
			}
			a, err := openApp(ctx, cfg)
			if err != nil {
				return nil, err
			}
			srv, err := newWebServer(a, web.Config{}, nil)
			if err != nil {
				a.Close()
				return nil, err
			}
			reports, err := comparison.NewService(a.manage, a.form, a.manage.Now)
			if err != nil {
				a.Close()
				return nil, err
			}
			return &bench.App{Store: a.store, Form: a.form, Manage: a.manage, Staff: a.staff,
				Reports: reports, Handler: srv.Handler(), Settle: srv.Settle,
				Close: func() error {
					// Reports built are kept after they are served.
					srv.Settle()
					reports.Settle()
					return a.Close()
				},
				AsServer: func(ctx context.Context) error {
					serverCollector(os.Getenv)
					return warmPool(ctx, a, srv)
				}}, nil
		},
	}
}
