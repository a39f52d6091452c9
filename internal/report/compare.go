package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/numfmt"
)

// The comparison with an earlier round (design §5): when the report is
// compared (aggregate.Compare), a section with the earlier figures and the
// change for the network and each kommun, a line on each kommunblad, a
// lead on the first page and the findings about change. A kommun in one
// round only is shown as such ("deltog inte"), never as a zero.

// compareSection is the report's comparison section.
type compareSection struct {
	ID       string
	Number   string // "8."
	Title    string // "Jämförelse med Resultatstyrning 2009"
	Intro    []string
	Network  table
	Kommuner table
	Costs    table
	Shares   table
	Usage    table
	// Recurrence counts per kommun the evaluations that recur, are new and
	// were dropped; Lists names the new and dropped ones. Nil and empty
	// when not known.
	Recurrence *table
	Lists      []recurrenceGroup
	// Trend is the chart over the rounds linked by carry-forward, with
	// its table; nil when there are fewer than two.
	Trend *figure
}

// recurrenceGroup is a kommun's new and dropped evaluations.
type recurrenceGroup struct {
	Kommun      string
	New         []string
	NewMore     string
	Dropped     []string
	DroppedMore string
}

// maxListed is the most new or dropped evaluations listed per kommun; the
// workbook lists them all.
const maxListed = 10

// Cell texts of a kommun that is not in one of the rounds.
const (
	notThen = "deltog inte"
	notNow  = "deltar inte"
)

// prevName is the earlier round's name as the text uses it.
func prevName(rep *aggregate.Report) string {
	if rep.Comparison == nil || rep.Comparison.Round.Name == "" {
		return "förra omgången"
	}
	return rep.Comparison.Round.Name
}

// nowName is the current round's name as a column head uses it.
func nowName(rep *aggregate.Report) string {
	if rep.Round.Name == "" {
		return "Den här omgången"
	}
	return rep.Round.Name
}

// points writes a change of a share in percentage points for a table
// whose head says the unit: "+4,1", "−3,0".
func points(d float64) string { return numfmt.Signed(d*100, 1) }

