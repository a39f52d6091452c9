// Package store keeps inventera's data in SQLite (the embedded default) or
// PostgreSQL through gorm. It owns the schema and its versioned migrations
// and offers typed queries; it holds no business rules. Every write that
// must be all-or-nothing runs in one transaction through InTx.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/inventera/inventera/internal/apperror"
)

// Store is the database.
type Store struct {
	db      *gorm.DB
	dialect string // "sqlite" or "postgres"
	path    string // SQLite file, "" for PostgreSQL
	// writer admits one transaction at a time on SQLite. SQLite has one
	// write lock anyway; queueing here is first come, first served, where
	// SQLite's busy handler polls with growing sleeps (up to 100 ms) and
	// lets newcomers overtake a transaction that has waited long.
	writer chan struct{}
	// reader is a second SQLite pool whose transactions begin DEFERRED: in
	// WAL mode they read one snapshot without taking the write lock, so a
	// report being loaded does not hold up submissions. nil on PostgreSQL.
	reader *gorm.DB
	// stopCheckpoints ends the background checkpoints (checkpoint.go);
	// nil on PostgreSQL.
	stopCheckpoints func()

	trace        func(stmt string) // Options.Trace
	statements   atomic.Int64      // statements sent (Stats)
	transactions atomic.Int64      // transactions begun (Stats)
	connects     atomic.Int64      // PostgreSQL connections opened (Stats)
	maxIdle      int               // the idle pool's size on PostgreSQL (Warm)
	lastPurge    atomic.Int64      // when expired idempotency keys were last deleted (Unix seconds)
}

// Options select the database: a SQLite file (Path) or a PostgreSQL URL.
type Options struct {
	Path        string
	DatabaseURL string

	// The PostgreSQL connection pool of this instance; a zero value takes
	// the default. MaxOpenConns (20) bounds the connections;
	// MaxIdleConns (the same as MaxOpenConns) are kept open between
	// queries; a connection is closed after ConnMaxLifetime (30 min) and
	// after ConnMaxIdleTime (5 min) unused. SQLite's pools are fixed: one
	// writer at a time needs no more.
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration

	// CheckpointEvery is how often SQLite's write-ahead log is copied into
	// the database file in the background (checkpoint.go); zero takes
	// checkpointEvery, a negative value turns the background checkpoint
	// off (tests that look at the log).
	CheckpointEvery time.Duration

	// Trace, when set, is called with every SQL statement the store sends
	// and with BEGIN, COMMIT and ROLLBACK (tests count round trips with it).
	// It is called from many goroutines at once.
	Trace func(stmt string)
}

// Open connects, applies pending migrations and returns the store.
func Open(ctx context.Context, opt Options) (*Store, error) {
	// Opening a SQLite file switches it to WAL, which needs a moment of
	// exclusive access; a process or goroutine opening the same file at
	// that moment gets "database is locked" at once, whatever the busy
	// timeout. Such an open is simply tried again.
	for attempt := 0; ; attempt++ {
		s, err := open(ctx, opt, len(migrations))
		if err == nil || opt.DatabaseURL != "" || attempt >= 50 || !strings.Contains(err.Error(), "database is locked") {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(10+attempt*10) * time.Millisecond):
		}
	}
}

// open opens the database and migrates it to schema version upTo (less than
// len(migrations) only in tests, which then get the database as that older
// version left it, without facts derived).
func open(ctx context.Context, opt Options, upTo int) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true, // every multi-row write is an explicit InTx
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	maxOpen, maxIdle, lifetime, idleTime, err := opt.pool()
	if err != nil {
		return nil, err
	}
	var (
		db *gorm.DB
		s  = &Store{trace: opt.Trace}
	)
	s.lastPurge.Store(time.Now().Unix())
	if opt.DatabaseURL != "" {
		// database/sql's pool, not pgxpool: gorm runs on database/sql, and
		// pgxpool would only be reachable through stdlib.OpenDBFromPool,
		// which puts database/sql's pool (with its own idle limit) in front
		// of pgxpool's, two pools to size for one.
		s.dialect = "postgres"
		db, err = gorm.Open(postgres.New(postgres.Config{DSN: opt.DatabaseURL,
			OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(s.afterConnect)}}), cfg)
	} else {
		if opt.Path == "" {
			return nil, errors.New("store: no database given (--db or --database-url)")
		}
		s.dialect = "sqlite"
		s.path = opt.Path
		s.writer = make(chan struct{}, 1)
		if err := privateSQLiteFiles(opt.Path); err != nil {
			return nil, err
		}
		db, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: writerDriver(), DSN: sqliteDSN(opt.Path)}), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.dialect, err)
	}
	s.db = db
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := s.countStatements(db); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if s.dialect == "sqlite" {
		// WAL lets readers run beside the one writer; _txlock=immediate makes
		// every transaction take the write lock at BEGIN, so a transaction
		// that reads then writes waits for the lock instead of failing with
		// "database is locked" when it tries to upgrade.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetConnMaxIdleTime(time.Minute)
	} else {
		sqlDB.SetMaxOpenConns(maxOpen)
		sqlDB.SetMaxIdleConns(maxIdle)
		s.maxIdle = maxIdle
		sqlDB.SetConnMaxLifetime(lifetime)
		sqlDB.SetConnMaxIdleTime(idleTime)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: connect %s: %w", s.dialect, err)
	}
	if err := s.migrateTo(ctx, upTo); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if upTo == len(migrations) {
		if _, err := s.deriveMissingFacts(ctx); err != nil {
			sqlDB.Close()
			return nil, err
		}
	}
	if s.dialect == "sqlite" {
		reader, err := gorm.Open(sqlite.Open(sqliteReaderDSN(opt.Path)), cfg)
		if err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("store: open sqlite reader: %w", err)
		}
		if rdb, err := reader.DB(); err == nil {
			rdb.SetMaxOpenConns(4)
			rdb.SetConnMaxIdleTime(time.Minute)
		}
		if err := s.countStatements(reader); err != nil {
			sqlDB.Close()
			return nil, err
		}
		s.reader = reader
		if every := cmp.Or(opt.CheckpointEvery, checkpointEvery); every > 0 {
			s.stopCheckpoints = checkpointer(sqlDB, every)
		}
	}
	return s, nil
}

