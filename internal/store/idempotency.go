package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Idempotency keys. A form carries a key; the web layer claims it for the
// request (Claim), and the request's writes then run in one transaction
// that ends by inserting the key with the request's outcome (Claim.Commit):
// the key, the writes and the outcome are committed together or not at
// all, on either database and whichever instance serves the request. A
// repeat of the key finds the key stored when it comes to insert it: its
// writes are rolled back and it gets the stored outcome (a *Replay). A
// repeat that arrives while the first is still running waits for it
// (PostgreSQL on the unique key, or on a row the first has locked; SQLite
// on its one writer) and then replays it. A repeat that is refused (the
// first post's writes make it a conflict, say) asks Stored for the first
// outcome.
//
// The key is inserted last, with the outcome, rather than first and
// updated at the end: one round trip fewer for every post, and no UPDATE
// by key, whose plan PostgreSQL caches per connection — planned while the
// table was nearly empty, it scanned the whole table on every post (5 000
// sequential scans of a growing table in a 5 000-post bench). The price is
// that a repeat does its writes before it is found out; repeats are rare
// (a double click, a resend after a lost answer).

// IdempotencyKeyLife is how long an outcome is kept for repeats; older keys
// are deleted.
const IdempotencyKeyLife = 24 * time.Hour

// purgeEvery is how often an instance deletes expired keys.
const purgeEvery = 10 * time.Minute

// Outcome is what a request answered, as replayed to a repeat of it.
type Outcome struct {
	Status      int
	Location    string // the redirect's target, "" when none
	ContentType string
	Body        []byte
}

// Replay is the error of a write whose idempotency key was used before: the
// write was not done again, and Outcome is what the first request answered.
type Replay struct{ Outcome Outcome }

func (r *Replay) Error() string {
	return fmt.Sprintf("store: idempotency key used before (answered %d)", r.Outcome.Status)
}

// Claim ties the writes of one request to an idempotency key. It is used by
// the request's goroutine only.
type Claim struct {
	s   *Store
	ctx context.Context
	key string

	tx      *gorm.DB // the open transaction holding the key; nil before the first write and after it ended
	release func()   // frees the SQLite writer slot the transaction holds
	ended   bool     // committed or rolled back by the owner: the context no longer joins anything
}

type claimKey struct{}

// Claim returns a context whose InTx calls are tied to key (at most 200
// bytes; the caller hashes what it gets from clients): the first begins the
// request's transaction by storing the key, and every later store call made
// with the context joins that transaction until Commit or Rollback ends it.
// The caller must call Commit or Rollback.
func (s *Store) Claim(ctx context.Context, key string) (context.Context, *Claim) {
	c := &Claim{s: s, key: key}
	c.ctx = context.WithValue(ctx, claimKey{}, c)
	return c.ctx, c
}

// claimIn returns the claim of ctx for this store, nil when there is none
// or it has ended.
func (s *Store) claimIn(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil || c.s != s || c.ended {
		return nil
	}
	return c
}

// Active tells whether the request has written: its transaction is open
// and waits for Commit.
func (c *Claim) Active() bool { return c.tx != nil }

func (c *Claim) queries() *Queries {
	return &Queries{db: c.tx, ctx: c.ctx, postgres: c.s.dialect == "postgres", inTx: true}
}

// inTx runs fn in the claim's transaction, beginning it first. An error
// from fn rolls back everything the request wrote, so a later write of the
// same request starts over.
func (c *Claim) inTx(fn func(tx *Queries) error) error {
	if c.tx == nil {
		if err := c.begin(); err != nil {
			return err
		}
	}
	if err := fn(c.queries()); err != nil {
		c.rollback()
		return err
	}
	return nil
}

// begin opens the claim's transaction.
func (c *Claim) begin() error {
	s := c.s
	s.purgeKeys(c.ctx)
	if s.writer != nil {
		select {
		case s.writer <- struct{}{}:
		case <-c.ctx.Done():
			return c.ctx.Err()
		}
	}
	release := func() {
		if s.writer != nil {
			<-s.writer
		}
	}
	s.traceTx("BEGIN")
	tx := s.db.WithContext(c.ctx).Begin()
	if tx.Error != nil {
		release()
		return fmt.Errorf("store: begin: %w", tx.Error)
	}
	c.tx, c.release = s.runUnder(tx, c.ctx), release
	return nil
}

