// Package bench is `inventera bench`: it measures a national round (design
// §9) on this machine — import, aggregation, the report in each format
// against a baseline of the database's own client reading the rows,
// submissions through the real web server, alone and while reports are
// built — and prints one table against the targets of issue 13. With
// --instances N on PostgreSQL it also posts the forms to one server and to
// N servers, each a process of its own, on the one database, against the
// targets of issue 14 (instances.go).
//
// Each heavy step runs in a child process of the same binary (`inventera
// bench step NAME …`), so that the child's peak resident set size and CPU
// time are that step's alone. The command wires the service graph (Wiring)
// as serve does; this package holds no wiring of its own.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// StepArg is the word after `bench` that makes the process run one step.
const StepArg = "step"

const (
	benchRound       = "Nationell omgång (bench)"
	benchSubmitRound = "Inlämningar (bench)"
	benchDuringRound = "Inlämningar under rapporter (bench)"
	benchWorkbook    = "nationell.xlsx"
	benchRepeats     = 3 // report JSON and the baseline run this often; the median counts
)

// Database is where the bench measures: a SQLite file or a PostgreSQL URL.
type Database struct {
	Path string
	URL  string
}

// App is the service graph a step uses, wired as serve wires it.
type App struct {
	Store   *store.Store
	Form    *form.Definition
	Manage  *manage.Service
	Staff   *staff.Service
	Reports *comparison.Service
	Handler http.Handler // the web server's routes
	// Settle waits until the reports the web server built are kept
	// (comparison.Service.Settle).
	Settle func()
	Close  func() error
	// AsServer sets the process up as `serve` does (its garbage
	// collector, its warmed connection pool), for the steps that serve the
	// web server.
	AsServer func(context.Context) error
}

// Wiring is what the command gives the bench.
type Wiring struct {
	// Executable is the binary the steps run in.
	Executable func() (string, error)
	// Open opens the database and wires the services on it.
	Open func(ctx context.Context, db Database) (*App, error)
}

// Options are the bench's flags; the steps get them on their command line.
type Options struct {
	DB          string
	DatabaseURL string
	Dir         string // working directory: workbook, reports, profiles
	Keep        string // keep the working directory here
	Profile     string // directory for each step's CPU profile; "" = none
	Seed        uint64
	Scale       int
	Kommuner    int
	Units       int
	Evaluations int
	Submissions int
	Clients     int
	Reports     int // reports built at once during the second round of submissions
	Instances   int // web servers, each its own process, on one PostgreSQL database (issue 14)
	Timeout     time.Duration
}

