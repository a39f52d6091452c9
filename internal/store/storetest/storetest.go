// Package storetest opens throwaway databases for tests.
//
// MustOpen gives a migrated, empty store: a temporary SQLite file, or, when
// INVENTERA_TEST_DATABASE_URL names a PostgreSQL database, a fresh schema of
// that database (CREATE SCHEMA test_<random>, reached through search_path in
// the connection URL, dropped when the test ends). So the whole suite runs
// on SQLite without the variable and on PostgreSQL with it. In CI the
// variable is always set (.ci/parts/10-postgres.sh starts a local server).
//
// Both runs a test on SQLite and on PostgreSQL, whichever MustOpen would
// choose (BothEmpty likewise for tests of Open itself); only the PostgreSQL
// half is skipped when the variable is unset.
// OpenPostgresPair opens two stores on one schema, as two instances of the
// service behind a load balancer share one database; OpenPostgresN opens
// any number, and OpenShared does the same on whichever database MustOpen
// would choose.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating and dropping schemas

	"github.com/inventera/inventera/internal/store"
)

// EnvDatabaseURL names the variable holding the PostgreSQL URL tests use.
const EnvDatabaseURL = "INVENTERA_TEST_DATABASE_URL"

// MustOpen returns a migrated, empty store that is closed when the test
// ends: on PostgreSQL when INVENTERA_TEST_DATABASE_URL is set, otherwise on
// a temporary SQLite file.
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	if os.Getenv(EnvDatabaseURL) != "" {
		return OpenPostgres(tb)
	}
	return OpenSQLite(tb)
}

// OpenSQLite returns a migrated, empty store on a temporary SQLite file.
func OpenSQLite(tb testing.TB) *store.Store {
	tb.Helper()
	return openStore(tb, store.Options{Path: filepath.Join(tb.TempDir(), "test.db")})
}

// OpenPostgres returns a migrated, empty store on a fresh schema of the
// PostgreSQL database in INVENTERA_TEST_DATABASE_URL; it skips the test when
// the variable is unset.
func OpenPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	return openStore(tb, store.Options{DatabaseURL: NewSchema(tb)})
}

// OpenPostgresPair returns two stores, each with its own connections, on
// one fresh PostgreSQL schema: two instances of the service sharing one
// database. It skips the test when INVENTERA_TEST_DATABASE_URL is unset.
func OpenPostgresPair(tb testing.TB) (*store.Store, *store.Store) {
	tb.Helper()
	dsn := NewSchema(tb)
	return openStore(tb, store.Options{DatabaseURL: dsn}), openStore(tb, store.Options{DatabaseURL: dsn})
}

// OpenPostgresN returns n stores, each with its own connections, on one
// fresh PostgreSQL schema: n instances of the service sharing one database.
// opt sets everything but the database (the pool, a trace). It skips the
// test when INVENTERA_TEST_DATABASE_URL is unset.
func OpenPostgresN(tb testing.TB, n int, opt store.Options) []*store.Store {
	tb.Helper()
	opt.Path, opt.DatabaseURL = "", NewSchema(tb)
	return openN(tb, n, opt)
}

// OpenShared returns n stores on one database, as MustOpen chooses it: a
// fresh PostgreSQL schema when INVENTERA_TEST_DATABASE_URL is set,
// otherwise one temporary SQLite file that n stores open, as n processes
// would.
func OpenShared(tb testing.TB, n int, opt store.Options) []*store.Store {
	tb.Helper()
	if os.Getenv(EnvDatabaseURL) != "" {
		return OpenPostgresN(tb, n, opt)
	}
	opt.Path, opt.DatabaseURL = filepath.Join(tb.TempDir(), "test.db"), ""
	return openN(tb, n, opt)
}

