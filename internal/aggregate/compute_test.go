package aggregate

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

func TestByInitiator(t *testing.T) {
	ds := round.Dataset{
		Kommuner: kommuner("A"),
		Units: []round.UnitData{unit("Socialnämnden", []string{"A"},
			ev("uppdragsgivare_typ", "extern", "anvandning", "politiskt_beslut;handlingsplan"),
			ev("uppdragsgivare_typ", "extern", "anvandning", "inte_alls"),
			ev("uppdragsgivare_typ", "extern", "anvandning", "handlingsplan;budget_malprocess;annat", "anvandning_annat", "x"),
			ev("uppdragsgivare_typ", "politisk", "anvandning", "politiskt_beslut, budget_malprocess"),
			ev("uppdragsgivare_typ", "verksamhet", "anvandning", "annat"),
			ev("uppdragsgivare_typ", "", "anvandning", "handlingsplan"),           // blank in an import
			ev("uppdragsgivare_typ", "ej_angiven", "anvandning", "handlingsplan"), // stored as such
		)},
	}
	m := muni(t, compute(t, ds), "A")

	row := func(n, pb, hp, bm, an, ia int) InitiatorRow {
		return InitiatorRow{Count: n, UsageCounts: UsageCounts{pb, hp, bm, an, ia}}
	}
	want := ByInitiator{
		Extern:     row(3, 1, 2, 1, 1, 1),
		Politisk:   row(1, 1, 0, 1, 0, 0),
		Verksamhet: row(1, 0, 0, 0, 1, 0),
		EjAngiven:  row(2, 0, 2, 0, 0, 0),
		Totalt:     row(7, 2, 4, 2, 2, 1),
	}
	for _, k := range InitiatorKeys {
		if got, w := m.ByInitiator.Row(k), want.Row(k); got != w {
			t.Errorf("by_initiator.%s = %+v, want %+v", k, got, w)
		}
	}
	if m.Evaluations != 7 {
		t.Errorf("evaluations = %d, want 7", m.Evaluations)
	}

	// Shares are fractions of each row's own count; an empty row is all 0.
	wantShares := map[string]InitiatorShareRow{
		"extern":     {Count: 3, UsageShares: UsageShares{1.0 / 3, 2.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3}},
		"politisk":   {Count: 1, UsageShares: UsageShares{1, 0, 1, 0, 0}},
		"verksamhet": {Count: 1, UsageShares: UsageShares{0, 0, 0, 1, 0}},
		"ej_angiven": {Count: 2, UsageShares: UsageShares{0, 1, 0, 0, 0}},
		"totalt":     {Count: 7, UsageShares: UsageShares{2.0 / 7, 4.0 / 7, 2.0 / 7, 2.0 / 7, 1.0 / 7}},
	}
	for k, w := range wantShares {
		got := m.ByInitiatorShares.Row(k)
		if got.Count != w.Count || !nearShares(got.UsageShares, w.UsageShares) {
			t.Errorf("by_initiator_shares.%s = %+v, want %+v", k, got, w)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		evals      []round.Evaluation
		wantCounts UsageCounts
		wantShares UsageShares
	}{
		{"no evaluations", nil, UsageCounts{}, UsageShares{}},
		{"one of each", []round.Evaluation{
			ev("anvandning", "politiskt_beslut"), ev("anvandning", "handlingsplan"),
			ev("anvandning", "budget_malprocess"), ev("anvandning", "annat"), ev("anvandning", "inte_alls"),
		}, UsageCounts{1, 1, 1, 1, 1}, UsageShares{0.2, 0.2, 0.2, 0.2, 0.2}},
		{"several per evaluation", []round.Evaluation{
			ev("anvandning", "politiskt_beslut;handlingsplan;budget_malprocess;annat"),
			ev("anvandning", "handlingsplan;annat"),
			ev("anvandning", "handlingsplan"),
			ev("anvandning", "inte_alls"),
		}, UsageCounts{1, 3, 1, 2, 1}, UsageShares{0.25, 0.75, 0.25, 0.5, 0.25}},
		{"option repeated in one answer counts once", []round.Evaluation{
			ev("anvandning", "annat;annat"),
		}, UsageCounts{0, 0, 0, 1, 0}, UsageShares{0, 0, 0, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := round.Dataset{Kommuner: kommuner("A"), Units: []round.UnitData{unit("U", []string{"A"}, tc.evals...)}}
			if len(tc.evals) == 0 {
				ds.Units[0].Response = round.NoEvaluations
			}
			m := muni(t, compute(t, ds), "A")
			if m.Usage.Counts != tc.wantCounts {
				t.Errorf("usage.counts = %+v, want %+v", m.Usage.Counts, tc.wantCounts)
			}
			if !nearShares(m.Usage.Shares, tc.wantShares) {
				t.Errorf("usage.shares = %+v, want %+v", m.Usage.Shares, tc.wantShares)
			}
			if m.ByInitiator.Totalt.UsageCounts != m.Usage.Counts {
				t.Errorf("by_initiator.totalt %+v differs from usage.counts %+v", m.ByInitiator.Totalt.UsageCounts, m.Usage.Counts)
			}
		})
	}
}

func TestCosts(t *testing.T) {
	tests := []struct {
		name  string
		rate  int64
		evals []round.Evaluation
		want  Costs // PerInvanare for population 1000
	}{
		{"nothing given", 280, evs(2), Costs{WithoutCost: 2, PerInvanare: fp(0)}},
		{"hours only", 280, []round.Evaluation{ev("timmar", "10")},
			Costs{Lon: 2800, Total: 2800, WithCost: 1, Timmar: 10, WithTimmar: 1, PerInvanare: fp(2.8)}},
		{"hours with decimals", 280, []round.Evaluation{ev("timmar", "12.5"), ev("timmar", "0.01")},
			Costs{Lon: 3500 + 2.8, Total: 3502.8, WithCost: 2, Timmar: 12.51, WithTimmar: 2, PerInvanare: fp(3.5028)}},
		{"hours at another rate", 300, []round.Evaluation{ev("timmar", "2.5")},
			Costs{Lon: 750, Total: 750, WithCost: 1, Timmar: 2.5, WithTimmar: 1, PerInvanare: fp(0.75)}},
		{"all parts", 280, []round.Evaluation{ev("timmar", "100", "konsult_kr", "50000", "material_kr", "1200", "ovrigt_kr", "300")},
			Costs{Lon: 28000, Konsult: 50000, Material: 1200, Ovrigt: 300, Total: 79500, WithCost: 1, Timmar: 100, WithTimmar: 1, PerInvanare: fp(79.5)}},
		{"kostnad_totalt_kr only", 280, []round.Evaluation{ev("kostnad_totalt_kr", "90000"), ev("kostnad_totalt_kr", "10000")},
			Costs{Total: 100000, WithCost: 2, EjUppdelat: 100000, TotalOnly: 2, PerInvanare: fp(100)}},
		{"parts and total-only rows mixed (Tabell 2 Borlänge)", 280, []round.Evaluation{
			ev("konsult_kr", "1000"), ev("kostnad_totalt_kr", "5000"), ev(),
		}, Costs{Konsult: 1000, Total: 6000, WithCost: 2, EjUppdelat: 5000, TotalOnly: 1, WithoutCost: 1, PerInvanare: fp(6)}},
		{"parts win over a total given as well", 280, []round.Evaluation{ev("material_kr", "100", "kostnad_totalt_kr", "999")},
			Costs{Material: 100, Total: 100, WithCost: 1, PerInvanare: fp(0.1)}},
		{"0 hours counts as given", 280, []round.Evaluation{ev("timmar", "0")}, Costs{WithCost: 1, WithTimmar: 1, PerInvanare: fp(0)}},
		{"0 konsult counts as given", 280, []round.Evaluation{ev("konsult_kr", "0")}, Costs{WithCost: 1, PerInvanare: fp(0)}},
		{"0 total counts as given", 280, []round.Evaluation{ev("kostnad_totalt_kr", "0")}, Costs{WithCost: 1, TotalOnly: 1, PerInvanare: fp(0)}},
		{"0 hours with a total: parts given, total ignored", 280, []round.Evaluation{ev("timmar", "0", "kostnad_totalt_kr", "500")},
			Costs{WithCost: 1, WithTimmar: 1, PerInvanare: fp(0)}},
		{"Swedish notation read too", 280, []round.Evaluation{ev("timmar", "1 234,5", "konsult_kr", "12 000")},
			Costs{Lon: 345660, Konsult: 12000, Total: 357660, WithCost: 1, Timmar: 1234.5, WithTimmar: 1, PerInvanare: fp(357.66)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := round.Dataset{Kommuner: kommuner("A"), Units: []round.UnitData{unit("U", []string{"A"}, tc.evals...)}}
			r := testRound
			r.HourlyRate = tc.rate
			rep, err := Compute(r, ds)
			if err != nil {
				t.Fatal(err)
			}
			got := muni(t, rep, "A").Costs
			if !nearCosts(got, tc.want) {
				t.Errorf("costs = %s, want %s", fmtCosts(got), fmtCosts(tc.want))
			}
			n := rep.Network.Costs
			if !near(n.Total, tc.want.Total) || !near(n.Lon, tc.want.Lon) || n.WithCost != tc.want.WithCost {
				t.Errorf("network costs = %+v, want total %v lon %v with_cost %d", n, tc.want.Total, tc.want.Lon, tc.want.WithCost)
			}
		})
	}
}

func fmtCosts(c Costs) string {
	return fmt.Sprintf("{lon %v konsult %v material %v ovrigt %v total %v with_cost %d per_invanare %v ej_uppdelat %v total_only %d without_cost %d timmar %v with_timmar %d}",
		c.Lon, c.Konsult, c.Material, c.Ovrigt, c.Total, c.WithCost, deref(c.PerInvanare), c.EjUppdelat, c.TotalOnly, c.WithoutCost, c.Timmar, c.WithTimmar)
}

func TestPerInvanare(t *testing.T) {
	tests := []struct {
		name       string
		population *int64
		wantPop    *int64
		want       *float64
	}{
		{"known", pop(2000), pop(2000), fp(5)},
		{"unknown", nil, nil, nil},
		{"zero is unknown", pop(0), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := round.Dataset{
				Kommuner: []round.Kommun{{Name: "A", Population: tc.population}},
				Units:    []round.UnitData{unit("U", []string{"A"}, ev("kostnad_totalt_kr", "10000"))},
			}
			m := muni(t, compute(t, ds), "A")
			if !reflect.DeepEqual(m.Population, tc.wantPop) {
				t.Errorf("population = %v, want %v", deref(m.Population), deref(tc.wantPop))
			}
			if (m.Costs.PerInvanare == nil) != (tc.want == nil) || tc.want != nil && !near(*m.Costs.PerInvanare, *tc.want) {
				t.Errorf("per_invanare = %v, want %v", deref(m.Costs.PerInvanare), deref(tc.want))
			}
			if m.Costs.Total != 10000 {
				t.Errorf("total = %v, want 10000", m.Costs.Total)
			}
		})
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return "null"
	}
	return *p
}

