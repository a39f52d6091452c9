package aggregate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
)

// twoRounds is a generated network measured twice: the second round has
// every kommun's kommunkod, one kommun renamed ("… kommun"), the last kommun
// gone, a new kommun, and every fourth evaluation not used at all.
func twoRounds(t *testing.T) (prev, cur *Report, renamed [2]string) {
	t.Helper()
	opt := natgen.Options{Seed: 11, Kommuner: 14, UnitsPerKommun: 3, EvaluationsPerKommun: 40}
	withCodes := func(ds round.Dataset) round.Dataset {
		for i := range ds.Kommuner {
			ds.Kommuner[i].Kommunkod = fmt.Sprintf("%04d", 1000+i)
		}
		return ds
	}
	before := withCodes(natgen.Generate(opt))
	now := withCodes(natgen.Generate(opt))

	// Rename kommun 1 in the new round; its code stays.
	old := now.Kommuner[1].Name
	renamed = [2]string{old, old + " kommun"}
	now.Kommuner[1].Name = renamed[1]
	for i := range now.Units {
		u := &now.Units[i].Unit
		for j, k := range u.Kommuner {
			if k == old {
				u.Kommuner[j] = renamed[1]
			}
		}
		u.Fordelning = strings.ReplaceAll(u.Fordelning, old+"=", renamed[1]+"=")
	}
	// The last kommun leaves, with every unit it runs or shares.
	gone := now.Kommuner[len(now.Kommuner)-1].Name
	now.Kommuner = now.Kommuner[:len(now.Kommuner)-1]
	now.Units = slices.DeleteFunc(now.Units, func(u round.UnitData) bool { return slices.Contains(u.Kommuner, gone) })
	// A new kommun joins with one unit.
	now.Kommuner = append(now.Kommuner, round.Kommun{Name: "Nykommun", Population: pop(9000), Kommunkod: "9999"})
	now.Units = append(now.Units, unit("Nya nämnden", []string{"Nykommun"}, evs(5, "konsult_kr", "1000")...))
	// Every fourth evaluation is now not used at all.
	n := 0
	for i := range now.Units {
		for j := range now.Units[i].Evaluations {
			if n%4 == 0 {
				a := now.Units[i].Evaluations[j].Answers
				a["anvandning"] = "inte_alls"
				delete(a, "anvandning_annat")
			}
			n++
		}
	}
	return compute(t, before), compute(t, now), renamed
}

