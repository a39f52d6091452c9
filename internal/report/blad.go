package report

import (
	"strconv"

	"github.com/inventera/inventera/internal/aggregate"
)

// bladMaxItems is the most unused evaluations or silent units a kommunblad
// lists, so that it stays one page; the rest are in section 4 and 6.
const bladMaxItems = 12

// buildBlad is a kommun's one page: its figures against the network, the
// measures on which it is clearly better or worse than the network's mean,
// its unused evaluations and its units that did not answer.
func buildBlad(rep *aggregate.Report, m aggregate.Municipality, i int, lb labels) kommunBlad {
	nw := rep.Network
	b := kommunBlad{ID: "blad-" + strconv.Itoa(i+1), Number: "5." + strconv.Itoa(i+1), Name: m.Name}
	r := m.Response
	if m.Evaluations == 0 {
		b.Lead = m.Name + " har inte rapporterat några utvärderingar."
	} else {
		b.Lead = m.Name + " har rapporterat " + evals(m.Evaluations)
		if m.Costs.WithCost > 0 {
			b.Lead += " som kostade " + kr(m.Costs.Total)
			if m.Costs.PerInvanare != nil {
				b.Lead += " (" + kr(*m.Costs.PerInvanare) + " per invånare)"
			}
		}
		b.Lead += "."
	}
	if r.Units > 0 {
		b.Lead += " " + integer(r.Submitted+r.IngaUtvarderingar) + " av kommunens " + count(r.Units, "enhet", "enheter") + " har svarat."
	}

	// Figures against the network.
	t := table{ID: b.ID + "-tal", Caption: "Kommunen jämförd med nätverket", Whole: true,
		Head: []th{headText("Mått"), headNum(m.Name), headNum("Nätverket"), headText("Jämfört med nätverket")}}
	netPer := "–"
	if nw.Costs.PerInvanare != nil {
		netPer = kr(*nw.Costs.PerInvanare)
	}
	per := "uppgift saknas"
	if m.Costs.PerInvanare != nil {
		per = kr(*m.Costs.PerInvanare)
	}
	t.Rows = append(t.Rows,
		tr{Head: "Utvärderingar", Cells: []td{num(integer(m.Evaluations)), num(integer(nw.Evaluations)), text("")}},
		tr{Head: "Kostnad", Cells: []td{num(kr(m.Costs.Total)), num(kr(nw.Costs.Total)), text("")}},
		tr{Head: "Kostnad per invånare", Cells: []td{num(per), num(netPer), text("")}},
		tr{Head: "Utvärderingar med kostnad", Cells: []td{num(share(m.Evaluations-m.Costs.WithoutCost, m.Evaluations)),
			num(share(nw.Evaluations-nw.Costs.WithoutCost, nw.Evaluations)), text("")}},
		tr{Head: "Enheter som svarat", Cells: []td{num(share(r.Submitted+r.IngaUtvarderingar, r.Units)),
			num(share(nw.Response.Submitted+nw.Response.IngaUtvarderingar, nw.Response.Units)), text("")}},
	)
	compare := m.Evaluations > 0 && nw.KommunerWithEvaluations > 1
	for _, key := range aggregate.UsageKeys {
		row := tr{Head: upperFirst(lb.usageLabel(key))}
		if m.Evaluations == 0 {
			row.Cells = []td{num("–"), num(pct(nw.UsageMean.Get(key))), text("")}
		} else {
			row.Cells = []td{num(share(m.Usage.Counts.Get(key), m.Evaluations)), num(pct(nw.UsageMean.Get(key))), text(standingText(m, key, compare))}
			row.Mark = standingClass(m, key)
		}
		t.Rows = append(t.Rows, row)
	}
	survey := "–"
	if m.Evaluations > 0 {
		survey = share(m.UserSurveys, m.Evaluations)
	}
	t.Rows = append(t.Rows, tr{Head: "Medborgar- eller brukarundersökningar", Cells: []td{num(survey), num(pct(nw.UserSurveyMean)), text("")}})
	t.Notes = []string{"Nätverkets andelar för användning och undersökningar är genomsnittet av kommunernas andelar; " +
		"kommunens andelar anges med antalet de räknas på."}
	b.Figures = t

	switch {
	case !compare:
	case m.Standing.Best == "" && m.Standing.Worst == "":
		b.Strength = m.Name + " ligger nära nätverkets genomsnitt i hur resultaten används."
	default:
		var parts []string
		if k := m.Standing.Best; k != "" {
			parts = append(parts, "Starkast jämfört med nätverket: "+lowerFirst(lb.usageLabel(k))+" ("+pct(m.Usage.Shares.Get(k))+" mot "+pct(nw.UsageMean.Get(k))+").")
		} else {
			parts = append(parts, "Inget mått ligger klart bättre än nätverkets genomsnitt.")
		}
		if k := m.Standing.Worst; k != "" {
			parts = append(parts, "Svagast: "+lowerFirst(lb.usageLabel(k))+" ("+pct(m.Usage.Shares.Get(k))+" mot "+pct(nw.UsageMean.Get(k))+").")
		} else {
			parts = append(parts, "Inget mått ligger klart sämre än nätverkets genomsnitt.")
		}
		b.Strength = joinSentences(parts)
	}

	b.Comment = prose(m.Comment)

	// Unused evaluations.
	if m.Evaluations > 0 {
		if len(m.Unused) == 0 {
			b.Unused = "Alla kommunens utvärderingar används på något sätt."
		} else {
			cost := 0.0
			for _, e := range m.Unused {
				cost += e.Kostnad
			}
			b.Unused = upperFirst(share(len(m.Unused), m.Evaluations)) + " av utvärderingarna används inte alls"
			if cost > 0 {
				b.Unused += "; de kostade " + kr(cost) + " (en gemensam enhets utvärdering räknad hel)"
			}
			b.Unused += ":"
			for j, e := range m.Unused {
				if j == bladMaxItems {
					b.More = "… och " + integer(len(m.Unused)-bladMaxItems) + " till; alla finns i avsnitt 4."
					break
				}
				b.Items = append(b.Items, unusedItem(e, lb))
			}
		}
	}

	// Units that did not answer.
	if len(m.NonResponding) == 0 {
		if r.Units > 0 {
			b.NonResp = "Alla kommunens enheter har svarat."
		}
	} else {
		b.NonResp = "Enheter som inte lämnat in några resultat:"
		for j, n := range m.NonResponding {
			if j == bladMaxItems {
				b.NonItems = append(b.NonItems, "… och "+integer(len(m.NonResponding)-bladMaxItems)+" till.")
				break
			}
			s := n.Enhet + " – " + lowerFirst(statusLabel(n.Status))
			if n.Reason != "" {
				s += " (" + n.Reason + ")"
			}
			b.NonItems = append(b.NonItems, s)
		}
	}
	return b
}

// share writes a count as a share of its base: "74,3 % (52 av 70)"; "–"
// without a base.
func share(n, of int) string {
	if of == 0 {
		return "–"
	}
	return pct(float64(n)/float64(of)) + " (" + integer(n) + " av " + integer(of) + ")"
}

func standingText(m aggregate.Municipality, key string, compare bool) string {
	if !compare {
		return ""
	}
	s := ""
	switch m.Standing.Get(key) {
	case aggregate.Over:
		s = "Klart över"
	case aggregate.Under:
		s = "Klart under"
	default:
		s = "Nära genomsnittet"
	}
	switch key {
	case m.Standing.Best:
		s += " – starkast"
	case m.Standing.Worst:
		s += " – svagast"
	}
	return s
}

// standingClass marks a row good or bad news for the eye; the text says the
// same for everyone.
func standingClass(m aggregate.Municipality, key string) string {
	switch key {
	case m.Standing.Best:
		return "starkast"
	case m.Standing.Worst:
		return "svagast"
	}
	return ""
}

func joinSentences(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
