package aggregate

import (
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// usageEvs returns n evaluations of which the first k have the use.
func usageEvs(n, k int, use string, kv ...string) []round.Evaluation {
	out := make([]round.Evaluation, n)
	for i := range out {
		a := "annat"
		if i < k {
			a = use
		}
		out[i] = ev(append([]string{"anvandning", a, "anvandning_annat", "Jämförelse"}, kv...)...)
	}
	return out
}

// findingsOf computes the dataset and returns its findings.
func findingsOf(t *testing.T, ds round.Dataset) []Finding {
	t.Helper()
	return compute(t, ds).Findings
}

func find(fs []Finding, measure, direction string) *Finding {
	for i := range fs {
		if fs[i].Measure == measure && fs[i].Direction == direction {
			return &fs[i]
		}
	}
	return nil
}

// network of kommuner A, B, C… each with its own unit of the evaluations.
func networkOf(units map[string][]round.Evaluation) round.Dataset {
	var names []string
	for n := range units {
		names = append(names, n)
	}
	slices.Sort(names)
	ds := round.Dataset{Kommuner: kommuner(names...)}
	for _, n := range names {
		ds.Units = append(ds.Units, unit("Enhet "+n, []string{n}, units[n]...))
	}
	return ds
}

func TestFindingsUsage(t *testing.T) {
	tests := []struct {
		name     string
		ds       round.Dataset
		measure  string
		dir      string
		kommuner []string // nil: no such finding
		text     []string // substrings of its text
	}{
		{
			name: "clearly above and below, most extreme first",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 9, "politiskt_beslut"), "B": usageEvs(10, 2, "politiskt_beslut"),
				"C": usageEvs(10, 5, "politiskt_beslut"), "D": usageEvs(10, 1, "politiskt_beslut"),
			}),
			measure: "politiskt_beslut", dir: Under, kommuner: []string{"D", "B"},
			text: []string{"Klart under genomsnittet (42,5 %) för politiska beslut och ställningstaganden ligger D (10,0 % av 10) och B (20,0 % av 10)."},
		},
		{
			name: "over, with its base",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 9, "politiskt_beslut"), "B": usageEvs(10, 2, "politiskt_beslut"),
				"C": usageEvs(10, 5, "politiskt_beslut"), "D": usageEvs(10, 1, "politiskt_beslut"),
			}),
			measure: "politiskt_beslut", dir: Over, kommuner: []string{"A", "C"},
			text: []string{"Klart över genomsnittet (42,5 %)", "A (90,0 % av 10) och C (50,0 % av 10)"},
		},
		{
			name: "ties: both highest named, both lowest named",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 5, "handlingsplan"), "B": usageEvs(20, 10, "handlingsplan"),
				"C": usageEvs(10, 2, "handlingsplan"), "D": usageEvs(5, 1, "handlingsplan"),
			}),
			measure: "handlingsplan", dir: Info, kommuner: []string{"A", "B", "C", "D"},
			text: []string{"Högst andel har A (50,0 % av 10) och B (50,0 % av 20), lägst C (20,0 % av 10) och D (20,0 % av 5)."},
		},
		{
			name: "ties: all alike, nobody clearly off",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 5, "handlingsplan"), "B": usageEvs(20, 10, "handlingsplan"),
			}),
			measure: "handlingsplan", dir: Info, kommuner: []string{"A", "B"},
			text: []string{"Andelen är densamma i alla kommuner."},
		},
		{
			name: "ties: all alike gives no over",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 5, "handlingsplan"), "B": usageEvs(20, 10, "handlingsplan"),
			}),
			measure: "handlingsplan", dir: Over,
		},
		{
			// Vansbro's case: 11,9 % against a mean of 9,4 % is 2,5 points
			// and 27 % of the mean: clearly above, and bad news.
			name: "inte_alls above the mean is bad news",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(59, 7, "inte_alls"), "B": usageEvs(100, 8, "inte_alls"), "C": usageEvs(100, 8, "inte_alls"),
			}),
			measure: "inte_alls", dir: Over, kommuner: []string{"A"},
			text: []string{"Klart fler utvärderingar än genomsnittet (9,3 %) används inte alls i A (11,9 % av 59)", "inte används för att styra"},
		},
		{
			// 1,5 points off a mean of 5 % is 30 % of it, but within the
			// points threshold: not named.
			name: "a small share's wobble is not a difference",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(200, 13, "inte_alls"), "B": usageEvs(200, 7, "inte_alls"),
			}),
			measure: "inte_alls", dir: Over,
		},
		{
			name: "inte_alls below the mean is good news",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(20, 0, "inte_alls"), "B": usageEvs(20, 6, "inte_alls"), "C": usageEvs(20, 6, "inte_alls"),
			}),
			measure: "inte_alls", dir: Under, kommuner: []string{"A"},
			text: []string{"Klart färre utvärderingar än genomsnittet (20,0 %) lämnas oanvända i A (0,0 % av 20)."},
		},
		{
			name: "the budget process always gets a bullet",
			ds: networkOf(map[string][]round.Evaluation{
				"A": usageEvs(10, 5, "budget_malprocess"), "B": usageEvs(10, 5, "budget_malprocess"),
			}),
			measure: "budget_malprocess", dir: Info, kommuner: []string{"A", "B"},
			text: []string{"Budget- och målprocessen, undersökningens centrala fråga: i genomsnitt har 50,0 % av kommunernas utvärderingar legat till grund för budget- och målprocessen (medelvärdet av 2 kommuners andelar; 50,0 % av nätverkets 20 utvärderingar)."},
		},
		{
			name:    "one kommun: a fact, no comparison",
			ds:      networkOf(map[string][]round.Evaluation{"A": usageEvs(20, 5, "budget_malprocess")}),
			measure: "budget_malprocess", dir: Info, kommuner: []string{"A"},
			text: []string{"25,0 % (5 av 20) av As utvärderingar har legat till grund för budget- och målprocessen.",
				"Med en enda kommun finns inget genomsnitt att jämföra med."},
		},
		{
			name:    "one kommun: no over",
			ds:      networkOf(map[string][]round.Evaluation{"A": usageEvs(20, 5, "budget_malprocess")}),
			measure: "budget_malprocess", dir: Over,
		},
		{
			name: "a kommun without evaluations is left out of the comparison",
			ds: func() round.Dataset {
				ds := networkOf(map[string][]round.Evaluation{"A": usageEvs(10, 8, "politiskt_beslut"), "B": usageEvs(10, 2, "politiskt_beslut")})
				ds.Kommuner = append(ds.Kommuner, round.Kommun{Name: "C", Population: pop(500)})
				return ds
			}(),
			measure: "politiskt_beslut", dir: Info, kommuner: []string{"A", "B"},
			text: []string{"medelvärdet av 2 kommuners andelar", "lägst B (20,0 % av 10)"},
		},
		{
			name: "the two bases of a shared unit",
			ds: round.Dataset{Kommuner: kommuner("A", "B"), Units: []round.UnitData{
				unit("Gemensam", []string{"A", "B"}, usageEvs(10, 5, "budget_malprocess", "uppdragsgivare_typ", "extern")...),
				unit("Egen A", []string{"A"}, usageEvs(10, 10, "budget_malprocess", "uppdragsgivare_typ", "politisk")...),
			}},
			measure: "budget_malprocess", dir: Info,
			kommuner: []string{"A", "B"},
			text: []string{"75,0 % av nätverkets 20 utvärderingar", "50,0 % av 20 externa mot 100,0 % av 10 egna (räknat per kommun)",
				"Externt initierade utvärderingar används mer sällan än de egna"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := findingsOf(t, tc.ds)
			f := find(fs, tc.measure, tc.dir)
			if tc.kommuner == nil {
				if f != nil {
					t.Fatalf("got %s/%s finding %q, want none", tc.measure, tc.dir, f.Text)
				}
				return
			}
			if f == nil {
				t.Fatalf("no %s/%s finding in %+v", tc.measure, tc.dir, fs)
			}
			if !slices.Equal(f.Kommuner, tc.kommuner) {
				t.Errorf("kommuner = %v, want %v", f.Kommuner, tc.kommuner)
			}
			for _, s := range tc.text {
				if !strings.Contains(f.Text, strings.ReplaceAll(s, " %", "\u00a0%")) {
					t.Errorf("text %q\nlacks %q", f.Text, s)
				}
			}
		})
	}
}

