package report

import (
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
)

// muni builds a kommun's aggregates from its evaluation count, usage counts
// (in UsageKeys order), user surveys and responsibility.
func muni(name string, n int, usage [5]int, surveys int, resp aggregate.Responsibility) aggregate.Municipality {
	c := aggregate.UsageCounts{PolitisktBeslut: usage[0], Handlingsplan: usage[1], BudgetMalprocess: usage[2], Annat: usage[3], InteAlls: usage[4]}
	m := aggregate.Municipality{
		Name:           name,
		Evaluations:    n,
		Usage:          aggregate.Usage{Counts: c, Shares: c.Shares(n)},
		UserSurveys:    surveys,
		Responsibility: resp,
	}
	if n > 0 {
		m.UserSurveyShare = float64(surveys) / float64(n)
	}
	m.ByInitiator.Totalt = aggregate.InitiatorRow{Count: n, UsageCounts: c}
	return m
}

// network completes a hand-built report's network part from its kommuner
// (no shared units: the distinct counts are the sums).
func network(ms ...aggregate.Municipality) *aggregate.Report {
	rep := &aggregate.Report{Round: aggregate.RoundInfo{Name: "Test", HourlyRate: 280}, Municipalities: ms}
	var sum [5]float64
	var pooled aggregate.UsageCounts
	for _, m := range ms {
		rep.Network.Evaluations += m.Evaluations
		rep.Network.UserSurveys += m.UserSurveys
		if m.Evaluations == 0 {
			continue
		}
		rep.Network.KommunerWithEvaluations++
		for i, k := range aggregate.UsageKeys {
			sum[i] += m.Usage.Shares.Get(k)
		}
		pooled.PolitisktBeslut += m.Usage.Counts.PolitisktBeslut
		pooled.Handlingsplan += m.Usage.Counts.Handlingsplan
		pooled.BudgetMalprocess += m.Usage.Counts.BudgetMalprocess
		pooled.Annat += m.Usage.Counts.Annat
		pooled.InteAlls += m.Usage.Counts.InteAlls
	}
	if k := float64(rep.Network.KommunerWithEvaluations); k > 0 {
		rep.Network.UsageMean = aggregate.UsageShares{PolitisktBeslut: sum[0] / k, Handlingsplan: sum[1] / k,
			BudgetMalprocess: sum[2] / k, Annat: sum[3] / k, InteAlls: sum[4] / k}
	}
	rep.Network.UsagePooledCounts = pooled
	rep.Network.UsagePooled = pooled.Shares(rep.Network.Evaluations)
	rep.Network.Unused = pooled.InteAlls
	return rep
}

