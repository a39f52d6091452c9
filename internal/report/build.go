package report

import (
	"strconv"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
)

// build fills the page from the report, except the charts' SVG (see
// Renderer.renderCharts) and the options.
func build(rep *aggregate.Report, lb labels) *page {
	nw := rep.Network
	p := &page{
		Title:       rep.Round.Name + " – jämförande rapport",
		RoundName:   rep.Round.Name,
		HourlyRate:  kr(float64(rep.Round.HourlyRate)),
		KommunCount: count(len(rep.Municipalities), "kommun", "kommuner"),
		Evaluations: evals(nw.Evaluations),
	}
	if rep.Round.Name == "" {
		p.Title = "Jämförande rapport"
	}
	if len(rep.Municipalities) <= 20 {
		names := make([]string, len(rep.Municipalities))
		for i, m := range rep.Municipalities {
			names[i] = m.Name
		}
		p.KommunNames = joinList(names)
	}
	p.Method = methodNote(rep)
	p.Excluded = excludedNote(rep)
	var n numbering
	p.Volumes = buildVolumes(rep, &n)
	p.Usage = buildUsage(rep, lb, &n)
	p.Surveys = buildSurveys(rep, &n)
	p.Unused = buildUnused(rep, lb)
	for i, m := range rep.Municipalities {
		p.Kommuner = append(p.Kommuner, buildKommun(rep, m, i, lb, &n))
	}
	p.Findings = findings(rep, lb)
	if len(p.Findings) == 0 {
		p.FindingsNote = "Inga utvärderingar har rapporterats, så det finns ännu inget att sammanfatta."
	}
	return p
}

// methodNote says what the report counts: the evaluations units sent in,
// and how many entered evaluations it left out because their unit never
// sent them in, naming the units.
func methodNote(rep *aggregate.Report) []string {
	nw := rep.Network
	note := []string{"Rapporten räknar de utvärderingar som enheterna har skickat in."}
	if nw.UnsubmittedEvaluations == 0 {
		return append(note, "Alla registrerade utvärderingar är inskickade.")
	}
	return append(note, evals(nw.UnsubmittedEvaluations)+" från "+count(len(nw.UnsubmittedUnits), "enhet", "enheter")+" "+
		leftOut(nw.UnsubmittedEvaluations, nw.UnsubmittedDrafts)+": "+unsubmittedList(nw.UnsubmittedUnits, true)+".")
}

// leftOut says that n evaluations were entered and not sent in, and how
// many of them are drafts.
func leftOut(n, drafts int) string {
	s := "är registrerade men inte inskickade och räknas därför inte"
	if n == 1 {
		s = "är registrerad men inte inskickad och räknas därför inte"
	}
	switch {
	case drafts == 0:
	case n == 1:
		s += " (den är ett utkast)"
	case drafts == n:
		s += " (alla är utkast)"
	default:
		s += " (" + integer(drafts) + " av dem är utkast)"
	}
	return s
}

// unsubmittedList names the units with their left-out evaluations:
// "Tekniska nämnden i Borlänge (3)", or without the kommun "Tekniska
// nämnden (3)".
func unsubmittedList(us []aggregate.UnsubmittedUnit, withKommun bool) string {
	items := make([]string, len(us))
	for i, u := range us {
		items[i] = u.Enhet
		if withKommun {
			items[i] += " i " + joinList(u.Kommuner)
		}
		items[i] += " (" + integer(u.Evaluations) + ")"
	}
	return capList(items, 20, "enheter")
}

