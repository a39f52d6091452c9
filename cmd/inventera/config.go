package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// config is every setting, read once from flags and environment.
type config struct {
	DBPath      string
	DatabaseURL string
	BaseURL     string
	Secret      string

	// PostgreSQL's connection pool, per instance (store.Options).
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// problems are environment variables that could not be read; openApp
	// refuses to start with them.
	problems []string
}

// dbFlags adds the database flags every subcommand shares.
func dbFlags(fs *flag.FlagSet, env *environment, cfg *config) {
	def := env.getenv("INVENTERA_DB")
	if def == "" {
		def = "inventera.db"
	}
	fs.StringVar(&cfg.DBPath, "db", def, "SQLite-databasfil (INVENTERA_DB)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env.getenv("DATABASE_URL"), "PostgreSQL-URL, postgres://… (DATABASE_URL)")
	cfg.BaseURL = env.getenv("INVENTERA_BASE_URL")
	cfg.Secret = env.getenv("INVENTERA_SECRET")
	poolFlags(fs, env, cfg)
}

// poolFlags adds the flags that size PostgreSQL's connection pool; each
// defaults to its environment variable, then to the store's default.
func poolFlags(fs *flag.FlagSet, env *environment, cfg *config) {
	fs.IntVar(&cfg.MaxOpenConns, "db-max-open", cfg.envInt(env, "INVENTERA_DB_MAX_OPEN", store.DefaultMaxOpenConns),
		"PostgreSQL: högst så många anslutningar per instans (INVENTERA_DB_MAX_OPEN)")
	fs.IntVar(&cfg.MaxIdleConns, "db-max-idle", cfg.envInt(env, "INVENTERA_DB_MAX_IDLE", 0),
		"PostgreSQL: så många anslutningar hålls öppna mellan frågorna; 0 = lika många som --db-max-open (INVENTERA_DB_MAX_IDLE)")
	fs.DurationVar(&cfg.ConnMaxLifetime, "db-conn-lifetime", cfg.envDuration(env, "INVENTERA_DB_CONN_LIFETIME", store.DefaultConnMaxLifetime),
		"PostgreSQL: en anslutning stängs och ersätts när den är så gammal (INVENTERA_DB_CONN_LIFETIME)")
	fs.DurationVar(&cfg.ConnMaxIdleTime, "db-conn-idle-time", cfg.envDuration(env, "INVENTERA_DB_CONN_IDLE_TIME", store.DefaultConnMaxIdleTime),
		"PostgreSQL: en anslutning som inte använts så länge stängs (INVENTERA_DB_CONN_IDLE_TIME)")
}

// envInt reads a whole number ≥ 0 from the environment; def when unset.
func (cfg *config) envInt(env *environment, name string, def int) int {
	v := strings.TrimSpace(env.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		cfg.problems = append(cfg.problems, fmt.Sprintf("%s ska vara ett heltal, 0 eller större, inte ”%s”", name, clipArg(v)))
		return def
	}
	return n
}

// envDuration reads a duration such as 30m from the environment; def when
// unset.
func (cfg *config) envDuration(env *environment, name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(env.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		cfg.problems = append(cfg.problems, fmt.Sprintf("%s ska vara en tid som 90s eller 30m, inte ”%s”", name, clipArg(v)))
		return def
	}
	return d
}

// check refuses what the flags' types let through: negative pool sizes
// and times, and environment variables that could not be read.
func (cfg config) check() error {
	problems := cfg.problems
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"--db-max-open", cfg.MaxOpenConns < 0}, {"--db-max-idle", cfg.MaxIdleConns < 0},
		{"--db-conn-lifetime", cfg.ConnMaxLifetime < 0}, {"--db-conn-idle-time", cfg.ConnMaxIdleTime < 0},
	} {
		if f.bad {
			problems = append(problems, f.name+" får inte vara negativ")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// storeOptions are the store's options from the configuration.
func (cfg config) storeOptions() store.Options {
	return store.Options{Path: cfg.DBPath, DatabaseURL: cfg.DatabaseURL,
		MaxOpenConns: cfg.MaxOpenConns, MaxIdleConns: cfg.MaxIdleConns,
		ConnMaxLifetime: cfg.ConnMaxLifetime, ConnMaxIdleTime: cfg.ConnMaxIdleTime}
}

// app is the wired service graph.
type app struct {
	store   *store.Store
	form    *form.Definition
	manage  *manage.Service
	respond *respond.Service
	staff   *staff.Service
}

func openApp(ctx context.Context, cfg config) (*app, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.storeOptions())
	if err != nil {
		return nil, err
	}
	key, err := linkKey(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	def, err := form.Evaluation()
	if err != nil {
		st.Close()
		return nil, err
	}
	now := func() time.Time { return time.Now().UTC() }
	return &app{
		store:   st,
		form:    def,
		manage:  &manage.Service{Store: st, Keys: key, BaseURL: cfg.BaseURL, Now: now},
		respond: &respond.Service{Store: st, Form: def, Now: now},
		staff:   &staff.Service{Store: st, Now: now},
	}, nil
}

func (a *app) Close() error { return a.store.Close() }

// linkKey is the secret personal links are derived from: INVENTERA_SECRET,
// or for SQLite a key file beside the database, made on first use. Several
// instances on one PostgreSQL must share INVENTERA_SECRET.
func linkKey(cfg config) (round.LinkKey, error) {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 32 {
			return nil, errors.New("INVENTERA_SECRET must be at least 32 characters")
		}
		return round.LinkKey(cfg.Secret), nil
	}
	if cfg.DatabaseURL != "" {
		return nil, errors.New("with PostgreSQL, set INVENTERA_SECRET (the same on every instance) so that personal links stay valid")
	}
	path := cfg.DBPath + ".key"
	b, err := os.ReadFile(path)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if len(k) < 32 {
			return nil, fmt.Errorf("key file %s is too short", path)
		}
		return round.LinkKey(k), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return linkKey(cfg)
		}
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if _, err := io.WriteString(f, k+"\n"); err != nil {
		f.Close()
		return nil, err
	}
	return round.LinkKey(k), f.Close()
}
