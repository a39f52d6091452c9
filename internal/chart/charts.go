package chart

import (
	"sync"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/numfmt"
)

// Default chart titles.
const (
	TitleUsage         = "Hur resultaten används – andel av kommunens utvärderingar"
	TitleCosts         = "Kostnader för utvärderingar per kommun, fördelade på kostnadsslag"
	TitlePerInhabitant = "Antal utvärderingar och kostnad per invånare"
	TitleUserSurveys   = "Andel medborgar- och brukarundersökningar"
)

// Legend and axis texts shared with the report.
const (
	MeanLabel        = "Nätverkets genomsnitt (medelvärde av kommunernas andelar)"
	UnknownPopNote   = "invånarantal saknas"
	NoEvaluationNote = "inga utvärderingar"
)

// CostKinds are the cost kinds stacked in the costs chart, in order.
var CostKinds = []string{"Lön (egen tid)", "Konsult", "Material o dyl", "Övrigt", "Ej uppdelat på kostnadsslag"}

// UsageLabel is the Swedish label of a usage key (an option of the form's
// `anvandning`).
func UsageLabel(key string) string { return labels().usage[key] }

var labels = sync.OnceValue(func() struct{ usage map[string]string } {
	def := form.MustEvaluation()
	out := struct{ usage map[string]string }{usage: map[string]string{}}
	for _, k := range aggregate.UsageKeys {
		l := k
		if f := def.Field("anvandning"); f != nil {
			l = f.OptionLabel(k)
		}
		out.usage[k] = l
	}
	return out
})

func names(rep *aggregate.Report) []string {
	out := make([]string, len(rep.Municipalities))
	for i, m := range rep.Municipalities {
		out[i] = m.Name
	}
	return out
}

// usageShort are the panel titles of Diagram 1; the legend gives the form's
// full labels.
var usageShort = map[string]string{
	"politiskt_beslut":  "Politiska beslut",
	"handlingsplan":     "Handlingsplan",
	"budget_malprocess": "Budget och mål",
	"annat":             "Annat",
	"inte_alls":         "Inte alls",
}

func usageLayout(rep *aggregate.Report) *layout {
	l := &layout{
		title: TitleUsage,
		desc: "Liggande stapeldiagram i fem delar, en för varje sätt att använda resultaten. " +
			"Varje stapel är en kommuns andel av sina utvärderingar, med andelen utskriven; en streckad linje visar nätverkets genomsnitt. " +
			"Samma uppgifter finns i tabellen efter diagrammet.",
		rows: names(rep),
	}
	// The panels are named; the one legend explains the mean's line.
	hasMean := rep.Network.KommunerWithEvaluations > 0
	if hasMean {
		l.legend = append(l.legend, legendItem{label: MeanLabel, fill: fill{color: colorMean}, dashed: true})
	}
	for k, key := range aggregate.UsageKeys {
		pn := panel{
			title:     usageShort[key],
			swatch:    usageFills[k],
			percent:   true,
			max:       1,
			tickLabel: numfmt.PercentTick,
		}
		if hasMean {
			mean := rep.Network.UsageMean.Get(key)
			pn.mean = &mean
			pn.meanLabel = "Snitt " + numfmt.Percent(mean)
		}
		for _, m := range rep.Municipalities {
			if m.Evaluations == 0 {
				note := "–"
				if k == 0 {
					note = NoEvaluationNote
				}
				pn.cells = append(pn.cells, cell{note: note})
				continue
			}
			share := m.Usage.Shares.Get(key)
			pn.cells = append(pn.cells, cell{
				segments: []segment{{value: share, fill: usageFills[k]}},
				label:    numfmt.Percent(share),
			})
		}
		l.panels = append(l.panels, pn)
	}
	return l
}