func buildVolumes(rep *aggregate.Report, n *numbering) volumes {
	nw := rep.Network
	var v volumes
	sum := 0
	for _, m := range rep.Municipalities {
		sum += m.Evaluations
	}
	v.Intro = append(v.Intro, "Totalt har "+evals(nw.Evaluations)+" rapporterats från "+
		count(len(rep.Municipalities), "kommun", "kommuner")+".")
	if sum > nw.Evaluations {
		v.Intro = append(v.Intro, "Utvärderingar från enheter som flera kommuner driver gemensamt räknas i varje medlemskommun; "+
			"nätverkets totala antal räknar varje utvärdering en gång. Kostnaderna för en gemensam enhet fördelas mellan medlemskommunerna.")
	}

	t1 := newTable(n, "Totalt antal utvärderingar per kommun", headText("Kommun"), headNum("Antal utvärderingar"))
	for _, m := range rep.Municipalities {
		t1.Rows = append(t1.Rows, tr{Head: m.Name, Cells: []td{num(integer(m.Evaluations))}})
	}
	t1.Foot = []tr{{Head: "Nätverket (varje utvärdering räknad en gång)", Cells: []td{num(integer(nw.Evaluations))}}}
	v.Table1 = t1

	// Costs: Diagram, then Tabell 2 as its data.
	id, label := n.nextDiagram()
	v.Costs = figure{ID: id, Label: label, Caption: chart.TitleCosts}
	t2 := newTable(n, "Kommunvis kostnadsfördelning (kronor)",
		headText("Kommun"), headNum("Lön (egen tid)"), headNum("Konsult"), headNum("Material o dyl"), headNum("Övrigt"),
		headNum("Ej uppdelat"), headNum("Totalt"), headNum("Utvärderingar med kostnad"), headNum("Per invånare"))
	allPop := true
	var popSum int64
	for _, m := range rep.Municipalities {
		parts := chart.CostParts(m.Costs)
		per := "uppgift saknas"
		if m.Costs.PerInvanare != nil && m.Population != nil {
			per = decimalKr(*m.Costs.PerInvanare)
			popSum += *m.Population
		} else {
			allPop = false
		}
		t2.Rows = append(t2.Rows, tr{Head: m.Name, Cells: []td{
			num(kr(parts[0])), num(kr(parts[1])), num(kr(parts[2])), num(kr(parts[3])), num(kr(parts[4])),
			num(kr(m.Costs.Total)), num(integer(m.Costs.WithCost) + " av " + integer(m.Evaluations)), num(per),
		}})
	}
	netPer := "–"
	if allPop && popSum > 0 {
		netPer = decimalKr(nw.Costs.Total / float64(popSum))
	}
	nc := nw.Costs
	unsplit := chart.CostParts(aggregate.Costs{Lon: nc.Lon, Konsult: nc.Konsult, Material: nc.Material, Ovrigt: nc.Ovrigt, Total: nc.Total})[4]
	t2.Foot = []tr{{Head: "Nätverket", Cells: []td{
		num(kr(nc.Lon)), num(kr(nc.Konsult)), num(kr(nc.Material)), num(kr(nc.Ovrigt)), num(kr(unsplit)),
		num(kr(nc.Total)), num(integer(nc.WithCost) + " av " + integer(nw.Evaluations)), num(netPer),
	}}}
	t2.Notes = append(t2.Notes,
		"Lön är egen insatt tid värderad till "+kr(float64(rep.Round.HourlyRate))+" per timme. "+
			"Ej uppdelat är totalkostnader som inte har delats upp på kostnadsslag. "+
			"Utvärderingar med kostnad är de för vilka någon kostnad eller tid har angetts.")
	if len(rep.EqualSplitUnits) > 0 {
		t2.Notes = append(t2.Notes, "Kostnaderna för "+joinList(rep.EqualSplitUnits)+
			" har fördelats lika mellan medlemskommunerna, eftersom invånarantalet saknas för någon av dem.")
	}
	v.Costs.Table = t2
	v.Costs.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t2.Label) + " nedan."

	// Count and cost per inhabitant.
	id, label = n.nextDiagram()
	v.PerInh = figure{ID: id, Label: label, Caption: chart.TitlePerInhabitant}
	t3 := newTable(n, "Antal utvärderingar och kostnad per invånare",
		headText("Kommun"), headNum("Antal utvärderingar"), headNum("Invånare"), headNum("Kostnad totalt"), headNum("Kostnad per invånare"))
	var unknown []string
	for _, m := range rep.Municipalities {
		inv, per := "uppgift saknas", "uppgift saknas"
		if m.Population != nil {
			inv = integer(int(*m.Population))
		}
		if m.Costs.PerInvanare != nil {
			per = decimalKr(*m.Costs.PerInvanare)
		} else {
			unknown = append(unknown, m.Name)
		}
		t3.Rows = append(t3.Rows, tr{Head: m.Name, Cells: []td{num(integer(m.Evaluations)), num(inv), num(kr(m.Costs.Total)), num(per)}})
	}
	if len(unknown) > 0 {
		t3.Notes = append(t3.Notes, "Invånarantalet saknas för "+capList(unknown, 20, "kommuner")+
			"; för "+map[bool]string{true: "den", false: "dem"}[len(unknown) == 1]+" visas ingen kostnad per invånare.")
	}
	v.PerInh.Table = t3
	v.PerInh.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t3.Label) + " nedan."
	return v
}

