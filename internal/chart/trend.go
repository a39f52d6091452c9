package chart

import (
	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/numfmt"
)

// KindTrend is the trend over the rounds linked by carry-forward: one row
// per round, oldest first. It is drawn only for a compared report that has
// a trend (aggregate.WithTrend), so it is not among Kinds.
const KindTrend Kind = "utveckling"

// TitleTrend is the trend chart's default title.
const TitleTrend = "Utveckling över omgångarna – nätverket"

// trendUsage are the uses the trend chart shows, besides the count and the
// cost per inhabitant: the study's most common use and its bad news. Four
// panels fit the page; the table has every use.
var trendUsage = []string{"handlingsplan", "inte_alls"}

func trendLayout(rep *aggregate.Report) *layout {
	var points []aggregate.TrendPoint
	if rep.Comparison != nil {
		points = rep.Comparison.Trend
	}
	l := &layout{
		title: TitleTrend,
		desc: "Liggande stapeldiagram i fyra delar med en rad per omgång, den äldsta först: antal utvärderingar, kostnad per invånare " +
			"och andelen av nätverkets utvärderingar som legat till grund för handlingsplaner och som inte används alls. " +
			"Samma uppgifter, och övriga användningar, finns i tabellen efter diagrammet.",
	}
	for _, p := range points {
		l.rows = append(l.rows, p.Round)
	}
	count := panel{title: "Antal utvärderingar", swatch: fillCount, integer: true, tickLabel: numfmt.Tick}
	per := panel{title: "Kostnad per invånare (kr)", swatch: fillPerInh, tickLabel: numfmt.Tick}
	for _, p := range points {
		n := float64(p.Evaluations)
		count.max = max(count.max, n)
		count.cells = append(count.cells, cell{segments: []segment{{value: n, fill: fillCount}}, label: numfmt.Int(p.Evaluations)})
		if p.Costs.PerInvanare == nil {
			per.cells = append(per.cells, cell{note: UnknownPopNote})
			continue
		}
		v := *p.Costs.PerInvanare
		per.max = max(per.max, v)
		per.cells = append(per.cells, cell{segments: []segment{{value: v, fill: fillPerInh}}, label: numfmt.Kronor(v)})
	}
	l.panels = []panel{count, per}
	for _, key := range trendUsage {
		fl := usageFills[usageIndexOf(key)]
		pn := panel{title: usageShort[key], swatch: fl, percent: true, max: 1, tickLabel: numfmt.PercentTick}
		for _, p := range points {
			if p.Usage == nil {
				pn.cells = append(pn.cells, cell{note: "–"})
				continue
			}
			v := p.Usage.Get(key)
			pn.cells = append(pn.cells, cell{segments: []segment{{value: v, fill: fl}}, label: numfmt.Percent(v)})
		}
		l.panels = append(l.panels, pn)
	}
	return l
}

func usageIndexOf(key string) int {
	for i, k := range aggregate.UsageKeys {
		if k == key {
			return i
		}
	}
	return 0
}
