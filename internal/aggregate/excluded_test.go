package aggregate

import (
	"reflect"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// reviewDataset is two kommuner with a shared unit. The evaluation under
// review, "Tillsyn MSB" of the shared unit, touches every aggregate: it has
// an initiator, is unused (inte_alls), is a user survey, has costs of each
// kind (split between the members), and an owner that is also the
// initiator.
func reviewDataset(state string) round.Dataset {
	underReview := ev("benamning", "Tillsyn MSB", "anvandning", "inte_alls", "uppdragsgivare_typ", "extern",
		"uppdragsgivare_ar_resultatansvarig", "ja", "resultatansvarig", "kf;ks",
		"brukarundersokning", "ja", "malgrupp", "Medborgare", "metod", "enkat_webb",
		"timmar", "80", "konsult_kr", "10000", "material_kr", "500", "ovrigt_kr", "700")
	shared := unit("Räddningstjänsten Dala Mitt", []string{"Borlänge", "Säter"},
		ev("benamning", "Olycksstatistik", "anvandning", "politiskt_beslut;handlingsplan", "timmar", "20"))
	switch state {
	case "in":
		shared.Evaluations = append(shared.Evaluations, underReview)
	case "excluded":
		underReview.Excluded = &round.Exclusion{Reason: "Löpande tillsyn, ingen utvärdering"}
		shared.Excluded = []round.Evaluation{underReview}
	case "absent":
	}
	return round.Dataset{
		Kommuner: []round.Kommun{{Name: "Borlänge", Population: pop(49000)}, {Name: "Säter", Population: pop(11000)}},
		Units: []round.UnitData{
			shared,
			unit("Socialnämnden", []string{"Säter"},
				ev("benamning", "Brukarundersökning hemtjänst", "anvandning", "handlingsplan", "uppdragsgivare_typ", "politisk",
					"brukarundersokning", "ja", "malgrupp", "Brukare", "metod", "enkat_papper", "konsult_kr", "60000")),
			unit("Kultur- och fritidsnämnden", []string{"Borlänge"},
				ev("benamning", "Besöksräkning", "anvandning", "annat", "anvandning_annat", "Marknadsföring", "timmar", "12.5")),
		},
	}
}

// withoutExcluded is the report with its lists of excluded evaluations
// emptied, to compare every other aggregate.
func withoutExcluded(r *Report) Report {
	c := *r
	c.Network.Excluded = []ExcludedEvaluation{}
	c.Municipalities = append([]Municipality(nil), r.Municipalities...)
	for i := range c.Municipalities {
		c.Municipalities[i].Excluded = []ExcludedEvaluation{}
	}
	return c
}

// TestExcludedCountsNowhere: an evaluation excluded by the review changes
// every aggregate exactly as if it had never been reported (counts, usage,
// initiator table, costs, surveys, responsibility, unused, response), and is
// listed with its reason in the network and in each member kommun; taken
// back in, the report is the one from before.
func TestExcludedCountsNowhere(t *testing.T) {
	before := compute(t, reviewDataset("in"))
	excluded := compute(t, reviewDataset("excluded"))
	absent := compute(t, reviewDataset("absent"))
	reincluded := compute(t, reviewDataset("in"))

	if got, want := withoutExcluded(excluded), withoutExcluded(absent); !reflect.DeepEqual(got, want) {
		t.Errorf("excluded evaluation still counts somewhere:\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(reincluded, before) {
		t.Errorf("re-included report differs from the report before:\n got %+v\nwant %+v", reincluded, before)
	}

	// The evaluation did count before: every aggregate it touches moves.
	tests := []struct {
		name          string
		before, after float64
	}{
		{"network evaluations", float64(before.Network.Evaluations), float64(excluded.Network.Evaluations)},
		{"Borlänge evaluations", float64(muni(t, before, "Borlänge").Evaluations), float64(muni(t, excluded, "Borlänge").Evaluations)},
		{"Säter evaluations", float64(muni(t, before, "Säter").Evaluations), float64(muni(t, excluded, "Säter").Evaluations)},
		{"network unused", float64(before.Network.Unused), float64(excluded.Network.Unused)},
		{"network unused cost", before.Network.UnusedCost, excluded.Network.UnusedCost},
		{"network user surveys", float64(before.Network.UserSurveys), float64(excluded.Network.UserSurveys)},
		{"network cost total", before.Network.Costs.Total, excluded.Network.Costs.Total},
		{"network with cost", float64(before.Network.Costs.WithCost), float64(excluded.Network.Costs.WithCost)},
		{"network inte_alls pooled", before.Network.UsagePooled.InteAlls, excluded.Network.UsagePooled.InteAlls},
		{"network inte_alls mean", before.Network.UsageMean.InteAlls, excluded.Network.UsageMean.InteAlls},
		{"Borlänge extern", float64(muni(t, before, "Borlänge").ByInitiator.Extern.Count), float64(muni(t, excluded, "Borlänge").ByInitiator.Extern.Count)},
		{"Säter konsult", muni(t, before, "Säter").Costs.Konsult, muni(t, excluded, "Säter").Costs.Konsult},
		{"Borlänge per invånare", *muni(t, before, "Borlänge").Costs.PerInvanare, *muni(t, excluded, "Borlänge").Costs.PerInvanare},
		{"Säter user survey table rows", float64(len(muni(t, before, "Säter").UserSurveyTable)), float64(len(muni(t, excluded, "Säter").UserSurveyTable))},
		{"Borlänge unused", float64(len(muni(t, before, "Borlänge").Unused)), float64(len(muni(t, excluded, "Borlänge").Unused))},
		{"Säter initiator is owner", float64(muni(t, before, "Säter").Responsibility.InitiatorIsOwner), float64(muni(t, excluded, "Säter").Responsibility.InitiatorIsOwner)},
		{"Säter multiple owners", float64(muni(t, before, "Säter").Responsibility.MultipleOwners), float64(muni(t, excluded, "Säter").Responsibility.MultipleOwners)},
	}
	for _, tc := range tests {
		if tc.before == tc.after {
			t.Errorf("%s = %v before and after the exclusion; the test evaluation should have moved it", tc.name, tc.before)
		}
	}
	// The unit still submitted: response is unchanged.
	if a, b := muni(t, before, "Säter").Response, muni(t, excluded, "Säter").Response; !reflect.DeepEqual(a, b) {
		t.Errorf("response changed by an exclusion: %+v → %+v", a, b)
	}

	want := []ExcludedEvaluation{{Benamning: "Tillsyn MSB", Enhet: "Räddningstjänsten Dala Mitt", Kommun: "Borlänge, Säter",
		Reason: "Löpande tillsyn, ingen utvärdering", Kommuner: []string{"Borlänge", "Säter"}}}
	if !reflect.DeepEqual(excluded.Network.Excluded, want) {
		t.Errorf("network.excluded = %+v, want %+v", excluded.Network.Excluded, want)
	}
	for _, k := range []string{"Borlänge", "Säter"} {
		got := muni(t, excluded, k).Excluded
		if len(got) != 1 || got[0].Kommun != k || got[0].Benamning != "Tillsyn MSB" || got[0].Reason != want[0].Reason {
			t.Errorf("%s excluded = %+v, want Tillsyn MSB with kommun %s", k, got, k)
		}
	}
	if len(before.Network.Excluded) != 0 || len(muni(t, before, "Borlänge").Excluded) != 0 {
		t.Errorf("excluded listed before any exclusion: %+v", before.Network.Excluded)
	}
}

// TestEveryEvaluationExcluded: a unit whose every evaluation is excluded
// has still answered; its kommun counts none.
func TestEveryEvaluationExcluded(t *testing.T) {
	u := unit("Socialnämnden", []string{"Säter"})
	u.Excluded = []round.Evaluation{excludedEv("A", "x"), excludedEv("B", "y")}
	rep := compute(t, round.Dataset{Kommuner: kommuner("Säter"), Units: []round.UnitData{u}})
	m := muni(t, rep, "Säter")
	if m.Evaluations != 0 || m.Response.Submitted != 1 || m.Response.NotResponded != 0 || len(m.Excluded) != 2 {
		t.Errorf("Säter = %d evaluations, response %+v, %d excluded; want 0, submitted 1, 2 excluded", m.Evaluations, m.Response, len(m.Excluded))
	}
	if rep.Network.KommunerWithEvaluations != 0 || rep.Network.Evaluations != 0 {
		t.Errorf("network = %+v, want no evaluations", rep.Network)
	}
}
