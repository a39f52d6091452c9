package aggregate

import (
	"slices"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// TestWithRecurrence: evaluations recur by lineage (also when renamed),
// else by unit and name; the rest are new or dropped; a shared unit's
// evaluation counts in each member kommun and once in the network; the
// counts add up to each round's own evaluation counts.
func TestWithRecurrence(t *testing.T) {
	named := func(id, unitID int64, name string) round.Evaluation {
		e := ev("benamning", name)
		e.ID, e.UnitID = id, unitID
		return e
	}
	withUnit := func(id int64, name string, kommuner []string, es ...round.Evaluation) round.UnitData {
		u := unit(name, kommuner, es...)
		u.ID = id
		return u
	}
	prevDS := round.Dataset{
		Kommuner: []round.Kommun{{Name: "Falu kommun", Kommunkod: "2080", Population: pop(1000)}, {Name: "Säter", Population: pop(1000)},
			{Name: "Hedemora", Population: pop(1000)}},
		Units: []round.UnitData{
			withUnit(1, "Bygg och miljö", []string{"Falu kommun"}, named(1, 1, "Tillsyn"), named(2, 1, "Nöjd kund-index")),
			withUnit(2, "Räddningstjänsten", []string{"Falu kommun", "Säter"}, named(3, 2, "Olycksstatistik")),
			withUnit(3, "Socialnämnden", []string{"Hedemora"}, named(4, 3, "Brukarenkät")),
		},
	}
	curDS := round.Dataset{
		Kommuner: []round.Kommun{{Name: "Falun", Kommunkod: "2080", Population: pop(1000)}, {Name: "Säter", Population: pop(1000)},
			{Name: "Ludvika", Population: pop(1000)}},
		Units: []round.UnitData{
			withUnit(11, "Bygg- och miljönämnden", []string{"Falun"}, named(11, 11, "Tillsyn enligt miljöbalken"), named(12, 11, "nöjd  kund-index")),
			withUnit(12, "Räddningstjänsten", []string{"Falun", "Säter"}, named(13, 12, "Insatstider")),
			withUnit(13, "Kultur", []string{"Ludvika"}, named(14, 13, "Besöksräkning")),
		},
	}
	// Bygg och miljö was carried forward under a new name; Tillsyn with it.
	lineage := round.Lineage{Units: map[int64]int64{11: 1}, Evaluations: map[int64]int64{11: 1}}
	prev, cur := compute(t, prevDS), compute(t, curDS)
	content := func(ds round.Dataset) round.RoundContent {
		c := round.RoundContent{Kommuner: ds.Kommuner}
		for _, u := range ds.Units {
			c.Units = append(c.Units, u.Unit)
			c.Evaluations = append(c.Evaluations, u.Evaluations...)
		}
		return c
	}
	compared := Compare(cur, BasisOf(prev))
	got := WithRecurrence(compared, round.MatchRounds(content(prevDS), content(curDS), lineage))

	names := func(items []RecurrenceItem) []string {
		items = slices.Clone(items)
		SortItems(items)
		out := []string{}
		for _, it := range items {
			out = append(out, it.Enhet+": "+it.Benamning)
		}
		return out
	}
	// A kommun's recurring evaluations are the network's that count in it.
	recurringIn := func(kommun string) []RecurrenceItem {
		var out []RecurrenceItem
		for _, it := range got.Comparison.Recurrence.RecurringEvaluations {
			if slices.Contains(it.Kommuner, kommun) {
				out = append(out, it)
			}
		}
		return out
	}
	tests := []struct {
		kommun                              string
		recurring, byLineage, newer, gone   int
		recurringNames, newNames, goneNames []string
	}{
		{"Falun", 2, 1, 1, 1,
			[]string{"Bygg- och miljönämnden: nöjd  kund-index", "Bygg- och miljönämnden: Tillsyn enligt miljöbalken"},
			[]string{"Räddningstjänsten: Insatstider"}, []string{"Räddningstjänsten: Olycksstatistik"}},
		{"Säter", 0, 0, 1, 1, []string{}, []string{"Räddningstjänsten: Insatstider"}, []string{"Räddningstjänsten: Olycksstatistik"}},
	}
	for _, tt := range tests {
		m := muni(t, got, tt.kommun)
		r := m.Recurrence
		if r == nil {
			t.Fatalf("%s: no recurrence", tt.kommun)
		}
		if r.Recurring != tt.recurring || r.ByLineage != tt.byLineage || r.New != tt.newer || r.Dropped != tt.gone {
			t.Errorf("%s: recurring %d (lineage %d), new %d, dropped %d; want %d (%d), %d, %d", tt.kommun,
				r.Recurring, r.ByLineage, r.New, r.Dropped, tt.recurring, tt.byLineage, tt.newer, tt.gone)
		}
		for _, l := range []struct {
			what      string
			got, want []string
		}{{"recurring", names(recurringIn(tt.kommun)), tt.recurringNames}, {"new", names(r.NewEvaluations), tt.newNames},
			{"dropped", names(r.DroppedEvaluations), tt.goneNames}} {
			if !slices.Equal(l.got, l.want) {
				t.Errorf("%s: %s %q, want %q", tt.kommun, l.what, l.got, l.want)
			}
		}
		if r.Recurring+r.New != m.Evaluations || r.Recurring+r.Dropped != m.Previous.Evaluations {
			t.Errorf("%s: %d recurring + %d new ≠ %d now, or + %d dropped ≠ %d then", tt.kommun, r.Recurring, r.New, m.Evaluations,
				r.Dropped, m.Previous.Evaluations)
		}
	}
	if m := muni(t, got, "Ludvika"); m.Recurrence != nil {
		t.Errorf("Ludvika, new this round, has a recurrence %+v; want none", m.Recurrence)
	}
	n := got.Comparison.Recurrence
	if n == nil || n.Recurring != 2 || n.New != 2 || n.Dropped != 2 ||
		n.Recurring+n.New != got.Network.Evaluations || n.Recurring+n.Dropped != prev.Network.Evaluations {
		t.Errorf("network recurrence %+v; want 2 recurring, 2 new (Insatstider, Besöksräkning), 2 dropped (Olycksstatistik, Brukarenkät)", n)
	}
	if r := muni(t, got, "Falun").Recurrence; r.RecurringEvaluations != nil {
		t.Errorf("a kommun lists its recurring evaluations (%d); the network's list says where each counts", len(r.RecurringEvaluations))
	}
	carried := got.Comparison.Recurrence.RecurringEvaluations[0]
	if carried.Benamning != "Tillsyn enligt miljöbalken" || carried.PreviousBenamning != "Tillsyn" || !carried.ByLineage ||
		!slices.Equal(carried.Kommuner, []string{"Falun"}) {
		t.Errorf("the carried-forward evaluation %+v: want its earlier name Tillsyn, by lineage, in Falun", carried)
	}
	if muni(t, compared, "Falun").Recurrence != nil || compared.Comparison.Recurrence != nil {
		t.Error("WithRecurrence changed the report it was given")
	}
}