// Flags defines the bench's flags on fs, with Options' defaults.
func (o *Options) Flags(fs *flag.FlagSet) {
	fs.StringVar(&o.DB, "db", "", "SQLite-fil att mäta på; får inte finnas och lämnas kvar (standard: en fil i arbetskatalogen)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "mät på PostgreSQL i stället, postgres://…; databasen får inte ha bänkens omgångar")
	fs.Uint64Var(&o.Seed, "seed", natgen.DefaultSeed, "frö för den genererade omgången")
	fs.IntVar(&o.Scale, "scale", 1, "N × den nationella omgången: N gånger så många enheter och utvärderingar per kommun (10 ger 290 000 utvärderingar)")
	fs.IntVar(&o.Kommuner, "kommuner", natgen.DefaultKommuner, "antal kommuner")
	fs.IntVar(&o.Units, "units", natgen.DefaultUnitsPerKommun, "egna enheter per kommun (därtill delade enheter), före --scale")
	fs.IntVar(&o.Evaluations, "evaluations", natgen.DefaultEvaluationsPerKommun, "utvärderingar per kommun, före --scale")
	fs.IntVar(&o.Submissions, "submissions", 5000, "antal inlämnade formulär via webbservern, i varje inlämningssteg")
	fs.IntVar(&o.Clients, "clients", 50, "samtidiga klienter, var och en med en egen enhets länk")
	fs.IntVar(&o.Reports, "reports", 4, "rapporter av den nationella omgången som byggs samtidigt under det andra inlämningssteget")
	fs.IntVar(&o.Instances, "instances", 1, "PostgreSQL: mät även inlämningar till N servrar (egna processer) på samma databas, bredvid en server")
	fs.DurationVar(&o.Timeout, "timeout", 120*time.Second, "längsta tid för varje inlämningssteg")
	fs.StringVar(&o.Keep, "keep", "", "behåll arbetsbok, databas och rapporter i katalogen KATALOG")
	fs.StringVar(&o.Profile, "cpuprofile", "", "skriv varje stegs CPU-profil till KATALOG/STEG.pprof (go tool pprof)")
}

// Check says, in Swedish, what is wrong with the options ("" when nothing).
func (o *Options) Check() string {
	for _, c := range []struct {
		flag string
		n    int
	}{{"scale", o.Scale}, {"kommuner", o.Kommuner}, {"units", o.Units}, {"evaluations", o.Evaluations},
		{"submissions", o.Submissions}, {"clients", o.Clients}, {"reports", o.Reports}, {"instances", o.Instances}} {
		if c.n < 1 {
			return fmt.Sprintf("--%s ska vara minst 1, inte %d", c.flag, c.n)
		}
	}
	if o.Timeout <= 0 {
		return fmt.Sprintf("--timeout ska vara längre än 0, inte %s", o.Timeout)
	}
	if o.DB != "" && o.DatabaseURL != "" {
		return "ange --db eller --database-url, inte båda"
	}
	if o.Instances > 1 && o.DatabaseURL == "" {
		return fmt.Sprintf("--instances %d kräver --database-url: en SQLite-fil är till för en instans, flera instanser delar en PostgreSQL-databas", o.Instances)
	}
	return ""
}

// StepFlags defines the flags a step process takes: the bench's and the
// working directory.
func (o *Options) StepFlags(fs *flag.FlagSet) {
	o.Flags(fs)
	fs.StringVar(&o.Dir, "dir", "", "arbetskatalog")
}

// args is the step process's command line after the step's name.
func (o Options) args() []string {
	return []string{"--dir", o.Dir, "--db", o.DB, "--database-url", o.DatabaseURL,
		"--seed", strconv.FormatUint(o.Seed, 10), "--scale", strconv.Itoa(o.Scale),
		"--kommuner", strconv.Itoa(o.Kommuner), "--units", strconv.Itoa(o.Units),
		"--evaluations", strconv.Itoa(o.Evaluations), "--submissions", strconv.Itoa(o.Submissions),
		"--clients", strconv.Itoa(o.Clients), "--reports", strconv.Itoa(o.Reports), "--instances", strconv.Itoa(o.Instances),
		"--timeout", o.Timeout.String(), "--cpuprofile", o.Profile}
}

func (o Options) database() Database { return Database{Path: o.DB, URL: o.DatabaseURL} }

func (o Options) dialect() string {
	if o.DatabaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// generated is the round the options describe.
func (o Options) generated() natgen.Options {
	return natgen.Options{Seed: o.Seed, Kommuner: o.Kommuner, UnitsPerKommun: o.Units * o.Scale,
		EvaluationsPerKommun: o.Evaluations * o.Scale}
}

// Run runs every step and prints the table to stdout, progress to stderr.
func Run(ctx context.Context, w Wiring, o Options, stdout, stderr io.Writer) error {
	if problem := o.Check(); problem != "" {
		return errors.New(problem)
	}
	if o.Profile != "" {
		abs, err := filepath.Abs(o.Profile)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return err
		}
		o.Profile = abs
	}
	if o.Keep != "" {
		if err := os.MkdirAll(o.Keep, 0o755); err != nil {
			return err
		}
		o.Dir = o.Keep
	} else {
		dir, err := os.MkdirTemp("", "inventera-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.Dir = dir
	}
	if o.DatabaseURL == "" && o.DB == "" {
		o.DB = filepath.Join(o.Dir, "bench.db")
	}
	fresh := []string{filepath.Join(o.Dir, benchWorkbook)}
	if o.DB != "" {
		fresh = append(fresh, o.DB)
	}
	for _, p := range fresh {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s finns redan; bench mäter på en ny fil", p)
		}
	}
	if o.DatabaseURL != "" {
		if err := refuseUsed(ctx, w, o); err != nil {
			return err
		}
	}
	exe, err := w.Executable()
	if err != nil {
		return fmt.Errorf("hittar inte programfilen: %w", err)
	}
	g := o.generated()
	fmt.Fprintf(stdout, "inventera bench --scale %d: %d kommuner × %d enheter, %d utvärderingar per kommun (%d i omgången); %d inlämningar från %d klienter\n",
		o.Scale, g.Kommuner, g.UnitsPerKommun, g.EvaluationsPerKommun, g.Kommuner*g.EvaluationsPerKommun, o.Submissions, o.Clients)
	where := o.DB
	if o.DatabaseURL != "" {
		where = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "%s, %s/%s, %d CPU; %s\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), where)
	b := &bencher{exe: exe, opt: o, stderr: stderr}
	rows, err := b.run(ctx)
	PrintTable(stdout, rows)
	return err
}

// refuseUsed refuses a PostgreSQL database that already has the bench's
// rounds: the bench measures a round of its own.
func refuseUsed(ctx context.Context, w Wiring, o Options) error {
	a, err := w.Open(ctx, o.database())
	if err != nil {
		return err
	}
	defer a.Close()
	rounds, err := a.Manage.Rounds(ctx, manage.System("bench"))
	if err != nil {
		return err
	}
	for _, r := range rounds {
		switch r.Name {
		case benchRound, benchSubmitRound, benchDuringRound, benchEarlierRound, benchProgressRound:
			return fmt.Errorf("databasen har redan omgången ”%s”; bench mäter på en tom databas", r.Name)
		}
	}
	return nil
}