func TestFindings(t *testing.T) {
	withInitiators := func(rep *aggregate.Report) *aggregate.Report {
		// Borlänge: 10 external (4 unused, 1 budget), 10 own (0 unused, 6 budget).
		rep.Municipalities[0].ByInitiator.Extern = aggregate.InitiatorRow{Count: 10,
			UsageCounts: aggregate.UsageCounts{BudgetMalprocess: 1, InteAlls: 4}}
		rep.Municipalities[0].ByInitiator.Politisk = aggregate.InitiatorRow{Count: 6,
			UsageCounts: aggregate.UsageCounts{BudgetMalprocess: 4}}
		rep.Municipalities[0].ByInitiator.Verksamhet = aggregate.InitiatorRow{Count: 4,
			UsageCounts: aggregate.UsageCounts{BudgetMalprocess: 2}}
		return rep
	}
	tests := []struct {
		name    string
		rep     *aggregate.Report
		want    []string // substrings that some finding holds
		notWant []string // substrings no finding holds
		count   int      // number of findings, -1 to skip
	}{
		{
			name:  "no evaluations",
			rep:   network(muni("Borlänge", 0, [5]int{}, 0, aggregate.Responsibility{})),
			count: 0,
		},
		{
			name: "one kommun",
			rep:  network(muni("Borlänge", 20, [5]int{10, 14, 8, 2, 1}, 5, aggregate.Responsibility{NoOwner: 2, MultipleOwners: 3})),
			want: []string{
				"20 utvärderingar har rapporterats från 1 kommun.",
				"I genomsnitt har 70\u00a0% av kommunernas utvärderingar legat till grund för handlingsplan för förbättringsarbete, 40\u00a0% för budget- och målprocessen och 50\u00a0% för politiska beslut och ställningstaganden.",
				"5,0\u00a0% (1 st) av nätverkets utvärderingar används inte alls.",
				"För 2 utvärderingar har ingen resultatansvarig angetts.",
				"I 3 utvärderingar (15\u00a0%) har flera parter angetts som ansvariga för resultatet – en risk att resultatet faller mellan stolarna.",
				"25\u00a0% av utvärderingarna är medborgar- eller brukarundersökningar.",
				"För ingen av dem har någon kostnad angetts.",
			},
			notWant: []string{"Störst andel", "procentenheter", "varierar", "0 av 0", "externt"},
			count:   -1,
		},
		{
			name: "what the unused cost",
			rep: func() *aggregate.Report {
				r := network(muni("Borlänge", 20, [5]int{10, 14, 8, 2, 1}, 5, aggregate.Responsibility{}))
				r.Network.UnusedCost, r.Network.Costs.Total = 12000, 48000
				return r
			}(),
			want:  []string{"5,0\u00a0% (1 st) av nätverkets utvärderingar används inte alls. De kostade sammanlagt 12\u00a0000\u00a0kr, 25\u00a0% av alla redovisade kostnader för utvärderingar."},
			count: -1,
		},
		{
			name: "kommuner far from the mean",
			rep: network(
				muni("Borlänge", 10, [5]int{9, 5, 5, 0, 0}, 5, aggregate.Responsibility{}),
				muni("Heby", 10, [5]int{2, 5, 5, 0, 3}, 1, aggregate.Responsibility{}),
				muni("Säter", 10, [5]int{5, 5, 2, 0, 0}, 2, aggregate.Responsibility{}),
			),
			want: []string{
				"Politiska beslut och ställningstaganden (genomsnitt 53\u00a0%): Borlänge (90\u00a0%) ligger mer än 15 procentenheter över genomsnittet, Heby (20\u00a0%) mer än 15 procentenheter under.",
				"Inte alls (genomsnitt 10\u00a0%): Heby (30\u00a0%) ligger mer än 15 procentenheter över genomsnittet.",
				"Budget- och målprocessen (genomsnitt 40\u00a0%): Säter (20\u00a0%) ligger mer än 15 procentenheter under genomsnittet.",
				"Störst andel har Heby (30\u00a0%).",
				"Andelen medborgar- och brukarundersökningar varierar mellan 10\u00a0% (Heby) och 50\u00a0% (Borlänge); i genomsnitt är den 27\u00a0%.",
			},
			notWant: []string{"Handlingsplan för förbättringsarbete (genomsnitt", "resultatansvarig", "stolarna", "externt"},
			count:   -1,
		},
		{
			name: "all used",
			rep: network(
				muni("Borlänge", 4, [5]int{1, 1, 1, 1, 0}, 1, aggregate.Responsibility{}),
				muni("Falun", 4, [5]int{1, 1, 1, 1, 0}, 1, aggregate.Responsibility{}),
			),
			want:    []string{"Alla rapporterade utvärderingar har använts på något sätt.", "Andelen medborgar- och brukarundersökningar är 25\u00a0% i alla kommuner"},
			notWant: []string{"procentenheter"},
			count:   -1,
		},
		{
			name: "external less used than own",
			rep:  withInitiators(network(muni("Borlänge", 20, [5]int{10, 10, 7, 0, 4}, 0, aggregate.Responsibility{}))),
			want: []string{
				"Resultaten från externt initierade utvärderingar används i mindre utsträckning än resultaten från dem som kommunerna själva initierat (politiskt eller av förvaltningen): 40\u00a0% av de 10 externa används inte alls, mot 0\u00a0% av de 10 egna; 10\u00a0% av de externa ligger till grund för budget- och målprocessen, mot 60\u00a0% av de egna.",
			},
			count: -1,
		},
		{
			name: "non-responding units counted once",
			rep: func() *aggregate.Report {
				rep := network(muni("Borlänge", 2, [5]int{1, 1, 1, 1, 0}, 0, aggregate.Responsibility{}),
					muni("Säter", 2, [5]int{1, 1, 1, 1, 0}, 0, aggregate.Responsibility{}))
				shared := aggregate.NonResponding{Enhet: "Räddningstjänsten", Status: aggregate.StatusDeclined, Reason: "Tid"}
				rep.Municipalities[0].NonResponding = []aggregate.NonResponding{shared, {Enhet: "Fastigheter", Status: aggregate.StatusNotResponded}}
				rep.Municipalities[1].NonResponding = []aggregate.NonResponding{shared}
				return rep
			}(),
			want:  []string{"2 enheter har inte lämnat in några resultat: 1 har avböjt och 1 har inte svarat."},
			count: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Findings(tt.rep)
			all := strings.Join(got, "\n")
			if tt.count >= 0 && len(got) != tt.count {
				t.Errorf("%d findings, want %d:\n%s", len(got), tt.count, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no finding holds\n%q\nfindings:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("a finding holds %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestFindingsShared checks the note on per-kommun sums when a shared unit's
// evaluations count in several kommuner.
func TestFindingsShared(t *testing.T) {
	got := strings.Join(Findings(smallReport(t)), "\n")
	for _, w := range []string{"räknat per kommun", "risk att resultatet faller mellan stolarna", "har inte lämnat in några resultat"} {
		if !strings.Contains(got, w) {
			t.Errorf("findings lack %q:\n%s", w, got)
		}
	}
}
