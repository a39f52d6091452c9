package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/inventera/inventera/internal/round"
)

// ProgressFacts are what a unit's progress is derived from: its answer as a
// whole, whether it has stored evaluations, and whether its link was opened
// and sent. Which step that makes is the domain's rule (round.ProgressOf);
// the store only selects and counts by these facts.
type ProgressFacts struct {
	Response       string
	HasEvaluations bool
	Opened         bool
	Invited        bool
}

// UnitQuery selects a round's units for the progress page and its exports.
// Every condition given must hold.
type UnitQuery struct {
	RoundID int64
	// Members: the unit belongs to each of these kommuner (a shared unit
	// belongs to all its member kommuner).
	Members []string
	Omrade  string // exactly this område; "" for any
	// Search: text that the unit's name, its chef's name or its chef's
	// e-mail address contains, in any letter case; "" for any.
	Search string
	// Facts: the unit's progress facts are one of these; nil for any, an
	// empty list for none.
	Facts  []ProgressFacts
	Limit  int // at most this many units; 0 for all
	Offset int // units skipped before the first one returned
}

// UnitProgress is a unit with how many evaluations it has stored.
type UnitProgress struct {
	round.Unit
	Evaluations   int
	OpenQuestions int // the review's questions to the unit still open
}

// KommunFactCount counts the units of one kommun that have the same
// progress facts, and their evaluations; First and FirstEvaluations count
// only the units whose first member kommun it is, so that summed over every
// kommun they count each unit once.
type KommunFactCount struct {
	KommunID int64
	ProgressFacts
	Units            int
	Evaluations      int
	First            int
	FirstEvaluations int
}

// evaluationCounts is a FROM clause item: each unit's number of
// evaluations (ec.unit_id, ec.n) in a round, whose ID is its one argument.
const evaluationCounts = `(SELECT unit_id, COUNT(*) AS n FROM evaluations WHERE round_id = ? GROUP BY unit_id) ec`

// hasEvaluations is true for a unit (alias u) with stored evaluations.
const hasEvaluations = `EXISTS (SELECT 1 FROM evaluations he WHERE he.unit_id = u.id)`

// foldedLetters are the capital letters outside ASCII that a search folds
// to lower case on both databases: SQLite's LOWER folds ASCII only.
var foldedLetters = []string{"Å", "Ä", "Ö", "É", "Ü", "Æ", "Ø"}

// folded is column in lower case, the same on SQLite and PostgreSQL for
// ASCII and foldedLetters.
func folded(column string) string {
	expr := column
	for _, c := range foldedLetters {
		expr = "REPLACE(" + expr + ", '" + c + "', '" + strings.ToLower(c) + "')"
	}
	return "LOWER(" + expr + ")"
}

// likePattern is a LIKE pattern (escape character !) for text containing s.
func likePattern(s string) string {
	s = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(strings.ToLower(s))
	return "%" + s + "%"
}

// where is the WHERE clause of q over units u, with its arguments.
func (q UnitQuery) where() (string, []any) {
	conds := []string{"u.round_id = ?"}
	args := []any{q.RoundID}
	for _, k := range q.Members {
		conds = append(conds, `EXISTS (SELECT 1 FROM unit_kommuner mk JOIN kommuner mkk ON mkk.id = mk.kommun_id
			WHERE mk.unit_id = u.id AND mkk.name = ?)`)
		args = append(args, k)
	}
	if q.Omrade != "" {
		conds = append(conds, "u.omrade = ?")
		args = append(args, q.Omrade)
	}
	if q.Search != "" {
		p := likePattern(q.Search)
		conds = append(conds, "("+folded("u.name")+" LIKE ? ESCAPE '!' OR "+folded("u.chef_name")+" LIKE ? ESCAPE '!' OR "+
			folded("u.chef_email")+" LIKE ? ESCAPE '!')")
		args = append(args, p, p, p)
	}
	if q.Facts != nil {
		alts := make([]string, 0, len(q.Facts))
		for _, f := range q.Facts {
			alts = append(alts, "(u.response = ? AND "+isTrue(hasEvaluations, f.HasEvaluations)+" AND "+
				isNull("u.opened_at", !f.Opened)+" AND "+isNull("u.invited_at", !f.Invited)+")")
			args = append(args, f.Response)
		}
		if len(alts) == 0 {
			alts = append(alts, "1 = 0")
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

func isTrue(cond string, want bool) string {
	if want {
		return cond
	}
	return "NOT " + cond
}

func isNull(column string, want bool) string {
	if want {
		return column + " IS NULL"
	}
	return column + " IS NOT NULL"
}

// QueryUnits lists the units q selects, ordered by their first member
// kommun, then by name (code point order), with their member kommuner and
// number of evaluations.
func (t *Queries) QueryUnits(q UnitQuery) ([]UnitProgress, error) {
	where, args := q.where()
	// The counts are subqueries of the one statement: a page of units is
	// one round trip, and the whole round's list no slower (both columns
	// are indexed by unit).
	sql := `SELECT u.*, (SELECT COUNT(*) FROM evaluations e WHERE e.unit_id = u.id) AS evaluation_count,
		(SELECT COUNT(*) FROM review_questions rq WHERE rq.unit_id = u.id AND rq.closed_at IS NULL) AS open_question_count
		FROM units u LEFT JOIN unit_kommuner fu ON fu.unit_id = u.id AND fu.position = 0
		LEFT JOIN kommuner fk ON fk.id = fu.kommun_id WHERE ` + where +
		` ORDER BY ` + t.byText("fk.name") + `, ` + t.byText("u.name") + `, u.id`
	if q.Limit > 0 {
		sql += ` LIMIT ? OFFSET ?`
		args = append(args, q.Limit, max(q.Offset, 0))
	}
	var rows []struct {
		Unit              unitRow `gorm:"embedded"`
		EvaluationCount   int
		OpenQuestionCount int
	}
	if err := t.db.Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: query units: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Unit.ID
	}
	members, err := t.unitMembers(q.RoundID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]UnitProgress, len(rows))
	for i, r := range rows {
		out[i] = UnitProgress{Unit: r.Unit.domain(members[r.Unit.ID]), Evaluations: r.EvaluationCount, OpenQuestions: r.OpenQuestionCount}
	}
	return out, nil
}

// CountUnits counts the units q selects (Limit and Offset aside).
func (t *Queries) CountUnits(q UnitQuery) (int, error) {
	where, args := q.where()
	var n int
	if err := t.db.Raw(`SELECT COUNT(*) FROM units u WHERE `+where, args...).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count units: %w", err)
	}
	return n, nil
}

