package aggregate

// The trend over the rounds linked by carry-forward (design §5): each
// round's network figures as its own report gives them, oldest first.

// MaxTrendRounds is the most rounds a trend follows, the current one
// included.
const MaxTrendRounds = 10

// TrendPoint is one round of a trend: its name, how many kommuner took
// part, and its network figures (NetworkFigures).
type TrendPoint struct {
	Round    string `json:"round"`
	Kommuner int    `json:"kommuner"`
	Figures
}

// Trend gives the network figures of each round's basis (BasisOf), in
// the order given (oldest first), at most the last MaxTrendRounds.
func Trend(reports []*Basis) []TrendPoint {
	if len(reports) > MaxTrendRounds {
		reports = reports[len(reports)-MaxTrendRounds:]
	}
	out := make([]TrendPoint, 0, len(reports))
	for _, r := range reports {
		if r == nil {
			continue
		}
		out = append(out, TrendPoint{Round: r.Round.Name, Kommuner: len(r.Kommuner), Figures: cloneFigures(r.Network)})
	}
	return out
}

// WithTrend returns a copy of a compared report with the trend set
// (Comparison.Trend); rep is not changed. A trend of fewer than two
// rounds is left out.
func WithTrend(rep *Report, trend []TrendPoint) *Report {
	if rep == nil || rep.Comparison == nil || len(trend) < 2 {
		return rep
	}
	out := *rep
	cmp := *rep.Comparison
	cmp.Trend = trend
	out.Comparison = &cmp
	return &out
}
