package report

import (
	"math"
	"slices"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/form"
)

// farFromMean is how far, as a share, a kommun must be from the network mean
// to be named in the findings (15 percentage points).
const farFromMean = 0.15

// maxNamed is how many kommuner a finding names before it counts the rest.
const maxNamed = 6

// Findings derives the network summary's findings from the aggregates, in
// Swedish. Each finding is stated only when its data exists: a report
// without evaluations has none.
//
// Counts that the aggregates give only per kommun (initiator rows,
// responsibility) are summed over the kommuner; a shared unit's evaluations
// then count once in each member kommun, which the finding says.
func Findings(rep *aggregate.Report) []string {
	return findings(rep, newLabels(form.MustEvaluation()))
}

func findings(rep *aggregate.Report, lb labels) []string {
	if rep == nil {
		return nil
	}
	nw := rep.Network
	if nw.Evaluations == 0 {
		return nil
	}
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	var withEvals []aggregate.Municipality
	sumEvals := 0
	for _, m := range rep.Municipalities {
		if m.Evaluations > 0 {
			withEvals = append(withEvals, m)
		}
		sumEvals += m.Evaluations
	}
	// Shared units make the per-kommun sums exceed the distinct count.
	shared := sumEvals > nw.Evaluations
	// The first finding that sums over kommuner says so.
	note := ""
	if shared {
		note = " (räknat per kommun: en gemensam enhets utvärderingar räknas i varje medlemskommun)"
	}
	sharedNote := func() string {
		n := note
		note = ""
		return n
	}

	// Volume and cost.
	s := evals(nw.Evaluations) + " har rapporterats från " + count(len(withEvals), "kommun", "kommuner") + "."
	if nw.Costs.WithCost > 0 {
		s += " De kostade sammanlagt " + kr(nw.Costs.Total) + "; för " + integer(nw.Costs.WithCost) + " av dem har någon kostnad angetts."
	} else {
		s += " För ingen av dem har någon kostnad angetts."
	}
	add(s)

	// Usage: the network means of the central uses.
	if len(withEvals) > 0 {
		mean := nw.UsageMean
		add("I genomsnitt har " + pct(mean.Handlingsplan) + " av kommunernas utvärderingar legat till grund för " +
			lowerFirst(lb.usageLabel("handlingsplan")) + ", " + pct(mean.BudgetMalprocess) + " för " +
			lowerFirst(lb.usageLabel("budget_malprocess")) + " och " + pct(mean.PolitisktBeslut) + " för " +
			lowerFirst(lb.usageLabel("politiskt_beslut")) + ".")
	}

	// Never used.
	if nw.Unused == 0 {
		add("Alla rapporterade utvärderingar har använts på något sätt.")
	} else {
		s := pct(nw.UsagePooled.InteAlls) + " (" + integer(nw.Unused) + " st) av nätverkets utvärderingar används inte alls."
		if nw.UnusedCost > 0 {
			s += " De kostade sammanlagt " + kr(nw.UnusedCost)
			if nw.Costs.Total > 0 {
				s += ", " + pct(nw.UnusedCost/nw.Costs.Total) + " av alla redovisade kostnader för utvärderingar"
			}
			s += "."
		}
		if len(withEvals) > 1 {
			top := extremes(withEvals, func(m aggregate.Municipality) float64 { return m.Usage.Shares.InteAlls }, true)
			s += " Störst andel har " + capList(top.names, 3, "kommuner") + " (" + pct(top.value) + ")."
		}
		add(s)
	}

	// Externally initiated against the kommun's own.
	var ext, own aggregate.InitiatorRow
	for _, m := range rep.Municipalities {
		ext = addRow(ext, m.ByInitiator.Extern)
		own = addRow(addRow(own, m.ByInitiator.Politisk), m.ByInitiator.Verksamhet)
	}
	if ext.Count > 0 && own.Count > 0 {
		extUsed := 1 - float64(ext.InteAlls)/float64(ext.Count)
		ownUsed := 1 - float64(own.InteAlls)/float64(own.Count)
		verb := "i ungefär samma utsträckning som"
		switch d := ownUsed - extUsed; {
		case d > 0.005:
			verb = "i mindre utsträckning än"
		case d < -0.005:
			verb = "i större utsträckning än"
		}
		add("Resultaten från externt initierade utvärderingar används " + verb +
			" resultaten från dem som kommunerna själva initierat (politiskt eller av förvaltningen): " +
			pct(float64(ext.InteAlls)/float64(ext.Count)) + " av de " + integer(ext.Count) + " externa används inte alls, mot " +
			pct(float64(own.InteAlls)/float64(own.Count)) + " av de " + integer(own.Count) + " egna; " +
			pct(float64(ext.BudgetMalprocess)/float64(ext.Count)) + " av de externa ligger till grund för " +
			lowerFirst(lb.usageLabel("budget_malprocess")) + ", mot " +
			pct(float64(own.BudgetMalprocess)/float64(own.Count)) + " av de egna" + sharedNote() + ".")
	}

	// Responsibility.
	var noOwner, multiple int
	for _, m := range rep.Municipalities {
		noOwner += m.Responsibility.NoOwner
		multiple += m.Responsibility.MultipleOwners
	}
	if noOwner > 0 {
		add("För " + evals(noOwner) + " har ingen resultatansvarig angetts" + sharedNote() + ".")
	}
	if multiple > 0 && sumEvals > 0 {
		add("I " + evals(multiple) + " (" + pct(float64(multiple)/float64(sumEvals)) + ") har flera parter angetts som ansvariga för resultatet" +
			sharedNote() + " – en risk att resultatet faller mellan stolarna.")
	}

	// Kommuner far from the network mean, per usage.
	if len(withEvals) > 1 {
		for _, key := range aggregate.UsageKeys {
			mean := nw.UsageMean.Get(key)
			var above, below []string
			for _, m := range withEvals {
				v := m.Usage.Shares.Get(key)
				switch {
				case v-mean > farFromMean+1e-9:
					above = append(above, m.Name+" ("+pct(v)+")")
				case mean-v > farFromMean+1e-9:
					below = append(below, m.Name+" ("+pct(v)+")")
				}
			}
			if len(above) == 0 && len(below) == 0 {
				continue
			}
			s := upperFirst(lb.usageLabel(key)) + " (genomsnitt " + pct(mean) + "): "
			if len(above) > 0 {
				s += capList(above, maxNamed, "kommuner") + " ligger mer än 15 procentenheter över genomsnittet"
				if len(below) > 0 {
					s += ", "
				}
			}
			if len(below) > 0 {
				s += capList(below, maxNamed, "kommuner")
				if len(above) == 0 {
					s += " ligger"
				}
				s += " mer än 15 procentenheter under"
				if len(above) == 0 {
					s += " genomsnittet"
				}
			}
			add(s + ".")
		}
	}

	// User surveys.
	if len(withEvals) > 1 {
		share := func(m aggregate.Municipality) float64 { return m.UserSurveyShare }
		lo := extremes(withEvals, share, false)
		hi := extremes(withEvals, share, true)
		mean, _ := chart.UserSurveyMean(rep)
		if pct(lo.value) == pct(hi.value) {
			add("Andelen medborgar- och brukarundersökningar är " + pct(hi.value) + " i alla kommuner med utvärderingar.")
		} else {
			add("Andelen medborgar- och brukarundersökningar varierar mellan " + pct(lo.value) + " (" + capList(lo.names, 3, "kommuner") +
				") och " + pct(hi.value) + " (" + capList(hi.names, 3, "kommuner") + "); i genomsnitt är den " + pct(mean) + ".")
		}
	} else if nw.UserSurveys > 0 {
		add(pct(float64(nw.UserSurveys)/float64(nw.Evaluations)) + " av utvärderingarna är medborgar- eller brukarundersökningar.")
	}

	// Units that did not answer.
	declined, silent := map[string]bool{}, map[string]bool{}
	for _, m := range rep.Municipalities {
		for _, n := range m.NonResponding {
			if n.Status == aggregate.StatusDeclined {
				declined[n.Enhet] = true
			} else {
				silent[n.Enhet] = true
			}
		}
	}
	if n := len(declined) + len(silent); n > 0 {
		var parts []string
		if len(declined) > 0 {
			parts = append(parts, integer(len(declined))+" har avböjt")
		}
		if len(silent) > 0 {
			parts = append(parts, integer(len(silent))+" har inte svarat")
		}
		add(upperFirst(count(n, "enhet", "enheter")) + " har inte lämnat in några resultat: " + joinList(parts) + ".")
	}
	return out
}

func addRow(a, b aggregate.InitiatorRow) aggregate.InitiatorRow {
	a.Count += b.Count
	a.PolitisktBeslut += b.PolitisktBeslut
	a.Handlingsplan += b.Handlingsplan
	a.BudgetMalprocess += b.BudgetMalprocess
	a.Annat += b.Annat
	a.InteAlls += b.InteAlls
	return a
}

type extreme struct {
	value float64
	names []string
}

// extremes finds the highest (or lowest) value and the kommuner that have
// it, as displayed (values that print alike tie).
func extremes(ms []aggregate.Municipality, value func(aggregate.Municipality) float64, highest bool) extreme {
	best := math.Inf(1)
	if highest {
		best = math.Inf(-1)
	}
	for _, m := range ms {
		v := value(m)
		if highest && v > best || !highest && v < best {
			best = v
		}
	}
	e := extreme{value: best}
	for _, m := range ms {
		if pct(value(m)) == pct(best) {
			e.names = append(e.names, m.Name)
		}
	}
	e.names = slices.Clip(e.names)
	return e
}