// KommunFactCounts counts each kommun's units of a round by their progress
// facts; a shared unit counts in each of its member kommuner, and in First
// of its first one. Kommuner without units have no rows.
func (t *Queries) KommunFactCounts(roundID int64) ([]KommunFactCount, error) {
	var out []KommunFactCount
	err := t.db.Raw(`SELECT uk.kommun_id, u.response, (ec.n IS NOT NULL) AS has_evaluations,
		(u.opened_at IS NOT NULL) AS opened, (u.invited_at IS NOT NULL) AS invited,
		COUNT(*) AS units, COALESCE(SUM(ec.n), 0) AS evaluations,
		SUM(CASE WHEN uk.position = 0 THEN 1 ELSE 0 END) AS first,
		COALESCE(SUM(CASE WHEN uk.position = 0 THEN ec.n ELSE 0 END), 0) AS first_evaluations
		FROM units u JOIN unit_kommuner uk ON uk.unit_id = u.id LEFT JOIN `+evaluationCounts+` ON ec.unit_id = u.id
		WHERE u.round_id = ?
		GROUP BY uk.kommun_id, u.response, (ec.n IS NOT NULL), (u.opened_at IS NOT NULL), (u.invited_at IS NOT NULL)`,
		roundID, roundID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: count kommuner's units by progress: %w", err)
	}
	return out, nil
}

// Omraden lists the distinct områden of the units q selects (Limit,
// Offset and Omrade aside), in no particular order; a blank område is left
// out.
func (t *Queries) Omraden(q UnitQuery) ([]string, error) {
	q.Omrade = ""
	where, args := q.where()
	var out []string
	err := t.db.Raw(`SELECT DISTINCT u.omrade FROM units u WHERE `+where+` AND u.omrade <> ''`, args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: list områden: %w", err)
	}
	return out, nil
}

// ActiveLinksOf returns the current (unrevoked) link of each of the units.
func (t *Queries) ActiveLinksOf(unitIDs []int64) (map[int64]Link, error) {
	out := make(map[int64]Link, len(unitIDs))
	if len(unitIDs) == 0 {
		return out, nil
	}
	var rows []linkRow
	if err := t.db.Where("unit_id IN ? AND revoked_at IS NULL", unitIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: active links: %w", err)
	}
	for _, r := range rows {
		out[r.UnitID] = r.link()
	}
	return out, nil
}

// unitMembers lists the member kommuner of each of the units (of one round),
// first member first. A long list of units reads the whole round's members
// instead, so that no statement carries thousands of parameters.
func (t *Queries) unitMembers(roundID int64, unitIDs []int64) (map[int64][]string, error) {
	type member struct {
		UnitID   int64
		Name     string
		Position int
	}
	var ms []member
	var err error
	switch {
	case len(unitIDs) == 0:
	case len(unitIDs) > 500:
		err = t.db.Raw(`SELECT uk.unit_id, k.name, uk.position FROM unit_kommuner uk
			JOIN kommuner k ON k.id = uk.kommun_id WHERE k.round_id = ?`, roundID).Scan(&ms).Error
	default:
		err = t.db.Raw(`SELECT uk.unit_id, k.name, uk.position FROM unit_kommuner uk
			JOIN kommuner k ON k.id = uk.kommun_id WHERE uk.unit_id IN ?`, unitIDs).Scan(&ms).Error
	}
	if err != nil {
		return nil, fmt.Errorf("store: unit members: %w", err)
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].UnitID != ms[j].UnitID {
			return ms[i].UnitID < ms[j].UnitID
		}
		if ms[i].Position != ms[j].Position {
			return ms[i].Position < ms[j].Position
		}
		return ms[i].Name < ms[j].Name
	})
	out := map[int64][]string{}
	for _, m := range ms {
		out[m.UnitID] = append(out[m.UnitID], m.Name)
	}
	return out, nil
}
