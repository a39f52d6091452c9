package aggregate

import (
	"slices"
	"strings"

	"github.com/inventera/inventera/internal/round"
)

// ExcludedEvaluation is an evaluation the working group ruled out of the
// study's scope ("utanför avgränsningen"): it counts nowhere (not in counts,
// usage, costs, surveys or unused) and the report's methods note lists it.
type ExcludedEvaluation struct {
	Benamning string `json:"benamning"`
	Enhet     string `json:"enhet"`
	// Kommun is, in a kommun's list, that kommun; in the network's list,
	// the unit's kommun (a shared unit's member kommuner joined by ", ").
	Kommun   string   `json:"kommun"`
	Reason   string   `json:"reason"`
	Kommuner []string `json:"kommuner"` // the unit's member kommuner
}

// excludedOf lists a unit's excluded evaluations as the network lists them.
func excludedOf(u round.UnitData) []ExcludedEvaluation {
	out := make([]ExcludedEvaluation, 0, len(u.Excluded))
	for _, e := range u.Excluded {
		x := ExcludedEvaluation{Benamning: e.Title(), Enhet: u.Name, Kommun: strings.Join(u.Kommuner, ", "),
			Kommuner: slices.Clone(u.Kommuner)}
		if e.Excluded != nil {
			x.Reason = e.Excluded.Reason
		}
		out = append(out, x)
	}
	return out
}

// inKommun is the list as one member kommun's section shows it.
func inKommun(xs []ExcludedEvaluation, kommun string) []ExcludedEvaluation {
	out := make([]ExcludedEvaluation, len(xs))
	for i, x := range xs {
		x.Kommun = kommun
		out[i] = x
	}
	return out
}

// sortExcluded orders the list by kommun, unit and name (Swedish order)
// and makes an empty list encode as [].
func sortExcluded(xs []ExcludedEvaluation, col *collator) []ExcludedEvaluation {
	xs = nonNil(xs)
	slices.SortStableFunc(xs, func(a, b ExcludedEvaluation) int {
		if c := col.compare(a.Kommun, b.Kommun); c != 0 {
			return c
		}
		if c := col.compare(a.Enhet, b.Enhet); c != 0 {
			return c
		}
		return col.compare(a.Benamning, b.Benamning)
	})
	return xs
}
