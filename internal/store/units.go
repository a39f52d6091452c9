package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

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
	Version     int64 // see round.Unit.Version
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
		OpenedAt: u.OpenedAt, RespondedAt: u.RespondedAt, UpdatedAt: u.UpdatedAt, Version: u.Version}
}

// CreateUnit stores a unit with its member kommuner (by name, which must
// already take part in the round).
func (t *Queries) CreateUnit(u round.Unit) (round.Unit, error) {
	if len(u.Kommuner) == 0 {
		return round.Unit{}, apperror.New(apperror.Invalid, "Enheten ”%s” måste höra till minst en kommun.", u.Name)
	}
	byName, err := t.memberIDs(u)
	if err != nil {
		return round.Unit{}, err
	}
	if err := t.checkUnitName(u); err != nil {
		return round.Unit{}, err
	}
	row := unitRow{RoundID: u.RoundID, Name: u.Name, Omrade: u.Omrade, Fordelning: u.Fordelning,
		ChefName: u.ChefName, ChefEmail: u.ChefEmail, Response: string(u.Response), Reason: u.Reason,
		InvitedAt: u.InvitedAt, OpenedAt: u.OpenedAt, RespondedAt: u.RespondedAt, UpdatedAt: u.UpdatedAt,
		Version: 1}
	if row.UpdatedAt.IsZero() {
		row.UpdatedAt = time.Now().UTC()
	}
	if err := t.db.Create(&row).Error; err != nil {
		return round.Unit{}, fmt.Errorf("store: create unit: %w", err)
	}
	if err := t.linkMembers(row.ID, u.Kommuner, byName); err != nil {
		return round.Unit{}, err
	}
	return row.domain(u.Kommuner), nil
}

// memberIDs finds the IDs of a unit's member kommuner, which must take part
// in its round.
func (t *Queries) memberIDs(u round.Unit) (map[string]int64, error) {
	var ks []kommunRow
	if err := t.db.Where("round_id = ? AND name IN ?", u.RoundID, u.Kommuner).Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("store: find unit kommuner: %w", err)
	}
	byName := map[string]int64{}
	for _, k := range ks {
		byName[k.Name] = k.ID
	}
	for _, name := range u.Kommuner {
		if byName[name] == 0 {
			return nil, apperror.New(apperror.Invalid, "%s deltar inte i omgången.", name)
		}
	}
	return byName, nil
}

// checkUnitName refuses a name another unit of a shared member kommun has.
// Unit names repeat across kommuner (every kommun has a Socialnämnden), so
// a name is unique among the units that share a member kommun. No
// constraint can say that; on PostgreSQL a lock per round keeps two
// transactions from both passing the check. u.ID is left out (0 for a new
// unit).
func (t *Queries) checkUnitName(u round.Unit) error {
	if err := t.advisoryLock(lockUnitNames, u.RoundID); err != nil {
		return err
	}
	var clash int64
	err := t.db.Raw(`SELECT COUNT(*) FROM units un JOIN unit_kommuner uk ON uk.unit_id = un.id
		JOIN kommuner k ON k.id = uk.kommun_id WHERE un.round_id = ? AND un.name = ? AND k.name IN ? AND un.id <> ?`,
		u.RoundID, u.Name, u.Kommuner, u.ID).Scan(&clash).Error
	if err != nil {
		return fmt.Errorf("store: check unit name: %w", err)
	}
	if clash > 0 {
		return apperror.New(apperror.Conflict, "Det finns redan en enhet som heter ”%s” i %s.", u.Name, strings.Join(u.Kommuner, ", "))
	}
	return nil
}

func (t *Queries) linkMembers(unitID int64, names []string, byName map[string]int64) error {
	for i, name := range names {
		if err := t.db.Create(&unitKommunRow{UnitID: unitID, KommunID: byName[name], Position: i}).Error; err != nil {
			return fmt.Errorf("store: link unit to kommun: %w", err)
		}
	}
	return nil
}