// buildComparison fills the comparison section, each kommunblad's line and
// the findings about change; nothing when the report is not compared.
func buildComparison(p *page, rep *aggregate.Report, lb labels, n *numbering) {
	c := rep.Comparison
	if c == nil || rep.Network.Previous == nil {
		return
	}
	prev, now := prevName(rep), nowName(rep)
	s := &compareSection{ID: "jamforelse", Number: "8.", Title: "Jämförelse med " + prev}
	s.Intro = append(s.Intro, "Avsnittet visar siffrorna i "+prev+", som den omgångens egen rapport anger dem, och förändringen till "+now+
		" (den här omgången minus den tidigare). Kommunerna är matchade efter kommunkod där båda omgångarna har den, annars efter namn.")
	switch {
	case c.Kommuner == 0:
		s.Intro = append(s.Intro, "Ingen kommun deltar i båda omgångarna, så bara nätverkets siffror kan jämföras.")
	default:
		line := "Jämförelsen gäller " + count(c.Kommuner, "kommun", "kommuner") + " som deltar i båda omgångarna"
		if c.MatchedByCode > 0 {
			line += " (" + integer(c.MatchedByCode) + " matchade efter kommunkod)"
		}
		s.Intro = append(s.Intro, line+".")
	}
	if len(c.OnlyCurrent) > 0 {
		s.Intro = append(s.Intro, numfmt.CapList(c.OnlyCurrent, 20, "kommuner")+" deltar bara i den här omgången och har inga tidigare siffror.")
	}
	if len(c.OnlyPrevious) > 0 {
		names := make([]string, len(c.OnlyPrevious))
		for i, k := range c.OnlyPrevious {
			names[i] = k.Name
		}
		s.Intro = append(s.Intro, numfmt.CapList(names, 20, "kommuner")+" deltog bara i "+prev+"; deras siffror då visas i tabellerna men ingen förändring.")
	}

	buildTrend(s, rep, lb, n) // first in the section, so numbered first

	// The network.
	nw, was, d := rep.Network, rep.Network.Previous, rep.Network.Change
	t := newTable(n, "Nätverket i "+prev+" och "+now, headText("Mått"), headNum(prev), headNum(now), headNum("Förändring"))
	t.Rows = append(t.Rows,
		tr{Head: "Kommuner", Cells: []td{num(integer(c.Kommuner + len(c.OnlyPrevious))), num(integer(len(rep.Municipalities))),
			num(numfmt.SignedInt(len(rep.Municipalities) - c.Kommuner - len(c.OnlyPrevious)))}},
		tr{Head: "Utvärderingar (varje utvärdering räknad en gång)", Cells: []td{num(integer(was.Evaluations)), num(integer(nw.Evaluations)),
			num(numfmt.SignedInt(d.Evaluations))}},
		tr{Head: "Kostnad totalt", Cells: []td{num(kr(was.Costs.Total)), num(kr(nw.Costs.Total)), num(numfmt.SignedKronor(d.Costs.Total))}},
	)
	if was.Costs.PerInvanare != nil && nw.Costs.PerInvanare != nil {
		t.Rows = append(t.Rows, tr{Head: "Kostnad per invånare", Cells: []td{num(kr(*was.Costs.PerInvanare)), num(kr(*nw.Costs.PerInvanare)),
			num(numfmt.SignedKronor(*d.Costs.PerInvanare))}})
	}
	t.Rows = append(t.Rows, tr{Head: "Medborgar- eller brukarundersökningar", Cells: []td{num(integer(was.UserSurveys)), num(integer(nw.UserSurveys)),
		num(numfmt.SignedInt(d.UserSurveys))}})
	if was.Usage != nil && nw.Evaluations > 0 {
		t.Rows = append(t.Rows, tr{Head: "Andel medborgar- eller brukarundersökningar", Cells: []td{num(pct(*was.UserSurveyShare)),
			num(pct(nw.UserSurveyPooled)), num(numfmt.Points(*d.UserSurveyShare))}})
		for _, k := range aggregate.UsageKeys {
			t.Rows = append(t.Rows, tr{Head: "Andel: " + lb.usageLabel(k), Cells: []td{num(pct(was.Usage.Get(k))), num(pct(nw.UsagePooled.Get(k))),
				num(numfmt.Points(d.Usage.Get(k)))}})
		}
	}
	if was.Response.Rate != nil && nw.Response.Units > 0 {
		t.Rows = append(t.Rows, tr{Head: "Svarsfrekvens (andel av enheterna)", Cells: []td{num(pct(*was.Response.Rate)), num(pct(nw.ResponseRate)),
			num(numfmt.Points(*d.Response.Rate))}})
	}
	t.Notes = append(t.Notes, "Andelarna är räknade på alla nätverkets utvärderingar i respektive omgång. Nätverkets siffror gäller de kommuner som deltog i respektive omgång.")
	t.Whole = true
	s.Network = t

	// Per kommun: each measure in the earlier round, now, and the change.
	then, current := shortNames(prev, now)
	byKommun := func(caption string, ms ...compareMeasure) table {
		head := []th{headText("Kommun")}
		for _, cm := range ms {
			head = append(head, headNum(cm.head+" "+then), headNum(cm.head+" "+current), headNum("Förändring"))
		}
		t := newTable(n, caption+" i "+prev+" och "+now, head...)
		row := func(name string, was, is, d *aggregate.Figures) tr {
			r := tr{Head: name}
			for _, cm := range ms {
				wasText, isText, dText := notThen, notNow, "–"
				if was != nil {
					wasText = cm.value(was)
				}
				if is != nil {
					isText = cm.value(is)
				}
				if d != nil {
					dText = cm.change(d)
				}
				r.Cells = append(r.Cells, num(wasText), num(isText), num(dText))
			}
			return r
		}
		for _, m := range rep.Municipalities {
			is := aggregate.KommunFigures(m)
			head := m.Name
			if m.Compared != nil && m.Compared.PreviousName != "" {
				head += " (" + m.Compared.PreviousName + ")"
			}
			t.Rows = append(t.Rows, row(head, m.Previous, &is, m.Change))
		}
		for _, pk := range c.OnlyPrevious {
			t.Rows = append(t.Rows, row(pk.Name, &pk.Previous, nil, nil))
		}
		is := aggregate.NetworkFigures(nw)
		t.Foot = []tr{row("Nätverket", was, &is, d)}
		t.Whole = len(t.Rows) <= wholeRows
		return t
	}
	k := byKommun("Antal utvärderingar och medborgar- eller brukarundersökningar per kommun", measureEvaluations, measureSurveys)
	k.Notes = append(k.Notes, "En gemensam enhets utvärderingar räknas i varje medlemskommun, som i respektive omgångs egen rapport; "+
		"nätverkets rad räknar varje utvärdering en gång. ”"+notThen+"” och ”"+notNow+"” betyder att kommunen inte var med i den omgången – "+
		"inte att den hade noll utvärderingar.")
	if hasRenamed(rep) {
		k.Notes = append(k.Notes, "Inom parentes: kommunens namn i "+prev+", där det var ett annat (matchad efter kommunkod).")
	}
	costs := byKommun("Kostnad totalt och per invånare per kommun", measureCost, measurePerInh)
	costs.Notes = append(costs.Notes, "En gemensam enhets kostnader fördelas mellan medlemskommunerna, som i respektive omgångs egen rapport.")
	sh := byKommun("Svarsfrekvens och andel utvärderingar som inte används alls per kommun", measureResponse, measureUnused)
	sh.Notes = append(sh.Notes, "Svarsfrekvens är andelen av kommunens enheter som har lämnat in utvärderingar eller svarat att de inte har några. "+
		"Förändringar av andelar anges i procentenheter; för ”används inte alls” är en minskning en förbättring.")

	uh := []th{headText("Kommun")}
	for _, key := range aggregate.UsageKeys {
		uh = append(uh, headNum(lb.usageLabel(key)))
	}
	u := newTable(n, "Förändring i hur resultaten används per kommun från "+prev+" till "+now+", i procentenheter", uh...)
	for _, m := range rep.Municipalities {
		r := tr{Head: m.Name}
		for _, key := range aggregate.UsageKeys {
			switch {
			case m.Previous == nil:
				r.Cells = append(r.Cells, num(notThen))
			case m.Change.Usage == nil:
				r.Cells = append(r.Cells, num("–"))
			default:
				r.Cells = append(r.Cells, num(points(m.Change.Usage.Get(key))))
			}
		}
		u.Rows = append(u.Rows, r)
	}
	if d.Usage != nil {
		r := tr{Head: "Alla utvärderingar i nätverket"}
		for _, key := range aggregate.UsageKeys {
			r.Cells = append(r.Cells, num(points(d.Usage.Get(key))))
		}
		u.Foot = []tr{r}
	}
	u.Notes = append(u.Notes, "Förändringen av andelen av kommunens utvärderingar som legat till grund för respektive användning. "+
		"Andelarna i varje omgång finns i respektive omgångs rapport; en kommun utan utvärderingar i någon av omgångarna har ingen andel att jämföra (–).")
	u.Whole = len(u.Rows) <= wholeRows
	s.Kommuner, s.Costs, s.Shares, s.Usage = k, costs, sh, u
	buildRecurrence(s, rep, n)
	p.Compare = s

	p.Methods = append(p.Methods, "Jämförelsen med "+prev+": varje omgångs siffror är räknade som i dess egen rapport, och förändringen är den här omgångens siffra minus den tidigare. "+
		aggregate.ChangeNote)

	// Each kommunblad says how the kommun has changed.
	for i := range p.Blad {
		p.Blad[i].Change = bladChange(rep, rep.Municipalities[i])
	}
}