// Commit stores the key and the outcome with the request's writes and
// commits them; when the request wrote nothing there is nothing to commit
// and the key is not kept. When the key was stored before (by a repeat of
// the request that came first), the request's writes are rolled back and
// the first outcome is returned as a *Replay. After any error nothing of the
// request is stored. Either way the claim ends.
func (c *Claim) Commit(o Outcome) error {
	if c.tx == nil {
		c.ended = true
		return nil
	}
	body := o.Body
	if !utf8.Valid(body) { // TEXT holds text only; a binary answer is replayed without its body
		body = nil
	}
	// On PostgreSQL a concurrent request that holds the same key
	// uncommitted makes this insert wait until it commits (then nothing is
	// inserted) or rolls back (then the key is ours).
	res := c.tx.Exec(`INSERT INTO idempotency_keys (key, created_at, status, location, content_type, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		c.key, time.Now().UTC(), o.Status, o.Location, o.ContentType, string(body))
	if res.Error != nil {
		c.Rollback()
		return fmt.Errorf("store: idempotency key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		replay, err := storedOutcome(c.tx, c.key)
		c.Rollback()
		switch {
		case err != nil:
			return err
		case replay == nil: // conflicted, then gone: purged as expired in between
			return fmt.Errorf("store: idempotency key: stored by another request, then deleted")
		}
		return replay
	}
	tx, release := c.tx, c.release
	c.tx, c.release, c.ended = nil, nil, true
	c.s.traceTx("COMMIT")
	err := tx.Commit().Error
	release()
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Stored returns the outcome an earlier request stored under the claim's
// key, as a *Replay, or nil when none did. A refused request asks it after
// Rollback: a repeat that finds the first post's writes in its way (the
// evaluation it creates is there, the unit is submitted) is answered as the
// first post was, not refused.
func (c *Claim) Stored() (*Replay, error) {
	return storedOutcome(c.s.runUnder(c.s.db, c.ctx), c.key)
}

// storedOutcome is the outcome stored under key, read through db, as a
// *Replay; nil when there is none.
func storedOutcome(db *gorm.DB, key string) (*Replay, error) {
	var rows []idempotencyRow
	if err := db.Where("key = ?", key).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: idempotency key: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &Replay{Outcome: rows[0].outcome()}, nil
}

// Rollback undoes whatever the request wrote and ends the claim: store
// calls made with its context afterwards run on their own. Without an open
// transaction it only ends the claim.
func (c *Claim) Rollback() {
	c.rollback()
	c.ended = true
}

// rollback undoes the request's writes but keeps the claim, so that a later
// write of the request claims the key anew.
func (c *Claim) rollback() {
	if c.tx == nil {
		return
	}
	tx, release := c.tx, c.release
	c.tx, c.release = nil, nil
	c.s.traceTx("ROLLBACK")
	tx.Rollback()
	release()
}

type idempotencyRow struct {
	Key         string `gorm:"primaryKey"`
	CreatedAt   time.Time
	Status      int
	Location    string
	ContentType string
	Body        string
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

func (r idempotencyRow) outcome() Outcome {
	o := Outcome{Status: r.Status, Location: r.Location, ContentType: r.ContentType, Body: []byte(r.Body)}
	if o.Status == 0 { // cannot be committed so; be safe rather than answer 0
		o.Status = http.StatusOK
	}
	return o
}

// purgeKeys deletes the keys older than IdempotencyKeyLife, at most once
// every purgeEvery per instance (the first time purgeEvery after Open); a
// failure is left for the next time.
func (s *Store) purgeKeys(ctx context.Context) {
	now := time.Now()
	last := s.lastPurge.Load()
	if now.Unix()-last < int64(purgeEvery/time.Second) || !s.lastPurge.CompareAndSwap(last, now.Unix()) {
		return
	}
	purge := func(q *Queries) error {
		return q.db.Exec(`DELETE FROM idempotency_keys WHERE created_at < ?`, now.UTC().Add(-IdempotencyKeyLife)).Error
	}
	var err error
	if s.writer != nil {
		err = s.inTx(ctx, purge) // SQLite: in turn with the other writers
	} else {
		err = purge(&Queries{db: s.db.WithContext(ctx), ctx: ctx, postgres: true})
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.lastPurge.Store(last)
	}
}
