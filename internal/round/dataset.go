package round

import "time"

// Dataset is a round's content in one value: what an import brings, what an
// export writes and what the aggregator reads. Units refer to kommuner by
// name; each unit carries its evaluations.
type Dataset struct {
	Kommuner []Kommun
	Units    []UnitData
	// Texts are the report's own words (comments and the reflection); the
	// report shows them, the interchange format does not carry them.
	Texts []ReportText
	// PopulationSource, on import, says where the kommuner's populations
	// come from and when; it is recorded on the round (Round.PopulationSource).
	PopulationSource string
}

// ReportText is words the report carries besides its figures: a kommun's
// comment on its own results, or (Kommun empty) the network's
// "Reflektioner och förslag", written by the working group.
type ReportText struct {
	Kommun    string // "" for the network's reflection
	Body      string
	UpdatedBy string
	UpdatedAt time.Time
}

// MaxReportText is the most characters of one report text.
const MaxReportText = 6000

// UnitData is a unit with its evaluations.
type UnitData struct {
	Unit
	Evaluations []Evaluation
	// Unsubmitted counts the unit's stored evaluations that are left out of
	// Evaluations because the unit has not sent them in (its answer is not
	// "inskickad", or they are drafts); UnsubmittedDrafts counts the drafts
	// among them. The report says how many it left out. Always 0 in an
	// import, whose evaluations all count.
	Unsubmitted       int
	UnsubmittedDrafts int
	// Excluded are the unit's sent-in evaluations that the working group
	// ruled out of scope (each with its Excluded reason): left out of
	// Evaluations and of every count, listed by the report. Always empty
	// in an import.
	Excluded []Evaluation
}

// Population maps each kommun's name to its population (nil when unknown).
func (d Dataset) Population() map[string]*int64 {
	m := make(map[string]*int64, len(d.Kommuner))
	for _, k := range d.Kommuner {
		m[k.Name] = k.Population
	}
	return m
}

// EvaluationCount is the number of distinct evaluations (a shared unit's once).
func (d Dataset) EvaluationCount() int {
	n := 0
	for _, u := range d.Units {
		n += len(u.Evaluations)
	}
	return n
}
