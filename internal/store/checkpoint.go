package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// WAL checkpoints on SQLite, off the writers' path. SQLite copies the
// write-ahead log back into the database file ("checkpoints") by default
// in the transaction that commits the 1000th page since the last one: a
// form post that happens to be that transaction waits for the copy and
// its fsync. While a report reads a snapshot for seconds, no checkpoint
// can get past that snapshot, so commit after commit tries and the log
// grows, and the one after the report pays for all of it. So the writer's
// connections never checkpoint (wal_autocheckpoint=0, set on every
// connection as it opens), and the Store checkpoints in the background
// instead, every checkpointEvery, PASSIVE: as far as readers allow,
// without waiting for readers or writers. Durability is the same: every
// commit is in the log, synced (synchronous=FULL), before it is
// acknowledged; a checkpoint only moves it.

// sqliteWriterDriver is the database/sql driver name of the writer's
// SQLite connections: mattn's driver with a connect hook that turns the
// automatic checkpoint off. Registered once (sql.Register panics on a
// second registration), and never changed after.
const sqliteWriterDriver = "sqlite3_inventera_writer"

var registerWriterDriver sync.Once

func writerDriver() string {
	registerWriterDriver.Do(func() {
		sql.Register(sqliteWriterDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
			return err
		}})
	})
	return sqliteWriterDriver
}

// checkpointEvery is how often the background checkpoint runs. A national
// round's busiest minute (600 posts a second, ~6 pages each) logs about
// 3 600 pages a second; at this pace the log stays within a few MB.
const checkpointEvery = 250 * time.Millisecond

// checkpointer runs PASSIVE checkpoints on db until stop is called, which
// waits for the one running to end. They go to database/sql directly, not
// through gorm, so that they are not counted as the statements of
// requests (Stats).
func checkpointer(db *sql.DB, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		failed := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_, _, err := passiveCheckpoint(ctx, db)
			if err != nil && ctx.Err() == nil && !failed {
				// Logged once: commits still succeed, the log only grows.
				slog.Warn("store: background checkpoint failed", "err", err)
			}
			failed = err != nil
		}
	}()
	return func() { cancel(); <-done }
}

// Checkpoint copies the write-ahead log into the database file now, as
// far as readers allow (SQLite; nothing on PostgreSQL), and says how many
// pages the log holds and how many of them are in the file.
func (s *Store) Checkpoint(ctx context.Context) (logged, moved int, err error) {
	if s.dialect != "sqlite" {
		return 0, 0, nil
	}
	db, err := s.db.DB()
	if err != nil {
		return 0, 0, fmt.Errorf("store: checkpoint: %w", err)
	}
	return passiveCheckpoint(ctx, db)
}

func passiveCheckpoint(ctx context.Context, db *sql.DB) (logged, moved int, err error) {
	var busy int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &moved); err != nil {
		return 0, 0, fmt.Errorf("store: checkpoint: %w", err)
	}
	return logged, moved, nil
}