// TestComparePreviousIsEarlierReport: for every kommun in both rounds and
// for the network, previous is the earlier round's own report and change
// is current − previous.
func TestComparePreviousIsEarlierReport(t *testing.T) {
	prev, cur, renamed := twoRounds(t)
	got := Compare(cur, BasisOf(prev))

	prevByName := map[string]Municipality{}
	for _, m := range prev.Municipalities {
		prevByName[m.Name] = m
	}
	checked := 0
	for _, m := range got.Municipalities {
		if m.Name == "Nykommun" {
			continue
		}
		name := m.Name
		if name == renamed[1] {
			name = renamed[0]
		}
		pm, ok := prevByName[name]
		if !ok {
			t.Fatalf("%s: not in the earlier round", m.Name)
		}
		if m.Previous == nil || m.Change == nil || m.Compared == nil {
			t.Fatalf("%s: previous %v, change %v, compared %v; want all set", m.Name, m.Previous, m.Change, m.Compared)
		}
		p, c := m.Previous, m.Change
		checks := []struct {
			what      string
			got, want any
		}{
			{"previous.evaluations", p.Evaluations, pm.Evaluations},
			{"previous.costs.total", p.Costs.Total, pm.Costs.Total},
			{"previous.costs.per_invanare", *p.Costs.PerInvanare, *pm.Costs.PerInvanare},
			{"previous.costs.with_cost", p.Costs.WithCost, pm.Costs.WithCost},
			{"previous.user_surveys", p.UserSurveys, pm.UserSurveys},
			{"previous.user_survey_share", *p.UserSurveyShare, pm.UserSurveyShare},
			{"previous.usage", *p.Usage, pm.Usage.Shares},
			{"previous.usage_counts", p.UsageCounts, pm.Usage.Counts},
			{"previous.unused", p.Unused, len(pm.Unused)},
			{"previous.response.units", p.Response.Units, pm.Response.Units},
			{"previous.response.submitted", p.Response.Submitted, pm.Response.Submitted},
			{"previous.response.declined", p.Response.Declined, pm.Response.Declined},
			{"previous.response.not_responded", p.Response.NotResponded, pm.Response.NotResponded},
			{"previous.response.rate", *p.Response.Rate, pm.Response.Rate},
			{"change.evaluations", c.Evaluations, m.Evaluations - pm.Evaluations},
			{"change.costs.total", c.Costs.Total, m.Costs.Total - pm.Costs.Total},
			{"change.costs.per_invanare", *c.Costs.PerInvanare, *m.Costs.PerInvanare - *pm.Costs.PerInvanare},
			{"change.user_surveys", c.UserSurveys, m.UserSurveys - pm.UserSurveys},
			{"change.usage.inte_alls", c.Usage.InteAlls, m.Usage.Shares.InteAlls - pm.Usage.Shares.InteAlls},
			{"change.usage.handlingsplan", c.Usage.Handlingsplan, m.Usage.Shares.Handlingsplan - pm.Usage.Shares.Handlingsplan},
			{"change.response.rate", *c.Response.Rate, m.Response.Rate - pm.Response.Rate},
		}
		for _, ch := range checks {
			if !reflect.DeepEqual(ch.got, ch.want) {
				t.Errorf("%s: %s = %v, want %v", m.Name, ch.what, ch.got, ch.want)
			}
		}
		checked++
	}
	if checked != len(prev.Municipalities)-1 {
		t.Errorf("checked %d kommuner, want %d", checked, len(prev.Municipalities)-1)
	}

	pn, n := got.Network.Previous, prev.Network
	if pn == nil || got.Network.Change == nil {
		t.Fatal("network: no previous or change")
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"evaluations", pn.Evaluations, n.Evaluations},
		{"costs.total", pn.Costs.Total, n.Costs.Total},
		{"costs.per_invanare", *pn.Costs.PerInvanare, *n.Costs.PerInvanare},
		{"user_surveys", pn.UserSurveys, n.UserSurveys},
		{"usage", *pn.Usage, n.UsagePooled},
		{"usage_mean", *pn.UsageMean, n.UsageMean},
		{"unused", pn.Unused, n.Unused},
		{"response.units", pn.Response.Units, n.Response.Units},
		{"response.rate", *pn.Response.Rate, n.ResponseRate},
		{"change.evaluations", got.Network.Change.Evaluations, cur.Network.Evaluations - n.Evaluations},
		{"change.costs.total", got.Network.Change.Costs.Total, cur.Network.Costs.Total - n.Costs.Total},
		{"change.usage.inte_alls", got.Network.Change.Usage.InteAlls, cur.Network.UsagePooled.InteAlls - n.UsagePooled.InteAlls},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("network %s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	if got.Network.Change.Usage.InteAlls <= 0 {
		t.Errorf("network change.usage.inte_alls = %v; every fourth evaluation is now unused, want a rise", got.Network.Change.Usage.InteAlls)
	}
}