// compareMeasure is a column group of a comparison table: a figure as it
// reads in either round, and its change.
type compareMeasure struct {
	head   string
	value  func(*aggregate.Figures) string
	change func(*aggregate.Figures) string
}

var (
	measureEvaluations = compareMeasure{"Utvärderingar",
		func(f *aggregate.Figures) string { return integer(f.Evaluations) },
		func(d *aggregate.Figures) string { return numfmt.SignedInt(d.Evaluations) }}
	measureSurveys = compareMeasure{"Brukarundersökningar",
		func(f *aggregate.Figures) string { return integer(f.UserSurveys) },
		func(d *aggregate.Figures) string { return numfmt.SignedInt(d.UserSurveys) }}
	measureCost = compareMeasure{"Kostnad",
		func(f *aggregate.Figures) string { return kr(f.Costs.Total) },
		func(d *aggregate.Figures) string { return numfmt.SignedKronor(d.Costs.Total) }}
	measurePerInh = compareMeasure{"Per invånare",
		func(f *aggregate.Figures) string { return perInh(f.Costs.PerInvanare) },
		func(d *aggregate.Figures) string {
			if d.Costs.PerInvanare == nil {
				return "–"
			}
			return numfmt.SignedKronor(*d.Costs.PerInvanare)
		}}
	measureResponse = compareMeasure{"Svarsfrekvens",
		func(f *aggregate.Figures) string { return optPct(f.Response.Rate) },
		func(d *aggregate.Figures) string { return optPoints(d.Response.Rate) }}
	measureUnused = compareMeasure{"Används inte alls",
		func(f *aggregate.Figures) string {
			if f.Usage == nil {
				return "–"
			}
			return pct(f.Usage.InteAlls)
		},
		func(d *aggregate.Figures) string {
			if d.Usage == nil {
				return "–"
			}
			return points(d.Usage.InteAlls)
		}}
)