// TestSharedUnit: a unit run by several kommuner counts whole in each
// member's counts, but its costs are split by its fordelning, so that the
// network totals are the real totals.
func TestSharedUnit(t *testing.T) {
	// The shared unit: 2 evaluations, one of them a user survey with
	// inte_alls and no owner; costs 10 h (2 800 kr) + 7 200 kr konsult, and
	// 10 000 kr as a total only: 20 000 kr in all.
	shared := func(fordelning string, members ...string) round.UnitData {
		u := unit("Räddningstjänsten", members,
			ev("timmar", "10", "konsult_kr", "7200", "anvandning", "handlingsplan;politiskt_beslut", "uppdragsgivare_typ", "politisk"),
			ev("kostnad_totalt_kr", "10000", "anvandning", "inte_alls", "resultatansvarig", "ingen",
				"brukarundersokning", "ja", "malgrupp", "Medborgare", "metod", "enkat_webb"),
		)
		u.Fordelning = fordelning
		return u
	}
	tests := []struct {
		name       string
		population map[string]*int64
		fordelning string
		members    []string
		wantShare  map[string]float64 // of the shared unit's costs
		wantEqual  bool               // population split fell back to equal shares
	}{
		{"invanare (default)", map[string]*int64{"A": pop(10000), "B": pop(30000), "C": pop(60000)}, "",
			[]string{"A", "B"}, map[string]float64{"A": 0.25, "B": 0.75, "C": 0}, false},
		{"invanare spelled out", map[string]*int64{"A": pop(20000), "B": pop(30000), "C": pop(50000)}, "invanare",
			[]string{"A", "B", "C"}, map[string]float64{"A": 0.2, "B": 0.3, "C": 0.5}, false},
		{"lika", map[string]*int64{"A": pop(10000), "B": pop(30000), "C": pop(60000)}, "lika",
			[]string{"A", "B", "C"}, map[string]float64{"A": 1.0 / 3, "B": 1.0 / 3, "C": 1.0 / 3}, false},
		{"explicit shares", map[string]*int64{"A": pop(10000), "B": pop(30000), "C": pop(60000)}, "A=0,5;B=0,3;C=0,2",
			[]string{"A", "B", "C"}, map[string]float64{"A": 0.5, "B": 0.3, "C": 0.2}, false},
		{"invanare with a population unknown: equal", map[string]*int64{"A": pop(10000), "B": nil, "C": pop(60000)}, "",
			[]string{"A", "B"}, map[string]float64{"A": 0.5, "B": 0.5, "C": 0}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ks []round.Kommun
			for _, n := range []string{"A", "B", "C"} {
				ks = append(ks, round.Kommun{Name: n, Population: tc.population[n]})
			}
			ds := round.Dataset{Kommuner: ks, Units: []round.UnitData{
				shared(tc.fordelning, tc.members...),
				// Each kommun also has a unit of its own: 1 evaluation of 1 000 kr.
				unit("Egen A", []string{"A"}, ev("konsult_kr", "1000")),
				unit("Egen B", []string{"B"}, ev("konsult_kr", "1000")),
				unit("Egen C", []string{"C"}, ev("konsult_kr", "1000")),
			}}
			rep := compute(t, ds)

			sumTotal := 0.0
			for _, name := range []string{"A", "B", "C"} {
				m := muni(t, rep, name)
				share := tc.wantShare[name]
				member := slices.Contains(tc.members, name)
				wantN, wantWith, wantUnused, wantSurveys, wantNoOwner := 1, 1, 0, 0, 0
				if member {
					wantN, wantWith, wantUnused, wantSurveys, wantNoOwner = 3, 3, 1, 1, 1
				}
				if m.Evaluations != wantN {
					t.Errorf("%s: evaluations = %d, want %d (shared unit counts whole)", name, m.Evaluations, wantN)
				}
				if m.Costs.WithCost != wantWith {
					t.Errorf("%s: with_cost = %d, want %d", name, m.Costs.WithCost, wantWith)
				}
				if len(m.Unused) != wantUnused || m.UserSurveys != wantSurveys || m.Responsibility.NoOwner != wantNoOwner {
					t.Errorf("%s: unused %d, user_surveys %d, no_owner %d; want %d, %d, %d",
						name, len(m.Unused), m.UserSurveys, m.Responsibility.NoOwner, wantUnused, wantSurveys, wantNoOwner)
				}
				if member && (m.ByInitiator.Politisk.Count != 1 || m.Usage.Counts.InteAlls != 1 || len(m.UserSurveyTable) != 1) {
					t.Errorf("%s: politisk %d, inte_alls %d, survey rows %d; want 1 each",
						name, m.ByInitiator.Politisk.Count, m.Usage.Counts.InteAlls, len(m.UserSurveyTable))
				}
				want := Costs{
					Lon:        2800 * share,
					Konsult:    1000 + 7200*share,
					Total:      1000 + 20000*share,
					WithCost:   wantWith,
					EjUppdelat: 10000 * share,
				}
				if member {
					want.TotalOnly, want.Timmar, want.WithTimmar = 1, 10, 1
				}
				if p := tc.population[name]; p != nil {
					want.PerInvanare = fp(want.Total / float64(*p))
				}
				if !nearCosts(m.Costs, want) {
					t.Errorf("%s: costs = %s, want %s", name, fmtCosts(m.Costs), fmtCosts(want))
				}
				sumTotal += m.Costs.Total
			}

			// Network: distinct evaluations, real totals.
			n := rep.Network
			if n.Evaluations != 5 {
				t.Errorf("network evaluations = %d, want 5 (2 shared + 3 own)", n.Evaluations)
			}
			wantNet := NetworkCosts{Lon: 2800, Konsult: 3*1000 + 7200, Total: 3*1000 + 20000, WithCost: 5,
				EjUppdelat: 10000, TotalOnly: 1, Timmar: 10, WithTimmar: 1}
			gotNet := n.Costs
			gotNet.PerInvanare, gotNet.PerInvanareRange = nil, nil
			if gotNet != wantNet {
				t.Errorf("network costs = %+v, want %+v", gotNet, wantNet)
			}
			var popSum int64
			known := true
			for _, p := range tc.population {
				if p == nil {
					known = false
				} else {
					popSum += *p
				}
			}
			switch {
			case !known && (n.Costs.PerInvanare != nil || n.Population != nil):
				t.Errorf("network per_invanare %v population %v, want nil with a population unknown", n.Costs.PerInvanare, n.Population)
			case known && (n.Costs.PerInvanare == nil || !near(*n.Costs.PerInvanare, wantNet.Total/float64(popSum))):
				t.Errorf("network per_invanare = %v, want %v", n.Costs.PerInvanare, wantNet.Total/float64(popSum))
			}
			if !near(sumTotal, wantNet.Total) {
				t.Errorf("Σ kommun totals = %v, want the network total %v", sumTotal, wantNet.Total)
			}
			if n.UserSurveys != 1 || n.Unused != 1 || n.UsagePooledCounts.InteAlls != 1 || n.UsagePooledCounts.Handlingsplan != 4 {
				t.Errorf("network user_surveys %d unused %d inte_alls %d handlingsplan %d; want 1, 1, 1, 4",
					n.UserSurveys, n.Unused, n.UsagePooledCounts.InteAlls, n.UsagePooledCounts.Handlingsplan)
			}
			if gotEqual := slices.Contains(rep.EqualSplitUnits, "Räddningstjänsten"); gotEqual != tc.wantEqual {
				t.Errorf("EqualSplitUnits = %v, want the shared unit listed: %v", rep.EqualSplitUnits, tc.wantEqual)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	withStatus := func(u round.UnitData, r round.Response, reason string) round.UnitData {
		u.Response, u.Reason = r, reason
		return u
	}
	ds := round.Dataset{
		Kommuner: kommuner("Borlänge", "Falun", "Säter"),
		Units: []round.UnitData{
			unit("Socialnämnden", []string{"Borlänge"}, ev()),
			withStatus(unit("Kommunfastigheter", []string{"Borlänge"}), round.Declined, "Deltar inte"),
			withStatus(unit("Borlänge Energi", []string{"Borlänge"}), round.NoEvaluations, ""),
			withStatus(unit("Överförmyndaren", []string{"Borlänge"}), round.NoResponse, ""),
			withStatus(unit("Barn- och skolnämnden", []string{"Borlänge"}, ev()), round.NoResponse, ""), // import: has evaluations
			withStatus(unit("Räddningstjänsten Dala Mitt", []string{"Borlänge", "Falun", "Säter"}), round.Declined, "Hög arbetsbelastning"),
			withStatus(unit("Gymnasienämnden", []string{"Borlänge", "Säter"}), round.NoResponse, ""),
			unit("Miljönämnden", []string{"Falun"}, ev()),
		},
	}
	rep := compute(t, ds)
	tests := []struct {
		kommun string
		want   Response
		non    []NonResponding
	}{
		{"Borlänge", Response{Units: 7, Submitted: 2, IngaUtvarderingar: 1, Declined: 2, NotResponded: 2,
			NonRespondingUnits: []string{"Gymnasienämnden", "Kommunfastigheter", "Räddningstjänsten Dala Mitt", "Överförmyndaren"},
			Rate:               3.0 / 7},
			[]NonResponding{
				{"Gymnasienämnden", StatusNotResponded, ""},
				{"Kommunfastigheter", StatusDeclined, "Deltar inte"},
				{"Räddningstjänsten Dala Mitt", StatusDeclined, "Hög arbetsbelastning"},
				{"Överförmyndaren", StatusNotResponded, ""},
			}},
		{"Falun", Response{Units: 2, Submitted: 1, Declined: 1, NonRespondingUnits: []string{"Räddningstjänsten Dala Mitt"}, Rate: 0.5},
			[]NonResponding{{"Räddningstjänsten Dala Mitt", StatusDeclined, "Hög arbetsbelastning"}}},
		{"Säter", Response{Units: 2, Declined: 1, NotResponded: 1, NonRespondingUnits: []string{"Gymnasienämnden", "Räddningstjänsten Dala Mitt"}},
			[]NonResponding{{"Gymnasienämnden", StatusNotResponded, ""}, {"Räddningstjänsten Dala Mitt", StatusDeclined, "Hög arbetsbelastning"}}},
	}
	// The network counts each unit once: 8 units, of which 4 answered
	// (3 submitted, one of them an import's unit with evaluations; 1
	// "inga"), 2 declined and 2 never answered.
	wantNet := NetworkResponse{Units: 8, Submitted: 3, IngaUtvarderingar: 1, Declined: 2, NotResponded: 2}
	if rep.Network.Response != wantNet || !near(rep.Network.ResponseRate, 4.0/8) {
		t.Errorf("network response = %+v rate %v, want %+v rate %v", rep.Network.Response, rep.Network.ResponseRate, wantNet, 4.0/8)
	}
	for _, tc := range tests {
		m := muni(t, rep, tc.kommun)
		if !reflect.DeepEqual(m.Response, tc.want) {
			t.Errorf("%s: response = %+v, want %+v", tc.kommun, m.Response, tc.want)
		}
		if !reflect.DeepEqual(m.NonResponding, tc.non) {
			t.Errorf("%s: non_responding = %+v, want %+v", tc.kommun, m.NonResponding, tc.non)
		}
	}
}

func TestUnused(t *testing.T) {
	ds := round.Dataset{
		Kommuner: kommuner("A", "B"),
		Units: []round.UnitData{
			unit("Vård och omsorg", []string{"A"},
				ev("benamning", "Tillsyn Socialstyrelsen", "anvandning", "inte_alls"),
				ev("benamning", "Brukarenkät", "anvandning", "handlingsplan"),
				ev("benamning", "Kvalitetsindikatorer", "anvandning", "inte_alls", "uppdragsgivare_typ", "")),
			unit("Miljö", []string{"A"},
				ev("benamning", "Miljöbäst i Sverige", "anvandning", "inte_alls", "uppdragsgivare_typ", "politisk"),
				ev("benamning", "CFC-rapportering", "anvandning", "inte_alls", "uppdragsgivare_typ", "verksamhet")),
			unit("Överförmyndaren", []string{"A", "B"},
				ev("benamning", "Granskning", "anvandning", "inte_alls", "kostnad_totalt_kr", "1000")),
			unit("Åldringsvård", []string{"A"},
				ev("benamning", "SCB-statistik", "anvandning", "inte_alls", "konsult_kr", "500", "timmar", "1,5")),
		},
	}
	rep := compute(t, ds)
	want := []UnusedEvaluation{
		{"CFC-rapportering", "Miljö", "verksamhet", 0},
		{"Miljöbäst i Sverige", "Miljö", "politisk", 0},
		{"Kvalitetsindikatorer", "Vård och omsorg", "ej_angiven", 0},
		{"Tillsyn Socialstyrelsen", "Vård och omsorg", "extern", 0},
		{"SCB-statistik", "Åldringsvård", "extern", 500 + 1.5*280}, // Å, Ä, Ö sort after Z
		{"Granskning", "Överförmyndaren", "extern", 1000},          // a shared unit's whole cost
	}
	if got := muni(t, rep, "A").Unused; !reflect.DeepEqual(got, want) {
		t.Errorf("A unused =\n%+v\nwant\n%+v", got, want)
	}
	if got, want := muni(t, rep, "B").Unused, []UnusedEvaluation{{"Granskning", "Överförmyndaren", "extern", 1000}}; !reflect.DeepEqual(got, want) {
		t.Errorf("B unused = %+v, want %+v", got, want)
	}
	if rep.Network.Unused != 6 {
		t.Errorf("network unused = %d, want 6 (the shared one once)", rep.Network.Unused)
	}
	if want := 1000 + 500 + 1.5*280; rep.Network.UnusedCost != want {
		t.Errorf("network unused_cost = %v, want %v (the shared one once)", rep.Network.UnusedCost, want)
	}
}

func TestResponsibility(t *testing.T) {
	tests := []struct {
		name string
		ev   round.Evaluation
		want Responsibility
	}{
		{"initiator is owner", ev("uppdragsgivare_ar_resultatansvarig", "ja"), Responsibility{InitiatorIsOwner: 1}},
		{"initiator is not owner", ev("uppdragsgivare_ar_resultatansvarig", "nej"), Responsibility{}},
		{"no owner", ev("resultatansvarig", "ingen"), Responsibility{NoOwner: 1}},
		{"one owner", ev("resultatansvarig", "ks"), Responsibility{}},
		{"two owners", ev("resultatansvarig", "ks;namnd"), Responsibility{MultipleOwners: 1}},
		{"three owners, comma separated", ev("resultatansvarig", "kf, ks, enhetschef"), Responsibility{MultipleOwners: 1}},
		{"one owner repeated", ev("resultatansvarig", "ks;ks"), Responsibility{}},
		{"ingen is not an owner", ev("resultatansvarig", "ks;ingen"), Responsibility{NoOwner: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := round.Dataset{Kommuner: kommuner("A"), Units: []round.UnitData{unit("U", []string{"A"}, tc.ev)}}
			if got := muni(t, compute(t, ds), "A").Responsibility; got != tc.want {
				t.Errorf("responsibility = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUserSurveys(t *testing.T) {
	survey := func(malgrupp, metod string) round.Evaluation {
		return ev("brukarundersokning", "ja", "malgrupp", malgrupp, "metod", metod)
	}
	barn := unit("Barn och utbildning", []string{"Heby"},
		survey("Elever", "enkat_webb"),
		survey("Elever", "enkat_webb"),
		survey("Elever", "intervju;enkat_webb"), // method set in form order: enkat_webb;intervju
		survey("Elever", "enkat_webb;intervju"),
		survey("Föräldrar", "enkat_papper"),
		ev("brukarundersokning", "nej"),
		ev(),
	)
	barn.Omrade = "Barn- och utbildning"
	ks := unit("Kommunövergripande", []string{"Heby"}, survey("Kommunmedborgare", "enkat_papper;synpunkter_klagomal"))
	ds := round.Dataset{Kommuner: kommuner("Heby"), Units: []round.UnitData{ks, barn}}
	m := muni(t, compute(t, ds), "Heby")

	if m.UserSurveys != 6 {
		t.Errorf("user_surveys = %d, want 6", m.UserSurveys)
	}
	if !near(m.UserSurveyShare, 6.0/8) {
		t.Errorf("user_survey_share = %v, want 6 of 8", m.UserSurveyShare)
	}
	want := []SurveyRow{
		{"Barn och utbildning", "Barn- och utbildning", "Elever", []string{"enkat_webb"}, 2},
		{"Barn och utbildning", "Barn- och utbildning", "Elever", []string{"enkat_webb", "intervju"}, 2},
		{"Barn och utbildning", "Barn- och utbildning", "Föräldrar", []string{"enkat_papper"}, 1},
		{"Kommunövergripande", "", "Kommunmedborgare", []string{"enkat_papper", "synpunkter_klagomal"}, 1},
	}
	if !reflect.DeepEqual(m.UserSurveyTable, want) {
		t.Errorf("user_survey_table =\n%+v\nwant\n%+v", m.UserSurveyTable, want)
	}
}

// TestUsageMeanVsPooled: the mean over kommuner weighs a small kommun like a
// large one; the pooled share weighs each evaluation alike.
func TestUsageMeanVsPooled(t *testing.T) {
	ds := round.Dataset{
		Kommuner: kommuner("Liten", "Stor", "Tom"),
		Units: []round.UnitData{
			// Liten: 1 evaluation, used for politiskt_beslut: share 1.
			unit("L", []string{"Liten"}, ev("anvandning", "politiskt_beslut")),
			// Stor: 4 evaluations, 1 for politiskt_beslut (share 1/4),
			// all 4 for handlingsplan (share 1).
			unit("S", []string{"Stor"},
				ev("anvandning", "politiskt_beslut;handlingsplan"),
				ev("anvandning", "handlingsplan"), ev("anvandning", "handlingsplan"), ev("anvandning", "handlingsplan")),
			// Tom has no evaluations and is left out of the mean.
			{Unit: round.Unit{Name: "T", Kommuner: []string{"Tom"}, Response: round.NoEvaluations}},
		},
	}
	n := compute(t, ds).Network
	// Mean: politiskt_beslut (1 + 1/4)/2 = 0.625; handlingsplan (0 + 1)/2 = 0.5.
	// Pooled: politiskt_beslut 2/5 = 0.4; handlingsplan 4/5 = 0.8.
	wantMean := UsageShares{PolitisktBeslut: 0.625, Handlingsplan: 0.5}
	wantPooled := UsageShares{PolitisktBeslut: 0.4, Handlingsplan: 0.8}
	if !nearShares(n.UsageMean, wantMean) {
		t.Errorf("usage_mean = %+v, want %+v", n.UsageMean, wantMean)
	}
	if !nearShares(n.UsagePooled, wantPooled) {
		t.Errorf("usage_pooled = %+v, want %+v", n.UsagePooled, wantPooled)
	}
	if want := (UsageCounts{PolitisktBeslut: 2, Handlingsplan: 4}); n.UsagePooledCounts != want {
		t.Errorf("usage_pooled_counts = %+v, want %+v", n.UsagePooledCounts, want)
	}
	if n.KommunerWithEvaluations != 2 || n.Evaluations != 5 {
		t.Errorf("kommuner_with_evaluations = %d, evaluations = %d; want 2, 5", n.KommunerWithEvaluations, n.Evaluations)
	}
}

func TestEmptyRound(t *testing.T) {
	rep := compute(t, round.Dataset{Kommuner: kommuner("A")})
	m := muni(t, rep, "A")
	if m.Evaluations != 0 || m.Usage.Shares != (UsageShares{}) || m.UserSurveyShare != 0 ||
		m.Unused == nil || m.UserSurveyTable == nil || m.NonResponding == nil || m.Response.NonRespondingUnits == nil ||
		m.UnsubmittedUnits == nil || len(m.UnsubmittedUnits) != 0 || m.UnsubmittedEvaluations != 0 ||
		m.Excluded == nil || len(m.Excluded) != 0 {
		t.Errorf("empty kommun = %+v, want zeros and empty (non-nil) lists", m)
	}
	nw := rep.Network
	if nw.Population == nil || *nw.Population != 1000 || nw.Costs.PerInvanare == nil || *nw.Costs.PerInvanare != 0 {
		t.Errorf("network population %v per_invanare %v, want 1000 and 0", nw.Population, nw.Costs.PerInvanare)
	}
	nw.Population, nw.Costs.PerInvanare = nil, nil
	if !reflect.DeepEqual(nw, Network{UnsubmittedUnits: []UnsubmittedUnit{}, Excluded: []ExcludedEvaluation{}}) {
		t.Errorf("network = %+v, want zero", nw)
	}
}

func TestMunicipalitiesInSwedishOrder(t *testing.T) {
	rep := compute(t, round.Dataset{Kommuner: kommuner("Örebro", "Älvdalen", "Åre", "Zinkgruvan", "avesta", "Borlänge")})
	var got []string
	for _, m := range rep.Municipalities {
		got = append(got, m.Name)
	}
	want := []string{"avesta", "Borlänge", "Zinkgruvan", "Åre", "Älvdalen", "Örebro"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestComputeErrors(t *testing.T) {
	ok := func(kv ...string) []round.UnitData { return []round.UnitData{unit("U", []string{"A"}, ev(kv...))} }
	tests := []struct {
		name     string
		kommuner []round.Kommun
		units    []round.UnitData
		wantMsg  string
	}{
		{"kommun listed twice", kommuner("A", "A"), nil, `kommun "A" listed twice`},
		{"unit in unknown kommun", kommuner("A"), []round.UnitData{unit("U", []string{"A", "X"})}, `unit "U": kommun "X" is not in the round`},
		{"unit without kommun", kommuner("A"), []round.UnitData{unit("U", nil)}, `unit "U": no kommun`},
		{"member named twice", kommuner("A"), []round.UnitData{unit("U", []string{"A", "A"})}, `unit "U": kommun "A" named twice`},
		{"bad fordelning", kommuner("A", "B"), []round.UnitData{func() round.UnitData {
			u := unit("U", []string{"A", "B"})
			u.Fordelning = "A=0,5;B=0,2"
			return u
		}()}, `unit "U": fordelning`},
		{"unknown initiator", kommuner("A"), ok("uppdragsgivare_typ", "kommunen"), `unit "U": evaluation "Utvärdering": uppdragsgivare_typ "kommunen"`},
		{"unknown usage", kommuner("A"), ok("anvandning", "arkivet"), `anvandning "arkivet"`},
		{"hours not a number", kommuner("A"), ok("timmar", "många"), `timmar "många"`},
		{"negative cost", kommuner("A"), ok("konsult_kr", "-5"), `konsult_kr "-5"`},
		{"declined with evaluations", kommuner("A"), []round.UnitData{func() round.UnitData {
			u := unit("U", []string{"A"}, ev())
			u.Response = round.Declined
			return u
		}()}, `unit "U": status avbojt but 1 evaluations`},
		{"unknown response", kommuner("A"), []round.UnitData{func() round.UnitData {
			u := unit("U", []string{"A"})
			u.Response = "kanske"
			return u
		}()}, `unknown response "kanske"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Compute(testRound, round.Dataset{Kommuner: tc.kommuner, Units: tc.units})
			if err == nil {
				t.Fatalf("Compute = %v, nil; want an error containing %q", rep, tc.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "aggregate: ") || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error = %q, want it to start with \"aggregate: \" and contain %q", err, tc.wantMsg)
			}
			if rep != nil {
				t.Errorf("report = %v, want nil with an error", rep)
			}
		})
	}
}

// The fordelning error keeps the Swedish apperror from round for callers
// that show it.
func TestFordelningErrorUnwraps(t *testing.T) {
	u := unit("U", []string{"A", "B"})
	u.Fordelning = "A=0,5;X=0,5"
	_, err := Compute(testRound, round.Dataset{Kommuner: kommuner("A", "B"), Units: []round.UnitData{u}})
	if err == nil || errors.Unwrap(err) == nil {
		t.Fatalf("error = %v, want a wrapped error", err)
	}
}

func TestKeysMatchStructs(t *testing.T) {
	if got := jsonKeys(t, UsageCounts{}); !slices.Equal(got, UsageKeys) {
		t.Errorf("UsageCounts keys %v, UsageKeys %v", got, UsageKeys)
	}
	if got := jsonKeys(t, UsageShares{}); !slices.Equal(got, UsageKeys) {
		t.Errorf("UsageShares keys %v, UsageKeys %v", got, UsageKeys)
	}
	if got := jsonKeys(t, ByInitiator{}); !slices.Equal(got, InitiatorKeys) {
		t.Errorf("ByInitiator keys %v, InitiatorKeys %v", got, InitiatorKeys)
	}
	if got := jsonKeys(t, ByInitiatorShares{}); !slices.Equal(got, InitiatorKeys) {
		t.Errorf("ByInitiatorShares keys %v, InitiatorKeys %v", got, InitiatorKeys)
	}
	if want := append([]string{"count"}, UsageKeys...); !slices.Equal(jsonKeys(t, InitiatorRow{}), want) {
		t.Errorf("InitiatorRow keys %v, want %v", jsonKeys(t, InitiatorRow{}), want)
	}
	// The exported slices are copies: changing one does not change Compute.
	UsageKeys[0] = "x"
	defer func() { UsageKeys[0] = "politiskt_beslut" }()
	if (UsageCounts{PolitisktBeslut: 1}).Get("politiskt_beslut") != 1 {
		t.Error("changing UsageKeys changed the package's lookups")
	}
}

// TestUnsubmittedLeftOut: evaluations that units entered but never sent in
// count nowhere, yet the report says how many there are and whose: a shared
// unit's once in the network and whole in each member kommun.
func TestUnsubmittedLeftOut(t *testing.T) {
	left := func(u round.UnitData, resp round.Response, n, drafts int) round.UnitData {
		u.Response, u.Unsubmitted, u.UnsubmittedDrafts = resp, n, drafts
		return u
	}
	ds := round.Dataset{
		Kommuner: kommuner("Borlänge", "Falun"),
		Units: []round.UnitData{
			unit("Socialnämnden", []string{"Borlänge"}, ev()),
			left(unit("Tekniska nämnden", []string{"Borlänge"}), round.NoResponse, 3, 1),
			left(unit("Räddningstjänsten", []string{"Borlänge", "Falun"}), round.NoResponse, 2, 2),
			left(unit("Kommunfastigheter", []string{"Falun"}), round.Declined, 1, 0),
			unit("Miljökontoret", []string{"Falun"}, ev()),
		},
	}
	rep := compute(t, ds)
	nw := rep.Network
	if nw.Evaluations != 2 || nw.UnsubmittedEvaluations != 6 || nw.UnsubmittedDrafts != 3 {
		t.Errorf("network: %d counted, %d left out (%d drafts); want 2, 6 (3)", nw.Evaluations, nw.UnsubmittedEvaluations, nw.UnsubmittedDrafts)
	}
	var names []string
	for _, u := range nw.UnsubmittedUnits {
		names = append(names, u.Enhet)
	}
	if want := []string{"Kommunfastigheter", "Räddningstjänsten", "Tekniska nämnden"}; !slices.Equal(names, want) {
		t.Errorf("network unsubmitted units %q, want %q", names, want)
	}
	for _, tc := range []struct {
		kommun         string
		counted, n, dr int
		units          []string
	}{
		{"Borlänge", 1, 5, 3, []string{"Räddningstjänsten", "Tekniska nämnden"}},
		{"Falun", 1, 3, 2, []string{"Kommunfastigheter", "Räddningstjänsten"}},
	} {
		m := muni(t, rep, tc.kommun)
		var got []string
		for _, u := range m.UnsubmittedUnits {
			got = append(got, u.Enhet)
		}
		if m.Evaluations != tc.counted || m.UnsubmittedEvaluations != tc.n || m.UnsubmittedDrafts != tc.dr || !slices.Equal(got, tc.units) {
			t.Errorf("%s: %d counted, %d left out (%d drafts) from %q; want %d, %d (%d) from %q",
				tc.kommun, m.Evaluations, m.UnsubmittedEvaluations, m.UnsubmittedDrafts, got, tc.counted, tc.n, tc.dr, tc.units)
		}
	}
	// Left-out evaluations change nothing else: the unit is still counted
	// by its answer.
	if r := muni(t, rep, "Borlänge").Response; r.Submitted != 1 || r.NotResponded != 2 {
		t.Errorf("Borlänge response %+v, want 1 submitted and 2 not responded", r)
	}
}