func costsLayout(rep *aggregate.Report) *layout {
	l := &layout{
		title: TitleCosts,
		desc: "Liggande staplade staplar, en per kommun, med kostnaden i kronor fördelad på lön, konsult, material, övrigt " +
			"och kostnader som inte delats upp. Samma uppgifter finns i tabellen efter diagrammet.",
		rows: names(rep),
	}
	pn := panel{title: "Kostnad i kronor", tickLabel: numfmt.Tick}
	var used [5]bool
	for _, m := range rep.Municipalities {
		parts := m.Costs.Parts()
		c := cell{label: numfmt.Kronor(m.Costs.Total)}
		for i, v := range parts {
			if v > 0 {
				used[i] = true
				c.segments = append(c.segments, segment{value: v, fill: costFills[i]})
			}
		}
		if m.Costs.WithCost == 0 {
			c = cell{note: "inga kostnader angivna"}
		}
		pn.max = max(pn.max, m.Costs.Total)
		pn.cells = append(pn.cells, c)
	}
	for i, name := range CostKinds {
		if used[i] || i < 4 {
			l.legend = append(l.legend, legendItem{label: name, fill: costFills[i]})
		}
	}
	l.panels = []panel{pn}
	return l
}

func perInhabitantLayout(rep *aggregate.Report) *layout {
	l := &layout{
		title: TitlePerInhabitant,
		desc: "Liggande stapeldiagram i två delar: antal utvärderingar per kommun och kostnad per invånare i kronor. " +
			"Kommuner vars invånarantal saknas har ingen stapel för kostnad per invånare. " +
			"Samma uppgifter finns i tabellen efter diagrammet.",
		rows: names(rep),
	}
	count := panel{title: "Antal utvärderingar", swatch: fillCount, integer: true,
		tickLabel: numfmt.Tick}
	per := panel{title: "Kostnad per invånare (kr)", swatch: fillPerInh, tickLabel: numfmt.Tick}
	for _, m := range rep.Municipalities {
		n := float64(m.Evaluations)
		count.max = max(count.max, n)
		count.cells = append(count.cells, cell{
			segments: []segment{{value: n, fill: fillCount}},
			label:    numfmt.Int(m.Evaluations),
		})
		if m.Costs.PerInvanare == nil {
			per.cells = append(per.cells, cell{note: UnknownPopNote})
			continue
		}
		v := *m.Costs.PerInvanare
		per.max = max(per.max, v)
		per.cells = append(per.cells, cell{
			segments: []segment{{value: v, fill: fillPerInh}},
			label:    numfmt.Kronor(v),
		})
	}
	l.panels = []panel{count, per}
	return l
}

func userSurveyLayout(rep *aggregate.Report) *layout {
	l := &layout{
		title: TitleUserSurveys,
		desc: "Liggande stapeldiagram med en stapel per kommun: andelen av kommunens utvärderingar som är medborgar- eller " +
			"brukarundersökningar. En streckad linje visar nätverkets genomsnitt. Samma uppgifter finns i tabellen efter diagrammet.",
		rows: names(rep),
	}
	pn := panel{title: "Andel av kommunens utvärderingar", swatch: fillSurvey, percent: true, max: 1, tickLabel: numfmt.PercentTick}
	if rep.Network.KommunerWithEvaluations > 0 {
		mean := rep.Network.UserSurveyMean
		pn.mean = &mean
		pn.meanLabel = "Snitt " + numfmt.Percent(mean)
		l.legend = []legendItem{{label: MeanLabel, fill: fill{color: colorMean}, dashed: true}}
	}
	for _, m := range rep.Municipalities {
		if m.Evaluations == 0 {
			pn.cells = append(pn.cells, cell{note: NoEvaluationNote})
			continue
		}
		pn.cells = append(pn.cells, cell{
			segments: []segment{{value: m.UserSurveyShare, fill: fillSurvey}},
			label:    numfmt.Percent(m.UserSurveyShare),
		})
	}
	l.panels = []panel{pn}
	return l
}
