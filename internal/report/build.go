package report

import (
	"slices"
	"strconv"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/numfmt"
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
		p.KommunNames = numfmt.List(names)
	}
	p.Method = methodNote(rep)
	p.Excluded = excludedNote(rep)
	var n numbering
	p.Summary = buildSummary(rep, lb)
	p.Volumes = buildVolumes(rep, &n)
	p.Usage = buildUsage(rep, lb, &n)
	p.Surveys = buildSurveys(rep, &n)
	p.Unused = buildUnused(rep, lb)
	for i, m := range rep.Municipalities {
		p.Blad = append(p.Blad, buildBlad(rep, m, i, lb))
	}
	for i, m := range rep.Municipalities {
		p.Kommuner = append(p.Kommuner, buildKommun(m, i, lb, &n))
	}
	p.Findings = groupFindings(rep.Findings, lb)
	if g := changeFindings(rep, lb); g != nil {
		p.Findings = append(p.Findings, *g)
	}
	buildComparison(p, rep, lb, &n)
	p.Methods = methods(rep)
	p.Reflection = prose(rep.Reflection)
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
			items[i] += " i " + numfmt.List(u.Kommuner)
		}
		items[i] += " (" + integer(u.Evaluations) + ")"
	}
	return numfmt.CapList(items, 20, "enheter")
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
	t1.Whole = len(t1.Rows) <= wholeRows
	v.Table1 = t1

	// Costs: Diagram, then Tabell 2 as its data.
	id, label := n.nextDiagram()
	v.Costs = figure{ID: id, Label: label, Caption: chart.TitleCosts}
	t2 := newTable(n, "Kommunvis kostnadsfördelning (kronor)",
		headText("Kommun"), headNum("Lön (egen tid)"), headNum("Konsult"), headNum("Material o dyl"), headNum("Övrigt"),
		headNum("Ej uppdelat"), headNum("Totalt"), headNum("Utvärderingar med kostnad"), headNum("Per invånare"))
	for _, m := range rep.Municipalities {
		parts := m.Costs.Parts()
		per := "uppgift saknas"
		if m.Costs.PerInvanare != nil {
			per = kr(*m.Costs.PerInvanare)
		}
		t2.Rows = append(t2.Rows, tr{Head: m.Name, Cells: []td{
			num(kr(parts[0])), num(kr(parts[1])), num(kr(parts[2])), num(kr(parts[3])), num(kr(parts[4])),
			num(kr(m.Costs.Total)), num(integer(m.Costs.WithCost) + " av " + integer(m.Evaluations)), num(per),
		}})
	}
	netPer := "–"
	if nw.Costs.PerInvanare != nil {
		netPer = kr(*nw.Costs.PerInvanare)
	}
	nc := nw.Costs
	t2.Foot = []tr{{Head: "Nätverket", Cells: []td{
		num(kr(nc.Lon)), num(kr(nc.Konsult)), num(kr(nc.Material)), num(kr(nc.Ovrigt)), num(kr(nc.EjUppdelat)),
		num(kr(nc.Total)), num(integer(nc.WithCost) + " av " + integer(nw.Evaluations)), num(netPer),
	}}}
	t2.Notes = append(t2.Notes,
		"Lön är egen insatt tid värderad till "+kr(float64(rep.Round.HourlyRate))+" per timme. "+
			"Ej uppdelat är totalkostnader som inte har delats upp på kostnadsslag. "+
			"Utvärderingar med kostnad är de för vilka någon kostnad eller tid har angetts.")
	if src := rep.Round.PopulationSource; src != "" {
		t2.Notes = append(t2.Notes, "Invånarantal: "+src+".")
	}
	if len(rep.EqualSplitUnits) > 0 {
		t2.Notes = append(t2.Notes, "Kostnaderna för "+numfmt.List(rep.EqualSplitUnits)+
			" har fördelats lika mellan medlemskommunerna, eftersom invånarantalet saknas för någon av dem.")
	}
	t2.Whole = len(t2.Rows) <= wholeRows
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
			per = kr(*m.Costs.PerInvanare)
		} else {
			unknown = append(unknown, m.Name)
		}
		t3.Rows = append(t3.Rows, tr{Head: m.Name, Cells: []td{num(integer(m.Evaluations)), num(inv), num(kr(m.Costs.Total)), num(per)}})
	}
	if len(unknown) > 0 {
		t3.Notes = append(t3.Notes, "Invånarantalet saknas för "+numfmt.CapList(unknown, 20, "kommuner")+
			"; för "+map[bool]string{true: "den", false: "dem"}[len(unknown) == 1]+" visas ingen kostnad per invånare.")
	}
	if src := rep.Round.PopulationSource; src != "" {
		t3.Notes = append(t3.Notes, "Invånarantal: "+src+".")
	}
	t3.Whole = len(t3.Rows) <= wholeRows
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
	t.Whole = len(t.Rows) <= wholeRows
	u.Figure.Table = t
	u.Figure.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t.Label) + " nedan."

	if nw.KommunerWithEvaluations == 0 {
		u.Text = []string{"Inga utvärderingar har rapporterats."}
		return u
	}
	// The findings about each use say it: the mean, the highest and the
	// lowest (the kommuner clearly above and below follow in section 7).
	for _, k := range aggregate.UsageKeys {
		for _, f := range rep.Findings {
			if f.Measure == k && f.Direction == aggregate.Info && !f.Change {
				u.Text = append(u.Text, f.Text)
			}
		}
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
	if nw.KommunerWithEvaluations > 0 {
		t.Foot = []tr{
			{Head: "Genomsnitt (medelvärde av kommunernas andelar)", Cells: []td{num(""), num(""), num(pct(nw.UserSurveyMean))}},
			{Head: "Alla utvärderingar i nätverket", Cells: []td{num(integer(nw.Evaluations)), num(integer(nw.UserSurveys)),
				num(pct(nw.UserSurveyPooled))}},
		}
		s.Text = append(s.Text, pct(nw.UserSurveyPooled)+" ("+integer(nw.UserSurveys)+" av "+integer(nw.Evaluations)+
			") av nätverkets utvärderingar är riktade medborgar- eller brukarundersökningar; i genomsnitt är andelen "+pct(nw.UserSurveyMean)+" per kommun.")
	}
	t.Whole = len(t.Rows) <= wholeRows
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
		u.None = "Alla utvärderingar används på något sätt i " + numfmt.CapList(none, 20, "kommuner") + "."
	}
	return u
}