func TestFindingsZeroEvaluations(t *testing.T) {
	if fs := findingsOf(t, round.Dataset{}); fs == nil || len(fs) != 0 {
		t.Errorf("empty round: findings = %#v, want an empty list", fs)
	}
	declined := unit("Kommunfastigheter", []string{"A"})
	declined.Response, declined.Reason = round.Declined, "Deltar inte"
	silent := unit("Tyst", []string{"B"})
	silent.Response = round.NoResponse
	fs := findingsOf(t, round.Dataset{Kommuner: kommuner("A", "B"), Units: []round.UnitData{declined, silent}})
	for _, f := range fs {
		if f.Measure != MeasureResponse {
			t.Errorf("without evaluations: unexpected finding %s/%s %q", f.Measure, f.Direction, f.Text)
		}
	}
	r := find(fs, MeasureResponse, Info)
	if r == nil {
		t.Fatal("no response finding")
	}
	for _, s := range []string{"0 av nätverkets 2 enheter (0,0\u00a0%) har svarat.", "1 har avböjt och 1 har inte svarat: Kommunfastigheter (A) och Tyst (B)."} {
		if !strings.Contains(r.Text, s) {
			t.Errorf("response text %q lacks %q", r.Text, s)
		}
	}
}

func TestFindingsCosts(t *testing.T) {
	t.Run("all-zero costs", func(t *testing.T) {
		fs := findingsOf(t, networkOf(map[string][]round.Evaluation{
			"A": evs(3, "timmar", "0"), "B": evs(2, "kostnad_totalt_kr", "0"),
		}))
		c := find(fs, MeasureCost, Info)
		if c == nil || !strings.Contains(c.Text, "alla angivna kostnader är 0\u00a0kr") {
			t.Fatalf("cost finding = %+v, want all costs 0 kr", c)
		}
		for _, f := range fs {
			if strings.Contains(f.Text, "NaN") || strings.Contains(f.Text, "Inf") || strings.Contains(f.Text, "–") {
				t.Errorf("finding %q holds a non-number", f.Text)
			}
			if f.Measure == MeasureQuality && strings.Contains(f.Text, "timmar") {
				t.Errorf("zero hours everywhere flagged as few hours: %q", f.Text)
			}
		}
	})
	t.Run("no cost given", func(t *testing.T) {
		fs := findingsOf(t, networkOf(map[string][]round.Evaluation{"A": evs(3)}))
		if c := find(fs, MeasureCost, Info); c == nil || !strings.Contains(c.Text, "För ingen av nätverkets 3 utvärderingar har någon kostnad eller tid angetts.") {
			t.Errorf("cost finding = %+v", c)
		}
	})
	t.Run("range per inhabitant", func(t *testing.T) {
		ds := networkOf(map[string][]round.Evaluation{
			"A": evs(2, "konsult_kr", "69500"), "B": evs(1, "konsult_kr", "414000"), "C": evs(1, "konsult_kr", "200000"),
		})
		fs := findingsOf(t, ds)
		c := find(fs, MeasureCost, Info)
		want := "Per invånare varierar kostnaden från 139\u00a0kr i A till 414\u00a0kr i B."
		if c == nil || !strings.Contains(c.Text, want) || !slices.Equal(c.Kommuner, []string{"A", "B"}) {
			t.Errorf("cost finding = %+v, want %q naming A and B", c, want)
		}
	})
}

