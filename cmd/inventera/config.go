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
	st, err := store.Open(ctx, store.Options{Path: cfg.DBPath, DatabaseURL: cfg.DatabaseURL})
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