func unusedItem(e aggregate.UnusedEvaluation, lb labels) string {
	return e.Benamning + " – " + e.Enhet + " (" + lb.unusedInitiator(e.UppdragsgivareTyp) + ")"
}

func buildKommun(m aggregate.Municipality, i int, lb labels, n *numbering) kommunView {
	k := kommunView{ID: "kommun-" + strconv.Itoa(i+1), Number: "6." + strconv.Itoa(i+1), Name: m.Name}
	if m.Evaluations == 0 {
		k.NoEvaluations = true
		return k
	}
	// Initiator table (Tabell 3–10 of the study).
	head := []th{headText("Uppdragsgivare"), headNum("Antal")}
	for _, key := range aggregate.UsageKeys {
		head = append(head, headNum(lb.usageLabel(key)))
	}
	t := newTable(n, "Antal och andel utvärderingar som initierats av olika uppdragsgivare samt hur de används, "+m.Name, head...)
	t.Whole = true
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
		k.Responsibility = append(k.Responsibility, upperFirst(evals(resp.InitiatorIsOwner))+" av "+integer(m.Evaluations)+" har samma uppdragsgivare som resultatansvarig.")
	}
	if ext := m.ByInitiator.Extern.Count; ext > 0 {
		k.Responsibility = append(k.Responsibility, upperFirst(evals(ext))+" av "+integer(m.Evaluations)+" har externa uppdragsgivare.")
	}
	if resp.NoOwner == 0 {
		k.Responsibility = append(k.Responsibility, "Alla utvärderingar har minst en angiven resultatansvarig.")
	} else {
		k.Responsibility = append(k.Responsibility, "För "+evals(resp.NoOwner)+" av "+integer(m.Evaluations)+" har ingen resultatansvarig angetts.")
	}
	if resp.MultipleOwners > 0 {
		k.Responsibility = append(k.Responsibility, "I "+evals(resp.MultipleOwners)+" av "+integer(m.Evaluations)+
			" har flera parter angetts som ansvariga för resultatet, vilket innebär en risk att resultatet faller mellan stolarna.")
	}
	if m.UnsubmittedEvaluations > 0 {
		k.Intro = append(k.Intro, "Ytterligare "+evals(m.UnsubmittedEvaluations)+" i kommunens enheter "+
			leftOut(m.UnsubmittedEvaluations, m.UnsubmittedDrafts)+": "+unsubmittedList(m.UnsubmittedUnits, false)+".")
	}

	// User surveys.
	k.SurveyText = upperFirst(share(m.UserSurveys, m.Evaluations)) + " av utvärderingarna är medborgar- eller brukarundersökningar."
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
		st.Whole = len(st.Rows) <= wholeListRows
		k.Surveys = &st
	}
	return k
}

