package aggregate

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/numfmt"
)

// Findings (design §5) are derived from the figures, never written by hand,
// so that the same rules speak about any network. They are written in
// Swedish, as an analyst would: each names the kommuner it is about, states
// the base of every share ("87,9 % av 66"), and says what the figure means.

// Finding directions.
const (
	Over  = "over"  // the kommuner are clearly above the network's mean
	Under = "under" // clearly below
	Info  = "info"  // a fact about the network (the mean, the range, a caveat)
)

// Finding measures besides the usage keys.
const (
	MeasureCost     = "kostnad"
	MeasureResponse = "svar"
	MeasureQuality  = "kvalitet"
)

// Finding is one derived statement.
type Finding struct {
	Measure   string   `json:"measure"`   // a usage key, MeasureCost, MeasureResponse or MeasureQuality
	Direction string   `json:"direction"` // Over, Under or Info
	Kommuner  []string `json:"kommuner"`  // the kommuner it names, most notable first
	Text      string   `json:"text"`      // Swedish, one or a few sentences
	// Key marks the few findings that matter most, which the report's
	// first page leads with.
	Key bool `json:"key"`
	// Change marks a finding about the change since an earlier round
	// (see Compare); for those, Over and Under say that the figure rose
	// or fell clearly.
	Change bool `json:"change,omitempty"`
}

// The rule for "clearly" above or below a mean: the kommun differs from it
// by at least ClearRelative of the mean and by at least ClearPoints
// (percentage points as a fraction), so that neither a small share's
// one-evaluation wobble nor a large share's rounding is called a
// difference.
const (
	ClearRelative = 0.10
	ClearPoints   = 0.02
)

// Thresholds of the data-quality findings, each relative to the kommun's
// own figures or to the network's.
const (
	// unsplitShare: the share of a kommun's cost given as totals only from
	// which the breakdown by kind is misleading.
	unsplitShare = 0.25
	// missingCostShare: the share of a kommun's evaluations without any
	// cost from which its cost is clearly understated.
	missingCostShare = 0.10
	// fewHoursRatio: hours per evaluation below this fraction of the
	// network's are implausibly few.
	fewHoursRatio = 0.25
	// maxKey is the most findings marked Key.
	maxKey = 5
	// maxNamed is the most kommuner a finding's text names; the rest are
	// counted (Kommuner lists them all).
	maxNamed = 6
)

// MethodsNote states the rules the findings follow, for the report's
// methods note.
var MethodsNote = "En kommun ligger klart över eller under genomsnittet när dess andel skiljer sig från nätverkets genomsnitt med minst " +
	numfmt.Number(ClearRelative*100, 0) + " % av genomsnittet och minst " + numfmt.Number(ClearPoints*100, 0) +
	" procentenheter. Den högsta och den lägsta andelen anges alltid."

// Clearly tells how share stands against mean by the rule above: +1
// clearly above, −1 clearly below, 0 near it.
func Clearly(share, mean float64) int {
	d := share - mean
	if math.Abs(d) < ClearPoints-1e-12 || math.Abs(d) < ClearRelative*mean-1e-12 {
		return 0
	}
	if d > 0 {
		return 1
	}
	return -1
}

// Standing is where a kommun stands against the network on each usage
// measure, by the rule of Clearly: Over, Under or "" (near the mean, or no
// comparison). Best and Worst are the usage keys, among those clearly off
// the mean, with the most favourable and the most unfavourable difference
// relative to the mean (for inte_alls, below the mean is favourable); ""
// when there is none.
type Standing struct {
	PolitisktBeslut  string `json:"politiskt_beslut"`
	Handlingsplan    string `json:"handlingsplan"`
	BudgetMalprocess string `json:"budget_malprocess"`
	Annat            string `json:"annat"`
	InteAlls         string `json:"inte_alls"`
	Best             string `json:"best"`
	Worst            string `json:"worst"`
}

// Get returns the standing on one of UsageKeys.
func (s Standing) Get(key string) string {
	if i := usageIndex(key); i >= 0 {
		return [nUsage]string{s.PolitisktBeslut, s.Handlingsplan, s.BudgetMalprocess, s.Annat, s.InteAlls}[i]
	}
	return ""
}

