package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

type unitRow struct {
	ID          int64 `gorm:"primaryKey"`
	RoundID     int64
	Name        string
	Omrade      string
	Fordelning  string
	ChefName    string
	ChefEmail   string
	Response    string
	Reason      string
	InvitedAt   *time.Time
	OpenedAt    *time.Time
	RespondedAt *time.Time
	UpdatedAt   time.Time
}

func (unitRow) TableName() string { return "units" }

type unitKommunRow struct {
	UnitID   int64 `gorm:"primaryKey"`
	KommunID int64 `gorm:"primaryKey"`
	Position int
}

func (unitKommunRow) TableName() string { return "unit_kommuner" }

func (u unitRow) domain(kommuner []string) round.Unit {
	return round.Unit{ID: u.ID, RoundID: u.RoundID, Name: u.Name, Kommuner: kommuner, Omrade: u.Omrade,
		Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail,
		Response: round.Response(u.Response), Reason: u.Reason, InvitedAt: u.InvitedAt,
		OpenedAt: u.OpenedAt, RespondedAt: u.RespondedAt, UpdatedAt: u.UpdatedAt}
}

// CreateUnit stores a unit with its member kommuner (by name, which must
// already take part in the round).
func (t *Queries) CreateUnit(u round.Unit) (round.Unit, error) {
	if len(u.Kommuner) == 0 {
		return round.Unit{}, apperror.New(apperror.Invalid, "Enheten ”%s” måste höra till minst en kommun.", u.Name)
	}
	var ks []kommunRow
	if err := t.db.Where("round_id = ? AND name IN ?", u.RoundID, u.Kommuner).Find(&ks).Error; err != nil {
		return round.Unit{}, fmt.Errorf("store: find unit kommuner: %w", err)
	}
	byName := map[string]int64{}
	for _, k := range ks {
		byName[k.Name] = k.ID
	}
	for _, name := range u.Kommuner {
		if byName[name] == 0 {
			return round.Unit{}, apperror.New(apperror.Invalid, "%s deltar inte i omgången.", name)
		}
	}
	// Unit names repeat across kommuner (every kommun has a Socialnämnden),
	// so a name is unique among the units that share a member kommun. No
	// constraint can say that; on PostgreSQL a lock per round keeps two
	// transactions from both passing the check.
	if err := t.advisoryLock(lockUnitNames, u.RoundID); err != nil {
		return round.Unit{}, err
	}
	var clash int64
	err := t.db.Raw(`SELECT COUNT(*) FROM units un JOIN unit_kommuner uk ON uk.unit_id = un.id
		JOIN kommuner k ON k.id = uk.kommun_id WHERE un.round_id = ? AND un.name = ? AND k.name IN ?`,
		u.RoundID, u.Name, u.Kommuner).Scan(&clash).Error
	if err != nil {
		return round.Unit{}, fmt.Errorf("store: check unit name: %w", err)
	}
	if clash > 0 {
		return round.Unit{}, apperror.New(apperror.Conflict, "Det finns redan en enhet som heter ”%s” i %s.", u.Name, strings.Join(u.Kommuner, ", "))
	}
	row := unitRow{RoundID: u.RoundID, Name: u.Name, Omrade: u.Omrade, Fordelning: u.Fordelning,
		ChefName: u.ChefName, ChefEmail: u.ChefEmail, Response: string(u.Response), Reason: u.Reason,
		InvitedAt: u.InvitedAt, OpenedAt: u.OpenedAt, RespondedAt: u.RespondedAt, UpdatedAt: u.UpdatedAt}
	if row.UpdatedAt.IsZero() {
		row.UpdatedAt = time.Now().UTC()
	}
	if err := t.db.Create(&row).Error; err != nil {
		return round.Unit{}, fmt.Errorf("store: create unit: %w", err)
	}
	for i, name := range u.Kommuner {
		if err := t.db.Create(&unitKommunRow{UnitID: row.ID, KommunID: byName[name], Position: i}).Error; err != nil {
			return round.Unit{}, fmt.Errorf("store: link unit to kommun: %w", err)
		}
	}
	return row.domain(u.Kommuner), nil
}

