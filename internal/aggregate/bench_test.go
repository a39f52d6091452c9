package aggregate

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// nationalRound generates a national round (design §9): nKommuner kommuner
// with unitsPer units each, every seventh kommun sharing one more unit with
// the next one or two, and nEvaluations evaluations spread over the units.
// It is deterministic.
func nationalRound(nKommuner, unitsPer, nEvaluations int) round.Dataset {
	rng := rand.New(rand.NewPCG(2009, 280))
	var ds round.Dataset
	for i := range nKommuner {
		k := round.Kommun{Name: fmt.Sprintf("Kommun %03d", i)}
		if i%17 != 0 { // a few with unknown population
			p := int64(2500 + rng.IntN(900000))
			k.Population = &p
		}
		ds.Kommuner = append(ds.Kommuner, k)
	}
	areas := []string{"Vård och omsorg", "Barn och utbildning", "Kultur och fritid", "Samhällsbyggnad", "Kommunstyrelsen"}
	for i, k := range ds.Kommuner {
		for j := range unitsPer {
			u := round.Unit{Name: fmt.Sprintf("%s %s", areas[j%len(areas)], k.Name), Kommuner: []string{k.Name}, Omrade: areas[j%len(areas)]}
			ds.Units = append(ds.Units, round.UnitData{Unit: u})
		}
		if i%7 == 0 && i+2 < nKommuner {
			members := []string{k.Name, ds.Kommuner[i+1].Name}
			if i%14 == 0 {
				members = append(members, ds.Kommuner[i+2].Name)
			}
			u := round.Unit{Name: "Räddningstjänsten " + strings.Join(members, "–"), Kommuner: members, Omrade: "Räddningstjänst"}
			switch i % 3 {
			case 1:
				u.Fordelning = "lika"
			case 2:
				shares := make([]string, len(members))
				for m, name := range members {
					s := "0,5"
					if len(members) == 3 {
						s = []string{"0,5", "0,3", "0,2"}[m]
					}
					shares[m] = name + "=" + s
				}
				u.Fordelning = strings.Join(shares, ";")
			}
			ds.Units = append(ds.Units, round.UnitData{Unit: u})
		}
	}
	// Some units declined or have none; the rest share the evaluations.
	var answering []int
	for i := range ds.Units {
		switch i % 23 {
		case 5:
			ds.Units[i].Response, ds.Units[i].Reason = round.Declined, "Hög arbetsbelastning"
		case 11:
			ds.Units[i].Response = round.NoEvaluations
		case 17:
			ds.Units[i].Response = round.NoResponse
		default:
			ds.Units[i].Response = round.Submitted
			answering = append(answering, i)
		}
	}
	for e := range nEvaluations {
		u := &ds.Units[answering[rng.IntN(len(answering))]]
		u.Evaluations = append(u.Evaluations, round.Evaluation{Complete: true, Answers: randomAnswers(rng, e)})
	}
	return ds
}

