package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kept reports. A report of a national round takes a few hundred
// milliseconds to build, while the round it describes changes only when
// someone writes to it; once collection has closed it does not change at
// all. So a rendered report is kept, one per round and format (ReportKey),
// and served as it is until the round changes.
//
// The database itself forgets a round's kept reports in the same
// transaction as any write to what a report reads (migration 12's
// triggers), so no write path can leave a stale report behind. A build
// must still not keep what it rendered from a snapshot that a write
// committed after: it first reserves its place (ReserveReport), which a
// write committed from then on deletes, then reads, renders, and keeps the
// report only if its reservation is still there (KeepReport). On SQLite
// writes take turns, so a write either committed before the reservation
// (and the build's snapshot sees it) or comes after it (and deletes it).
// On PostgreSQL the triggers take an advisory lock on the round shared
// before they delete, and the reservation takes it exclusively: it waits
// for the writes whose triggers have run to commit, and writes after it
// see the reservation.

// reportsLock is the first key of the PostgreSQL advisory lock on a round's
// kept reports (the round's ID is the second).
const reportsLock = 1769172339

// The tables whose rows a report reads, and how a row names its round.
var reportSources = []struct{ table, roundOf string }{
	{"rounds", "%s.id"},
	{"kommuner", "%s.round_id"},
	{"units", "%s.round_id"},
	{"unit_kommuner", "(SELECT round_id FROM units WHERE units.id = %s.unit_id)"},
	{"evaluations", "%s.round_id"},
	{"review_exclusions", "%s.round_id"},
	{"report_texts", "%s.round_id"},
}

// forgetReportsSQLite and forgetReportsPostgres are migration 12's
// triggers. Never change them: a later change is a new migration.
var forgetReportsSQLite, forgetReportsPostgres = forgetReportsTriggers()

func forgetReportsTriggers() (sqlite, postgres string) {
	var lite, pg strings.Builder
	pg.WriteString(`CREATE FUNCTION forget_reports(rid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF rid IS NULL THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock_shared(` + fmt.Sprint(reportsLock) + `, (rid % 2147483647)::int);
	DELETE FROM stored_reports WHERE round_id = rid;
END $$;
`)
	for _, src := range reportSources {
		for _, ev := range []struct{ event, rows string }{{"INSERT", "NEW"}, {"UPDATE", "OLD, NEW"}, {"DELETE", "OLD"}} {
			var rounds []string
			for _, row := range strings.Split(ev.rows, ", ") {
				rounds = append(rounds, fmt.Sprintf(src.roundOf, row))
			}
			fmt.Fprintf(&lite, "CREATE TRIGGER %s_forget_reports_%s AFTER %s ON %s BEGIN DELETE FROM stored_reports WHERE round_id IN (%s); END;\n",
				src.table, strings.ToLower(ev.event), ev.event, src.table, strings.Join(rounds, ", "))
		}
		// PostgreSQL: one call per statement, over its transition tables,
		// so that an import of 29 000 rows takes the lock once.
		fn := src.table + "_forget_reports"
		newRound, oldRound := fmt.Sprintf(src.roundOf, "n"), fmt.Sprintf(src.roundOf, "o")
		fmt.Fprintf(&pg, `CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' THEN
		PERFORM forget_reports(r) FROM (SELECT DISTINCT %s AS r FROM new_rows n) x;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		PERFORM forget_reports(r) FROM (SELECT DISTINCT %s AS r FROM old_rows o) x;
	END IF;
	RETURN NULL;
END $$;
`, fn, newRound, oldRound)
		for _, ev := range []struct{ event, tables string }{
			{"INSERT", "NEW TABLE AS new_rows"}, {"UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"}, {"DELETE", "OLD TABLE AS old_rows"},
		} {
			fmt.Fprintf(&pg, "CREATE TRIGGER %s_%s AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %s();\n",
				fn, strings.ToLower(ev.event), ev.event, src.table, ev.tables, fn)
		}
	}
	return lite.String(), pg.String()
}

// ReportKey names a kept report. A round keeps one report per format:
// the variant (what else the rendering depends on, such as the day an HTML
// report is dated) and the build (the binary that rendered it) must match
// too, and a build of another variant or binary takes the place over.
type ReportKey struct {
	RoundID int64
	Format  string
	Variant string
	Build   string
}

// StoredReport returns the kept report of key, if there is one.
func (t *Queries) StoredReport(key ReportKey) ([]byte, bool, error) {
	var body []byte
	err := t.db.Raw(`SELECT body FROM stored_reports WHERE round_id = ? AND format = ? AND variant = ? AND build = ? AND body IS NOT NULL`,
		key.RoundID, key.Format, key.Variant, key.Build).Row().Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: read kept report: %w", err)
	}
	return body, true, nil
}

// ReserveReport reserves the place of the report a build is about to
// render and returns the reservation's token for KeepReport. Call it
// before the build reads anything (see the comment at the top).
func (s *Store) ReserveReport(ctx context.Context, key ReportKey, now time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: reserve report: %w", err)
	}
	token := hex.EncodeToString(b[:])
	err := s.inTx(ctx, func(tx *Queries) error {
		if tx.postgres {
			if err := tx.db.Exec(`SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), CAST(? AS INTEGER))`, reportsLock, key.RoundID%2147483647).Error; err != nil {
				return err
			}
		}
		return tx.db.Exec(`INSERT INTO stored_reports (round_id, format, variant, build, token, body, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)
			ON CONFLICT (round_id, format) DO UPDATE SET variant = excluded.variant, build = excluded.build, token = excluded.token,
				body = NULL, created_at = excluded.created_at`,
			key.RoundID, key.Format, key.Variant, key.Build, token, now.UTC()).Error
	})
	if err != nil {
		return "", fmt.Errorf("store: reserve report: %w", err)
	}
	return token, nil
}

// KeepReport keeps a rendered report in its reservation. It reports false,
// and keeps nothing, when a write to the round has removed the
// reservation since (the report may not show it) or another build has
// taken it over.
func (s *Store) KeepReport(ctx context.Context, key ReportKey, token string, body []byte) (bool, error) {
	var kept bool
	err := s.inTx(ctx, func(tx *Queries) error {
		res := tx.db.Exec(`UPDATE stored_reports SET body = ? WHERE round_id = ? AND format = ? AND token = ?`,
			body, key.RoundID, key.Format, token)
		kept = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("store: keep report: %w", err)
	}
	return kept, nil
}