func optPct(v *float64) string {
	if v == nil {
		return "–"
	}
	return pct(*v)
}

func optPoints(v *float64) string {
	if v == nil {
		return "–"
	}
	return points(*v)
}

// shortNames are the two rounds' names for column heads: without the
// words they begin with in common ("2009" and "2010" for "Resultatstyrning
// 2009" and "Resultatstyrning 2010"), or whole when nothing is left.
func shortNames(prev, now string) (string, string) {
	a, b := strings.Fields(prev), strings.Fields(now)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == 0 || i == len(a) || i == len(b) {
		return prev, now
	}
	return strings.Join(a[i:], " "), strings.Join(b[i:], " ")
}

func hasRenamed(rep *aggregate.Report) bool {
	for _, m := range rep.Municipalities {
		if m.Compared != nil && m.Compared.PreviousName != "" {
			return true
		}
	}
	return false
}

func perInh(v *float64) string {
	if v == nil {
		return "uppgift saknas"
	}
	return kr(*v)
}

// bladChange is a kommunblad's line on the change since the earlier round.
func bladChange(rep *aggregate.Report, m aggregate.Municipality) string {
	prev := prevName(rep)
	if m.Previous == nil {
		return m.Name + " deltog inte i " + prev + ", så det finns inga tidigare siffror att jämföra med."
	}
	was, d := m.Previous, m.Change
	s := "Jämfört med " + prev
	if m.Compared != nil && m.Compared.PreviousName != "" {
		s += " (då som " + m.Compared.PreviousName + ")"
	}
	s += ": " + evals(m.Evaluations) + " mot " + integer(was.Evaluations) + " (" + numfmt.SignedInt(d.Evaluations) + "), kostnad " +
		kr(m.Costs.Total) + " mot " + kr(was.Costs.Total) + " (" + numfmt.SignedKronor(d.Costs.Total) + ")"
	if was.Usage != nil && m.Evaluations > 0 {
		s += ", används inte alls " + pct(m.Usage.Shares.InteAlls) + " mot " + pct(was.Usage.InteAlls) + " (" + numfmt.Points(d.Usage.InteAlls) + ")" +
			", handlingsplan " + pct(m.Usage.Shares.Handlingsplan) + " mot " + pct(was.Usage.Handlingsplan) + " (" + numfmt.Points(d.Usage.Handlingsplan) + ")"
	}
	return s + "."
}

