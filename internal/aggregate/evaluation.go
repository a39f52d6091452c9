package aggregate

import (
	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/round"
)

// Cost kinds, in öre (hundredths of a krona) so that sums stay exact.
const (
	costLon = iota
	costKonsult
	costMaterial
	costOvrigt
	costUnsplit // kostnad_totalt_kr given without a breakdown
	costTotal
	nCost
)

// evaluationFacts returns what the report counts of a complete evaluation:
// the facts the store loaded with it, or else those read from its answers
// (an import, a fixture). Both come from facts.From, so a report is the same
// whichever way its data came.
func evaluationFacts(e *round.Evaluation) (*facts.Facts, error) {
	if e.Facts != nil {
		return e.Facts, nil
	}
	f, err := facts.From(e.Answers)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// costs are an evaluation's costs by kind, in öre.
func costs(f *facts.Facts, hourlyRate int64) (c [nCost]int64, given bool) {
	p := f.Costs(hourlyRate)
	c[costLon], c[costKonsult], c[costMaterial], c[costOvrigt] = p.Lon, p.Konsult, p.Material, p.Ovrigt
	c[costUnsplit], c[costTotal] = p.Unsplit, p.Total
	return c, p.Given
}