func TestFindingsQuality(t *testing.T) {
	ds := networkOf(map[string][]round.Evaluation{
		// A: 24 of 30 give a total only (97,9 % of the cost); 6 give 3 h each.
		"A": append(evs(24, "kostnad_totalt_kr", "10000"), evs(6, "timmar", "3")...),
		// B: 16 of 59 without any cost.
		"B": append(evs(16), evs(43, "timmar", "150")...),
		"C": evs(40, "timmar", "160"),
	})
	ds.Kommuner[2].Population = nil
	rep := compute(t, ds)
	texts := map[string]string{}
	for _, f := range rep.Findings {
		if f.Measure == MeasureQuality {
			texts[strings.Join(f.Kommuner, ",")] += f.Text
		}
	}
	want := map[string][]string{
		"A": {"inte uppdelad på kostnadsslag i A (97,9\u00a0% av 245\u00a0040\u00a0kr; 24 av 30 utvärderingar anger bara en totalsumma)",
			"Orimligt lite egen tid anges i A (3,0\u00a0timmar per utvärdering: 18,0\u00a0timmar för 6 utvärderingar)"},
		"B": {"Kostnad saknas för många utvärderingar i B (16 av 59, 27,1\u00a0%)"},
		"C": {"Invånarantal saknas för C"},
		"":  {"Källa och datum för invånarantalen är inte angivna"},
	}
	for k, subs := range want {
		for _, s := range subs {
			if !strings.Contains(texts[k], s) {
				t.Errorf("quality findings naming %q = %q, want %q", k, texts[k], s)
			}
		}
	}
	if len(texts) != len(want) {
		t.Errorf("quality findings by kommuner = %v, want keys of %v", texts, want)
	}

	r := testRound
	r.PopulationSource = "SCB 2009-12-31"
	rep, err := Compute(r, ds)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Text == "Kostnad per invånare bygger på invånarantalen: SCB 2009-12-31."
	}
	if !found {
		t.Errorf("no finding states the population source: %+v", rep.Findings)
	}
}