// changeLead is the first page's paragraph on the change since the
// earlier round; nil when the report is not compared.
func changeLead(rep *aggregate.Report) []string {
	was, d := rep.Network.Previous, rep.Network.Change
	if rep.Comparison == nil || was == nil {
		return nil
	}
	nw := rep.Network
	s := "Jämfört med " + prevName(rep) + " har nätverket rapporterat " + evals(nw.Evaluations) + " mot " + integer(was.Evaluations) +
		" (" + numfmt.SignedInt(d.Evaluations) + ")"
	if nw.Costs.WithCost > 0 && was.Costs.WithCost > 0 {
		s += " och kostnaden är " + kr(nw.Costs.Total) + " mot " + kr(was.Costs.Total) + " (" + numfmt.SignedKronor(d.Costs.Total) + ")"
	}
	if was.Usage != nil && nw.Evaluations > 0 {
		p, c := was.Usage.InteAlls, nw.UsagePooled.InteAlls
		switch aggregate.Changed(c, p) {
		case 1:
			s += "; andelen som inte används alls har ökat från " + pct(p) + " till " + pct(c)
		case -1:
			s += "; andelen som inte används alls har minskat från " + pct(p) + " till " + pct(c)
		default:
			s += "; andelen som inte används alls är i stort sett oförändrad (" + pct(c) + " mot " + pct(p) + ")"
		}
	}
	s += "."
	if c := rep.Comparison; len(c.OnlyCurrent) > 0 || len(c.OnlyPrevious) > 0 {
		s += " Omgångarna omfattar inte samma kommuner; se avsnitt 8."
	}
	return []string{s}
}

// changeFindings is the findings group about change, in measure order.
func changeFindings(rep *aggregate.Report, lb labels) *findingGroup {
	g := findingGroup{Heading: "Förändring sedan " + prevName(rep)}
	for _, m := range findingMeasures() {
		for _, f := range rep.Findings {
			if f.Change && f.Measure == m {
				g.Items = append(g.Items, f.Text)
			}
		}
	}
	if len(g.Items) == 0 {
		return nil
	}
	return &g
}

func findingMeasures() []string {
	return append(append([]string{}, aggregate.UsageKeys...), aggregate.MeasureCost, aggregate.MeasureResponse, aggregate.MeasureQuality)
}

// findingMeasure and findingDirection are a finding's measure and
// direction in the workbook's words.
func findingMeasure(f aggregate.Finding, lb labels) string {
	if f.Change {
		return measureHeading(f.Measure, lb) + " – förändring"
	}
	return measureHeading(f.Measure, lb)
}

func findingDirection(f aggregate.Finding) string {
	if !f.Change {
		return directionLabel(f.Direction)
	}
	switch f.Direction {
	case aggregate.Over:
		return "Har ökat"
	case aggregate.Under:
		return "Har minskat"
	}
	return "Förändring"
}