// TestCompareMatching: kommuner match by kommunkod where both rounds have
// it, else by name; a kommun in one round only is said to be so and gets
// no figures (never zeros).
func TestCompareMatching(t *testing.T) {
	k := func(name, code string) round.Kommun {
		return round.Kommun{Name: name, Population: pop(1000), Kommunkod: code}
	}
	tests := []struct {
		name         string
		prev, cur    []round.Kommun
		wantStatus   map[string]string // current kommun → status
		wantPrevName map[string]string // current kommun → earlier name when it differs
		wantByCode   map[string]bool
		onlyPrevious []string
	}{
		{
			name:         "by kommunkod when names differ",
			prev:         []round.Kommun{k("Falu kommun", "2080")},
			cur:          []round.Kommun{k("Falun", "2080")},
			wantStatus:   map[string]string{"Falun": InBoth},
			wantPrevName: map[string]string{"Falun": "Falu kommun"},
			wantByCode:   map[string]bool{"Falun": true},
		},
		{
			name:         "by name without codes",
			prev:         []round.Kommun{k("Säter", "")},
			cur:          []round.Kommun{k("säter", "")},
			wantStatus:   map[string]string{"säter": InBoth},
			wantPrevName: map[string]string{"säter": "Säter"},
		},
		{
			name:       "by name when one round lacks the code",
			prev:       []round.Kommun{k("Borlänge", "")},
			cur:        []round.Kommun{k("Borlänge", "2081")},
			wantStatus: map[string]string{"Borlänge": InBoth},
		},
		{
			name:         "same name, different codes: different kommuner",
			prev:         []round.Kommun{k("Nora", "1884")},
			cur:          []round.Kommun{k("Nora", "9999")},
			wantStatus:   map[string]string{"Nora": OnlyCurrent},
			onlyPrevious: []string{"Nora"},
		},
		{
			name:         "a kommun in one round only",
			prev:         []round.Kommun{k("Falun", "2080"), k("Heby", "0331")},
			cur:          []round.Kommun{k("Falun", "2080"), k("Ludvika", "2085")},
			wantStatus:   map[string]string{"Falun": InBoth, "Ludvika": OnlyCurrent},
			wantByCode:   map[string]bool{"Falun": true},
			onlyPrevious: []string{"Heby"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := func(ks []round.Kommun, perKommun int) round.Dataset {
				d := round.Dataset{Kommuner: ks}
				for _, km := range ks {
					d.Units = append(d.Units, unit("Nämnden i "+km.Name, []string{km.Name}, evs(perKommun, "konsult_kr", "500")...))
				}
				return d
			}
			prev, cur := compute(t, ds(tt.prev, 4)), compute(t, ds(tt.cur, 6))
			got := Compare(cur, BasisOf(prev))
			for _, m := range got.Municipalities {
				want := tt.wantStatus[m.Name]
				if m.Compared == nil || m.Compared.Status != want {
					t.Errorf("%s: compared %+v, want status %q", m.Name, m.Compared, want)
					continue
				}
				if m.Compared.PreviousName != tt.wantPrevName[m.Name] {
					t.Errorf("%s: previous name %q, want %q", m.Name, m.Compared.PreviousName, tt.wantPrevName[m.Name])
				}
				if m.Compared.ByCode != tt.wantByCode[m.Name] {
					t.Errorf("%s: by code %v, want %v", m.Name, m.Compared.ByCode, tt.wantByCode[m.Name])
				}
				js, err := json.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				hasPrev := bytes.Contains(js, []byte(`"previous":`)) || bytes.Contains(js, []byte(`"change":`))
				switch want {
				case InBoth:
					if m.Previous == nil || m.Previous.Evaluations != 4 || m.Change.Evaluations != 2 {
						t.Errorf("%s: previous %+v change %+v, want 4 evaluations then and +2", m.Name, m.Previous, m.Change)
					}
				case OnlyCurrent:
					if m.Previous != nil || m.Change != nil || hasPrev {
						t.Errorf("%s is new: got previous %+v, change %+v (JSON %s); want none", m.Name, m.Previous, m.Change, js)
					}
					if !slices.Contains(got.Comparison.OnlyCurrent, m.Name) {
						t.Errorf("%s is new but not in only_current %v", m.Name, got.Comparison.OnlyCurrent)
					}
				}
			}
			var prevOnly []string
			for _, p := range got.Comparison.OnlyPrevious {
				prevOnly = append(prevOnly, p.Name)
				if p.Previous.Evaluations != 4 {
					t.Errorf("only-previous %s: %d evaluations then, want 4", p.Name, p.Previous.Evaluations)
				}
			}
			if !slices.Equal(prevOnly, tt.onlyPrevious) {
				t.Errorf("only_previous = %v, want %v", prevOnly, tt.onlyPrevious)
			}
		})
	}
}

// TestCompareKeepsInputs: Compare returns a new report and changes neither
// of the two it reads.
func TestCompareKeepsInputs(t *testing.T) {
	prev, cur, _ := twoRounds(t)
	enc := func(r *Report) string { b, _ := json.Marshal(r); return string(b) }
	before, earlier := enc(cur), enc(prev)
	got := Compare(cur, BasisOf(prev))
	if enc(cur) != before || enc(prev) != earlier {
		t.Error("Compare changed its inputs")
	}
	if got.Comparison == nil || got.Network.Previous == nil {
		t.Error("the compared report has no comparison")
	}
	if Compare(cur, nil).Comparison != nil {
		t.Error("compared with nothing, the report has a comparison")
	}
}