// BothShared runs fn as two subtests, "sqlite" and "postgres", each with n
// stores on one database of that kind (one SQLite file; one PostgreSQL
// schema), as n instances of the service would share it. The PostgreSQL
// half is skipped when INVENTERA_TEST_DATABASE_URL is unset.
func BothShared(t *testing.T, n int, opt store.Options, fn func(t *testing.T, stores []*store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		o := opt
		o.Path, o.DatabaseURL = filepath.Join(t.TempDir(), "test.db"), ""
		fn(t, openN(t, n, o))
	})
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgresN(t, n, opt)) })
}

// MustOpenWith is MustOpen with the other options of opt (the pool, a
// trace); its Path and DatabaseURL are chosen as MustOpen chooses them.
func MustOpenWith(tb testing.TB, opt store.Options) *store.Store {
	tb.Helper()
	return OpenShared(tb, 1, opt)[0]
}

func openN(tb testing.TB, n int, opt store.Options) []*store.Store {
	tb.Helper()
	out := make([]*store.Store, n)
	for i := range out {
		out[i] = openStore(tb, opt)
	}
	return out
}

// Both runs fn as two subtests, "sqlite" and "postgres", with open giving
// stores on that database. The PostgreSQL half is skipped when
// INVENTERA_TEST_DATABASE_URL is unset.
func Both(t *testing.T, fn func(t *testing.T, open func(testing.TB) *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite) })
	t.Run("postgres", func(t *testing.T) {
		skipWithoutPostgres(t)
		fn(t, OpenPostgres)
	})
}

// BothEmpty runs fn as two subtests, "sqlite" and "postgres", with the
// Options of an empty database of that kind that nothing has opened yet
// (a temporary file's path; a fresh schema's URL), for tests of Open
// itself. The PostgreSQL half is skipped when INVENTERA_TEST_DATABASE_URL
// is unset.
func BothEmpty(t *testing.T, fn func(t *testing.T, opt store.Options)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, store.Options{Path: filepath.Join(t.TempDir(), "test.db")}) })
	t.Run("postgres", func(t *testing.T) {
		skipWithoutPostgres(t)
		fn(t, store.Options{DatabaseURL: NewSchema(t)})
	})
}

// DatabaseURL returns INVENTERA_TEST_DATABASE_URL, skipping the test when it
// is unset.
func DatabaseURL(tb testing.TB) string {
	tb.Helper()
	skipWithoutPostgres(tb)
	return os.Getenv(EnvDatabaseURL)
}

func skipWithoutPostgres(tb testing.TB) {
	tb.Helper()
	if os.Getenv(EnvDatabaseURL) == "" {
		tb.Skipf("PostgreSQL: %s is not set (CI sets it; see .ci/parts/10-postgres.sh)", EnvDatabaseURL)
	}
}

// NewSchema creates an empty schema test_<random> in the database of
// INVENTERA_TEST_DATABASE_URL, drops it (with everything in it) when the test
// ends, and returns a connection URL whose search_path is that schema. It
// skips the test when the variable is unset.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	base := DatabaseURL(tb)
	admin, err := adminDB(base)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("storetest: create schema: %v", err)
	}
	// Registered before the stores' own Close, so it runs after them.
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return dsn
}

// withSearchPath adds search_path to a postgres:// URL or a key=value DSN;
// pgx sends unknown parameters to the server as run-time settings.
func withSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("%s: %w", EnvDatabaseURL, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path=" + schema, nil
}

var (
	adminMu  sync.Mutex
	adminDBs = map[string]*sql.DB{}
)

// adminDB is one small pool per URL, kept for the test binary's life, that
// creates and drops the schemas.
func adminDB(dsn string) (*sql.DB, error) {
	adminMu.Lock()
	defer adminMu.Unlock()
	if db := adminDBs[dsn]; db != nil {
		return db, nil
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvDatabaseURL, err)
	}
	db.SetMaxOpenConns(2)
	if err := db.PingContext(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", EnvDatabaseURL, err)
	}
	adminDBs[dsn] = db
	return db, nil
}

func openStore(tb testing.TB, opt store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), opt)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
