package aggregate

import (
	"slices"

	"github.com/inventera/inventera/internal/round"
)

// Comparison with an earlier round (design §5, §6): Compare takes a round's
// report and the earlier round's own report, both computed by Compute, and
// gives each kommun found in both rounds, and the network, the earlier
// figures (`previous`) and the change since then (`change` = current −
// previous). Kommuner are matched by kommunkod where both rounds have it,
// else by name (round.MatchKommuner). A kommun in one round only is listed
// as such and never shown as a zero.

// Comparison statuses of a kommun.
const (
	InBoth       = "both"          // the kommun took part in both rounds
	OnlyCurrent  = "only_current"  // it takes part in the current round only
	OnlyPrevious = "only_previous" // it took part in the earlier round only
)

// Figures are the figures of a kommun or of the network that a comparison
// follows from round to round: the earlier round's own figures, or the
// change (current − previous) in the same keys.
type Figures struct {
	Evaluations int         `json:"evaluations"`
	Costs       FigureCosts `json:"costs"`
	UserSurveys int         `json:"user_surveys"`
	// UserSurveyShare is nil without evaluations (and in a change when
	// either round has none): a share of nothing is not a zero.
	UserSurveyShare *float64 `json:"user_survey_share"`
	// Usage is the share of the evaluations behind each use; for the
	// network the share of its distinct evaluations (usage_pooled). Nil
	// without evaluations.
	Usage *UsageShares `json:"usage"`
	// UsageMean is the network's unweighted mean over its kommuner
	// (usage_mean); nil for a kommun and without evaluations.
	UsageMean   *UsageShares   `json:"usage_mean,omitempty"`
	UsageCounts UsageCounts    `json:"usage_counts"`
	Unused      int            `json:"unused"`
	Response    FigureResponse `json:"response"`
}

// FigureCosts are the compared costs in kronor, unrounded.
type FigureCosts struct {
	Total float64 `json:"total"`
	// PerInvanare is nil when the population is unknown (in a change: in
	// either round).
	PerInvanare *float64 `json:"per_invanare"`
	WithCost    int      `json:"with_cost"`
}

// FigureResponse is the compared response: units by their answer, and the
// share that answered (nil without units).
type FigureResponse struct {
	Units             int      `json:"units"`
	Submitted         int      `json:"submitted"`
	IngaUtvarderingar int      `json:"inga_utvarderingar"`
	Declined          int      `json:"declined"`
	NotResponded      int      `json:"not_responded"`
	Rate              *float64 `json:"rate"`
}

// Comparison says which round a report is compared with and how its
// kommuner were matched.
type Comparison struct {
	// Round is the earlier round.
	Round RoundInfo `json:"round"`
	// Kommuner counts the kommuner in both rounds; MatchedByCode those of
	// them matched by kommunkod.
	Kommuner      int `json:"kommuner"`
	MatchedByCode int `json:"matched_by_code"`
	// OnlyCurrent names the kommuner of the current round that did not
	// take part in the earlier one; OnlyPrevious the kommuner of the
	// earlier round that do not take part now, with their figures then.
	OnlyCurrent  []string         `json:"only_current"`
	OnlyPrevious []PreviousKommun `json:"only_previous"`
	// Recurrence, set by WithRecurrence, is the network's: each
	// evaluation once.
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// Trend, set by WithTrend, is the network's figures in each round
	// linked by carry-forward, oldest first, the current one last.
	Trend []TrendPoint `json:"trend,omitempty"`
}

// PreviousKommun is a kommun that took part in the earlier round only.
type PreviousKommun struct {
	Name      string  `json:"name"`
	Kommunkod string  `json:"kommunkod,omitempty"`
	Previous  Figures `json:"previous"`
}

// KommunCompared is how a kommun of the current round was matched.
type KommunCompared struct {
	Status string `json:"status"` // InBoth or OnlyCurrent
	// PreviousName is the kommun's name in the earlier round when it
	// differs (matched by kommunkod: "Falu kommun" then, "Falun" now).
	PreviousName string `json:"previous_name,omitempty"`
	ByCode       bool   `json:"by_code"`
}

// Basis is what comparing a report with an earlier round reads of the
// earlier round's own report (Compare, Trend): its round, each kommun's
// name, code and figures, and the network's figures — not its lists of
// evaluations and units, so that a published round's basis is small to
// keep and quick to read again (package comparison keeps it).
type Basis struct {
	Round    RoundInfo
	Kommuner []BasisKommun
	Network  Figures
}

