package store

import (
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

// unitMemberRow is a unit with one of its member kommuner (none when the
// unit has none, which CreateUnit does not allow).
type unitMemberRow struct {
	Unit           unitRow `gorm:"embedded;embeddedPrefix:u_"`
	MemberName     *string
	MemberPosition *int
}

// unitsWithMembers reads units with their member kommuner in one query:
// where filters the units u (with args), lock is appended (PostgreSQL's
// FOR …). The units come in the query's order (order, then each unit's
// members by position and name).
func (t *Queries) unitsWithMembers(where, order, lock string, args ...any) ([]round.Unit, error) {
	cols, err := columnsAs(t.db, &unitRow{}, "u", "u_")
	if err != nil {
		return nil, err
	}
	var rows []unitMemberRow
	err = t.db.Raw(`SELECT `+cols+`, k.name AS member_name, uk.position AS member_position FROM units u
		LEFT JOIN unit_kommuner uk ON uk.unit_id = u.id LEFT JOIN kommuner k ON k.id = uk.kommun_id
		WHERE `+where+` ORDER BY `+order+`, uk.position, `+t.byText("k.name")+lock, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	var out []round.Unit
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.Unit.ID {
			out = append(out, r.Unit.domain(nil))
		}
		if r.MemberName != nil {
			last := &out[len(out)-1]
			last.Kommuner = append(last.Kommuner, *r.MemberName)
		}
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