// UpdateUnit stores a unit's corrected details: name, member kommuner (by
// name, taking part in the round), område, cost split, verksamhetschef and
// address, and when it was invited. Its answer is not touched.
func (t *Queries) UpdateUnit(u round.Unit) error {
	if len(u.Kommuner) == 0 {
		return apperror.New(apperror.Invalid, "Enheten ”%s” måste höra till minst en kommun.", u.Name)
	}
	byName, err := t.memberIDs(u)
	if err != nil {
		return err
	}
	if err := t.checkUnitName(u); err != nil {
		return err
	}
	err = t.db.Model(&unitRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": u.Name, "omrade": u.Omrade, "fordelning": u.Fordelning, "chef_name": u.ChefName,
		"chef_email": u.ChefEmail, "invited_at": u.InvitedAt, "updated_at": u.UpdatedAt,
	}).Error
	if err != nil {
		return fmt.Errorf("store: update unit: %w", err)
	}
	if err := t.db.Where("unit_id = ?", u.ID).Delete(&unitKommunRow{}).Error; err != nil {
		return fmt.Errorf("store: unlink unit from kommuner: %w", err)
	}
	return t.linkMembers(u.ID, u.Kommuner, byName)
}

// DeleteUnit removes a unit with its links, member kommuner, evaluations
// and mail log.
func (t *Queries) DeleteUnit(id int64) error {
	if err := t.db.Delete(&unitRow{}, id).Error; err != nil {
		return fmt.Errorf("store: delete unit: %w", err)
	}
	return nil
}

// Unit returns the unit with the ID. In a transaction on PostgreSQL it also
// locks the unit's row until the transaction ends (FOR NO KEY UPDATE), so
// what the caller checks about the unit (its response, its drafts) stays
// true while it writes, as on SQLite, where transactions run one at a time.
func (t *Queries) Unit(id int64) (round.Unit, error) {
	units, err := t.unitsWithMembers("u.id = ?", "u.id", t.lockClause("FOR NO KEY UPDATE OF u"), id)
	if err != nil {
		return round.Unit{}, err
	}
	if len(units) == 0 {
		return round.Unit{}, apperror.New(apperror.NotFound, "Enheten finns inte.")
	}
	return units[0], nil
}

// Units lists a round's units by name (code point order; units of the same
// name in the order they were added) with their member kommuner.
func (t *Queries) Units(roundID int64) ([]round.Unit, error) {
	return t.unitsWithMembers("u.round_id = ?", t.byText("u.name")+", u.id", "", roundID)
}

// AdvanceUnitVersion is the compare-and-set of a unit's editable data (name,
// member kommuner, område, fordelning, verksamhetschef, e-mail): when the
// unit is still at version loaded (the version its edit form was loaded
// with), it moves it to loaded+1 and returns that; otherwise nothing is
// written and the edit is refused with apperror.Conflict, as someone else
// changed the unit since. Every write of a unit's editable data calls it
// first in its transaction, so no edit can overwrite a change it never saw.
// A unit that does not exist is NotFound.
func (t *Queries) AdvanceUnitVersion(unitID, loaded int64) (int64, error) {
	res := t.db.Model(&unitRow{}).Where("id = ? AND version = ?", unitID, loaded).
		Update("version", gorm.Expr("version + 1"))
	if res.Error != nil {
		return 0, fmt.Errorf("store: advance unit version: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		var n int64
		if err := t.db.Model(&unitRow{}).Where("id = ?", unitID).Count(&n).Error; err != nil {
			return 0, fmt.Errorf("store: advance unit version: %w", err)
		}
		if n == 0 {
			return 0, apperror.New(apperror.NotFound, "Enheten finns inte.")
		}
		return 0, apperror.New(apperror.Conflict, "Enhetens uppgifter har ändrats av någon annan sedan du öppnade dem. Öppna enheten igen och gör om ändringen.")
	}
	return loaded + 1, nil
}

// SetUnitResponse records a unit's answer as a whole. The answer is not part
// of the unit's editable data: its version stays (the round rules, checked
// under the unit's lock, keep two answers from crossing).
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