// Good tells whether a higher share of the usage is good news: every use
// but inte_alls.
func Good(key string) bool { return key != "inte_alls" }

// standings sets each kommun's Standing; it needs two kommuner with
// evaluations to compare.
func standings(rep *Report) {
	nw := rep.Network
	for i := range rep.Municipalities {
		m := &rep.Municipalities[i]
		m.Standing = Standing{}
		if m.Evaluations == 0 || nw.KommunerWithEvaluations < 2 {
			continue
		}
		var v [nUsage]string
		best, worst := 0.0, 0.0
		for j, key := range usageKeys {
			share, mean := m.Usage.Shares.Get(key), nw.UsageMean.Get(key)
			switch Clearly(share, mean) {
			case 1:
				v[j] = Over
			case -1:
				v[j] = Under
			}
			if v[j] == "" {
				continue // near the mean: neither a strength nor a weakness
			}
			rel := (share - mean) / math.Max(mean, ClearPoints)
			if !Good(key) {
				rel = -rel
			}
			if rel > best+1e-12 {
				best, m.Standing.Best = rel, key
			}
			if rel < worst-1e-12 {
				worst, m.Standing.Worst = rel, key
			}
		}
		m.Standing.PolitisktBeslut, m.Standing.Handlingsplan, m.Standing.BudgetMalprocess, m.Standing.Annat, m.Standing.InteAlls =
			v[0], v[1], v[2], v[3], v[4]
	}
}

// DeriveFindings derives the findings from a report's figures (and sets
// each kommun's Standing, which they rest on). Compute calls it; call it
// again after changing a report's figures by hand.
func DeriveFindings(rep *Report) []Finding {
	if rep == nil {
		return nil
	}
	standings(rep)
	f := finder{rep: rep, lb: usageLabels()}
	for _, key := range usageKeys {
		f.usage(key)
	}
	f.cost()
	f.response()
	f.quality()
	f.markKey()
	if f.out == nil {
		return []Finding{}
	}
	return f.out
}

type finder struct {
	rep *Report
	lb  map[string]string
	out []Finding
}

func (f *finder) add(measure, direction string, kommuner []string, text string) {
	f.out = append(f.out, Finding{Measure: measure, Direction: direction, Kommuner: nonNil(kommuner), Text: text})
}

// usageLabels are the form's labels of the usage keys.
var usageLabels = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	fd := form.MustEvaluation().Field("anvandning")
	for _, k := range usageKeys {
		out[k] = k
		if fd != nil {
			if l := fd.OptionLabel(k); l != "" {
				out[k] = l
			}
		}
	}
	return out
})

// UsagePhrase is how a sentence names a use: "politiska beslut och
// ställningstaganden", "”annat”".
func UsagePhrase(key string) string {
	l := lowerFirst(usageLabels()[key])
	if key == "annat" {
		return "”" + l + "”"
	}
	return l
}

// withEvaluations are the kommuner that reported evaluations.
func (f *finder) withEvaluations() []Municipality {
	var out []Municipality
	for _, m := range f.rep.Municipalities {
		if m.Evaluations > 0 {
			out = append(out, m)
		}
	}
	return out
}

// shareOf names a kommun with its share and base: "Säter (87,9 % av 66)".
func shareOf(name string, share float64, base int) string {
	return name + " (" + numfmt.Percent(share) + " av " + numfmt.Int(base) + ")"
}

