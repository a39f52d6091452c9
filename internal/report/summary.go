package report

import (
	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/numfmt"
)

// buildSummary is page 1: what a steering group should take away, in plain
// Swedish, with the figures it rests on. The details follow in the report.
func buildSummary(rep *aggregate.Report, lb labels) summary {
	nw := rep.Network
	var s summary
	kommuner := count(len(rep.Municipalities), "kommun", "kommuner")
	if nw.Evaluations == 0 {
		s.Lead = append(s.Lead, "Inga utvärderingar har rapporterats ännu från nätverkets "+kommuner+".")
	} else {
		lead := "Nätverkets " + kommuner + " har rapporterat " + evals(nw.Evaluations)
		c := nw.Costs
		switch {
		case c.WithCost == 0:
			lead += "; för ingen av dem har någon kostnad angetts."
		default:
			lead += " som kostade sammanlagt " + kr(c.Total)
			if c.PerInvanare != nil {
				lead += ", " + kr(*c.PerInvanare) + " per invånare"
			}
			if r := c.PerInvanareRange; r != nil && r.Max > r.Min {
				lead += " – från " + kr(r.Min) + " i " + numfmt.CapList(r.Lowest, 3, "kommuner") + " till " + kr(r.Max) + " i " + numfmt.CapList(r.Highest, 3, "kommuner")
			}
			lead += "."
		}
		s.Lead = append(s.Lead, lead)

		mean := nw.UsageMean
		base := "i genomsnitt per kommun"
		if nw.KommunerWithEvaluations == 1 {
			base = "i kommunen"
		}
		s.Lead = append(s.Lead, "Resultaten används oftast för "+lowerFirst(lb.usageLabel("handlingsplan"))+" ("+pct(mean.Handlingsplan)+" "+base+"), "+
			"följt av "+lowerFirst(lb.usageLabel("politiskt_beslut"))+" ("+pct(mean.PolitisktBeslut)+") och "+
			lowerFirst(lb.usageLabel("budget_malprocess"))+" ("+pct(mean.BudgetMalprocess)+").")
		if nw.Unused == 0 {
			s.Lead = append(s.Lead, "Alla rapporterade utvärderingar används på något sätt.")
		} else {
			u := integer(nw.Unused) + " av " + evals(nw.Evaluations) + " (" + pct(nw.UsagePooled.InteAlls) + ") används inte alls"
			if nw.UnusedCost > 0 {
				u += "; de kostade " + kr(nw.UnusedCost) + " (" + pct(nw.UnusedCostShare) + " av kostnaden)"
			}
			s.Lead = append(s.Lead, upperFirst(u)+".")
		}
	}
	if r := nw.Response; r.Units > 0 {
		s.Lead = append(s.Lead, integer(r.Submitted+r.IngaUtvarderingar)+" av "+count(r.Units, "enhet", "enheter")+
			" har svarat ("+pct(nw.ResponseRate)+"); resultaten gäller de enheter som svarat.")
	}
	s.Lead = append(s.Lead, changeLead(rep)...)

	// Key figures.
	s.Facts = append(s.Facts, fact{Label: "Utvärderingar", Value: integer(nw.Evaluations), Note: "i " + kommuner})
	if nw.Costs.WithCost > 0 {
		f := fact{Label: "Kostnad", Value: kr(nw.Costs.Total), Note: "för " + integer(nw.Costs.WithCost) + " av " + evals(nw.Evaluations)}
		s.Facts = append(s.Facts, f)
		if nw.Costs.PerInvanare != nil {
			f := fact{Label: "Per invånare", Value: kr(*nw.Costs.PerInvanare)}
			if r := nw.Costs.PerInvanareRange; r != nil && r.Max > r.Min {
				f.Note = kr(r.Min) + "–" + kr(r.Max) + " i kommunerna"
			}
			s.Facts = append(s.Facts, f)
		}
	}
	if nw.Evaluations > 0 {
		s.Facts = append(s.Facts, fact{Label: "Används inte alls", Value: pct(nw.UsagePooled.InteAlls),
			Note: integer(nw.Unused) + " av " + integer(nw.Evaluations)})
	}
	if r := nw.Response; r.Units > 0 {
		s.Facts = append(s.Facts, fact{Label: "Svarsfrekvens", Value: pct(nw.ResponseRate),
			Note: integer(r.Submitted+r.IngaUtvarderingar) + " av " + count(r.Units, "enhet", "enheter")})
	}

	for _, f := range aggregate.KeyFindings(rep.Findings) {
		s.Key = append(s.Key, f.Text)
	}
	return s
}