func randomAnswers(rng *rand.Rand, n int) form.Answers {
	pick := func(opts []string, max int) string {
		var out []string
		for _, o := range opts {
			if rng.IntN(len(opts)) < max {
				out = append(out, o)
			}
		}
		if len(out) == 0 {
			out = opts[:1]
		}
		return strings.Join(out, form.MultiSeparator)
	}
	a := form.Answers{
		"benamning":                          "Utvärdering " + strconv.Itoa(n),
		"periodicitet":                       []string{"flera_per_ar", "arligen", "mer_sallan", "engangs"}[rng.IntN(4)],
		"syfte":                              "Uppföljning",
		"uppdragsgivare_typ":                 []string{"extern", "politisk", "verksamhet", "extern", "politisk", ""}[rng.IntN(6)],
		"uppdragsgivare_ar_resultatansvarig": []string{"ja", "nej"}[rng.IntN(2)],
	}
	if rng.IntN(30) == 0 {
		a["resultatansvarig"] = "ingen"
	} else {
		a["resultatansvarig"] = pick([]string{"kf", "ks", "namnd", "forvaltningschef", "verksamhetschef", "enhetschef", "extern", "annan"}, 2)
	}
	if rng.IntN(11) == 0 {
		a["anvandning"] = "inte_alls"
	} else {
		a["anvandning"] = pick([]string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat"}, 2)
	}
	if rng.IntN(3) == 0 {
		a["brukarundersokning"] = "ja"
		a["malgrupp"] = []string{"Elever", "Föräldrar", "Brukare", "Kommunmedborgare", "Besökare", "Anhöriga"}[rng.IntN(6)]
		a["metod"] = pick([]string{"enkat_webb", "enkat_papper", "intervju", "fokusgrupp", "matning", "synpunkter_klagomal", "annan"}, 1)
	} else {
		a["brukarundersokning"] = "nej"
	}
	switch rng.IntN(5) {
	case 0, 1, 2:
		a["timmar"] = strconv.FormatFloat(float64(rng.IntN(40000))/100, 'f', -1, 64)
		if rng.IntN(2) == 0 {
			a["konsult_kr"] = strconv.Itoa(rng.IntN(200000))
		}
		if rng.IntN(3) == 0 {
			a["material_kr"] = strconv.Itoa(rng.IntN(20000))
		}
		if rng.IntN(4) == 0 {
			a["ovrigt_kr"] = strconv.Itoa(rng.IntN(10000))
		}
	case 3:
		a["kostnad_totalt_kr"] = strconv.Itoa(rng.IntN(500000))
	}
	return a
}

func BenchmarkCompute(b *testing.B) {
	ds := nationalRound(290, 5, 30000)
	b.ReportMetric(float64(ds.EvaluationCount()), "evaluations")
	b.ReportMetric(float64(len(ds.Units)), "units")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(testRound, ds); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNationalRound checks the generated round and the invariants that must
// hold on any data: network totals equal the kommuner's apportioned sums,
// and distinct counts do not exceed the per-kommun sums.
func TestNationalRound(t *testing.T) {
	ds := nationalRound(290, 5, 30000)
	rep := compute(t, ds)
	if len(rep.Municipalities) != 290 || rep.Network.Evaluations != 30000 {
		t.Fatalf("kommuner %d, evaluations %d; want 290, 30000", len(rep.Municipalities), rep.Network.Evaluations)
	}
	var total, lon float64
	var evals, withCost int
	for _, m := range rep.Municipalities {
		total += m.Costs.Total
		lon += m.Costs.Lon
		evals += m.Evaluations
		withCost += m.Costs.WithCost
		if m.ByInitiator.Totalt.Count != m.Evaluations {
			t.Errorf("%s: totalt row %d, evaluations %d", m.Name, m.ByInitiator.Totalt.Count, m.Evaluations)
		}
		sum := m.ByInitiator.Extern.Count + m.ByInitiator.Politisk.Count + m.ByInitiator.Verksamhet.Count + m.ByInitiator.EjAngiven.Count
		if sum != m.Evaluations {
			t.Errorf("%s: initiator rows sum to %d, want %d", m.Name, sum, m.Evaluations)
		}
		if r := m.Response; r.Units != r.Submitted+r.IngaUtvarderingar+r.Declined+r.NotResponded ||
			len(r.NonRespondingUnits) != r.Declined+r.NotResponded {
			t.Errorf("%s: response %+v does not add up", m.Name, r)
		}
	}
	n := rep.Network
	if !near(total, n.Costs.Total) || !near(lon, n.Costs.Lon) {
		t.Errorf("Σ kommuner total %v lon %v; network %v %v", total, lon, n.Costs.Total, n.Costs.Lon)
	}
	if evals <= n.Evaluations || withCost <= n.Costs.WithCost {
		t.Errorf("Σ kommuner evaluations %d with_cost %d should exceed the distinct %d, %d (shared units count in each member)",
			evals, withCost, n.Evaluations, n.Costs.WithCost)
	}
}
