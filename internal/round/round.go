// Package round holds the domain of a survey round: the round itself, the
// participating kommuner, their units (service areas, possibly shared by
// several kommuner) with their verksamhetschef, the units' answers, and the
// evaluations they report. It has no storage code.
package round

import (
	"time"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
)

// DefaultHourlyRate is the study's standard cost of one hour of own time.
const DefaultHourlyRate = 280

// State of a round.
type State string

const (
	Open      State = "oppen"
	Closed    State = "stangd"
	Published State = "publicerad"
)

// Label is the Swedish name of the state.
func (s State) Label() string {
	switch s {
	case Open:
		return "Öppen"
	case Closed:
		return "Stängd"
	case Published:
		return "Publicerad"
	}
	return string(s)
}

// Round is one survey, e.g. "Resultatstyrning 2009".
type Round struct {
	ID         int64
	Name       string
	HourlyRate int64 // kr per hour of own time
	// PopulationSource says where the kommuner's populations come from and
	// when, e.g. "SCB 2009-12-31"; the report shows it.
	PopulationSource string
	OpensOn          string // YYYY-MM-DD, may be empty
	Deadline         string // YYYY-MM-DD, may be empty
	State            State
	CreatedAt        time.Time
}

// Kommun is a participating municipality of a round.
type Kommun struct {
	ID         int64
	RoundID    int64
	Name       string
	Population *int64 // nil when unknown
	// Kommunkod is SCB's four-digit code ("2081" for Borlänge), "" when not
	// given. It identifies the kommun across rounds (see MatchKommuner);
	// ParseKommunkod checks it.
	Kommunkod string
}

// Response is what a unit has answered as a whole.
type Response string

const (
	NoResponse    Response = ""
	Submitted     Response = "inskickad"
	NoEvaluations Response = "inga_utvarderingar"
	Declined      Response = "avbojt"
)

// Unit is a service area (förvaltning, nämnd, bolag, kommunalförbund) that
// answers through its verksamhetschef's personal link.
type Unit struct {
	ID          int64
	RoundID     int64
	Name        string
	Kommuner    []string // member kommuner; more than one for a shared unit
	Omrade      string   // optional cross-kommun category
	Fordelning  string   // cost split of a shared unit, see ParseFordelning
	ChefName    string
	ChefEmail   string
	Response    Response
	Reason      string // why the unit declined
	InvitedAt   *time.Time
	OpenedAt    *time.Time
	RespondedAt *time.Time
	UpdatedAt   time.Time
	// Version counts the writes of the unit's editable data (name, member
	// kommuner, område, fordelning, verksamhetschef and e-mail): 1 when
	// created. An edit names the version it was loaded with, and the store
	// refuses it when the unit has been changed since
	// (store.Queries.AdvanceUnitVersion). Its answer, invitations and
	// activity do not count.
	Version int64
}

// Shared tells whether several kommuner run the unit together.
func (u Unit) Shared() bool { return len(u.Kommuner) > 1 }

// Evaluation is one evaluation a unit reports: one filled-in form.
type Evaluation struct {
	ID       int64
	RoundID  int64
	UnitID   int64
	Complete bool // validated and saved; false for a draft
	Answers  form.Answers
	// Facts is what a report counts of a complete evaluation, when it was
	// loaded for a report without its answers (Answers is then nil); nil
	// otherwise.
	Facts     *facts.Facts
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the writes of the evaluation: 1 when created, one more
	// for every save, which the store refuses unless it names the version
	// it replaces. A form carries the version it was loaded with, so a save
	// from a stale form is recognised (see respond.Service.Save).
	Version int64
	// Excluded is set when the working group has ruled the evaluation out
	// of the study's scope ("utanför avgränsningen"); it then counts
	// nowhere (Unit.Standing). nil for an evaluation that is in.
	Excluded *Exclusion
}

// Title is the evaluation's name, or a placeholder for an unnamed draft.
func (e Evaluation) Title() string {
	if t := e.Name(); t != "" {
		return t
	}
	return "(namnlöst utkast)"
}

// Name is the evaluation's benamning as given, from its answers or, when
// it was loaded for a report without them, its facts; "" when it has none.
func (e Evaluation) Name() string {
	if e.Answers != nil {
		return e.Answers.Get("benamning")
	}
	if e.Facts != nil {
		return e.Facts.Title
	}
	return ""
}

// Progress is where a unit stands in the round, as the project lead sees it.
type Progress string

const (
	NotInvited        Progress = "ej_inbjuden"
	Invited           Progress = "inbjuden"
	Opened            Progress = "oppnad"
	Draft             Progress = "utkast"
	ProgressSubmitted Progress = "inskickad"
	ProgressNone      Progress = "inga_utvarderingar"
	ProgressDeclined  Progress = "avbojt"
)

// ProgressSteps lists the steps in the order a unit goes through them.
var ProgressSteps = []Progress{NotInvited, Invited, Opened, Draft, ProgressSubmitted, ProgressNone, ProgressDeclined}

// Label is the Swedish name of the progress step.
func (p Progress) Label() string {
	switch p {
	case NotInvited:
		return "Ej inbjuden"
	case Invited:
		return "Inbjuden"
	case Opened:
		return "Har öppnat länken"
	case Draft:
		return "Utkast"
	case ProgressSubmitted:
		return "Inskickad"
	case ProgressNone:
		return "Inga utvärderingar"
	case ProgressDeclined:
		return "Avböjt"
	}
	return string(p)
}

// ProgressOf derives the unit's progress from its answer, its link's use and
// how many evaluations it has stored.
func ProgressOf(u Unit, evaluations int) Progress {
	switch u.Response {
	case Submitted:
		return ProgressSubmitted
	case NoEvaluations:
		return ProgressNone
	case Declined:
		return ProgressDeclined
	}
	switch {
	case evaluations > 0:
		return Draft
	case u.OpenedAt != nil:
		return Opened
	case u.InvitedAt != nil:
		return Invited
	}
	return NotInvited
}