// Unit returns the unit with the ID. In a transaction on PostgreSQL it also
// locks the unit's row until the transaction ends (FOR NO KEY UPDATE), so
// what the caller checks about the unit (its response, its drafts) stays
// true while it writes, as on SQLite, where transactions run one at a time.
func (t *Queries) Unit(id int64) (round.Unit, error) {
	var row unitRow
	db := t.db
	if t.postgres && t.inTx {
		db = db.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	if err := db.First(&row, id).Error; err != nil {
		return round.Unit{}, notFound(err, "Enheten")
	}
	members, err := t.unitMembers([]int64{id})
	if err != nil {
		return round.Unit{}, err
	}
	return row.domain(members[id]), nil
}

// Units lists a round's units by name (code point order; units of the same
// name in the order they were added) with their member kommuner.
func (t *Queries) Units(roundID int64) ([]round.Unit, error) {
	var rows []unitRow
	if err := t.db.Where("round_id = ?", roundID).Order(t.byText("name") + ", id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	// The members of all the round's units in one query by round, not by
	// a list of 15 000 unit IDs.
	members, err := t.members(`JOIN units un ON un.id = uk.unit_id WHERE un.round_id = ?`, roundID)
	if err != nil {
		return nil, err
	}
	out := make([]round.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.domain(members[r.ID])
	}
	return out, nil
}

func (t *Queries) unitMembers(unitIDs []int64) (map[int64][]string, error) {
	if len(unitIDs) == 0 {
		return map[int64][]string{}, nil
	}
	return t.members(`WHERE uk.unit_id IN ?`, unitIDs)
}

// members reads the member kommuner of the units the SQL after the join
// of unit_kommuner uk and kommuner k selects.
func (t *Queries) members(where string, args ...any) (map[int64][]string, error) {
	type member struct {
		UnitID   int64
		Name     string
		Position int
	}
	var ms []member
	err := t.db.Raw(`SELECT uk.unit_id, k.name, uk.position FROM unit_kommuner uk
		JOIN kommuner k ON k.id = uk.kommun_id `+where, args...).Scan(&ms).Error
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

// SetUnitResponse records a unit's answer as a whole.
func (t *Queries) SetUnitResponse(unitID int64, resp round.Response, reason string, at time.Time) error {
	var respondedAt *time.Time
	if resp != round.NoResponse {
		respondedAt = &at
	}
	err := t.db.Model(&unitRow{}).Where("id = ?", unitID).Updates(map[string]any{
		"response": string(resp), "reason": reason, "responded_at": respondedAt, "updated_at": at,
	}).Error
	if err != nil {
		return fmt.Errorf("store: set unit response: %w", err)
	}
	return nil
}

// TouchUnit records activity on a unit; opened marks the first use of its link.
func (t *Queries) TouchUnit(unitID int64, at time.Time, opened bool) error {
	db := t.db.Model(&unitRow{}).Where("id = ?", unitID)
	updates := map[string]any{"updated_at": at}
	if opened {
		if err := t.db.Model(&unitRow{}).Where("id = ? AND opened_at IS NULL", unitID).Update("opened_at", at).Error; err != nil {
			return fmt.Errorf("store: mark unit opened: %w", err)
		}
		return nil
	}
	if err := db.Updates(updates).Error; err != nil {
		return fmt.Errorf("store: touch unit: %w", err)
	}
	return nil
}

// MarkInvited records that a unit's link went out.
func (t *Queries) MarkInvited(unitID int64, at time.Time) error {
	if err := t.db.Model(&unitRow{}).Where("id = ?", unitID).Update("invited_at", at).Error; err != nil {
		return fmt.Errorf("store: mark invited: %w", err)
	}
	return nil
}