func TestStandingAndKey(t *testing.T) {
	rep := compute(t, networkOf(map[string][]round.Evaluation{
		"A": append(usageEvs(10, 9, "budget_malprocess"), usageEvs(10, 0, "inte_alls")...),
		"B": append(usageEvs(10, 1, "budget_malprocess"), usageEvs(10, 6, "inte_alls")...),
		"C": append(usageEvs(10, 5, "budget_malprocess"), usageEvs(10, 2, "inte_alls")...),
	}))
	want := map[string]Standing{
		// budget 45 % / 5 % / 25 % of 20, mean 25 %; inte_alls 0 / 30 / 10 %, mean 13,3 %;
		// annat 55 / 65 / 65 %, mean 61,7 %.
		"A": {BudgetMalprocess: Over, InteAlls: Under, Annat: Under, Best: "inte_alls", Worst: "annat"},
		"B": {BudgetMalprocess: Under, InteAlls: Over, Best: "", Worst: "inte_alls"},
		"C": {InteAlls: Under, Best: "inte_alls"},
	}
	for _, m := range rep.Municipalities {
		if m.Standing != want[m.Name] {
			t.Errorf("%s standing = %+v, want %+v", m.Name, m.Standing, want[m.Name])
		}
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Key {
			n++
		}
	}
	if n < 3 || n > maxKey {
		t.Errorf("%d key findings, want 3 to %d", n, maxKey)
	}
	if f := find(rep.Findings, "inte_alls", Over); f == nil || !f.Key {
		t.Errorf("the bad news of inte_alls is not a key finding: %+v", f)
	}
	if key := KeyFindings(rep.Findings); len(key) != n || key[0].Measure != "inte_alls" || key[0].Direction != Over {
		t.Errorf("key findings in order = %+v, want the %d key ones, the bad news first", key, n)
	}
}
