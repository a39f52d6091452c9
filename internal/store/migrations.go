package store

import (
	"context"
	"fmt"
	"strings"
)

// migrations is the ordered schema history. Each entry is applied once, in a
// transaction, and recorded in schema_version; never edit an applied entry,
// append a new one. {{id}}, {{ts}} and {{blob}} become the dialect's types;
// {{sqlite_only:…}} holds statements for SQLite alone.
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
	// 4: staff accounts get a display name, can be disabled, and can be
	// made to change a one-time password at the next login.
	`
ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at {{ts}};
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_login_at {{ts}};
CREATE INDEX sessions_user ON sessions (user_id);
`,
	// 5: mail_log.pending: a send claimed and not yet answered by the SMTP
	// server, so that a second sender (another member kommun's
	// projektledare) sees it and does not mail the same unit again.
	`
ALTER TABLE mail_log ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX mail_log_round ON mail_log (round_id);
`,
	// 6: the report's own words: a comment per kommun and the network's
	// reflection (kommun_id NULL), one of each per round.
	`
CREATE TABLE report_texts (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	kommun_id BIGINT REFERENCES kommuner(id) ON DELETE CASCADE,
	body TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX report_texts_scope ON report_texts (round_id, COALESCE(kommun_id, 0));
`,
	// 7: where a round's populations come from and when ("SCB 2009-12-31"),
	// which the report states beside every cost per inhabitant.
	`
ALTER TABLE rounds ADD COLUMN population_source TEXT NOT NULL DEFAULT '';
`,
	// 8: no lost update. An evaluation and a unit's editable data carry a
	// version that every write advances; a save names the version it was
	// loaded with. The audit events of an evaluation's change carry the
	// version the change made, so the answers as they were at an earlier
	// version can be recovered (the base of a three-way merge).
	`
ALTER TABLE evaluations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN evaluation_version BIGINT;
CREATE INDEX audit_events_evaluation ON audit_events (evaluation_id, evaluation_version);
`,
	// 9: idempotency keys of form posts, each with the outcome it answered,
	// committed with the post's writes (store.Claim); kept a day.
	`
CREATE TABLE idempotency_keys (
	key TEXT PRIMARY KEY,
	created_at {{ts}} NOT NULL,
	status INTEGER NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
`,
	// 10: the second measurement. Kommuner carry SCB's kommunkod (unique in
	// a round when given); a round carried forward records where it came
	// from, and its units and evaluations the ones they continue (lineage).
	// The working group's review: evaluations ruled out of scope, and
	// questions to the units.
	`
ALTER TABLE kommuner ADD COLUMN kommunkod TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX kommuner_round_kommunkod ON kommuner (round_id, kommunkod) WHERE kommunkod <> '';
ALTER TABLE rounds ADD COLUMN previous_round_id BIGINT REFERENCES rounds(id) ON DELETE SET NULL;
ALTER TABLE units ADD COLUMN previous_unit_id BIGINT REFERENCES units(id) ON DELETE SET NULL;
CREATE INDEX units_previous ON units (previous_unit_id);
ALTER TABLE evaluations ADD COLUMN previous_evaluation_id BIGINT REFERENCES evaluations(id) ON DELETE SET NULL;
CREATE INDEX evaluations_previous ON evaluations (previous_evaluation_id);
CREATE TABLE review_exclusions (
	evaluation_id BIGINT PRIMARY KEY REFERENCES evaluations(id) ON DELETE CASCADE,
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	reason TEXT NOT NULL,
	excluded_by TEXT NOT NULL,
	excluded_at {{ts}} NOT NULL
);
CREATE INDEX review_exclusions_round ON review_exclusions (round_id);
CREATE TABLE review_questions (
	id {{id}},
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	evaluation_id BIGINT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
	asked_by TEXT NOT NULL,
	text TEXT NOT NULL,
	asked_at {{ts}} NOT NULL,
	answer TEXT NOT NULL DEFAULT '',
	answered_by TEXT NOT NULL DEFAULT '',
	answered_at {{ts}},
	closed_by TEXT NOT NULL DEFAULT '',
	closed_at {{ts}}
);
CREATE INDEX review_questions_round ON review_questions (round_id);
CREATE INDEX review_questions_unit ON review_questions (unit_id);
CREATE INDEX review_questions_evaluation ON review_questions (evaluation_id);
`,
	// 11: what a report counts of each complete evaluation (package facts),
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
	// 12: reports kept as rendered (stored_reports.go), and the triggers
	// that forget a round's kept reports in the same transaction as any
	// write to what a report reads: the round, its kommuner, units, unit
	// memberships, evaluations, review exclusions and report texts. In
	// the database, not in the Go write paths, so that no write path,
	// today's or a later one, can leave a stale report behind.
	`
CREATE TABLE stored_reports (
	round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
	format TEXT NOT NULL,
	variant TEXT NOT NULL,
	build TEXT NOT NULL,
	token TEXT NOT NULL,
	body {{blob}},
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (round_id, format)
);
{{forget_reports_triggers}}
`,
	// 13: on SQLite, an index that holds all a report reads of a round's
	// evaluations (RoundFacts, and EvaluationLineage for a compared one),
	// in the order it reads them (unit by unit), so that a report reads 2 MB of index
	// instead of the rows with their answers (about 17 MB for a national
	// round): a national JSON report built in a running server 150 → 125
	// ms, its lineage for a comparison 65 → 10 ms. PostgreSQL, whose report time was
	// already within its target, reads the table: an index-only scan
	// there needs pages a vacuum has marked all-visible, which a round
	// taking submissions seldom has, and an index entry is limited to
	// about 2.7 kB, which a long title could exceed.
	`{{sqlite_only:CREATE INDEX evaluations_round_facts ON evaluations (round_id, unit_id, id, complete, facts, previous_evaluation_id)}}`,
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
	triggers := forgetReportsSQLite
	if s.dialect == "postgres" {
		triggers = forgetReportsPostgres
	}
	sql = strings.NewReplacer("{{id}}", id, "{{ts}}", ts, "{{blob}}", blob, "{{forget_reports_triggers}}", triggers).Replace(sql)
	return dialectOnly(sql, "{{sqlite_only:", s.dialect == "sqlite")
}