// privateSQLiteFiles makes the database file readable by its owner only:
// it holds names, e-mail addresses, password hashes and link nonces. A new
// file is created 0600 before SQLite opens it, and SQLite gives its WAL and
// shared-memory files the database file's mode. Existing files with a
// looser mode are tightened, and the change is logged.
func privateSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		mode := info.Mode().Perm()
		if !info.Mode().IsRegular() || mode&0o077 == 0 {
			continue
		}
		if err := os.Chmod(name, mode&^0o077); err != nil {
			return fmt.Errorf("store: restrict the mode of %s: %w", name, err)
		}
		slog.Warn("store: the database file was readable by others; now only by its owner",
			"file", name, "was", mode.String(), "now", (mode &^ 0o077).String())
	}
	return nil
}

// sqliteReaderDSN opens the same file for reading transactions: DEFERRED, so
// BEGIN takes no lock; the journal mode is already WAL in the file.
func sqliteReaderDSN(path string) string {
	q := url.Values{}
	q.Set("_txlock", "deferred")
	q.Set("_busy_timeout", "30000")
	q.Set("_foreign_keys", "on")
	return "file:" + path + "?" + q.Encode()
}

// scanTimesInUTC makes pgx return TIMESTAMPTZ values in UTC, as they were
// written and as SQLite returns them, instead of in the machine's zone.
func scanTimesInUTC(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	return nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Set("_busy_timeout", "30000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	return "file:" + path + "?" + q.Encode()
}

// ReadTx runs fn in one reading transaction: it sees one consistent
// snapshot and, on SQLite, does not wait for or hold the write lock. fn must
// not write.
//
// On PostgreSQL the transaction is REPEATABLE READ and READ ONLY: every
// statement of a report (kommuner, units, evaluations, exclusions) reads
// the same snapshot, however many submissions commit meanwhile, and takes
// no lock a writer waits for. (READ COMMITTED, the default, gives each
// statement a snapshot of its own.)
//
// Within a request whose writes are claimed by an idempotency key (Claim)
// and have begun, it reads in that request's transaction.
func (s *Store) ReadTx(ctx context.Context, fn func(q *Queries) error) error {
	if c := s.claimIn(ctx); c != nil && c.tx != nil {
		return fn(c.queries())
	}
	if s.reader == nil {
		var snapshot []*sql.TxOptions
		if s.dialect == "postgres" {
			snapshot = append(snapshot, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		}
		return s.transaction(ctx, s.db, func(g *gorm.DB) error {
			return fn(&Queries{db: g, ctx: ctx, postgres: s.dialect == "postgres"})
		}, snapshot...)
	}
	return s.transaction(ctx, s.reader, func(g *gorm.DB) error {
		return fn(&Queries{db: g, ctx: ctx})
	})
}

// Close releases the database.
func (s *Store) Close() error {
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
	}
	if s.reader != nil {
		if rdb, err := s.reader.DB(); err == nil {
			rdb.Close()
		}
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Queries are the typed queries, run either in a transaction (InTx) or on
// the plain connection (Q).
type Queries struct {
	db *gorm.DB
	// ctx is the caller's context, which a long read checks between its
	// parts; db's statements may run without its cancellation (see
	// Store.runUnder).
	ctx      context.Context
	postgres bool // the dialect is PostgreSQL
	inTx     bool // db is a transaction, so locks hold until it ends
}

// InTx runs fn in one transaction; any error rolls everything back.
//
// On SQLite every transaction takes the write lock at BEGIN, so transactions
// run one at a time. PostgreSQL runs them side by side (READ COMMITTED);
// the queries whose callers read, check, then write take the row or
// advisory locks that keep those checks true until commit (see lockUnit,
// CreateUnit and Hit).
//
// Within a request whose writes are claimed by an idempotency key (Claim),
// fn runs in the request's one transaction, which ends when the key and the
// request's outcome are stored with its writes (Claim.Commit).
func (s *Store) InTx(ctx context.Context, fn func(tx *Queries) error) error {
	if c := s.claimIn(ctx); c != nil {
		return c.inTx(fn)
	}
	return s.inTx(ctx, fn)
}

// inTx is InTx outside any claim.
func (s *Store) inTx(ctx context.Context, fn func(tx *Queries) error) error {
	if s.writer != nil {
		select {
		case s.writer <- struct{}{}:
			defer func() { <-s.writer }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.transaction(ctx, s.db, func(g *gorm.DB) error {
		return fn(&Queries{db: g, ctx: ctx, postgres: s.dialect == "postgres", inTx: true})
	})
}

// q returns a Tx over the plain connection, for single reads and writes;
// within a claimed request whose writes have begun, over its transaction.
func (s *Store) q(ctx context.Context) *Queries {
	if c := s.claimIn(ctx); c != nil && c.tx != nil {
		return c.queries()
	}
	return &Queries{db: s.runUnder(s.db, ctx), ctx: ctx, postgres: s.dialect == "postgres"}
}

// runUnder is db running its statements under ctx. On SQLite they run
// without ctx's cancellation: with a cancellable context mattn/go-sqlite3
// runs every statement, and every row a query steps to, in a goroutine of
// its own so that it can interrupt it. That cost more than the rows
// themselves: a national report read 30 000 rows through 30 000
// goroutines, and a report build's thread (comparison's atLowPriority,
// locked to its OS thread) handed off to each of them, which took 40 % of
// a compared report's time in futex calls. A cancelled request still
// ends: its transaction began under ctx, and database/sql rolls it back
// when ctx ends, after the statement running then; long reads check ctx
// between their parts (Queries.ctx). pgx watches a context at no such
// cost, so PostgreSQL keeps it.
func (s *Store) runUnder(db *gorm.DB, ctx context.Context) *gorm.DB {
	if s.dialect == "postgres" {
		return db.WithContext(ctx)
	}
	return db.WithContext(context.WithoutCancel(ctx))
}

// byText is an ORDER BY term for a text column that sorts the same on both
// databases: by code point, which is SQLite's BINARY collation and
// PostgreSQL's "C" collation, whatever collation the PostgreSQL database
// was created with. (Swedish alphabetical order is the callers' job.)
func (t *Queries) byText(column string) string {
	if t.postgres {
		return column + ` COLLATE "C"`
	}
	return column
}

// lockUnitNames is the first key of the advisory lock CreateUnit takes
// (pg_advisory_xact_lock(key1, key2)); the second is the round's ID.
const lockUnitNames int32 = 0x696e7602

// advisoryLock takes a PostgreSQL transaction-scoped advisory lock, held
// until the transaction ends. On SQLite (and outside a transaction) it does
// nothing: there the transaction already holds the database's write lock.
func (t *Queries) advisoryLock(key1 int32, key2 int64) error {
	if !t.postgres || !t.inTx {
		return nil
	}
	if err := t.db.Exec(`SELECT pg_advisory_xact_lock(?, ?)`, key1, int32(key2)).Error; err != nil {
		return fmt.Errorf("store: advisory lock: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of a SQLite database to path while the
// service runs (VACUUM INTO reads one snapshot). path must not exist: it is
// created 0600 first, as VACUUM INTO accepts an empty file and keeps its
// mode, so the copy is never readable by others, not even for a moment. A
// failed backup removes the file it created.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != "sqlite" {
		return errors.New("store: backup of PostgreSQL is pg_dump's job (see README)")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check; "ok" when healthy.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.dialect != "sqlite" {
		return "ok", nil
	}
	var res string
	if err := s.db.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&res).Error; err != nil {
		return "", fmt.Errorf("store: integrity check: %w", err)
	}
	return res, nil
}

// notFound converts gorm's not-found into a domain error.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return apperror.New(apperror.NotFound, "%s finns inte.", what)
	}
	return err
}

// isUniqueViolation recognises a unique-constraint failure on both
// databases: SQLSTATE 23505 on PostgreSQL, SQLite's message otherwise. On
// PostgreSQL the failed statement also aborts the transaction, so callers
// return the error rather than carry on.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value") || strings.Contains(msg, "SQLSTATE 23505")
}

// RefreshStatistics tells PostgreSQL's planner about rows a bulk load just
// added. Until autoanalyze runs, a round of thousands of new units is
// planned as if the tables were empty: the national progress page took 5 s
// right after an import, 40 ms once the tables were analyzed. SQLite plans
// from its indexes and needs nothing here.
func (s *Store) RefreshStatistics(ctx context.Context) error {
	if s.dialect != "postgres" {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec(`ANALYZE kommuner, units, unit_kommuner, links, evaluations`).Error; err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}