// TestCompareJSONKeys: the keys of design §6.
func TestCompareJSONKeys(t *testing.T) {
	prev, cur, _ := twoRounds(t)
	b, err := json.Marshal(Compare(cur, BasisOf(prev)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Municipalities []map[string]json.RawMessage `json:"municipalities"`
		Network        map[string]json.RawMessage   `json:"network"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, block := range []string{"previous", "change"} {
		var fig map[string]json.RawMessage
		if err := json.Unmarshal(doc.Network[block], &fig); err != nil {
			t.Fatalf("network.%s: %v", block, err)
		}
		for _, key := range []string{"evaluations", "costs", "user_surveys", "usage", "response"} {
			if _, ok := fig[key]; !ok {
				t.Errorf("network.%s has no %q", block, key)
			}
		}
		var costs map[string]json.RawMessage
		if err := json.Unmarshal(fig["costs"], &costs); err != nil || costs["total"] == nil {
			t.Errorf("network.%s.costs has no total (%v)", block, err)
		}
		var usage map[string]float64
		if err := json.Unmarshal(fig["usage"], &usage); err != nil || len(usage) != len(UsageKeys) {
			t.Errorf("network.%s.usage = %s, want the %d usage keys (%v)", block, fig["usage"], len(UsageKeys), err)
		}
		if _, ok := doc.Municipalities[0][block]; !ok {
			t.Errorf("municipality %s has no %q", doc.Municipalities[0]["name"], block)
		}
	}
}

// TestChangeFindings: findings about change state both rounds' figures
// with their bases, and say when a share has not changed clearly.
func TestChangeFindings(t *testing.T) {
	round9 := func(unused, n int, kommun string) round.Dataset {
		es := append(evs(unused, "anvandning", "inte_alls"), evs(n-unused)...)
		return round.Dataset{Kommuner: kommuner(kommun), Units: []round.UnitData{unit("Nämnden", []string{kommun}, es...)}}
	}
	prev, err := Compute(round.Round{Name: "Mätning 2009", HourlyRate: 280}, round9(9, 100, "Falun"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cur     round.Dataset
		measure string
		dir     string
		want    string
	}{
		{"unused fell", round9(6, 100, "Falun"), "inte_alls", Under,
			"Andelen av nätverkets utvärderingar som inte används alls har minskat från 9,0 % (9 av 100) i Mätning 2009 till 6,0 % (6 av 100), −3,0 procentenheter."},
		{"unused rose", round9(15, 100, "Falun"), "inte_alls", Over,
			"har ökat från 9,0 % (9 av 100) i Mätning 2009 till 15,0 % (15 av 100), +6,0 procentenheter."},
		{"unused about the same", round9(10, 100, "Falun"), "inte_alls", Info,
			"är i stort sett oförändrad: 10,0 % (10 av 100) mot 9,0 % (9 av 100) i Mätning 2009."},
		{"handlingsplan fell", round9(30, 100, "Falun"), "handlingsplan", Under,
			"som har legat till grund för handlingsplan för förbättringsarbete har minskat från 91,0 % (91 av 100)"},
		{"count", round9(6, 120, "Falun"), MeasureCost, Info,
			"Nätverket har rapporterat 120 utvärderingar mot 100 i Mätning 2009 (+20)."},
		{"a kommun in one round only", round9(6, 100, "Ludvika"), MeasureQuality, Info,
			"Ingen kommun deltar i både den här omgången och Mätning 2009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(compute(t, tt.cur), BasisOf(prev))
			var texts []string
			for _, f := range got.Findings {
				if !f.Change {
					continue
				}
				text := strings.ReplaceAll(f.Text, "\u00a0", " ")
				texts = append(texts, text)
				if f.Measure == tt.measure && strings.Contains(text, tt.want) {
					if f.Direction != tt.dir {
						t.Errorf("direction %q, want %q: %s", f.Direction, tt.dir, f.Text)
					}
					return
				}
			}
			t.Errorf("no %s finding containing %q; got:\n%s", tt.measure, tt.want, strings.Join(texts, "\n"))
		})
	}
}

// TestChanged: a share has changed clearly by at least 2 points and 10 % of
// the earlier share, or of its complement when it is over one half.
func TestChanged(t *testing.T) {
	tests := []struct {
		now, before float64
		want        int
	}{
		{0.06, 0.09, -1},  // −3 points, a third of 9 %
		{0.10, 0.09, 0},   // +1 point: under 2 points
		{0.745, 0.688, 1}, // +5,7 points: more than 10 % of the 31,2 % left
		{0.71, 0.688, 0},  // +2,2 points: less than 10 % of 31,2 %
		{0.40, 0.50, -1},
		{0.47, 0.50, 0}, // −3 points: under 10 % of 50 %
		{0.02, 0, 1},
	}
	for _, tt := range tests {
		if got := Changed(tt.now, tt.before); got != tt.want {
			t.Errorf("Changed(%v, %v) = %d, want %d", tt.now, tt.before, got, tt.want)
		}
	}
}