// compareSheets is the workbook's comparison sheet; none when the report is
// not compared.
func compareSheets(rep *aggregate.Report, lb labels) []xsheet {
	c := rep.Comparison
	if c == nil || rep.Network.Previous == nil {
		return nil
	}
	prev := prevName(rep)
	then, now := shortNames(prev, nowName(rep)) // short column heads: "2009", "2010"
	s := xsheet{name: SheetComparison, caption: "Jämförelse med " + prev + ": tidigare siffror och förändring per kommun",
		cols: []xcol{{"Kommun", kText}, {"Tidigare namn", kText},
			{"Utvärderingar " + then, kCount}, {"Utvärderingar " + now, kCount}, {"Förändring", kChange},
			{"Kostnad " + then + " (kr)", kKronor}, {"Kostnad " + now + " (kr)", kKronor}, {"Förändring (kr)", kChangeKr},
			{"Per invånare " + then + " (kr)", kKronor}, {"Per invånare " + now + " (kr)", kKronor}, {"Förändring (kr)", kChangeKr},
			{"Brukarundersökningar " + then, kCount}, {"Brukarundersökningar " + now, kCount}, {"Förändring", kChange},
			{"Används inte alls " + then, kShare}, {"Används inte alls " + now, kShare}, {"Förändring (procentenheter)", kPoints},
			{"Handlingsplan " + then, kShare}, {"Handlingsplan " + now, kShare}, {"Förändring (procentenheter)", kPoints},
			{"Svarsfrekvens " + then, kShare}, {"Svarsfrekvens " + now, kShare}, {"Förändring (procentenheter)", kPoints}}}
	opt := func(v *float64) any {
		if v == nil {
			return "–"
		}
		return *v
	}
	pts := func(v *float64) any {
		if v == nil {
			return "–"
		}
		return *v * 100
	}
	share := func(u *aggregate.UsageShares, key string) any {
		if u == nil {
			return "–"
		}
		return u.Get(key)
	}
	diff := func(u *aggregate.UsageShares, key string) any {
		if u == nil {
			return "–"
		}
		return u.Get(key) * 100
	}
	row := func(name, prevName string, was, is, d *aggregate.Figures) xrow {
		cells := []any{name, prevName}
		if was == nil {
			cells = append(cells, notThen, is.Evaluations, "–", notThen, is.Costs.Total, "–", notThen, opt(is.Costs.PerInvanare), "–",
				notThen, is.UserSurveys, "–", notThen, share(is.Usage, "inte_alls"), "–", notThen, share(is.Usage, "handlingsplan"), "–",
				notThen, opt(is.Response.Rate), "–")
			return xrow{cells: cells}
		}
		if is == nil {
			cells = append(cells, was.Evaluations, notNow, "–", was.Costs.Total, notNow, "–", opt(was.Costs.PerInvanare), notNow, "–",
				was.UserSurveys, notNow, "–", share(was.Usage, "inte_alls"), notNow, "–", share(was.Usage, "handlingsplan"), notNow, "–",
				opt(was.Response.Rate), notNow, "–")
			return xrow{cells: cells}
		}
		cells = append(cells, was.Evaluations, is.Evaluations, d.Evaluations, was.Costs.Total, is.Costs.Total, d.Costs.Total,
			opt(was.Costs.PerInvanare), opt(is.Costs.PerInvanare), opt(d.Costs.PerInvanare),
			was.UserSurveys, is.UserSurveys, d.UserSurveys,
			share(was.Usage, "inte_alls"), share(is.Usage, "inte_alls"), diff(d.Usage, "inte_alls"),
			share(was.Usage, "handlingsplan"), share(is.Usage, "handlingsplan"), diff(d.Usage, "handlingsplan"),
			opt(was.Response.Rate), opt(is.Response.Rate), pts(d.Response.Rate))
		return xrow{cells: cells}
	}
	for _, m := range rep.Municipalities {
		is := aggregate.KommunFigures(m)
		name := ""
		if m.Compared != nil {
			name = m.Compared.PreviousName
		}
		s.rows = append(s.rows, row(m.Name, name, m.Previous, &is, m.Change))
	}
	for _, pk := range c.OnlyPrevious {
		was := pk.Previous
		s.rows = append(s.rows, row(pk.Name, pk.Name, &was, nil, nil))
	}
	nw := aggregate.NetworkFigures(rep.Network)
	total := row("Nätverket", "", rep.Network.Previous, &nw, rep.Network.Change)
	total.bold = true
	s.rows = append(s.rows, total)
	s.notes = []string{"”" + notThen + "” och ”" + notNow + "” betyder att kommunen inte var med i den omgången – inte att den hade noll utvärderingar. " +
		"Andelar för nätverket är räknade på alla dess utvärderingar i respektive omgång; förändringar av andelar anges i procentenheter."}
	return []xsheet{s}
}

