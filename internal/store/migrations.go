package store

import (
	"context"
	"fmt"
	"strings"
)

// migrations is the ordered schema history. Each entry is applied once, in a
// transaction, and recorded in schema_version; never edit an applied entry,
// append a new one. {{id}}, {{ts}} and {{blob}} become the dialect's types.
var migrations = []string{
	// 1: rounds, kommuner, units, links, evaluations, staff, sessions, audit.
	`
CREATE TABLE rounds (
	id {{id}},
	name TEXT NOT NULL UNIQUE,
	hourly_rate BIGINT NOT NULL,
	opens_on TEXT NOT NULL DEFAULT '',
	deadline TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE TABLE kommuner (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	population BIGINT,
	UNIQUE (round_id, name)
);
CREATE TABLE units (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	omrade TEXT NOT NULL DEFAULT '',
	fordelning TEXT NOT NULL DEFAULT '',
	chef_name TEXT NOT NULL DEFAULT '',
	chef_email TEXT NOT NULL DEFAULT '',
	response TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	invited_at {{ts}},
	opened_at {{ts}},
	responded_at {{ts}},
	updated_at {{ts}} NOT NULL
);
CREATE INDEX units_round_name ON units (round_id, name);
CREATE TABLE unit_kommuner (
	unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	kommun_id BIGINT NOT NULL REFERENCES kommuner(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	PRIMARY KEY (unit_id, kommun_id)
);
CREATE INDEX unit_kommuner_kommun ON unit_kommuner (kommun_id);
CREATE TABLE links (
	id {{id}},
	unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	nonce TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	revoked_at {{ts}}
);
CREATE INDEX links_unit ON links (unit_id);
CREATE TABLE evaluations (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	complete BOOLEAN NOT NULL,
	answers TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX evaluations_round ON evaluations (round_id);
CREATE INDEX evaluations_unit ON evaluations (unit_id);
CREATE TABLE users (
	id {{id}},
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL,
	kommun TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE TABLE sessions (
	id {{id}},
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL
);
CREATE TABLE audit_events (
	id {{id}},
	at {{ts}} NOT NULL,
	actor TEXT NOT NULL,
	round_id BIGINT,
	unit_id BIGINT,
	evaluation_id BIGINT,
	action TEXT NOT NULL,
	field TEXT NOT NULL DEFAULT '',
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_round ON audit_events (round_id);
`,
	// 2: every invitation and reminder sent, with its outcome.
	`
CREATE TABLE mail_log (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	at {{ts}} NOT NULL,
	kind TEXT NOT NULL,
	recipient TEXT NOT NULL,
	sent_by TEXT NOT NULL,
	ok BOOLEAN NOT NULL,
	error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_log_unit ON mail_log (unit_id);
`,
	// 3: throttling counters shared by every instance, and the security log.
	`
CREATE TABLE throttle (
	key TEXT PRIMARY KEY,
	window_start {{ts}} NOT NULL,
	hits INTEGER NOT NULL,
	locked_until {{ts}}
);
CREATE TABLE security_events (
	id {{id}},
	at {{ts}} NOT NULL,
	kind TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	client TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_at ON security_events (at);
`,
	// 4: what a report counts of each complete evaluation (package facts),
	// typed and encoded, written with its answers so that a report reads
	// these instead of decoding every answer. facts_version is the
	// facts.Version that wrote facts; 0 (every row before this migration)
	// means not derived yet, and Open derives those from the answers
	// (deriveMissingFacts).
	`
ALTER TABLE evaluations ADD COLUMN facts {{blob}};
ALTER TABLE evaluations ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX evaluations_facts_version ON evaluations (facts_version);
`,
}

// migrationLock is the PostgreSQL advisory lock every migration transaction
// takes first, so that instances starting at once apply each migration once.
const migrationLock int64 = 0x696e76656e746572 // "inventer"

// migrate applies the pending migrations, each in its own transaction with
// its schema_version row. On PostgreSQL each transaction first takes
// migrationLock, so instances starting together queue, and the one that
// waited sees the version the other wrote; on SQLite the transaction's
// write lock (BEGIN IMMEDIATE) does the same.
func (s *Store) migrate(ctx context.Context) error { return s.migrateTo(ctx, len(migrations)) }

// migrateTo applies the pending migrations up to schema version upTo (tests
// open a database as an older version left it).
func (s *Store) migrateTo(ctx context.Context, upTo int) error {
	for {
		applied := false
		err := s.InTx(ctx, func(tx *Queries) error {
			if s.dialect == "postgres" {
				if err := tx.db.Exec(`SELECT pg_advisory_xact_lock(?)`, migrationLock).Error; err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
			// Inside the locked transaction: concurrent CREATE TABLE IF NOT
			// EXISTS can still collide on PostgreSQL.
			if err := tx.db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`).Error; err != nil {
				return fmt.Errorf("create schema_version: %w", err)
			}
			var version int
			if err := tx.db.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version).Error; err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if version >= upTo {
				return nil
			}
			for _, stmt := range splitStatements(s.expand(migrations[version])) {
				if err := tx.db.Exec(stmt).Error; err != nil {
					return fmt.Errorf("migration %d: %w", version+1, err)
				}
			}
			applied = true
			return tx.db.Exec(`INSERT INTO schema_version (version) VALUES (?)`, version+1).Error
		})
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		if !applied {
			return nil
		}
	}
}

func (s *Store) expand(sql string) string {
	id, ts, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME", "BLOB"
	if s.dialect == "postgres" {
		id, ts, blob = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "BYTEA"
	}
	return strings.NewReplacer("{{id}}", id, "{{ts}}", ts, "{{blob}}", blob).Replace(sql)
}

func splitStatements(sql string) []string {
	var out []string
	for _, st := range strings.Split(sql, ";") {
		if strings.TrimSpace(st) != "" {
			out = append(out, st)
		}
	}
	return out
}

// SchemaVersion reports the applied migration count.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v).Error
	return v, err
}
