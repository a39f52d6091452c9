package main

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/store"
)

// TestPoolSettings: the PostgreSQL pool is sized by flags, which default to
// environment variables, which default to the store's defaults; a bad
// environment variable or a negative value keeps the command from opening
// the database, and says which setting is wrong.
func TestPoolSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		args    []string
		want    store.Options
		problem string // in openApp's error; "" = none
	}{
		{name: "defaults", want: store.Options{MaxOpenConns: 20, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute}},
		{name: "environment",
			env:  map[string]string{"INVENTERA_DB_MAX_OPEN": "40", "INVENTERA_DB_MAX_IDLE": "10", "INVENTERA_DB_CONN_LIFETIME": "1h", "INVENTERA_DB_CONN_IDLE_TIME": "90s"},
			want: store.Options{MaxOpenConns: 40, MaxIdleConns: 10, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: 90 * time.Second}},
		{name: "flags before environment",
			env:  map[string]string{"INVENTERA_DB_MAX_OPEN": "40"},
			args: []string{"--db-max-open", "8", "--db-max-idle=4", "--db-conn-lifetime", "10m", "--db-conn-idle-time", "1m"},
			want: store.Options{MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: 10 * time.Minute, ConnMaxIdleTime: time.Minute}},
		{name: "bad environment", env: map[string]string{"INVENTERA_DB_MAX_OPEN": "många"},
			want:    store.Options{MaxOpenConns: 20, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute},
			problem: "INVENTERA_DB_MAX_OPEN ska vara ett heltal, 0 eller större, inte ”många”"},
		{name: "bad duration", env: map[string]string{"INVENTERA_DB_CONN_IDLE_TIME": "5"},
			want:    store.Options{MaxOpenConns: 20, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute},
			problem: "INVENTERA_DB_CONN_IDLE_TIME ska vara en tid"},
		{name: "negative flag", args: []string{"--db-max-idle", "-1"},
			want:    store.Options{MaxOpenConns: 20, MaxIdleConns: -1, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute},
			problem: "--db-max-idle får inte vara negativ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "pool.db")
			env := &environment{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(k string) string { return tc.env[k] }}
			var cfg config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			dbFlags(fs, env, &cfg)
			if err := parseFlags(fs, env, append(tc.args, "--db", db)); err != nil {
				t.Fatalf("parseFlags: %v", err)
			}
			got := cfg.storeOptions()
			tc.want.Path = db
			if got.MaxOpenConns != tc.want.MaxOpenConns || got.MaxIdleConns != tc.want.MaxIdleConns ||
				got.ConnMaxLifetime != tc.want.ConnMaxLifetime || got.ConnMaxIdleTime != tc.want.ConnMaxIdleTime || got.Path != db {
				t.Errorf("store options = %+v, want %+v", got, tc.want)
			}
			a, err := openApp(context.Background(), cfg)
			switch {
			case tc.problem == "" && err != nil:
				t.Errorf("openApp: %v", err)
			case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
				t.Errorf("openApp error = %v, want one saying %q", err, tc.problem)
			}
			if a != nil {
				a.Close()
			}
		})
	}
}