func (f *finder) usage(key string) {
	nw := f.rep.Network
	ms := f.withEvaluations()
	if len(ms) == 0 {
		return
	}
	phrase := UsagePhrase(key)
	share := func(m Municipality) float64 { return m.Usage.Shares.Get(key) }
	named := func(m Municipality) string { return shareOf(m.Name, share(m), m.Evaluations) }
	pooled := numfmt.Percent(nw.UsagePooled.Get(key)) + " av nätverkets " + numfmt.Int(nw.Evaluations) + " utvärderingar"

	if len(ms) == 1 {
		m := ms[0]
		s := numfmt.Percent(share(m)) + " (" + numfmt.Int(m.Usage.Counts.Get(key)) + " av " + numfmt.Int(m.Evaluations) + ") av " + m.Name + "s utvärderingar "
		if Good(key) {
			s += "har legat till grund för " + phrase + "."
		} else {
			s += "används inte alls."
		}
		s += " Med en enda kommun finns inget genomsnitt att jämföra med."
		if key == "budget_malprocess" {
			s = "Budget- och målprocessen, undersökningens centrala fråga: " + lowerFirst(s) + f.initiatorContrast()
		}
		if key == "inte_alls" {
			s += f.unusedCost()
		}
		f.add(key, Info, []string{m.Name}, s)
		return
	}

	mean := nw.UsageMean.Get(key)
	meanText := numfmt.Percent(mean)
	base := " (medelvärdet av " + numfmt.Int(len(ms)) + " kommuners andelar; " + pooled + ")"

	// The mean, and always the highest and the lowest.
	hi := extremes(ms, share, true)
	lo := extremes(ms, share, false)
	var s string
	if Good(key) {
		s = "I genomsnitt har " + meanText + " av kommunernas utvärderingar legat till grund för " + phrase + base + "."
	} else {
		s = "I genomsnitt används " + meanText + " av kommunernas utvärderingar inte alls" + base + "." + f.unusedCost()
	}
	names := func(e []Municipality) string {
		out := make([]string, len(e))
		for i, m := range e {
			out[i] = named(m)
		}
		return numfmt.List(out)
	}
	if share(hi[0]) == share(lo[0]) {
		s += " Andelen är densamma i alla kommuner."
	} else if Good(key) {
		s += " Högst andel har " + names(hi) + ", lägst " + names(lo) + "."
	} else {
		s += " Störst andel oanvända har " + names(hi) + ", minst " + names(lo) + "."
	}
	if key == "budget_malprocess" {
		s = "Budget- och målprocessen, undersökningens centrala fråga: " + lowerFirst(s) + f.initiatorContrast()
	}
	var ext []string
	for _, m := range append(slices.Clone(hi), lo...) {
		if !slices.Contains(ext, m.Name) {
			ext = append(ext, m.Name)
		}
	}
	f.add(key, Info, ext, s)

	// Clearly above and below, most extreme first.
	var above, below []Municipality
	for _, m := range ms {
		switch Clearly(share(m), mean) {
		case 1:
			above = append(above, m)
		case -1:
			below = append(below, m)
		}
	}
	slices.SortStableFunc(above, func(a, b Municipality) int { return cmpFloat(share(b), share(a)) })
	slices.SortStableFunc(below, func(a, b Municipality) int { return cmpFloat(share(a), share(b)) })
	list := func(e []Municipality) (string, []string) {
		texts := make([]string, len(e))
		ns := make([]string, len(e))
		for i, m := range e {
			texts[i], ns[i] = named(m), m.Name
		}
		return numfmt.CapList(texts, maxNamed, "kommuner"), ns
	}
	if len(above) > 0 {
		t, ns := list(above)
		if Good(key) {
			f.add(key, Over, ns, "Klart över genomsnittet ("+meanText+") för "+phrase+" ligger "+t+".")
		} else {
			f.add(key, Over, ns, "Klart fler utvärderingar än genomsnittet ("+meanText+") används inte alls i "+t+
				": resultat som kostar tid och pengar men inte används för att styra eller utveckla.")
		}
	}
	if len(below) > 0 {
		t, ns := list(below)
		if Good(key) {
			f.add(key, Under, ns, "Klart under genomsnittet ("+meanText+") för "+phrase+" ligger "+t+".")
		} else {
			f.add(key, Under, ns, "Klart färre utvärderingar än genomsnittet ("+meanText+") lämnas oanvända i "+t+".")
		}
	}
}

// unusedCost says what the evaluations never used cost, if anything.
func (f *finder) unusedCost() string {
	nw := f.rep.Network
	if nw.Unused == 0 || nw.UnusedCost <= 0 {
		return ""
	}
	return " De " + numfmt.Int(nw.Unused) + " oanvända utvärderingarna kostade " + numfmt.Kronor(nw.UnusedCost) + ", " +
		numfmt.Percent(nw.UnusedCostShare) + " av nätverkets redovisade kostnad."
}

