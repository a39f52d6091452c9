package report

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

var testRound = round.Round{Name: "Resultatstyrning 2009", HourlyRate: 280}

func pop(n int64) *int64 { return &n }

// ev is a complete evaluation: extern, used for handlingsplan, unless kv
// (code/value pairs; "" deletes) says otherwise.
func ev(name string, kv ...string) round.Evaluation {
	a := form.Answers{
		"benamning":          name,
		"periodicitet":       "arligen",
		"uppdragsgivare_typ": "extern",
		"syfte":              "Uppföljning",
		"resultatansvarig":   "verksamhetschef",
		"anvandning":         "handlingsplan",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(a, kv[i])
		} else {
			a[kv[i]] = kv[i+1]
		}
	}
	return round.Evaluation{Complete: true, Answers: a}
}

func submitted(name string, kommuner []string, es ...round.Evaluation) round.UnitData {
	return round.UnitData{Unit: round.Unit{Name: name, Kommuner: kommuner, Response: round.Submitted}, Evaluations: es}
}

// scriptName and formulaName are unit names that must come out as text.
const (
	scriptName  = "<script>alert(1)</script>"
	formulaName = "=SUM(A1)"
)

// smallDataset is the golden files' network: three kommuner (one without a
// known population), a unit shared by two of them, a unit that declined, one
// that never answered, one with no evaluations, units named like a formula
// and like a script, unused evaluations and user surveys.
func smallDataset() round.Dataset {
	return round.Dataset{
		Kommuner: []round.Kommun{
			{Name: "Borlänge", Population: pop(49000)},
			{Name: "Säter", Population: pop(11000)},
			{Name: "Falun"},
		},
		Units: []round.UnitData{
			submitted("Kultur- och fritidsnämnden", []string{"Borlänge"},
				ev("Nöjd kund-index bibliotek", "anvandning", "politiskt_beslut;handlingsplan;budget_malprocess",
					"uppdragsgivare_typ", "politisk", "uppdragsgivare_ar_resultatansvarig", "ja",
					"brukarundersokning", "ja", "malgrupp", "Besökare", "metod", "enkat_webb;enkat_papper",
					"timmar", "120", "konsult_kr", "45000", "material_kr", "2500"),
				ev("Besöksräkning badhus", "anvandning", "annat", "anvandning_annat", "Marknadsföring",
					"uppdragsgivare_typ", "verksamhet", "brukarundersokning", "ja", "malgrupp", "Besökare", "metod", "matning",
					"timmar", "12.5"),
				ev("Miljöbäst i Sverige", "anvandning", "inte_alls", "resultatansvarig", "ingen", "kostnad_totalt_kr", "8000"),
				ev("Kvalitetsredovisning", "anvandning", "politiskt_beslut;budget_malprocess", "uppdragsgivare_typ", "",
					"resultatansvarig", "namnd;forvaltningschef", "kostnad_totalt_kr", "150000"),
			),
			submitted(formulaName, []string{"Borlänge"},
				ev("+46 Enkät", "anvandning", "handlingsplan", "resultatansvarig", "ks;namnd;enhetschef", "timmar", "40",
					"brukarundersokning", "ja", "malgrupp", "@föräldrar", "metod", "enkat_webb")),
			submitted("Barn- och skolnämnden", []string{"Borlänge"}, schoolEvaluations()...),
			{Unit: round.Unit{Name: "Kommunfastigheter", Kommuner: []string{"Borlänge"}, Response: round.Declined, Reason: "Hög arbetsbelastning"}},
			submitted("Räddningstjänsten Dala Mitt", []string{"Borlänge", "Säter"},
				ev("Tillsyn MSB", "anvandning", "inte_alls", "timmar", "80", "konsult_kr", "10000"),
				ev("Olycksstatistik", "anvandning", "politiskt_beslut;handlingsplan", "uppdragsgivare_typ", "politisk",
					"uppdragsgivare_ar_resultatansvarig", "ja", "timmar", "20")),
			submitted("Socialnämnden", []string{"Säter"},
				ev("Brukarundersökning hemtjänst", "anvandning", "handlingsplan;budget_malprocess", "uppdragsgivare_typ", "politisk",
					"brukarundersokning", "ja", "malgrupp", "Brukare", "metod", "enkat_papper;intervju", "konsult_kr", "60000"),
				ev("Länsstyrelsens tillsyn", "anvandning", "inte_alls", "resultatansvarig", "extern")),
			{Unit: round.Unit{Name: "Barn- och utbildningsnämnden", Kommuner: []string{"Säter"}}},
			submitted(scriptName, []string{"Falun"},
				ev("Jämförelse <bygglov> & tillsyn", "anvandning", "inte_alls",
					"uppdragsgivare_typ", "verksamhet", "timmar", "300", "ovrigt_kr", "1200"),
				ev("Tillsyn fristående skolor", "anvandning", "politiskt_beslut;handlingsplan;annat", "uppdragsgivare_typ", "politisk",
					"brukarundersokning", "ja", "malgrupp", "Elever", "metod", "fokusgrupp")),
			{Unit: round.Unit{Name: "Miljöförvaltningen", Kommuner: []string{"Falun"}, Response: round.NoEvaluations}},
		},
		Texts: []round.ReportText{
			{Body: "Det finns ingen tydlig ordning för hur resultat används i styrkedjan.\n\n- Koppla brukarundersökningar till budgeten <nu>\n- Se över IT-stödet"},
			{Kommun: "Borlänge", Body: "Kvalitetsfunktionen saknas; nämnderna arbetar var för sig & olika."},
		},
	}
}

