package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// The PostgreSQL pool's defaults, per instance. Every instance may hold up
// to MaxOpenConns connections, so PostgreSQL's max_connections must cover
// instances × MaxOpenConns plus what else connects (psql, pg_dump,
// monitoring, superuser_reserved_connections); see the README.
const (
	DefaultMaxOpenConns = 20
	// DefaultConnMaxLifetime retires a connection after half an hour, so
	// that a failover or a changed DNS name is picked up and no backend
	// grows for ever. Replacing the pool's connections costs a few
	// milliseconds each, once per half hour.
	DefaultConnMaxLifetime = 30 * time.Minute
	// DefaultConnMaxIdleTime closes connections unused for five minutes, so
	// a quiet instance gives its backends back to the server.
	DefaultConnMaxIdleTime = 5 * time.Minute
)

// pool is the PostgreSQL pool's settings with the defaults filled in. The
// idle pool defaults to the whole pool: with database/sql's default of two
// idle connections, every burst above two concurrent queries closed the
// extra connections when they were released and opened new ones for the
// next burst (a new PostgreSQL connection costs a process fork and an
// authentication: milliseconds, more on a loaded machine).
func (o Options) pool() (maxOpen, maxIdle int, lifetime, idleTime time.Duration, err error) {
	if o.MaxOpenConns < 0 || o.MaxIdleConns < 0 || o.ConnMaxLifetime < 0 || o.ConnMaxIdleTime < 0 {
		return 0, 0, 0, 0, fmt.Errorf("store: pool sizes and times must not be negative")
	}
	maxOpen, maxIdle, lifetime, idleTime = o.MaxOpenConns, o.MaxIdleConns, o.ConnMaxLifetime, o.ConnMaxIdleTime
	if maxOpen == 0 {
		maxOpen = DefaultMaxOpenConns
	}
	if maxIdle == 0 || maxIdle > maxOpen {
		maxIdle = maxOpen
	}
	if lifetime == 0 {
		lifetime = DefaultConnMaxLifetime
	}
	if idleTime == 0 {
		idleTime = DefaultConnMaxIdleTime
	}
	return maxOpen, maxIdle, lifetime, idleTime, nil
}

// afterConnect runs on every new PostgreSQL connection: it counts it (see
// Stats.Opened) and makes it read times in UTC.
func (s *Store) afterConnect(ctx context.Context, conn *pgx.Conn) error {
	s.connects.Add(1)
	return scanTimesInUTC(ctx, conn)
}

// Stats describes the store's connection pools and the round trips it has
// made since it was opened.
type Stats struct {
	MaxOpen int // the most connections the pool may hold (PostgreSQL: MaxOpenConns)
	Open    int // connections open now, in use or idle
	InUse   int
	Idle    int
	// Opened counts the connections opened since Open. On PostgreSQL every
	// new connection is counted as it is made; on SQLite it is the open
	// ones plus those the pools closed for being idle or old.
	Opened int64
	// WaitCount and WaitDuration tell how often and how long a query
	// waited for a free connection: a pool too small for the load.
	WaitCount    int64
	WaitDuration time.Duration
	// Statements counts the SQL statements sent and Transactions the
	// transactions begun (each costs a BEGIN and a COMMIT or ROLLBACK too).
	Statements   int64
	Transactions int64
}

// Stats returns the pools' state and the round-trip counts.
func (s *Store) Stats() Stats {
	st := Stats{Statements: s.statements.Load(), Transactions: s.transactions.Load()}
	add := func(g *gorm.DB) {
		db, err := g.DB()
		if err != nil {
			return
		}
		d := db.Stats()
		st.MaxOpen += d.MaxOpenConnections
		st.Open += d.OpenConnections
		st.InUse += d.InUse
		st.Idle += d.Idle
		st.WaitCount += d.WaitCount
		st.WaitDuration += d.WaitDuration
		if s.dialect == "sqlite" {
			st.Opened += int64(d.OpenConnections) + d.MaxIdleClosed + d.MaxIdleTimeClosed + d.MaxLifetimeClosed
		}
	}
	add(s.db)
	if s.reader != nil {
		add(s.reader)
	}
	if s.dialect == "postgres" {
		st.Opened = s.connects.Load()
	}
	return st
}

