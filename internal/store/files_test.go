package store_test

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// wantModes fails unless each file exists with the mode.
func wantModes(t *testing.T, want fs.FileMode, files ...string) {
	t.Helper()
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(f), got, want)
		}
	}
}

// TestDatabaseFilesPrivate: the SQLite file, its WAL and shared-memory files
// and every backup hold personal data, so only their owner may read them.
func TestDatabaseFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "inventera.db")
	st, err := store.Open(ctx, store.Options{Path: db})
	check(t, err)
	r := network(t, st.Q(ctx), "Borlänge")
	wantModes(t, 0o600, db, db+"-wal", db+"-shm")

	backup := filepath.Join(dir, "kopia.db")
	check(t, st.Backup(ctx, backup))
	wantModes(t, 0o600, backup)
	copied, err := store.Open(ctx, store.Options{Path: backup})
	check(t, err)
	if got := must[round.Round](t)(copied.Q(ctx).Round(r.ID)); got.Name != r.Name {
		t.Errorf("the backup holds round %+v, want %q", got, r.Name)
	}
	check(t, copied.Close())

	// A backup never overwrites a file, and a failed one leaves none.
	existing := filepath.Join(dir, "finns.db")
	check(t, os.WriteFile(existing, []byte("annat"), 0o644))
	if err := st.Backup(ctx, existing); err == nil {
		t.Error("a backup over an existing file succeeded")
	}
	if b, _ := os.ReadFile(existing); string(b) != "annat" {
		t.Errorf("the existing file now holds %q", b)
	}
	missing := filepath.Join(dir, "saknas", "kopia.db")
	if err := st.Backup(ctx, missing); err == nil {
		t.Error("a backup into a missing directory succeeded")
	}
	check(t, st.Close())
}

// TestLooseModesTightened: a database made before files were created 0600,
// or copied carelessly, is tightened when opened, and the change logged.
func TestLooseModesTightened(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "inventera.db")
	st, err := store.Open(ctx, store.Options{Path: db})
	check(t, err)
	network(t, st.Q(ctx), "Borlänge")
	check(t, st.Close())
	check(t, os.Chmod(db, 0o644))

	var log bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&log, nil)))
	defer slog.SetDefault(prev)

	st, err = store.Open(ctx, store.Options{Path: db})
	check(t, err)
	defer st.Close()
	check(t, st.Q(ctx).LogSecurity(store.SecurityEvent{At: t0, Kind: "inloggning"}))
	wantModes(t, 0o600, db, db+"-wal", db+"-shm")
	if got := log.String(); !strings.Contains(got, db) || !strings.Contains(got, "-rw-r--r--") {
		t.Errorf("log %q, want the file and its old mode", got)
	}
}
