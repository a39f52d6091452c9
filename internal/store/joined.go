package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/inventera/inventera/internal/round"
)

// Queries that read several tables' rows in one statement: a request's
// unit, its member kommuner and its round; a session and its user. Each
// row struct is read from its table's columns under a prefix (u_id,
// r_name …) into a struct that embeds it with the same prefix, so a column
// added to the row struct is read here too.

// columnsAs lists model's columns from the table alias as prefix_column.
func columnsAs(db *gorm.DB, model any, alias, prefix string) (string, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return "", fmt.Errorf("store: columns of %T: %w", model, err)
	}
	cols := make([]string, len(stmt.Schema.DBNames))
	for i, name := range stmt.Schema.DBNames {
		cols[i] = alias + "." + name + " AS " + prefix + name
	}
	return strings.Join(cols, ", "), nil
}

// unitColumns are the columns of unitRow as unitsWithMembers reads them,
// and where each goes. They are listed, not found by reflection as gorm
// would: a national report reads 1 500 units, and gorm's scan of them took
// 15 ms of a 125 ms report. TestUnitColumns keeps the list whole.
func unitColumns(u *unitRow) (cols []string, dest []any) {
	return []string{"id", "round_id", "name", "omrade", "fordelning", "chef_name", "chef_email", "response", "reason",
			"invited_at", "opened_at", "responded_at", "updated_at", "version"},
		[]any{&u.ID, &u.RoundID, &u.Name, &u.Omrade, &u.Fordelning, &u.ChefName, &u.ChefEmail, &u.Response, &u.Reason,
			&u.InvitedAt, &u.OpenedAt, &u.RespondedAt, &u.UpdatedAt, &u.Version}
}

// unitsWithMembers reads units with their member kommuner in one query:
// where filters the units u (with args), lock is appended (PostgreSQL's
// FOR …). The units come in the query's order (order, then each unit's
// members by position and name).
func (t *Queries) unitsWithMembers(where, order, lock string, args ...any) ([]round.Unit, error) {
	var (
		u          unitRow
		memberName sql.NullString
	)
	cols, dest := unitColumns(&u)
	dest = append(dest, &memberName)
	rows, err := t.db.Raw(`SELECT u.`+strings.Join(cols, ", u.")+`, k.name FROM units u
		LEFT JOIN unit_kommuner uk ON uk.unit_id = u.id LEFT JOIN kommuner k ON k.id = uk.kommun_id
		WHERE `+where+` ORDER BY `+order+`, uk.position, `+t.byText("k.name")+lock, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	defer rows.Close()
	var out []round.Unit
	for rows.Next() {
		u = unitRow{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: units: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != u.ID {
			out = append(out, u.domain(nil))
		}
		if memberName.Valid {
			last := &out[len(out)-1]
			last.Kommuner = append(last.Kommuner, memberName.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	return out, nil
}

// lockClause is the FOR clause of a query in a PostgreSQL transaction; ""
// elsewhere (SQLite's transaction holds the database's write lock).
func (t *Queries) lockClause(clause string) string {
	if t.postgres && t.inTx {
		return " " + clause
	}
	return ""
}

// linkUnitRow is a link, its unit with one member kommun, and the round.
type linkUnitRow struct {
	Link           linkRow  `gorm:"embedded;embeddedPrefix:l_"`
	Unit           unitRow  `gorm:"embedded;embeddedPrefix:u_"`
	Round          roundRow `gorm:"embedded;embeddedPrefix:r_"`
	MemberName     *string
	MemberPosition *int
}

// LinkUnit finds a personal link by its token's hash with its unit (and the
// unit's member kommuner) and the unit's round, in one query. The link may
// be revoked (Link.RevokedAt). In a transaction on PostgreSQL it locks the
// unit's row as Unit does and the round's as RoundForWrite does, until the
// transaction ends.
func (t *Queries) LinkUnit(tokenHash string) (Link, round.Unit, round.Round, error) {
	lcols, err := columnsAs(t.db, &linkRow{}, "l", "l_")
	if err != nil {
		return Link{}, round.Unit{}, round.Round{}, err
	}
	ucols, err := columnsAs(t.db, &unitRow{}, "u", "u_")
	if err != nil {
		return Link{}, round.Unit{}, round.Round{}, err
	}
	rcols, err := columnsAs(t.db, &roundRow{}, "r", "r_")
	if err != nil {
		return Link{}, round.Unit{}, round.Round{}, err
	}
	var rows []linkUnitRow
	err = t.db.Raw(`SELECT `+lcols+`, `+ucols+`, `+rcols+`,
		k.name AS member_name, uk.position AS member_position
		FROM links l JOIN units u ON u.id = l.unit_id JOIN rounds r ON r.id = u.round_id
		LEFT JOIN unit_kommuner uk ON uk.unit_id = u.id LEFT JOIN kommuner k ON k.id = uk.kommun_id
		WHERE l.token_hash = ? ORDER BY uk.position, `+t.byText("k.name")+
		t.lockClause("FOR NO KEY UPDATE OF u FOR SHARE OF r"), tokenHash).Scan(&rows).Error
	if err != nil {
		return Link{}, round.Unit{}, round.Round{}, fmt.Errorf("store: link: %w", err)
	}
	if len(rows) == 0 {
		return Link{}, round.Unit{}, round.Round{}, notFound(gorm.ErrRecordNotFound, "Länken")
	}
	first := rows[0]
	var members []string
	for _, r := range rows {
		if r.MemberName != nil {
			members = append(members, *r.MemberName)
		}
	}
	return first.Link.link(), first.Unit.domain(members), first.Round.domain(), nil
}

// sessionUserRow is a session with its user.
type sessionUserRow struct {
	Session Session `gorm:"embedded;embeddedPrefix:s_"`
	User    User    `gorm:"embedded;embeddedPrefix:u_"`
}

// SessionUser returns the unexpired session with the token hash and its
// user, in one query.
func (t *Queries) SessionUser(tokenHash string, now time.Time) (Session, User, error) {
	scols, err := columnsAs(t.db, &Session{}, "s", "s_")
	if err != nil {
		return Session{}, User{}, err
	}
	ucols, err := columnsAs(t.db, &User{}, "u", "u_")
	if err != nil {
		return Session{}, User{}, err
	}
	var rows []sessionUserRow
	err = t.db.Raw(`SELECT `+scols+`, `+ucols+` FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now).Scan(&rows).Error
	if err != nil {
		return Session{}, User{}, fmt.Errorf("store: session: %w", err)
	}
	if len(rows) == 0 {
		return Session{}, User{}, notFound(gorm.ErrRecordNotFound, "Sessionen")
	}
	return rows[0].Session, rows[0].User, nil
}