// countStatements registers gorm callbacks that count every statement sent
// through db (and hand it to Options.Trace).
func (s *Store) countStatements(db *gorm.DB) error {
	count := func(g *gorm.DB) {
		if g.Statement == nil || g.Statement.SQL.Len() == 0 {
			return // nothing was sent
		}
		s.statements.Add(1)
		if s.trace != nil {
			s.trace(g.Statement.SQL.String())
		}
	}
	cb := db.Callback()
	for _, reg := range []error{
		cb.Create().After("gorm:create").Register("inventera:count", count),
		cb.Query().After("gorm:query").Register("inventera:count", count),
		cb.Update().After("gorm:update").Register("inventera:count", count),
		cb.Delete().After("gorm:delete").Register("inventera:count", count),
		cb.Row().After("gorm:row").Register("inventera:count", count),
		cb.Raw().After("gorm:raw").Register("inventera:count", count),
	} {
		if reg != nil {
			return fmt.Errorf("store: count statements: %w", reg)
		}
	}
	return nil
}

// traceTx counts a transaction's BEGIN and hands BEGIN, COMMIT or ROLLBACK
// to Options.Trace.
func (s *Store) traceTx(word string) {
	if word == "BEGIN" {
		s.transactions.Add(1)
	}
	if s.trace != nil {
		s.trace(word)
	}
}

// transaction runs fn in a transaction of db, as gorm's Transaction does,
// counting it.
func (s *Store) transaction(ctx context.Context, db *gorm.DB, fn func(g *gorm.DB) error, opts ...*sql.TxOptions) (err error) {
	s.traceTx("BEGIN")
	tx := db.WithContext(ctx).Begin(opts...)
	if tx.Error != nil {
		return tx.Error
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
			s.traceTx("ROLLBACK")
		}
	}()
	if err := fn(s.runUnder(tx, ctx)); err != nil {
		return err
	}
	committed = true
	s.traceTx("COMMIT")
	return tx.Commit().Error
}

// Warm opens up to n of the pool's connections at once and leaves them
// idle, so that the first requests a fresh instance serves (after a deploy
// or a restart, often a burst of them) do not each wait for a connection
// to be made — on PostgreSQL a process fork and an authentication — and
// do not find its backend cold: each connection also plans a query over
// every table of the schema, so that its backend reads the tables' and
// their indexes' catalog entries now. Measured (issue 14, 50 clients
// posting to a fresh instance, three paired runs): the first half second's
// p99 was 265–288 ms with the connections opened and 237–270 ms with the
// tables planned too, against 95–130 ms in every later half second. The
// rest is each backend's first run of the statements a post sends
// (PostgreSQL's log: the first evaluation INSERT per backend 16–26 ms, its
// trigger and foreign-key checks prepared then; the first link lookup
// 15 ms to plan), which only running them warms. It opens no more than the
// idle pool keeps. SQLite's connections are cheap and its catalog is read
// with the file; there it does nothing.
func (s *Store) Warm(ctx context.Context, n int) error {
	if s.dialect != "postgres" || n <= 0 {
		return nil
	}
	db, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: warm: %w", err)
	}
	n = min(n, s.maxIdle)
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the idle pool
		}
	}()
	type warmed struct {
		conn *sql.Conn
		err  error
	}
	done := make(chan warmed, n)
	for range n {
		go func() {
			c, err := db.Conn(ctx)
			if err == nil {
				if err = warmConn(ctx, c); err != nil {
					c.Close()
					c = nil
				}
			}
			done <- warmed{c, err}
		}()
	}
	var first error
	for range n {
		w := <-done
		if w.conn != nil {
			conns = append(conns, w.conn)
		}
		first = cmp.Or(first, w.err)
	}
	if first != nil {
		return fmt.Errorf("store: warm the pool: %w", first)
	}
	return nil
}

// warmConn has a PostgreSQL connection's backend plan a query over each
// table of the schema (see Warm); EXPLAIN plans without reading a row.
func warmConn(ctx context.Context, c *sql.Conn) error {
	rows, err := c.QueryContext(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := c.ExecContext(ctx, "EXPLAIN SELECT * FROM "+t); err != nil {
			return err
		}
	}
	return nil
}