// schoolEvaluations are 14 routine evaluations, so that Borlänge has 21 and
// shares under 10 % occur.
func schoolEvaluations() []round.Evaluation {
	out := make([]round.Evaluation, 14)
	for i := range out {
		out[i] = ev("Nationella prov "+strconv.Itoa(i+1), "anvandning", "handlingsplan;budget_malprocess",
			"uppdragsgivare_typ", []string{"extern", "politisk"}[i%2], "timmar", "8")
	}
	return out
}

func smallReport(t testing.TB) *aggregate.Report {
	t.Helper()
	rep, err := aggregate.Compute(testRound, smallDataset())
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return rep
}

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// nationalDataset generates a national round (design §9): nKommuner kommuner
// with unitsPer units each, every seventh kommun sharing a unit with the next
// one or two, a few units declined or silent, and nEvaluations evaluations
// spread over the answering units. It is deterministic.
func nationalDataset(nKommuner, unitsPer, nEvaluations int) round.Dataset {
	rng := rand.New(rand.NewPCG(2009, 290))
	var ds round.Dataset
	for i := range nKommuner {
		k := round.Kommun{Name: fmt.Sprintf("Kommun %03d", i)}
		if i%19 != 0 {
			p := int64(2500 + rng.IntN(900000))
			k.Population = &p
		}
		ds.Kommuner = append(ds.Kommuner, k)
	}
	areas := []string{"Vård och omsorg", "Barn och utbildning", "Kultur och fritid", "Samhällsbyggnad", "Kommunstyrelsen"}
	for i, k := range ds.Kommuner {
		for j := range unitsPer {
			u := round.Unit{Name: areas[j%len(areas)] + " " + k.Name, Kommuner: []string{k.Name}, Omrade: areas[j%len(areas)]}
			ds.Units = append(ds.Units, round.UnitData{Unit: u})
		}
		if i%7 == 0 && i+2 < nKommuner {
			members := []string{k.Name, ds.Kommuner[i+1].Name}
			if i%14 == 0 {
				members = append(members, ds.Kommuner[i+2].Name)
			}
			u := round.Unit{Name: "Räddningstjänsten " + strings.Join(members, "–"), Kommuner: members, Omrade: "Räddningstjänst", Fordelning: "lika"}
			ds.Units = append(ds.Units, round.UnitData{Unit: u})
		}
	}
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
	pick := func(opts []string, most int) string {
		var out []string
		for _, o := range opts {
			if rng.IntN(len(opts)) < most {
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
		"periodicitet":                       "arligen",
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
	}
	switch rng.IntN(5) {
	case 0, 1, 2:
		a["timmar"] = strconv.Itoa(rng.IntN(400))
		if rng.IntN(2) == 0 {
			a["konsult_kr"] = strconv.Itoa(rng.IntN(200000))
		}
	case 3:
		a["kostnad_totalt_kr"] = strconv.Itoa(rng.IntN(500000))
	}
	return a
}