// BasisKommun is a kommun of a Basis.
type BasisKommun struct {
	Name, Kommunkod string
	Figures         Figures
}

// BasisOf is the basis of comparing with a report; nil for nil.
func BasisOf(r *Report) *Basis {
	if r == nil {
		return nil
	}
	b := &Basis{Round: r.Round, Network: NetworkFigures(r.Network), Kommuner: make([]BasisKommun, len(r.Municipalities))}
	for i, m := range r.Municipalities {
		b.Kommuner[i] = BasisKommun{Name: m.Name, Kommunkod: m.Kommunkod, Figures: KommunFigures(m)}
	}
	return b
}

// Compare returns a copy of cur compared with prev, the basis of the
// earlier round's own report (BasisOf): each kommun in both rounds, and
// the network, get Previous (prev's figures as prev gives them) and
// Change; each kommun gets Compared; the report gets Comparison and the
// findings about change (appended to Findings, marked Change). cur and
// prev are not changed.
func Compare(cur *Report, prev *Basis) *Report {
	if cur == nil {
		return nil
	}
	out := *cur
	out.Municipalities = slices.Clone(cur.Municipalities)
	out.Findings = slices.Clone(cur.Findings)
	if prev == nil {
		return &out
	}
	prevK := basisKommunList(prev.Kommuner)
	curK := kommunList(out.Municipalities)
	cmp := &Comparison{Round: prev.Round, OnlyCurrent: []string{}, OnlyPrevious: []PreviousKommun{}}
	for _, p := range round.MatchKommuner(prevK, curK) {
		switch {
		case p.Both():
			m := &out.Municipalities[indexOf(curK, p.Current)]
			pm := prev.Kommuner[indexOf(prevK, p.Previous)]
			before, now := cloneFigures(pm.Figures), KommunFigures(*m)
			change := difference(now, before)
			m.Previous, m.Change = &before, &change
			m.Compared = &KommunCompared{Status: InBoth, ByCode: p.ByCode}
			if pm.Name != m.Name {
				m.Compared.PreviousName = pm.Name
			}
			cmp.Kommuner++
			if p.ByCode {
				cmp.MatchedByCode++
			}
		case p.Current != nil:
			m := &out.Municipalities[indexOf(curK, p.Current)]
			m.Previous, m.Change = nil, nil
			m.Compared = &KommunCompared{Status: OnlyCurrent}
			cmp.OnlyCurrent = append(cmp.OnlyCurrent, m.Name)
		default:
			pm := prev.Kommuner[indexOf(prevK, p.Previous)]
			cmp.OnlyPrevious = append(cmp.OnlyPrevious, PreviousKommun{Name: pm.Name, Kommunkod: pm.Kommunkod, Previous: cloneFigures(pm.Figures)})
		}
	}
	before, now := cloneFigures(prev.Network), NetworkFigures(out.Network)
	change := difference(now, before)
	out.Network.Previous, out.Network.Change = &before, &change
	out.Comparison = cmp
	out.Findings = append(out.Findings, changeFindings(&out)...)
	return &out
}

// cloneFigures is a copy of f that shares nothing with it: a basis is
// read by many reports, which must not reach into it.
func cloneFigures(f Figures) Figures {
	f.Costs.PerInvanare = clonePtr(f.Costs.PerInvanare)
	f.UserSurveyShare = clonePtr(f.UserSurveyShare)
	f.Usage = clonePtr(f.Usage)
	f.UsageMean = clonePtr(f.UsageMean)
	f.Response.Rate = clonePtr(f.Response.Rate)
	return f
}

// kommunList is what kommun matching reads of a report's kommuner.
func kommunList(ms []Municipality) []round.Kommun {
	out := make([]round.Kommun, len(ms))
	for i, m := range ms {
		out[i] = round.Kommun{Name: m.Name, Kommunkod: m.Kommunkod}
	}
	return out
}

// basisKommunList is what kommun matching reads of a basis' kommuner.
func basisKommunList(ks []BasisKommun) []round.Kommun {
	out := make([]round.Kommun, len(ks))
	for i, k := range ks {
		out[i] = round.Kommun{Name: k.Name, Kommunkod: k.Kommunkod}
	}
	return out
}

