// Package aggregate holds pure functions from a round's data to the tables of
// design §5: per kommun the evaluation count, usage, the initiator table,
// costs, user surveys, responsibility, unused evaluations and response; for
// the network the distinct totals and means. It reads a round.Dataset and
// returns a Report; it neither stores nor renders anything.
//
// The Report's JSON encoding is the report JSON contract of design §6 (plus
// a few extra keys); struct fields are declared in the order their keys are
// written.
package aggregate

import "github.com/inventera/inventera/internal/facts"

// UsageKeys are the options of `anvandning`, in the order every table shows
// them.
var UsageKeys = []string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat", "inte_alls"}

// InitiatorKeys are the rows of the initiator table (Tabell 3–10): the
// options of `uppdragsgivare_typ`, "ej_angiven" for a blank one, and
// "totalt".
var InitiatorKeys = []string{"extern", "politisk", "verksamhet", "ej_angiven", "totalt"}

// Status of a non-responding unit.
const (
	StatusDeclined     = "avbojt"    // the unit declined, usually with a reason
	StatusNotResponded = "ej_svarat" // the unit never answered
)

// Report is a round's aggregates.
type Report struct {
	Round          RoundInfo      `json:"round"`
	Municipalities []Municipality `json:"municipalities"`
	Network        Network        `json:"network"`
	// Findings are derived from the figures by DeriveFindings (design §5).
	Findings []Finding `json:"findings"`
	// Reflection is the network's "Reflektioner och förslag", written by
	// the working group; empty when none is written.
	Reflection string `json:"reflection"`
	// Comparison is set by Compare when the report is compared with an
	// earlier round (design §5): which round, and which kommuner took part
	// in one of the two only.
	Comparison *Comparison `json:"comparison,omitempty"`

	// EqualSplitUnits names the shared units whose costs were to be split by
	// population but were split equally, because a member's population is
	// unknown. Renderers should say so; it is not part of the JSON.
	EqualSplitUnits []string `json:"-"`
}

// RoundInfo identifies the round.
type RoundInfo struct {
	Name       string `json:"name"`
	HourlyRate int64  `json:"hourly_rate"`
	// PopulationSource is where the kommuner's populations come from and
	// when, e.g. "SCB 2009-12-31"; empty when not given.
	PopulationSource string `json:"population_source"`
}

// Municipality is one kommun's tables. A shared unit's evaluations count
// whole here; only its costs are apportioned.
type Municipality struct {
	Name              string             `json:"name"`
	Kommunkod         string             `json:"kommunkod,omitempty"` // SCB's code; "" when not given
	Population        *int64             `json:"population"`          // nil when unknown
	Evaluations       int                `json:"evaluations"`
	ByInitiator       ByInitiator        `json:"by_initiator"`
	Usage             Usage              `json:"usage"`
	ByInitiatorShares ByInitiatorShares  `json:"by_initiator_shares"`
	Costs             Costs              `json:"costs"`
	UserSurveys       int                `json:"user_surveys"`
	UserSurveyShare   float64            `json:"user_survey_share"`
	UserSurveyTable   []SurveyRow        `json:"user_survey_table"`
	Responsibility    Responsibility     `json:"responsibility"`
	Unused            []UnusedEvaluation `json:"unused"`
	Response          Response           `json:"response"`
	NonResponding     []NonResponding    `json:"non_responding"`
	// Evaluations of the kommun's units (a shared unit's whole) that the
	// report leaves out because their unit has not sent them in.
	UnsubmittedEvaluations int               `json:"unsubmitted_evaluations"`
	UnsubmittedDrafts      int               `json:"unsubmitted_drafts"`
	UnsubmittedUnits       []UnsubmittedUnit `json:"unsubmitted_units"`
	// Standing is where the kommun stands against the network's means,
	// set with the findings.
	Standing Standing `json:"standing"`
	// Comment is the kommun's own comment on its results; empty when none
	// is written.
	Comment string `json:"comment"`
	// Evaluations the working group ruled out of scope: they count nowhere
	// above (design §5, "Review").
	Excluded []ExcludedEvaluation `json:"excluded"`

	// Set by Compare (design §5, §6): the earlier round's own figures for
	// the kommun and the change since then; nil for a kommun that did not
	// take part in the earlier round, which Compared then says.
	Previous *Figures        `json:"previous,omitempty"`
	Change   *Figures        `json:"change,omitempty"`
	Compared *KommunCompared `json:"compared,omitempty"`
	// Recurrence, set by WithRecurrence for a kommun in both rounds: which
	// of its evaluations recur, are new and were dropped.
	Recurrence *Recurrence `json:"recurrence,omitempty"`
}

