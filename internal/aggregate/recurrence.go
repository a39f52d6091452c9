package aggregate

import (
	"slices"
	"strings"

	"github.com/inventera/inventera/internal/round"
)

// Which evaluations recur from the earlier round, which are new and which
// were dropped (design §5, "Comparison with an earlier round"): the pairs of
// round.MatchRounds, made by carry-forward lineage, else by unit and name.
// Per kommun, an evaluation of a shared unit counts in each member kommun
// (as the kommun's evaluation count does); in the network once.

// Recurrence counts evaluations by whether they recur.
type Recurrence struct {
	// Recurring evaluations are in both rounds; ByLineage of them were
	// carried forward, the rest matched by unit and name.
	Recurring int `json:"recurring"`
	ByLineage int `json:"by_lineage"`
	// New evaluations are in the current round only, Dropped ones in the
	// earlier round only.
	New     int `json:"new"`
	Dropped int `json:"dropped"`
	// The evaluations themselves, in the rounds' order (SortItems puts
	// them in Swedish order by unit and name): the new and the dropped
	// ones, and for the network only the recurring ones. Those are most of
	// a round, so the JSON leaves them out (a national round's would
	// double it); the workbook lists them.
	RecurringEvaluations []RecurrenceItem `json:"-"`
	NewEvaluations       []RecurrenceItem `json:"new_evaluations"`
	DroppedEvaluations   []RecurrenceItem `json:"dropped_evaluations"`
}

// RecurrenceItem names an evaluation: its name and unit in the round it is
// from (the current one, or the earlier one for a dropped evaluation).
type RecurrenceItem struct {
	Benamning string `json:"benamning"`
	Enhet     string `json:"enhet"`
	// PreviousBenamning is, for a recurring evaluation, its name in the
	// earlier round when it differs.
	PreviousBenamning string `json:"previous_benamning,omitempty"`
	ByLineage         bool   `json:"by_lineage,omitempty"`
	// Kommuner, in the network's lists, are the kommuner the evaluation
	// counts in (its unit's, by their current names; for a dropped one
	// those still taking part).
	Kommuner []string `json:"kommuner,omitempty"`
}

// SortItems orders evaluations by unit and name, in Swedish order.
func SortItems(items []RecurrenceItem) {
	col := newCollator()
	slices.SortStableFunc(items, func(a, b RecurrenceItem) int {
		if c := col.compare(a.Enhet, b.Enhet); c != 0 {
			return c
		}
		return col.compare(a.Benamning, b.Benamning)
	})
}