// dialectOnly keeps the statements between marker and "}}" when keep, and
// drops them otherwise.
func dialectOnly(sql, marker string, keep bool) string {
	for {
		start := strings.Index(sql, marker)
		if start < 0 {
			return sql
		}
		end := strings.Index(sql[start:], "}}")
		if end < 0 {
			return sql
		}
		inner := ""
		if keep {
			inner = sql[start+len(marker) : start+end]
		}
		sql = sql[:start] + inner + sql[start+end+2:]
	}
}

// splitStatements splits a migration at its semicolons, except those
// inside a SQLite trigger's BEGIN … END or a $$-quoted PostgreSQL function
// body.
func splitStatements(sql string) []string {
	var (
		out       []string
		cur       strings.Builder
		inDollars bool
	)
	flush := func() {
		if st := cur.String(); strings.TrimSpace(st) != "" {
			out = append(out, st)
		}
		cur.Reset()
	}
	for i := 0; i < len(sql); i++ {
		switch {
		case strings.HasPrefix(sql[i:], "$$"):
			inDollars = !inDollars
			cur.WriteString("$$")
			i++
		case sql[i] != ';' || inDollars || insideTriggerBody(cur.String()):
			cur.WriteByte(sql[i])
		default:
			flush()
		}
	}
	flush()
	return out
}

// insideTriggerBody: st, up to a semicolon, is a SQLite CREATE TRIGGER
// whose BEGIN … END has not ended yet.
func insideTriggerBody(st string) bool {
	st = strings.ToUpper(strings.TrimSpace(st))
	return strings.HasPrefix(st, "CREATE TRIGGER") && strings.Contains(st, " BEGIN") && !strings.HasSuffix(st, "END")
}

// SchemaVersion reports the applied migration count.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v).Error
	return v, err
}