// initiatorContrast compares how externally initiated evaluations and the
// kommuner's own feed the budget process, counted per kommun.
func (f *finder) initiatorContrast() string {
	var ext, own InitiatorRow
	for _, m := range f.rep.Municipalities {
		ext = addRow(ext, m.ByInitiator.Extern)
		own = addRow(addRow(own, m.ByInitiator.Politisk), m.ByInitiator.Verksamhet)
	}
	if ext.Count == 0 || own.Count == 0 {
		return ""
	}
	e := float64(ext.BudgetMalprocess) / float64(ext.Count)
	o := float64(own.BudgetMalprocess) / float64(own.Count)
	cmp := "lika ofta som"
	switch Clearly(e, o) {
	case -1:
		cmp = "mer sällan än"
	case 1:
		cmp = "oftare än"
	}
	base := "räknat per kommun"
	if f.rep.Network.EvaluationsPerKommun == f.rep.Network.Evaluations {
		base = "i nätverket"
	}
	return " Externt initierade utvärderingar används " + cmp + " de egna (politiskt eller av förvaltningen initierade) i budget- och målprocessen: " +
		numfmt.Percent(e) + " av " + numfmt.Int(ext.Count) + " externa mot " + numfmt.Percent(o) + " av " + numfmt.Int(own.Count) + " egna (" + base + ")."
}

func addRow(a, b InitiatorRow) InitiatorRow {
	a.Count += b.Count
	a.PolitisktBeslut += b.PolitisktBeslut
	a.Handlingsplan += b.Handlingsplan
	a.BudgetMalprocess += b.BudgetMalprocess
	a.Annat += b.Annat
	a.InteAlls += b.InteAlls
	return a
}

func (f *finder) cost() {
	nw := f.rep.Network
	if nw.Evaluations == 0 {
		return
	}
	c := nw.Costs
	if c.WithCost == 0 {
		f.add(MeasureCost, Info, nil, "För ingen av nätverkets "+numfmt.Int(nw.Evaluations)+" utvärderingar har någon kostnad eller tid angetts.")
		return
	}
	if c.Total <= 0 {
		f.add(MeasureCost, Info, nil, "Kostnad eller tid har angetts för "+numfmt.Int(c.WithCost)+" av "+numfmt.Int(nw.Evaluations)+
			" utvärderingar, men alla angivna kostnader är "+numfmt.Kronor(0)+"; kostnaderna går inte att jämföra.")
		return
	}
	s := "Utvärderingarna kostade sammanlagt " + numfmt.Kronor(c.Total)
	if c.PerInvanare != nil {
		s += ", " + numfmt.Kronor(*c.PerInvanare) + " per invånare i nätverket"
	}
	s += "; kostnad eller tid har angetts för " + numfmt.Int(c.WithCost) + " av " + numfmt.Int(nw.Evaluations) + " utvärderingar."
	var names []string
	if r := c.PerInvanareRange; r != nil && r.Max > r.Min {
		s += " Per invånare varierar kostnaden från " + numfmt.Kronor(r.Min) + " i " + numfmt.CapList(r.Lowest, 3, "kommuner") +
			" till " + numfmt.Kronor(r.Max) + " i " + numfmt.CapList(r.Highest, 3, "kommuner") + "."
		names = append(slices.Clone(r.Lowest), r.Highest...)
	}
	if c.Konsult > 0 && c.Total > 0 {
		s += " Egen tid (lön) står för " + numfmt.Percent(c.Lon/c.Total) + " av kostnaden och konsulter för " + numfmt.Percent(c.Konsult/c.Total) + "."
	}
	f.add(MeasureCost, Info, names, s)
}