// WithRecurrence returns a copy of a compared report (Compare) with each
// kommun in both rounds, and the comparison as a whole, told which
// evaluations recur, are new and were dropped. m pairs the two rounds'
// kommuner, units and the evaluations their reports count. rep is not
// changed.
func WithRecurrence(rep *Report, m round.Match) *Report {
	if rep == nil || rep.Comparison == nil {
		return rep
	}
	out := *rep
	out.Municipalities = slices.Clone(rep.Municipalities)
	cmp := *rep.Comparison

	units := map[int64]*round.Unit{}     // current unit ID → unit
	prevUnits := map[int64]*round.Unit{} // earlier unit ID → unit
	for _, p := range m.Units {
		if p.Current != nil {
			units[p.Current.ID] = p.Current
		}
		if p.Previous != nil {
			prevUnits[p.Previous.ID] = p.Previous
		}
	}
	nowName := map[string]string{} // earlier kommun name → current name
	for _, p := range m.Kommuner {
		if p.Both() {
			nowName[p.Previous.Name] = p.Current.Name
		}
	}
	index := map[string]int{}
	for i, mu := range out.Municipalities {
		index[mu.Name] = i
	}
	per := make([]Recurrence, len(out.Municipalities))
	var net Recurrence
	// The network's lists at their final size: a national round ×10 has
	// 290 000 evaluations, 20 MB of items, which growing by appending
	// would copy and allocate twice over.
	var kinds [kindDropped + 1]int
	for _, p := range m.Evaluations {
		if kind, ok := kindOf(p); ok {
			kinds[kind]++
		}
	}
	net.RecurringEvaluations = make([]RecurrenceItem, 0, kinds[kindRecurring])
	net.NewEvaluations = make([]RecurrenceItem, 0, kinds[kindNew])
	net.DroppedEvaluations = make([]RecurrenceItem, 0, kinds[kindDropped])
	for _, p := range m.Evaluations {
		kind, ok := kindOf(p)
		if !ok {
			continue
		}
		var (
			item     RecurrenceItem
			kommuner []string
		)
		switch kind {
		case kindRecurring:
			u := units[p.Current.UnitID]
			item = RecurrenceItem{Benamning: p.Current.Title(), Enhet: unitName(u), ByLineage: p.ByLineage}
			if prev := p.Previous.Title(); prev != item.Benamning && foldTitle(prev) != foldTitle(item.Benamning) {
				item.PreviousBenamning = prev
			}
			kommuner = unitKommuner(u)
		case kindNew:
			u := units[p.Current.UnitID]
			item = RecurrenceItem{Benamning: p.Current.Title(), Enhet: unitName(u)}
			kommuner = unitKommuner(u)
		default:
			u := prevUnits[p.Previous.UnitID]
			item = RecurrenceItem{Benamning: p.Previous.Title(), Enhet: unitName(u)}
			for _, k := range unitKommuner(u) {
				if now, ok := nowName[k]; ok {
					kommuner = append(kommuner, now)
				}
			}
		}
		item.Kommuner = kommuner
		switch kind {
		case kindRecurring:
			net.RecurringEvaluations = append(net.RecurringEvaluations, item)
		case kindNew:
			net.NewEvaluations = append(net.NewEvaluations, item)
		default:
			net.DroppedEvaluations = append(net.DroppedEvaluations, item)
		}
		net.count(kind, item.ByLineage)
		item.Kommuner = nil
		for _, k := range kommuner {
			j, ok := index[k]
			if !ok || out.Municipalities[j].Previous == nil {
				continue
			}
			r := &per[j]
			r.count(kind, item.ByLineage)
			switch kind {
			case kindNew:
				r.NewEvaluations = append(r.NewEvaluations, item)
			case kindDropped:
				r.DroppedEvaluations = append(r.DroppedEvaluations, item)
			}
		}
	}
	for i := range out.Municipalities {
		if out.Municipalities[i].Previous == nil {
			continue // no earlier round to recur from
		}
		r := nonNilLists(per[i])
		out.Municipalities[i].Recurrence = &r
	}
	r := nonNilLists(net)
	r.RecurringEvaluations = nonNil(r.RecurringEvaluations)
	cmp.Recurrence = &r
	out.Comparison = &cmp
	return &out
}

func unitName(u *round.Unit) string {
	if u == nil {
		return ""
	}
	return u.Name
}

func unitKommuner(u *round.Unit) []string {
	if u == nil {
		return nil
	}
	return u.Kommuner
}

// foldTitle compares names regardless of letter case and spacing.
func foldTitle(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// What became of an evaluation between the rounds (kindOf).
const (
	kindRecurring = iota
	kindNew
	kindDropped
)

// kindOf says whether the pair's evaluation recurs, is new or was
// dropped; false for a pair of neither round's.
func kindOf(p round.EvaluationPair) (int, bool) {
	switch {
	case p.Recurs():
		return kindRecurring, true
	case p.Current != nil:
		return kindNew, true
	case p.Previous != nil:
		return kindDropped, true
	}
	return 0, false
}

// count counts an evaluation of a kind.
func (r *Recurrence) count(kind int, byLineage bool) {
	switch kind {
	case kindRecurring:
		r.Recurring++
		if byLineage {
			r.ByLineage++
		}
	case kindNew:
		r.New++
	default:
		r.Dropped++
	}
}

// nonNilLists makes the empty lists of new and dropped evaluations encode
// as [].
func nonNilLists(r Recurrence) Recurrence {
	r.NewEvaluations = nonNil(r.NewEvaluations)
	r.DroppedEvaluations = nonNil(r.DroppedEvaluations)
	return r
}