// UsageCounts counts evaluations per `anvandning` option.
type UsageCounts struct {
	PolitisktBeslut  int `json:"politiskt_beslut"`
	Handlingsplan    int `json:"handlingsplan"`
	BudgetMalprocess int `json:"budget_malprocess"`
	Annat            int `json:"annat"`
	InteAlls         int `json:"inte_alls"`
}

// Get returns the count for one of UsageKeys (0 for another key).
func (u UsageCounts) Get(key string) int {
	if i := usageIndex(key); i >= 0 {
		return u.values()[i]
	}
	return 0
}

func (u UsageCounts) values() [nUsage]int {
	return [nUsage]int{u.PolitisktBeslut, u.Handlingsplan, u.BudgetMalprocess, u.Annat, u.InteAlls}
}

// Shares divides the counts by n; all shares are 0 when n is 0.
func (u UsageCounts) Shares(n int) UsageShares {
	v := u.values()
	var s [nUsage]float64
	if n > 0 {
		for i := range v {
			s[i] = float64(v[i]) / float64(n)
		}
	}
	return usageShares(s)
}

func usageCounts(v [nUsage]int) UsageCounts {
	return UsageCounts{v[0], v[1], v[2], v[3], v[4]}
}

// UsageShares holds a fraction (0–1) per `anvandning` option.
type UsageShares struct {
	PolitisktBeslut  float64 `json:"politiskt_beslut"`
	Handlingsplan    float64 `json:"handlingsplan"`
	BudgetMalprocess float64 `json:"budget_malprocess"`
	Annat            float64 `json:"annat"`
	InteAlls         float64 `json:"inte_alls"`
}

// Get returns the share for one of UsageKeys (0 for another key).
func (u UsageShares) Get(key string) float64 {
	if i := usageIndex(key); i >= 0 {
		return [nUsage]float64{u.PolitisktBeslut, u.Handlingsplan, u.BudgetMalprocess, u.Annat, u.InteAlls}[i]
	}
	return 0
}

func usageShares(v [nUsage]float64) UsageShares {
	return UsageShares{v[0], v[1], v[2], v[3], v[4]}
}

// Usage is how the results were used: counts and shares of the kommun's
// evaluations.
type Usage struct {
	Counts UsageCounts `json:"counts"`
	Shares UsageShares `json:"shares"`
}

// InitiatorRow is one row of the initiator table: how many evaluations the
// initiator type started and how many of them were used in each way.
type InitiatorRow struct {
	Count int `json:"count"`
	UsageCounts
}

// ByInitiator is the initiator table in counts, one row per InitiatorKeys.
type ByInitiator struct {
	Extern     InitiatorRow `json:"extern"`
	Politisk   InitiatorRow `json:"politisk"`
	Verksamhet InitiatorRow `json:"verksamhet"`
	EjAngiven  InitiatorRow `json:"ej_angiven"`
	Totalt     InitiatorRow `json:"totalt"`
}

// Row returns the row for one of InitiatorKeys (a zero row for another key).
func (b ByInitiator) Row(key string) InitiatorRow {
	if i := initiatorIndex(key); i >= 0 {
		return [nInitiator]InitiatorRow{b.Extern, b.Politisk, b.Verksamhet, b.EjAngiven, b.Totalt}[i]
	}
	return InitiatorRow{}
}

// InitiatorShareRow is an initiator row as the study prints it: the count,
// and each usage as a fraction of that count (0 when the count is 0).
type InitiatorShareRow struct {
	Count int `json:"count"`
	UsageShares
}

// ByInitiatorShares is the initiator table in shares, one row per
// InitiatorKeys.
type ByInitiatorShares struct {
	Extern     InitiatorShareRow `json:"extern"`
	Politisk   InitiatorShareRow `json:"politisk"`
	Verksamhet InitiatorShareRow `json:"verksamhet"`
	EjAngiven  InitiatorShareRow `json:"ej_angiven"`
	Totalt     InitiatorShareRow `json:"totalt"`
}

// Row returns the row for one of InitiatorKeys (a zero row for another key).
func (b ByInitiatorShares) Row(key string) InitiatorShareRow {
	if i := initiatorIndex(key); i >= 0 {
		return [nInitiator]InitiatorShareRow{b.Extern, b.Politisk, b.Verksamhet, b.EjAngiven, b.Totalt}[i]
	}
	return InitiatorShareRow{}
}

