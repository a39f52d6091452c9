// Package store keeps inventera's data in SQLite (the embedded default) or
// PostgreSQL through gorm. It owns the schema and its versioned migrations
// and offers typed queries; it holds no business rules. Every write that
// must be all-or-nothing runs in one transaction through InTx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
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
}

// Options select the database: a SQLite file (Path) or a PostgreSQL URL.
type Options struct {
	Path        string
	DatabaseURL string
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
	var (
		db  *gorm.DB
		err error
		s   = &Store{}
	)
	if opt.DatabaseURL != "" {
		s.dialect = "postgres"
		db, err = gorm.Open(postgres.New(postgres.Config{DSN: opt.DatabaseURL,
			OptionOpenDB: []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(scanTimesInUTC)}}), cfg)
	} else {
		if opt.Path == "" {
			return nil, errors.New("store: no database given (--db or --database-url)")
		}
		s.dialect = "sqlite"
		s.path = opt.Path
		s.writer = make(chan struct{}, 1)
		db, err = gorm.Open(sqlite.Open(sqliteDSN(opt.Path)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.dialect, err)
	}
	s.db = db
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if s.dialect == "sqlite" {
		// WAL lets readers run beside the one writer; _txlock=immediate makes
		// every transaction take the write lock at BEGIN, so a transaction
		// that reads then writes waits for the lock instead of failing with
		// "database is locked" when it tries to upgrade.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetConnMaxIdleTime(time.Minute)
	} else {
		sqlDB.SetMaxOpenConns(20)
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
		s.reader = reader
	}
	return s, nil
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
func (s *Store) ReadTx(ctx context.Context, fn func(q *Queries) error) error {
	if s.reader == nil {
		return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			return fn(&Queries{db: g, postgres: s.dialect == "postgres"})
		})
	}
	return s.reader.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&Queries{db: g})
	})
}

// Close releases the database.
func (s *Store) Close() error {
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
	db       *gorm.DB
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
func (s *Store) InTx(ctx context.Context, fn func(tx *Queries) error) error {
	if s.writer != nil {
		select {
		case s.writer <- struct{}{}:
			defer func() { <-s.writer }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&Queries{db: g, postgres: s.dialect == "postgres", inTx: true})
	})
}

// q returns a Tx over the plain connection, for single reads and writes.
func (s *Store) q(ctx context.Context) *Queries {
	return &Queries{db: s.db.WithContext(ctx), postgres: s.dialect == "postgres"}
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
// service runs (VACUUM INTO reads one snapshot).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != "sqlite" {
		return errors.New("store: backup of PostgreSQL is pg_dump's job (see README)")
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
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