// buildRecurrence fills the table and lists of evaluations that recur, are
// new and were dropped, when the comparison knows them.
func buildRecurrence(s *compareSection, rep *aggregate.Report, n *numbering) {
	nr := rep.Comparison.Recurrence
	if nr == nil {
		return
	}
	prev := prevName(rep)
	t := newTable(n, "Utvärderingar som återkommer från "+prev+", är nya eller inte längre är med",
		headText("Kommun"), headNum("Återkommande"), headNum("Varav överförda från "+prev), headNum("Nya"), headNum("Inte längre med"))
	row := func(name string, r *aggregate.Recurrence) tr {
		if r == nil {
			return tr{Head: name, Cells: []td{num(notThen), num("–"), num("–"), num("–")}}
		}
		return tr{Head: name, Cells: []td{num(integer(r.Recurring)), num(integer(r.ByLineage)), num(integer(r.New)), num(integer(r.Dropped))}}
	}
	for _, m := range rep.Municipalities {
		t.Rows = append(t.Rows, row(m.Name, m.Recurrence))
		if r := m.Recurrence; r != nil && (r.New > 0 || r.Dropped > 0) {
			g := recurrenceGroup{Kommun: m.Name}
			g.New, g.NewMore = listed(r.NewEvaluations)
			g.Dropped, g.DroppedMore = listed(r.DroppedEvaluations)
			s.Lists = append(s.Lists, g)
		}
	}
	t.Foot = []tr{row("Nätverket (varje utvärdering räknad en gång)", nr)}
	t.Notes = append(t.Notes, "En utvärdering återkommer när den har förts vidare från "+prev+" eller, annars, när samma enhet har en utvärdering med samma namn. "+
		"Överförda är de som fördes vidare när omgången skapades. En gemensam enhets utvärderingar räknas i varje medlemskommun. "+
		"Återkommande och nya summerar till kommunens antal nu, återkommande och de som inte längre är med till antalet i "+prev+".")
	t.Whole = len(t.Rows) <= wholeRows
	s.Recurrence = &t
}

// listed names at most maxListed evaluations in Swedish order, and says
// how many more.
func listed(items []aggregate.RecurrenceItem) ([]string, string) {
	items = slices.Clone(items)
	aggregate.SortItems(items)
	var out []string
	for i, it := range items {
		if i == maxListed {
			return out, "Ytterligare " + evals(len(items)-maxListed) + " finns i Excel-filen (bladet " + SheetRecurrence + "), som listar alla."
		}
		out = append(out, it.Benamning+" – "+it.Enhet)
	}
	return out, ""
}