// indexOf finds the element of ks that k points to.
func indexOf(ks []round.Kommun, k *round.Kommun) int {
	for i := range ks {
		if &ks[i] == k {
			return i
		}
	}
	panic("aggregate: kommun pair points outside its list")
}

// KommunFigures are a kommun's compared figures, as its report gives them.
func KommunFigures(m Municipality) Figures {
	f := Figures{
		Evaluations: m.Evaluations,
		Costs:       FigureCosts{Total: m.Costs.Total, PerInvanare: clonePtr(m.Costs.PerInvanare), WithCost: m.Costs.WithCost},
		UserSurveys: m.UserSurveys,
		UsageCounts: m.Usage.Counts,
		Unused:      m.Usage.Counts.InteAlls,
		Response: FigureResponse{Units: m.Response.Units, Submitted: m.Response.Submitted,
			IngaUtvarderingar: m.Response.IngaUtvarderingar, Declined: m.Response.Declined, NotResponded: m.Response.NotResponded},
	}
	if m.Evaluations > 0 {
		f.UserSurveyShare = ptr(m.UserSurveyShare)
		f.Usage = ptr(m.Usage.Shares)
	}
	if m.Response.Units > 0 {
		f.Response.Rate = ptr(m.Response.Rate)
	}
	return f
}

// NetworkFigures are the network's compared figures, as its report gives
// them.
func NetworkFigures(n Network) Figures {
	f := Figures{
		Evaluations: n.Evaluations,
		Costs:       FigureCosts{Total: n.Costs.Total, PerInvanare: clonePtr(n.Costs.PerInvanare), WithCost: n.Costs.WithCost},
		UserSurveys: n.UserSurveys,
		UsageCounts: n.UsagePooledCounts,
		Unused:      n.Unused,
		Response: FigureResponse{Units: n.Response.Units, Submitted: n.Response.Submitted,
			IngaUtvarderingar: n.Response.IngaUtvarderingar, Declined: n.Response.Declined, NotResponded: n.Response.NotResponded},
	}
	if n.Evaluations > 0 {
		f.UserSurveyShare = ptr(n.UserSurveyPooled)
		f.Usage = ptr(n.UsagePooled)
		f.UsageMean = ptr(n.UsageMean)
	}
	if n.Response.Units > 0 {
		f.Response.Rate = ptr(n.ResponseRate)
	}
	return f
}

// difference is now − before, key by key; a share or an amount per
// inhabitant that either side lacks has no change (nil).
func difference(now, before Figures) Figures {
	return Figures{
		Evaluations: now.Evaluations - before.Evaluations,
		Costs: FigureCosts{
			Total:       now.Costs.Total - before.Costs.Total,
			PerInvanare: minus(now.Costs.PerInvanare, before.Costs.PerInvanare),
			WithCost:    now.Costs.WithCost - before.Costs.WithCost,
		},
		UserSurveys:     now.UserSurveys - before.UserSurveys,
		UserSurveyShare: minus(now.UserSurveyShare, before.UserSurveyShare),
		Usage:           minusShares(now.Usage, before.Usage),
		UsageMean:       minusShares(now.UsageMean, before.UsageMean),
		UsageCounts:     usageCounts(subInts(now.UsageCounts.values(), before.UsageCounts.values())),
		Unused:          now.Unused - before.Unused,
		Response: FigureResponse{
			Units:             now.Response.Units - before.Response.Units,
			Submitted:         now.Response.Submitted - before.Response.Submitted,
			IngaUtvarderingar: now.Response.IngaUtvarderingar - before.Response.IngaUtvarderingar,
			Declined:          now.Response.Declined - before.Response.Declined,
			NotResponded:      now.Response.NotResponded - before.Response.NotResponded,
			Rate:              minus(now.Response.Rate, before.Response.Rate),
		},
	}
}

func subInts(a, b [nUsage]int) [nUsage]int {
	for i := range a {
		a[i] -= b[i]
	}
	return a
}

func minusShares(a, b *UsageShares) *UsageShares {
	if a == nil || b == nil {
		return nil
	}
	var d [nUsage]float64
	for i, k := range usageKeys {
		d[i] = a.Get(k) - b.Get(k)
	}
	return ptr(usageShares(d))
}

func minus(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	return ptr(*a - *b)
}

func ptr[T any](v T) *T { return &v }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptr(*p)
}