// wholeRows is the most rows of a table kept on one printed page (with
// its chart, when it has one); a longer table may break, its header
// repeated. A list-like table breaks sooner, rather than leave half a page
// empty.
const (
	wholeRows     = 30
	wholeListRows = 12
)

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// groupFindings orders the findings by measure: the uses in form order,
// then costs, response and data quality.
func groupFindings(fs []aggregate.Finding, lb labels) []findingGroup {
	var out []findingGroup
	measures := append(slices.Clone(aggregate.UsageKeys), aggregate.MeasureCost, aggregate.MeasureResponse, aggregate.MeasureQuality)
	for _, m := range measures {
		g := findingGroup{Heading: measureHeading(m, lb)}
		for _, f := range fs {
			if f.Measure == m && !f.Change { // those about change are grouped apart
				g.Items = append(g.Items, f.Text)
			}
		}
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func measureHeading(m string, lb labels) string {
	switch m {
	case aggregate.MeasureCost:
		return "Kostnader"
	case aggregate.MeasureResponse:
		return "Svar"
	case aggregate.MeasureQuality:
		return "Uppgifternas kvalitet"
	case "inte_alls":
		return "Används inte alls"
	}
	return lb.usageLabel(m)
}

// methods is the methods note: the two bases of counts and of shares, how
// costs are valued and split, where populations come from, the rule for
// "clearly" above or below, and the precision of numbers.
func methods(rep *aggregate.Report) []string {
	nw := rep.Network
	var out []string
	if nw.EvaluationsPerKommun > nw.Evaluations {
		out = append(out, "Två baser för antal. Nätverkets "+evals(nw.Evaluations)+" räknar varje utvärdering en gång. "+
			"Räknat per kommun blir det "+integer(nw.EvaluationsPerKommun)+", eftersom en enhet som flera kommuner driver gemensamt "+
			"räknas i varje medlemskommun. Kommunernas tabeller, och summor över kommunerna (uppdragsgivare, resultatansvar), har den basen.")
	} else {
		out = append(out, "Ingen enhet med utvärderingar delas av flera kommuner, så kommunernas antal summerar till nätverkets "+evals(nw.Evaluations)+".")
	}
	if nw.KommunerWithEvaluations > 1 {
		out = append(out, "Två baser för andelar. Genomsnittet är medelvärdet av kommunernas andelar: varje kommun väger lika, "+
			"hur många utvärderingar den än har (så räknar studien sitt ”i genomsnitt”; för ”inte alls” "+pct(nw.UsageMean.InteAlls)+"). "+
			"Andelen av alla utvärderingar i nätverket räknas på de "+integer(nw.Evaluations)+" utvärderingarna, där kommuner med många "+
			"utvärderingar väger tyngre (för ”inte alls” "+pct(nw.UsagePooled.InteAlls)+"). Varje andel anger sin bas, till exempel ”(87,9 % av 66)”.")
	}
	out = append(out, "Kostnader: lön är egen insatt tid värderad till "+kr(float64(rep.Round.HourlyRate))+" per timme; "+
		"”ej uppdelat” är totalkostnader som inte har delats upp på kostnadsslag. En gemensam enhets kostnader fördelas mellan "+
		"medlemskommunerna (efter invånarantal om inget annat angetts), så att kommunernas kostnader summerar till nätverkets.")
	if src := rep.Round.PopulationSource; src != "" {
		out = append(out, "Invånarantal: "+src+".")
	} else {
		out = append(out, "Invånarantal: källa och datum är inte angivna.")
	}
	out = append(out, "Svarsfrekvens: andelen av nätverkets enheter (en gemensam enhet räknad en gång) som har lämnat in utvärderingar "+
		"eller svarat att de inte har några.")
	out = append(out, aggregate.MethodsNote, numfmt.PrecisionNote)
	return out
}