func buildUsage(rep *aggregate.Report, lb labels, n *numbering) usageSection {
	nw := rep.Network
	var u usageSection
	id, label := n.nextDiagram()
	u.Figure = figure{ID: id, Label: label, Caption: "Hur resultaten används utifrån andel av kommunens utvärderingar"}
	head := []th{headText("Kommun"), headNum("Antal utvärderingar")}
	for _, k := range aggregate.UsageKeys {
		head = append(head, headNum(lb.usageLabel(k)))
	}
	t := newTable(n, "Andel av kommunens utvärderingar som legat till grund för respektive användning", head...)
	for _, m := range rep.Municipalities {
		row := tr{Head: m.Name, Cells: []td{num(integer(m.Evaluations))}}
		for _, k := range aggregate.UsageKeys {
			if m.Evaluations == 0 {
				row.Cells = append(row.Cells, num("–"))
			} else {
				row.Cells = append(row.Cells, num(pct(m.Usage.Shares.Get(k))))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	if nw.KommunerWithEvaluations > 0 {
		mean := tr{Head: "Genomsnitt (medelvärde av kommunernas andelar)", Cells: []td{num(integer(nw.KommunerWithEvaluations) + " kommuner")}}
		pooled := tr{Head: "Alla utvärderingar i nätverket", Cells: []td{num(integer(nw.Evaluations))}}
		for _, k := range aggregate.UsageKeys {
			mean.Cells = append(mean.Cells, num(pct(nw.UsageMean.Get(k))))
			pooled.Cells = append(pooled.Cells, num(pct(nw.UsagePooled.Get(k))))
		}
		t.Foot = []tr{mean, pooled}
	}
	t.Notes = []string{"En utvärdering kan ha använts på flera sätt, så andelarna summerar inte till 100 %."}
	u.Figure.Table = t
	u.Figure.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t.Label) + " nedan."

	if nw.KommunerWithEvaluations == 0 {
		u.Text = []string{"Inga utvärderingar har rapporterats."}
		return u
	}
	for _, k := range aggregate.UsageKeys {
		mean := nw.UsageMean.Get(k)
		var s string
		if k == "inte_alls" {
			s = "I genomsnitt används " + pct(mean) + " av kommunernas utvärderingar inte alls"
		} else {
			s = "I genomsnitt har " + pct(mean) + " av kommunernas utvärderingar legat till grund för " + lowerFirst(lb.usageLabel(k))
		}
		s += " (" + pct(nw.UsagePooled.Get(k)) + " av alla nätverkets utvärderingar)."
		if nw.KommunerWithEvaluations > 1 {
			var above []string
			for _, m := range rep.Municipalities {
				if m.Evaluations > 0 && pct(m.Usage.Shares.Get(k)) != pct(mean) && m.Usage.Shares.Get(k) > mean {
					above = append(above, m.Name)
				}
			}
			switch {
			case len(above) == 0:
			case len(above) <= 8:
				s += " Över genomsnittet ligger " + joinList(above) + "."
			default:
				s += " " + integer(len(above)) + " av " + integer(nw.KommunerWithEvaluations) + " kommuner ligger över genomsnittet."
			}
		}
		u.Text = append(u.Text, s)
	}
	return u
}

func buildSurveys(rep *aggregate.Report, n *numbering) surveySection {
	nw := rep.Network
	var s surveySection
	id, label := n.nextDiagram()
	s.Figure = figure{ID: id, Label: label, Caption: "Andel av kommunens utvärderingar som är medborgar- eller brukarundersökningar"}
	t := newTable(n, "Medborgar- och brukarundersökningar per kommun",
		headText("Kommun"), headNum("Antal utvärderingar"), headNum("Medborgar- eller brukarundersökningar"), headNum("Andel"))
	for _, m := range rep.Municipalities {
		share := "–"
		if m.Evaluations > 0 {
			share = pct(m.UserSurveyShare)
		}
		t.Rows = append(t.Rows, tr{Head: m.Name, Cells: []td{num(integer(m.Evaluations)), num(integer(m.UserSurveys)), num(share)}})
	}
	if mean, ok := chart.UserSurveyMean(rep); ok {
		t.Foot = []tr{
			{Head: "Genomsnitt (medelvärde av kommunernas andelar)", Cells: []td{num(""), num(""), num(pct(mean))}},
			{Head: "Alla utvärderingar i nätverket", Cells: []td{num(integer(nw.Evaluations)), num(integer(nw.UserSurveys)),
				num(pct(float64(nw.UserSurveys) / float64(nw.Evaluations)))}},
		}
		s.Text = append(s.Text, pct(float64(nw.UserSurveys)/float64(nw.Evaluations))+" ("+integer(nw.UserSurveys)+
			" st) av nätverkets utvärderingar är riktade medborgar- eller brukarundersökningar; i genomsnitt är andelen "+pct(mean)+" per kommun.")
	}
	s.Figure.Table = t
	s.Figure.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t.Label) + " nedan."
	return s
}

func buildUnused(rep *aggregate.Report, lb labels) unusedSection {
	nw := rep.Network
	var u unusedSection
	if nw.Evaluations == 0 {
		u.Intro = "Inga utvärderingar har rapporterats."
		return u
	}
	if nw.Unused == 0 {
		u.Intro = "Alla rapporterade utvärderingar har använts på något sätt."
		return u
	}
	u.Intro = pct(nw.UsagePooled.InteAlls) + " (" + integer(nw.Unused) + " st) av nätverkets utvärderingar används inte alls för att styra och utveckla. De är:"
	var none []string
	for _, m := range rep.Municipalities {
		if len(m.Unused) == 0 {
			if m.Evaluations > 0 {
				none = append(none, m.Name)
			}
			continue
		}
		g := unusedGroup{Kommun: m.Name}
		for _, e := range m.Unused {
			g.Items = append(g.Items, unusedItem(e, lb))
		}
		u.Groups = append(u.Groups, g)
	}
	if len(none) > 0 {
		u.None = "Alla utvärderingar används på något sätt i " + capList(none, 20, "kommuner") + "."
	}
	return u
}

func unusedItem(e aggregate.UnusedEvaluation, lb labels) string {
	return e.Benamning + " – " + e.Enhet + " (" + lb.unusedInitiator(e.UppdragsgivareTyp) + ")"
}

func buildKommun(rep *aggregate.Report, m aggregate.Municipality, i int, lb labels, n *numbering) kommunView {
	nw := rep.Network
	k := kommunView{ID: "kommun-" + strconv.Itoa(i+1), Number: "5." + strconv.Itoa(i+1), Name: m.Name}

	// Response.
	r := m.Response
	if r.Units > 0 {
		var parts []string
		if r.Submitted > 0 {
			parts = append(parts, integer(r.Submitted)+" lämnat in utvärderingar")
		}
		if r.IngaUtvarderingar > 0 {
			parts = append(parts, integer(r.IngaUtvarderingar)+" svarat att de inte har några utvärderingar")
		}
		if r.Declined > 0 {
			parts = append(parts, integer(r.Declined)+" avböjt")
		}
		if r.NotResponded > 0 {
			parts = append(parts, integer(r.NotResponded)+" inte svarat")
		}
		k.Intro = append(k.Intro, "Av kommunens "+count(r.Units, "enhet", "enheter")+" har "+joinList(parts)+".")
	}
	if m.Evaluations == 0 {
		k.NoEvaluations = true
		k.Intro = append(k.Intro, "Kommunen har inte rapporterat några utvärderingar.")
	} else {
		s := "Totalt har " + evals(m.Evaluations) + " rapporterats. "
		if m.Costs.WithCost > 0 {
			s += "De kostade " + kr(m.Costs.Total)
			if m.Costs.PerInvanare != nil {
				s += " (" + decimalKr(*m.Costs.PerInvanare) + " per invånare)"
			}
			s += "; för " + integer(m.Costs.WithCost) + " av dem har någon kostnad eller tid angetts."
		} else {
			s += "För ingen av dem har någon kostnad angetts."
		}
		k.Intro = append(k.Intro, s)
	}
	if m.UnsubmittedEvaluations > 0 {
		k.Intro = append(k.Intro, "Ytterligare "+evals(m.UnsubmittedEvaluations)+" i kommunens enheter "+
			leftOut(m.UnsubmittedEvaluations, m.UnsubmittedDrafts)+": "+unsubmittedList(m.UnsubmittedUnits, false)+".")
	}

	if !k.NoEvaluations {
		// Initiator table (Tabell 3–10 of the study).
		head := []th{headText("Uppdragsgivare"), headNum("Antal")}
		for _, key := range aggregate.UsageKeys {
			head = append(head, headNum(lb.usageLabel(key)))
		}
		t := newTable(n, "Antal och andel utvärderingar som initierats av olika uppdragsgivare samt hur de används, "+m.Name, head...)
		for _, key := range aggregate.InitiatorKeys {
			row := m.ByInitiatorShares.Row(key)
			if key == "ej_angiven" && row.Count == 0 {
				continue
			}
			r := tr{Head: lb.initiatorLabel(key), Cells: []td{num(integer(row.Count))}}
			for _, u := range aggregate.UsageKeys {
				if row.Count == 0 {
					r.Cells = append(r.Cells, num("–"))
				} else {
					r.Cells = append(r.Cells, num(pct(row.UsageShares.Get(u))))
				}
			}
			if key == "totalt" {
				t.Foot = []tr{r}
			} else {
				t.Rows = append(t.Rows, r)
			}
		}
		t.Notes = []string{"Andelarna är räknade på antalet utvärderingar i raden; en utvärdering kan ha använts på flera sätt."}
		k.Initiator = t

		resp := m.Responsibility
		if resp.InitiatorIsOwner == 0 {
			k.Responsibility = append(k.Responsibility, "Ingen utvärdering har samma uppdragsgivare som resultatansvarig.")
		} else {
			k.Responsibility = append(k.Responsibility, upperFirst(evals(resp.InitiatorIsOwner))+" har samma uppdragsgivare som resultatansvarig.")
		}
		if ext := m.ByInitiator.Extern.Count; ext > 0 {
			k.Responsibility = append(k.Responsibility, upperFirst(evals(ext))+" har externa uppdragsgivare.")
		}
		if resp.NoOwner == 0 {
			k.Responsibility = append(k.Responsibility, "Alla utvärderingar har minst en angiven resultatansvarig.")
		} else {
			k.Responsibility = append(k.Responsibility, "För "+evals(resp.NoOwner)+" har ingen resultatansvarig angetts.")
		}
		if resp.MultipleOwners > 0 {
			k.Responsibility = append(k.Responsibility, "I "+evals(resp.MultipleOwners)+
				" har flera parter angetts som ansvariga för resultatet, vilket innebär en risk att resultatet faller mellan stolarna.")
		}

		// Usage.
		for _, key := range aggregate.UsageKeys {
			c := m.Usage.Counts.Get(key)
			s := pct(m.Usage.Shares.Get(key)) + " (" + integer(c) + " st) av utvärderingarna "
			if key == "inte_alls" {
				s += "används inte alls"
			} else {
				s += "har legat till grund för " + lowerFirst(lb.usageLabel(key))
			}
			if nw.KommunerWithEvaluations > 1 {
				s += " (nätverkets genomsnitt " + pct(nw.UsageMean.Get(key)) + ")"
			}
			k.Usage = append(k.Usage, s+".")
		}

		// User surveys.
		k.SurveyText = pct(m.UserSurveyShare) + " (" + integer(m.UserSurveys) + " st) av utvärderingarna är medborgar- eller brukarundersökningar."
		if len(m.UserSurveyTable) > 0 {
			hasOmrade := false
			for _, s := range m.UserSurveyTable {
				hasOmrade = hasOmrade || s.Omrade != ""
			}
			head := []th{headText("Enhet")}
			if hasOmrade {
				head = append(head, headText("Område"))
			}
			head = append(head, headText("Målgrupp"), headText("Metod"), headNum("Antal"))
			st := newTable(n, "Medborgar- och brukarundersökningar i "+m.Name, head...)
			for _, s := range m.UserSurveyTable {
				row := tr{Head: s.Enhet}
				if hasOmrade {
					row.Cells = append(row.Cells, text(dash(s.Omrade)))
				}
				row.Cells = append(row.Cells, text(dash(s.Malgrupp)), text(dash(lb.metodLabels(s.Metod))), num(integer(s.Count)))
				st.Rows = append(st.Rows, row)
			}
			k.Surveys = &st
		}

		// Unused.
		if len(m.Unused) == 0 {
			k.UnusedText = "Alla utvärderingar används på något sätt."
		} else {
			k.UnusedText = pct(m.Usage.Shares.InteAlls) + " (" + integer(len(m.Unused)) + " st) av utvärderingarna används inte alls:"
			for _, e := range m.Unused {
				k.Unused = append(k.Unused, unusedItem(e, lb))
			}
		}
	}

	// Units that did not answer.
	if len(m.NonResponding) == 0 {
		k.NonRespText = "Alla enheter har svarat."
	} else {
		t := newTable(n, "Serviceområden som inte lämnat in några resultat, "+m.Name, headText("Enhet"), headText("Status"), headText("Orsak"))
		for _, nr := range m.NonResponding {
			reason := nr.Reason
			if reason == "" {
				reason = "Ingen orsak angiven"
			}
			t.Rows = append(t.Rows, tr{Head: nr.Enhet, Cells: []td{text(statusLabel(nr.Status)), text(reason)}})
		}
		k.NonResponding = &t
	}
	return k
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
