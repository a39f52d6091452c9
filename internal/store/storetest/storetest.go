// Package storetest opens throwaway databases for tests: a temporary SQLite
// file, or, when INVENTERA_TEST_DATABASE_URL is set, a fresh schema on that
// PostgreSQL server.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/inventera/inventera/internal/store"
)

// MustOpen returns a migrated, empty store that is closed when the test ends.
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(tb.TempDir(), "test.db")})
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
