package round_test

import (
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

func pairNames(ps []round.KommunPair) [][2]string {
	out := make([][2]string, len(ps))
	for i, p := range ps {
		if p.Previous != nil {
			out[i][0] = p.Previous.Name
		}
		if p.Current != nil {
			out[i][1] = p.Current.Name
		}
	}
	return out
}

// TestMatchKommuner: by kommunkod where both rounds have it ("Falu kommun"
// is "Falun"), else by name; a kommun in one round only is a pair with one
// side missing; two kommuner with different codes never match by name.
func TestMatchKommuner(t *testing.T) {
	prev := []round.Kommun{
		{Name: "Falu kommun", Kommunkod: "2080"},
		{Name: "Borlänge", Kommunkod: "2081"},
		{Name: "Heby"},                        // no code then
		{Name: "Vansbro", Kommunkod: "2021"},  // left the network
		{Name: "Smedjebacken"},                // left the network
		{Name: "Mora", Kommunkod: "2062"},     // same name, other code now: a mistake, not the same kommun
		{Name: "  säter ", Kommunkod: "2082"}, // spacing and case differ
	}
	cur := []round.Kommun{
		{Name: "Borlänge", Kommunkod: "2081"},
		{Name: "Falun", Kommunkod: "2080"},
		{Name: "Heby", Kommunkod: "0331"}, // code added this round: matched by name
		{Name: "Ludvika", Kommunkod: "2085"},
		{Name: "Mora", Kommunkod: "2063"},
		{Name: "Säter"},
	}
	got := round.MatchKommuner(prev, cur)
	want := [][2]string{
		{"Borlänge", "Borlänge"},
		{"Falu kommun", "Falun"},
		{"Heby", "Heby"},
		{"", "Ludvika"},
		{"", "Mora"},
		{"  säter ", "Säter"},
		{"Vansbro", ""},
		{"Smedjebacken", ""},
		{"Mora", ""},
	}
	if names := pairNames(got); len(names) != len(want) {
		t.Fatalf("pairs = %v, want %v", names, want)
	} else {
		for i := range want {
			if names[i] != want[i] {
				t.Errorf("pair %d = %v, want %v", i, names[i], want[i])
			}
		}
	}
	byCode := map[string]bool{"Borlänge": true, "Falun": true}
	for _, p := range got {
		if p.Current != nil && p.ByCode != byCode[p.Current.Name] {
			t.Errorf("%s: ByCode = %v, want %v", p.Current.Name, p.ByCode, byCode[p.Current.Name])
		}
	}
	m := round.Match{Kommuner: got}
	if p, ok := m.Kommun("Falun"); !ok || p.Previous == nil || p.Previous.Name != "Falu kommun" || !p.Both() {
		t.Errorf("Kommun(Falun) = %+v, %v", p, ok)
	}
	if p, _ := m.Kommun("Ludvika"); p.Both() || p.Name() != "Ludvika" {
		t.Errorf("Ludvika is new: %+v", p)
	}
}

func evaluation(id, unit int64, name string) round.Evaluation {
	return round.Evaluation{ID: id, UnitID: unit, Complete: true, Answers: form.Answers{"benamning": name}}
}

// TestMatchRounds: units and evaluations by lineage, else by (kommun,
// name) and (unit, name), through the kommun pairs; renamed ones are found
// by lineage only.
func TestMatchRounds(t *testing.T) {
	prev := round.RoundContent{
		Kommuner: []round.Kommun{{Name: "Falu kommun", Kommunkod: "2080"}, {Name: "Borlänge"}, {Name: "Vansbro"}},
		Units: []round.Unit{
			{ID: 1, Name: "Socialnämnden", Kommuner: []string{"Falu kommun"}},
			{ID: 2, Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Borlänge", "Falu kommun"}},
			{ID: 3, Name: "Kommunstyrelsen", Kommuner: []string{"Vansbro"}},
			{ID: 4, Name: "Tekniska nämnden", Kommuner: []string{"Borlänge"}},
		},
		Evaluations: []round.Evaluation{
			evaluation(10, 1, "Brukarenkät hemtjänst"),
			evaluation(11, 1, "Öppna jämförelser"),
			evaluation(12, 2, "Olycksstatistik"),
			evaluation(13, 3, "Medborgarenkät"),
			evaluation(14, 4, "Gatubelysning"),
		},
	}
	cur := round.RoundContent{
		Kommuner: []round.Kommun{{Name: "Falun", Kommunkod: "2080"}, {Name: "Borlänge"}, {Name: "Ludvika"}},
		Units: []round.Unit{
			{ID: 21, Name: "Socialnämnden", Kommuner: []string{"Falun"}},                           // by name, through the code
			{ID: 22, Name: "Räddningstjänsten Dala Mitt", Kommuner: []string{"Falun", "Borlänge"}}, // by name, members reordered
			{ID: 24, Name: "Samhällsbyggnadsnämnden", Kommuner: []string{"Borlänge"}},              // renamed: lineage
			{ID: 25, Name: "Kommunstyrelsen", Kommuner: []string{"Ludvika"}},                       // new kommun, new unit
		},
		Evaluations: []round.Evaluation{
			evaluation(30, 21, "brukarenkät  hemtjänst"), // by name
			evaluation(31, 21, "Nöjd kund-index"),        // renamed: lineage
			evaluation(32, 22, "Olycksstatistik"),        // by name
			evaluation(34, 24, "Gatubelysning"),          // unit by lineage, evaluation by name
			evaluation(35, 25, "Medborgarenkät"),         // new
		},
	}
	lineage := round.Lineage{Units: map[int64]int64{24: 4, 25: 999}, Evaluations: map[int64]int64{31: 11}}
	m := round.MatchRounds(prev, cur, lineage)

	units := map[int64]int64{}
	for _, p := range m.Units {
		switch {
		case p.Current != nil && p.Previous != nil:
			units[p.Current.ID] = p.Previous.ID
		case p.Current != nil:
			units[p.Current.ID] = 0
		default:
			units[-p.Previous.ID] = -1
		}
	}
	wantUnits := map[int64]int64{21: 1, 22: 2, 24: 4, 25: 0, -3: -1}
	if len(units) != len(wantUnits) {
		t.Errorf("unit pairs = %v, want %v", units, wantUnits)
	}
	for k, v := range wantUnits {
		if units[k] != v {
			t.Errorf("unit %d paired with %d, want %d", k, units[k], v)
		}
	}
	for _, p := range m.Units {
		if p.Current != nil && p.ByLineage != (p.Current.ID == 24) {
			t.Errorf("unit %d ByLineage = %v", p.Current.ID, p.ByLineage)
		}
	}

	evals := map[int64]int64{}
	var dropped []int64
	for _, p := range m.Evaluations {
		switch {
		case p.Recurs():
			evals[p.Current.ID] = p.Previous.ID
		case p.Current != nil:
			evals[p.Current.ID] = 0
		default:
			dropped = append(dropped, p.Previous.ID)
		}
	}
	wantEvals := map[int64]int64{30: 10, 31: 11, 32: 12, 34: 14, 35: 0}
	for k, v := range wantEvals {
		if got, ok := evals[k]; !ok || got != v {
			t.Errorf("evaluation %d paired with %d, want %d", k, got, v)
		}
	}
	if len(dropped) != 1 || dropped[0] != 13 {
		t.Errorf("dropped = %v, want [13] (Vansbro's)", dropped)
	}
}