// Costs are a kommun's costs in kronor, unrounded. A shared unit's costs are
// apportioned by its fordelning; WithCost counts its evaluations whole.
type Costs struct {
	Lon         float64  `json:"lon"`
	Konsult     float64  `json:"konsult"`
	Material    float64  `json:"material"`
	Ovrigt      float64  `json:"ovrigt"`
	Total       float64  `json:"total"`
	WithCost    int      `json:"with_cost"`
	PerInvanare *float64 `json:"per_invanare"` // nil when the population is unknown

	// EjUppdelat is the part of Total given as kostnad_totalt_kr only, not
	// broken down by kind (apportioned like the rest).
	EjUppdelat float64 `json:"ej_uppdelat"`
	// TotalOnly counts the evaluations whose cost is a total alone;
	// WithoutCost those with no cost field at all (a shared unit's whole).
	TotalOnly   int `json:"total_only"`
	WithoutCost int `json:"without_cost"`
	// Timmar is the own time given, in hours, and WithTimmar the evaluations
	// that gave it; a shared unit's count whole, as in the counts, so that
	// Timmar / WithTimmar is the hours per evaluation.
	Timmar     float64 `json:"timmar"`
	WithTimmar int     `json:"with_timmar"`
}

// Parts are the costs by kind: lön, konsult, material, övrigt, and the part
// given as totals without a breakdown (ej uppdelat); they sum to Total.
func (c Costs) Parts() [5]float64 {
	return [5]float64{c.Lon, c.Konsult, c.Material, c.Ovrigt, c.EjUppdelat}
}

// NetworkCosts are the network's real cost totals in kronor; WithCost counts
// distinct evaluations with any cost field given.
type NetworkCosts struct {
	Lon      float64 `json:"lon"`
	Konsult  float64 `json:"konsult"`
	Material float64 `json:"material"`
	Ovrigt   float64 `json:"ovrigt"`
	Total    float64 `json:"total"`
	WithCost int     `json:"with_cost"`

	EjUppdelat  float64 `json:"ej_uppdelat"`
	TotalOnly   int     `json:"total_only"`
	WithoutCost int     `json:"without_cost"`
	Timmar      float64 `json:"timmar"`
	WithTimmar  int     `json:"with_timmar"`
	// PerInvanare is Total over Network.Population; nil when a kommun's
	// population is unknown.
	PerInvanare *float64 `json:"per_invanare"`
	// PerInvanareRange is the lowest and highest kommun cost per
	// inhabitant, over the kommuner with evaluations and a known
	// population; nil when there is none.
	PerInvanareRange *Range `json:"per_invanare_range"`
}

// Parts are the network's costs by kind, as Costs.Parts.
func (c NetworkCosts) Parts() [5]float64 {
	return [5]float64{c.Lon, c.Konsult, c.Material, c.Ovrigt, c.EjUppdelat}
}

// Range is the lowest and the highest of a figure over the kommuner, and
// which kommuner have them (several when they tie).
type Range struct {
	Min     float64  `json:"min"`
	Max     float64  `json:"max"`
	Lowest  []string `json:"lowest"`
	Highest []string `json:"highest"`
}

// SurveyRow is one row of the user-survey table (Tabell 5, 8): the user
// surveys of one unit with one målgrupp and one set of methods.
type SurveyRow struct {
	Enhet    string   `json:"enhet"`
	Omrade   string   `json:"omrade"`
	Malgrupp string   `json:"malgrupp"`
	Metod    []string `json:"metod"` // option codes in form order
	Count    int      `json:"count"`
}

// Responsibility counts evaluations by who is responsible for the result.
type Responsibility struct {
	InitiatorIsOwner int `json:"initiator_is_owner"`
	NoOwner          int `json:"no_owner"`
	MultipleOwners   int `json:"multiple_owners"`
}

// UnusedEvaluation is an evaluation whose result was not used at all.
type UnusedEvaluation struct {
	Benamning         string  `json:"benamning"`
	Enhet             string  `json:"enhet"`
	UppdragsgivareTyp string  `json:"uppdragsgivare_typ"` // "ej_angiven" when blank
	Kostnad           float64 `json:"kostnad"`            // the evaluation's whole cost in kr (a shared unit's not apportioned)
}

// Response counts a kommun's units by their answer; a shared unit counts in
// each member kommun.
type Response struct {
	Units              int      `json:"units"`
	Submitted          int      `json:"submitted"`
	IngaUtvarderingar  int      `json:"inga_utvarderingar"`
	Declined           int      `json:"declined"`
	NotResponded       int      `json:"not_responded"`
	NonRespondingUnits []string `json:"non_responding_units"`
	// Rate is the share of the units that answered: submitted or "inga
	// utvärderingar" (0 without units).
	Rate float64 `json:"rate"`
}

