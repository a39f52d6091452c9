package store

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

type roundRow struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	HourlyRate       int64
	OpensOn          string
	Deadline         string
	State            string
	CreatedAt        time.Time
	PopulationSource string
}

func (roundRow) TableName() string { return "rounds" }

func (r roundRow) domain() round.Round {
	return round.Round{ID: r.ID, Name: r.Name, HourlyRate: r.HourlyRate, OpensOn: r.OpensOn,
		Deadline: r.Deadline, State: round.State(r.State), CreatedAt: r.CreatedAt, PopulationSource: r.PopulationSource}
}

// CreateRound stores a new round and returns it with its ID.
func (t *Queries) CreateRound(r round.Round) (round.Round, error) {
	row := roundRow{Name: r.Name, HourlyRate: r.HourlyRate, OpensOn: r.OpensOn, Deadline: r.Deadline,
		State: string(r.State), CreatedAt: r.CreatedAt, PopulationSource: r.PopulationSource}
	if row.State == "" {
		row.State = string(round.Open)
	}
	if err := t.db.Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			return round.Round{}, apperror.New(apperror.Conflict, "Det finns redan en omgång som heter ”%s”.", r.Name)
		}
		return round.Round{}, fmt.Errorf("store: create round: %w", err)
	}
	return row.domain(), nil
}

// Round returns the round with the ID.
func (t *Queries) Round(id int64) (round.Round, error) {
	var row roundRow
	if err := t.db.First(&row, id).Error; err != nil {
		return round.Round{}, notFound(err, "Omgången")
	}
	return row.domain(), nil
}

// RoundForWrite returns the round for a change that depends on its state.
// On PostgreSQL, inside a transaction, it holds a share lock on the round's
// row until commit: closing the round (SetRoundState, an UPDATE) waits for
// every change that read the round as open, and a change that starts after
// the close reads the new state. So once a round is closed, nothing is
// saved into it. (Inserting an evaluation only takes a key-share lock on
// its round, which an UPDATE of the state does not wait for.) On SQLite the
// transaction already holds the database's write lock.
func (t *Queries) RoundForWrite(id int64) (round.Round, error) {
	return t.lockedRound(id, "SHARE")
}

// RoundForUpdate returns the round with its row locked for a change of the
// round itself, so that two state changes run one after the other.
func (t *Queries) RoundForUpdate(id int64) (round.Round, error) {
	return t.lockedRound(id, "UPDATE")
}

func (t *Queries) lockedRound(id int64, strength string) (round.Round, error) {
	db := t.db
	if t.postgres && t.inTx {
		db = db.Clauses(clause.Locking{Strength: strength})
	}
	var row roundRow
	if err := db.First(&row, id).Error; err != nil {
		return round.Round{}, notFound(err, "Omgången")
	}
	return row.domain(), nil
}

// RoundByName returns the round with the name.
func (t *Queries) RoundByName(name string) (round.Round, error) {
	var row roundRow
	if err := t.db.Where("name = ?", name).First(&row).Error; err != nil {
		return round.Round{}, notFound(err, fmt.Sprintf("Omgången ”%s”", name))
	}
	return row.domain(), nil
}

// Rounds lists all rounds, newest first.
func (t *Queries) Rounds() ([]round.Round, error) {
	var rows []roundRow
	if err := t.db.Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list rounds: %w", err)
	}
	out := make([]round.Round, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// SetRoundState changes a round's state.
func (t *Queries) SetRoundState(id int64, state round.State) error {
	res := t.db.Model(&roundRow{}).Where("id = ?", id).Update("state", string(state))
	if res.Error != nil {
		return fmt.Errorf("store: set round state: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "Omgången finns inte.")
	}
	return nil
}

// SetPopulationSource records where the round's populations come from.
func (t *Queries) SetPopulationSource(id int64, source string) error {
	res := t.db.Model(&roundRow{}).Where("id = ?", id).Update("population_source", source)
	if res.Error != nil {
		return fmt.Errorf("store: set population source: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "Omgången finns inte.")
	}
	return nil
}

type kommunRow struct {
	ID         int64 `gorm:"primaryKey"`
	RoundID    int64
	Name       string
	Population *int64
	Kommunkod  string
}

func (kommunRow) TableName() string { return "kommuner" }

func (k kommunRow) domain() round.Kommun {
	return round.Kommun{ID: k.ID, RoundID: k.RoundID, Name: k.Name, Population: k.Population, Kommunkod: k.Kommunkod}
}

// CreateKommun adds a participating kommun to a round.
func (t *Queries) CreateKommun(k round.Kommun) (round.Kommun, error) {
	row := kommunRow{RoundID: k.RoundID, Name: k.Name, Population: k.Population, Kommunkod: k.Kommunkod}
	if err := t.db.Create(&row).Error; err != nil {
		if isUniqueViolation(err) {
			if k.Kommunkod != "" && strings.Contains(err.Error(), "kommunkod") {
				return round.Kommun{}, apperror.New(apperror.Conflict, "Kommunkoden %s finns redan i omgången.", k.Kommunkod)
			}
			return round.Kommun{}, apperror.New(apperror.Conflict, "%s deltar redan i omgången.", k.Name)
		}
		return round.Kommun{}, fmt.Errorf("store: create kommun: %w", err)
	}
	return row.domain(), nil
}

// Kommuner lists a round's kommuner by name (code point order).
func (t *Queries) Kommuner(roundID int64) ([]round.Kommun, error) {
	var rows []kommunRow
	if err := t.db.Where("round_id = ?", roundID).Order(t.byText("name") + ", id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list kommuner: %w", err)
	}
	out := make([]round.Kommun, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// KommunNames lists the distinct names of the kommuner of every round, in
// code point order.
func (t *Queries) KommunNames() ([]string, error) {
	var out []string
	if err := t.db.Model(&kommunRow{}).Group("name").Order(t.byText("name")).Pluck("name", &out).Error; err != nil {
		return nil, fmt.Errorf("store: kommun names: %w", err)
	}
	return out, nil
}
