package round

// Dataset is a round's content in one value: what an import brings, what an
// export writes and what the aggregator reads. Units refer to kommuner by
// name; each unit carries its evaluations.
type Dataset struct {
	Kommuner []Kommun
	Units    []UnitData
}

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