// recurrenceSheet lists every evaluation of the comparison by kommun: does
// it recur, is it new, or is it no longer there. A shared unit's
// evaluation has a row in each member kommun.
func recurrenceSheet(rep *aggregate.Report) []xsheet {
	if rep.Comparison == nil || rep.Comparison.Recurrence == nil {
		return nil
	}
	prev := prevName(rep)
	s := xsheet{name: SheetRecurrence, caption: "Utvärderingar som återkommer från " + prev + ", är nya eller inte längre är med, per kommun",
		cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Utvärdering", kText}, {"Jämfört med " + prev, kText},
			{"Tidigare namn", kText}, {"Matchad", kText}}}
	order := map[string]int{}
	for i, m := range rep.Municipalities {
		if m.Recurrence != nil {
			order[m.Name] = i
		}
	}
	type line struct {
		kommun int
		cells  []any
	}
	var lines []line
	nr := rep.Comparison.Recurrence
	for _, l := range []struct {
		status string
		items  []aggregate.RecurrenceItem
	}{{"Återkommande", nr.RecurringEvaluations}, {"Ny", nr.NewEvaluations}, {"Inte längre med", nr.DroppedEvaluations}} {
		items := slices.Clone(l.items)
		aggregate.SortItems(items)
		for _, it := range items {
			how := ""
			if l.status == "Återkommande" {
				how = "efter enhet och namn"
				if it.ByLineage {
					how = "förd vidare från " + prev
				}
			}
			for _, k := range it.Kommuner {
				if i, ok := order[k]; ok {
					lines = append(lines, line{i, []any{k, it.Enhet, it.Benamning, l.status, it.PreviousBenamning, how}})
				}
			}
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.kommun - b.kommun })
	for _, l := range lines {
		s.rows = append(s.rows, xrow{cells: l.cells})
	}
	s.notes = []string{"En gemensam enhets utvärderingar står under varje medlemskommun. Kommuner som bara deltar i en av omgångarna finns inte med."}
	return []xsheet{s}
}

// buildTrend fills the trend figure's caption and table; renderTrend draws
// it.
func buildTrend(s *compareSection, rep *aggregate.Report, lb labels, n *numbering) {
	points := rep.Comparison.Trend
	if len(points) < 2 {
		return
	}
	id, label := n.nextDiagram()
	f := &figure{ID: id, Label: label, Caption: chart.TitleTrend + ", " + count(len(points), "omgång", "omgångar") + " som förts vidare från varandra"}
	// The chart's figures, and the other uses but "annat"; the network's
	// table below has every figure of the two rounds compared.
	uses := []string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "inte_alls"}
	head := []th{headText("Omgång"), headNum("Kommuner"), headNum("Utvärderingar"), headNum("Kostnad per invånare")}
	for _, k := range uses {
		head = append(head, headNum(lb.usageLabel(k)))
	}
	head = append(head, headNum("Svarsfrekvens"))
	t := newTable(n, "Nätverkets utveckling över omgångarna", head...)
	for _, p := range points {
		r := tr{Head: p.Round, Cells: []td{num(integer(p.Kommuner)), num(integer(p.Evaluations)), num(perInh(p.Costs.PerInvanare))}}
		for _, k := range uses {
			if p.Usage == nil {
				r.Cells = append(r.Cells, num("–"))
			} else {
				r.Cells = append(r.Cells, num(pct(p.Usage.Get(k))))
			}
		}
		r.Cells = append(r.Cells, num(optPct(p.Response.Rate)))
		t.Rows = append(t.Rows, r)
	}
	t.Notes = append(t.Notes, "Varje omgång med sina egna siffror, som dess rapport anger dem; andelarna är räknade på alla nätverkets utvärderingar i omgången. "+
		"Omgångarna kan omfatta olika kommuner. Högst "+integer(aggregate.MaxTrendRounds)+" omgångar visas.")
	t.Whole = true
	f.Table = t
	f.Alt = "Uppgifterna i diagrammet finns i " + lowerFirst(t.Label) + " nedan."
	s.Trend = f
}

// renderTrend draws the trend chart of the comparison section, if any.
func (r *Renderer) renderTrend(rep *aggregate.Report, p *page, url func(chart.Kind, chart.Format) string) error {
	if p.Compare == nil || p.Compare.Trend == nil {
		return nil
	}
	f := p.Compare.Trend
	if url != nil {
		for _, fm := range []chart.Format{chart.PNG, chart.SVG} {
			name := strings.ToUpper(string(fm))
			f.Links = append(f.Links, link{Text: name, Href: url(chart.KindTrend, fm), Label: f.Label + " som " + name + "-bild"})
		}
	}
	svg, err := r.charts.Render(chart.KindTrend, rep, chart.SVG, chart.Options{ID: f.ID})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	// Generated here; the chart package escapes the text it draws.
	f.SVGs = []template.HTML{template.HTML(svg)}
	return nil
}