func (f *finder) response() {
	nw := f.rep.Network
	r := nw.Response
	if r.Units == 0 {
		return
	}
	answered := r.Submitted + r.IngaUtvarderingar
	s := numfmt.Int(answered) + " av nätverkets " + numfmt.Int(r.Units) + " enheter (" + numfmt.Percent(nw.ResponseRate) + ") har svarat"
	var parts []string
	if r.Submitted > 0 {
		parts = append(parts, numfmt.Int(r.Submitted)+" har lämnat in utvärderingar")
	}
	if r.IngaUtvarderingar > 0 {
		parts = append(parts, numfmt.Int(r.IngaUtvarderingar)+" har svarat att de inte har några")
	}
	if len(parts) > 0 {
		s += ": " + numfmt.List(parts)
	}
	s += "."
	// A shared unit is listed under each member kommun: name it once,
	// with its kommuner.
	var units []string
	of := map[string][]string{}
	var kommuner []string
	for _, m := range f.rep.Municipalities {
		for _, n := range m.NonResponding {
			if _, ok := of[n.Enhet]; !ok {
				units = append(units, n.Enhet)
			}
			of[n.Enhet] = append(of[n.Enhet], m.Name)
		}
		if len(m.NonResponding) > 0 {
			kommuner = append(kommuner, m.Name)
		}
	}
	missing := make([]string, len(units))
	for i, u := range units {
		missing[i] = u + " (" + numfmt.List(of[u]) + ")"
	}
	if r.Declined+r.NotResponded > 0 {
		var why []string
		if r.Declined > 0 {
			why = append(why, numfmt.Int(r.Declined)+" har avböjt")
		}
		if r.NotResponded > 0 {
			why = append(why, numfmt.Int(r.NotResponded)+" har inte svarat")
		}
		s += " " + upperFirst(numfmt.List(why)) + ": " + numfmt.CapList(missing, maxNamed, "enheter") +
			". Deras utvärderingar saknas i jämförelsen."
	}
	f.add(MeasureResponse, Info, kommuner, s)

	// Kommuner whose response rate is clearly below the network's.
	var low []Municipality
	for _, m := range f.rep.Municipalities {
		if m.Response.Units > 0 && Clearly(m.Response.Rate, nw.ResponseRate) < 0 {
			low = append(low, m)
		}
	}
	if len(low) > 0 && len(f.rep.Municipalities) > 1 {
		slices.SortStableFunc(low, func(a, b Municipality) int { return cmpFloat(a.Response.Rate, b.Response.Rate) })
		texts := make([]string, len(low))
		ns := make([]string, len(low))
		for i, m := range low {
			texts[i] = m.Name + " (" + numfmt.Percent(m.Response.Rate) + " av " + count(m.Response.Units, "enhet", "enheter") + ")"
			ns[i] = m.Name
		}
		f.add(MeasureResponse, Under, ns, "Klart lägre svarsfrekvens än nätverket ("+numfmt.Percent(nw.ResponseRate)+") har "+
			numfmt.CapList(texts, maxNamed, "kommuner")+"; deras resultat är mindre säkra.")
	}
}