// NetworkResponse counts the round's distinct units by their answer (a
// shared unit once).
type NetworkResponse struct {
	Units             int `json:"units"`
	Submitted         int `json:"submitted"`
	IngaUtvarderingar int `json:"inga_utvarderingar"`
	Declined          int `json:"declined"`
	NotResponded      int `json:"not_responded"`
}

// NonResponding is a unit that declined or never answered.
type NonResponding struct {
	Enhet  string `json:"enhet"`
	Status string `json:"status"` // StatusDeclined or StatusNotResponded
	Reason string `json:"reason"`
}

// UnsubmittedUnit is a unit whose stored evaluations the report leaves out
// because the unit has not sent them in (never submitted, took its answer
// back, or declined): what was entered but does not count.
type UnsubmittedUnit struct {
	Enhet       string   `json:"enhet"`
	Kommuner    []string `json:"kommuner"`
	Evaluations int      `json:"evaluations"`
	Drafts      int      `json:"drafts"` // of Evaluations, those not complete
}

// Network is the network's summary. Evaluations of a shared unit count once.
type Network struct {
	Evaluations             int          `json:"evaluations"`
	UsageMean               UsageShares  `json:"usage_mean"`   // unweighted mean over kommuner with evaluations
	UsagePooled             UsageShares  `json:"usage_pooled"` // share of the distinct evaluations
	Costs                   NetworkCosts `json:"costs"`
	UserSurveys             int          `json:"user_surveys"`
	Unused                  int          `json:"unused"`
	UnusedCost              float64      `json:"unused_cost"` // kr the unused evaluations cost, each counted once
	KommunerWithEvaluations int          `json:"kommuner_with_evaluations"`
	UsagePooledCounts       UsageCounts  `json:"usage_pooled_counts"`
	// Distinct evaluations (a shared unit's once) left out because their
	// unit has not sent them in, and those units.
	UnsubmittedEvaluations int               `json:"unsubmitted_evaluations"`
	UnsubmittedDrafts      int               `json:"unsubmitted_drafts"`
	UnsubmittedUnits       []UnsubmittedUnit `json:"unsubmitted_units"`

	// ResponseRate is the share of the round's distinct units that
	// answered (submitted, or "inga utvärderingar"); Response the counts.
	ResponseRate float64         `json:"response_rate"`
	Response     NetworkResponse `json:"response"`
	// EvaluationsPerKommun is Σ of the kommuner's counts: a shared unit's
	// evaluations count in each member kommun, so it exceeds Evaluations
	// when units are shared. Per-kommun figures (initiator rows,
	// responsibility) sum to this base.
	EvaluationsPerKommun int `json:"evaluations_per_kommun"`
	// UserSurveyMean is the unweighted mean of the kommuner's user-survey
	// shares, over the kommuner with evaluations (like UsageMean);
	// UserSurveyPooled the share of the distinct evaluations.
	UserSurveyMean   float64 `json:"user_survey_mean"`
	UserSurveyPooled float64 `json:"user_survey_pooled"`
	// UnusedCostShare is UnusedCost as a share of Costs.Total (0 when
	// there is no cost).
	UnusedCostShare float64 `json:"unused_cost_share"`
	// Population is Σ of the kommuner's populations; nil when one is
	// unknown.
	Population *int64 `json:"population"`
	// Evaluations the working group ruled out of scope: they count nowhere
	// above (design §5, "Review").
	Excluded []ExcludedEvaluation `json:"excluded"`

	// Set by Compare: the earlier round's own network figures and the
	// change since then.
	Previous *Figures `json:"previous,omitempty"`
	Change   *Figures `json:"change,omitempty"`
}

// The package's own copies: the exported slices could be changed by a caller.
var (
	usageKeys     = facts.UsageOptions
	initiatorKeys = [nInitiator]string{
		facts.InitiatorKinds[facts.Extern], facts.InitiatorKinds[facts.Politisk],
		facts.InitiatorKinds[facts.Verksamhet], facts.InitiatorKinds[facts.EjAngiven], "totalt"}
)

const (
	nUsage     = facts.NUsage
	nInitiator = facts.NInitiator + 1 // including totalt
	totalt     = nInitiator - 1
)

func usageIndex(key string) int {
	for i, k := range usageKeys {
		if k == key {
			return i
		}
	}
	return -1
}

func initiatorIndex(key string) int {
	for i, k := range initiatorKeys {
		if k == key {
			return i
		}
	}
	return -1
}