func (f *finder) quality() {
	rep := f.rep
	nw := rep.Network
	if nw.Evaluations > 0 {
		// Totals not broken down by kind.
		var texts, names []string
		for _, m := range rep.Municipalities {
			c := m.Costs
			if c.Total > 0 && c.EjUppdelat/c.Total >= unsplitShare {
				texts = append(texts, m.Name+" ("+numfmt.Percent(c.EjUppdelat/c.Total)+" av "+numfmt.Kronor(c.Total)+"; "+
					numfmt.Int(c.TotalOnly)+" av "+numfmt.Int(m.Evaluations)+" utvärderingar anger bara en totalsumma)")
				names = append(names, m.Name)
			}
		}
		if len(names) > 0 {
			f.add(MeasureQuality, Info, names, "Kostnaden är till stor del inte uppdelad på kostnadsslag i "+numfmt.CapList(texts, maxNamed, "kommuner")+
				". Där underskattar lön, konsult, material och övrigt vad utvärderingarna kostar; bara totalen går att jämföra.")
		}

		// Evaluations without any cost.
		texts, names = nil, nil
		for _, m := range rep.Municipalities {
			c := m.Costs
			if m.Evaluations > 0 && c.WithoutCost > 0 && float64(c.WithoutCost)/float64(m.Evaluations) >= missingCostShare {
				texts = append(texts, m.Name+" ("+numfmt.Int(c.WithoutCost)+" av "+numfmt.Int(m.Evaluations)+", "+
					numfmt.Percent(float64(c.WithoutCost)/float64(m.Evaluations))+")")
				names = append(names, m.Name)
			}
		}
		if len(names) > 0 {
			f.add(MeasureQuality, Info, names, "Kostnad saknas för många utvärderingar i "+numfmt.CapList(texts, maxNamed, "kommuner")+
				". Kommunens kostnad, och kostnaden per invånare, är därför underskattad.")
		}

		// Implausibly few hours per evaluation.
		if nw.Costs.WithTimmar > 0 && nw.Costs.Timmar > 0 {
			netHours := nw.Costs.Timmar / float64(nw.Costs.WithTimmar)
			texts, names = nil, nil
			for _, m := range rep.Municipalities {
				c := m.Costs
				if c.WithTimmar == 0 {
					continue
				}
				if h := c.Timmar / float64(c.WithTimmar); h < fewHoursRatio*netHours {
					texts = append(texts, m.Name+" ("+numfmt.Hours(h)+" per utvärdering: "+numfmt.Hours(c.Timmar)+
						" för "+numfmt.Int(c.WithTimmar)+" utvärderingar)")
					names = append(names, m.Name)
				}
			}
			if len(names) > 0 {
				f.add(MeasureQuality, Info, names, "Orimligt lite egen tid anges i "+numfmt.CapList(texts, maxNamed, "kommuner")+
					", mot "+numfmt.Hours(netHours)+" per utvärdering i nätverket. Egen tid är sannolikt inte fullt uppskattad, så lönekostnaden är för låg.")
			}
		}
	}

	// Populations.
	var unknown []string
	for _, m := range rep.Municipalities {
		if m.Population == nil {
			unknown = append(unknown, m.Name)
		}
	}
	if len(unknown) > 0 {
		s := "Invånarantal saknas för " + numfmt.CapList(unknown, maxNamed, "kommuner") + "; för dem, och för nätverket, visas ingen kostnad per invånare."
		if len(rep.EqualSplitUnits) > 0 {
			s += " Kostnaderna för " + numfmt.CapList(rep.EqualSplitUnits, maxNamed, "enheter") + " har därför fördelats lika mellan medlemskommunerna."
		}
		f.add(MeasureQuality, Info, unknown, s)
	}
	if len(unknown) < len(rep.Municipalities) && nw.Costs.WithCost > 0 {
		if src := strings.TrimSpace(rep.Round.PopulationSource); src != "" {
			f.add(MeasureQuality, Info, nil, "Kostnad per invånare bygger på invånarantalen: "+src+".")
		} else {
			f.add(MeasureQuality, Info, nil, "Källa och datum för invånarantalen är inte angivna; läs kostnaden per invånare som ungefärlig.")
		}
	}
}

// keyOrder ranks the findings a first page leads with: bad news first, then
// the study's central question, then what makes the figures uncertain.
var keyOrder = []struct{ measure, direction string }{
	{"inte_alls", Over},
	{"budget_malprocess", Under},
	{"politiskt_beslut", Under},
	{MeasureQuality, Info},
	{MeasureResponse, Under},
	{"handlingsplan", Under},
	{"budget_malprocess", Info},
	{"inte_alls", Info},
	{MeasureCost, Info},
}

// markKey marks at most maxKey findings Key, in keyOrder (a measure's
// quality findings in their own order).
func (f *finder) markKey() {
	n := 0
	for _, k := range keyOrder {
		for i := range f.out {
			if n == maxKey {
				return
			}
			if fi := &f.out[i]; fi.Measure == k.measure && fi.Direction == k.direction && !fi.Key {
				// Only the caveats that name kommuner lead.
				if fi.Measure == MeasureQuality && len(fi.Kommuner) == 0 {
					continue
				}
				fi.Key = true
				n++
			}
		}
	}
}

// KeyFindings returns the findings marked Key, most important first (bad
// news, then the central question, then the caveats), as a first page
// lists them.
func KeyFindings(fs []Finding) []Finding {
	var out []Finding
	for _, k := range keyOrder {
		for _, f := range fs {
			if f.Key && f.Measure == k.measure && f.Direction == k.direction {
				out = append(out, f)
			}
		}
	}
	return out
}

// extremes returns the kommuner with the highest (or lowest) value.
func extremes(ms []Municipality, value func(Municipality) float64, highest bool) []Municipality {
	best := math.Inf(1)
	if highest {
		best = math.Inf(-1)
	}
	for _, m := range ms {
		if v := value(m); highest && v > best || !highest && v < best {
			best = v
		}
	}
	var out []Municipality
	for _, m := range ms {
		if value(m) == best {
			out = append(out, m)
		}
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// count writes n with the singular or plural noun.
func count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return numfmt.Int(n) + " " + plural
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
