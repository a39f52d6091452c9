package aggregate

import (
	"math"
	"slices"

	"github.com/inventera/inventera/internal/numfmt"
)

// Findings about change (design §5, "Findings", with an earlier round):
// derived from Previous and Change by a rule like the others' (Changed).
// Each states both rounds' figures with their bases.

// ChangeNote states the rule of Changed, for the report's methods note.
var ChangeNote = "En andel har ändrats klart sedan den tidigare omgången när den skiljer sig från den tidigare andelen med minst " +
	numfmt.Number(ClearPoints*100, 0) + " procentenheter och minst " + numfmt.Number(ClearRelative*100, 0) +
	" % av den tidigare andelen eller, för en andel över hälften, av det som återstod till 100 %."

// Changed tells whether a share has changed clearly from before to now: +1
// risen, −1 fallen, 0 about the same. As for Clearly, the difference must
// be at least ClearPoints and ClearRelative of the earlier share; for a
// share over one half, of its complement, so that a rise from 69 % to 75 %
// counts as a share near 100 % would (the room left is what is small).
func Changed(now, before float64) int {
	base := before
	if base > 0.5 {
		base = 1 - base
	}
	d := now - before
	if math.Abs(d) < ClearPoints-1e-12 || math.Abs(d) < ClearRelative*base-1e-12 {
		return 0
	}
	if d > 0 {
		return 1
	}
	return -1
}

// changeFindings derives the findings about change of a compared report.
func changeFindings(rep *Report) []Finding {
	if rep.Comparison == nil || rep.Network.Previous == nil {
		return nil
	}
	f := changeFinder{rep: rep, prevName: rep.Comparison.Round.Name}
	if f.prevName == "" {
		f.prevName = "förra omgången"
	}
	for _, key := range usageKeys {
		f.networkUsage(key)
		f.kommunUsage(key)
	}
	f.cost()
	f.response()
	f.quality()
	return f.out
}

type changeFinder struct {
	rep      *Report
	prevName string
	out      []Finding
}

func (f *changeFinder) add(measure, direction string, kommuner []string, text string) {
	f.out = append(f.out, Finding{Measure: measure, Direction: direction, Kommuner: nonNil(kommuner), Text: text, Change: true})
}

// shareSubject names what a usage share is the share of: "som har legat
// till grund för handlingsplaner", "som inte används alls".
func shareSubject(key string) string {
	if Good(key) {
		return "som har legat till grund för " + UsagePhrase(key)
	}
	return "som inte används alls"
}

// countShare writes a share with its count and base: "6,0 % (29 av 480)".
func countShare(share float64, n, base int) string {
	return numfmt.Percent(share) + " (" + numfmt.Int(n) + " av " + numfmt.Int(base) + ")"
}

func (f *changeFinder) networkUsage(key string) {
	nw := f.rep.Network
	before, now := nw.Previous, nw
	if before.Usage == nil || now.Evaluations == 0 {
		return
	}
	p, c := before.Usage.Get(key), now.UsagePooled.Get(key)
	if p == 0 && c == 0 {
		return // never used this way in either round: nothing to say
	}
	was := countShare(p, before.UsageCounts.Get(key), before.Evaluations) + " i " + f.prevName
	is := countShare(c, now.UsagePooledCounts.Get(key), now.Evaluations)
	s := "Andelen av nätverkets utvärderingar " + shareSubject(key)
	dir := Info
	switch Changed(c, p) {
	case 1:
		s += " har ökat från " + was + " till " + is + ", " + numfmt.Points(c-p) + "."
		dir = Over
	case -1:
		s += " har minskat från " + was + " till " + is + ", " + numfmt.Points(c-p) + "."
		dir = Under
	default:
		s += " är i stort sett oförändrad: " + is + " mot " + was + "."
	}
	f.add(key, dir, nil, s)
}

// kommunUsage names the kommuner whose share changed clearly, largest
// change first; it compares kommuner with evaluations in both rounds.
func (f *changeFinder) kommunUsage(key string) {
	if f.rep.Comparison.Kommuner < 2 {
		return // the network's finding says it
	}
	var rose, fell []Municipality
	for _, m := range f.rep.Municipalities {
		if m.Previous == nil || m.Previous.Usage == nil || m.Evaluations == 0 {
			continue
		}
		switch Changed(m.Usage.Shares.Get(key), m.Previous.Usage.Get(key)) {
		case 1:
			rose = append(rose, m)
		case -1:
			fell = append(fell, m)
		}
	}
	diff := func(m Municipality) float64 { return math.Abs(m.Change.Usage.Get(key)) }
	byChange := func(a, b Municipality) int { return cmpFloat(diff(b), diff(a)) }
	slices.SortStableFunc(rose, byChange)
	slices.SortStableFunc(fell, byChange)
	list := func(ms []Municipality) (string, []string) {
		texts := make([]string, len(ms))
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.Name
			texts[i] = m.Name + " (från " + numfmt.Percent(m.Previous.Usage.Get(key)) + " av " + numfmt.Int(m.Previous.Evaluations) +
				" till " + numfmt.Percent(m.Usage.Shares.Get(key)) + " av " + numfmt.Int(m.Evaluations) + ")"
		}
		return numfmt.CapList(texts, maxNamed, "kommuner"), names
	}
	subject := "Andelen utvärderingar " + shareSubject(key)
	if len(rose) > 0 {
		t, ns := list(rose)
		s := subject + " har ökat klart sedan " + f.prevName + " i " + t + "."
		if !Good(key) {
			s = subject + " har ökat klart sedan " + f.prevName + " i " + t + ": fler av utvärderingarna lämnas oanvända."
		}
		f.add(key, Over, ns, s)
	}
	if len(fell) > 0 {
		t, ns := list(fell)
		f.add(key, Under, ns, subject+" har minskat klart sedan "+f.prevName+" i "+t+".")
	}
}

func (f *changeFinder) cost() {
	nw := f.rep.Network
	before := nw.Previous
	s := "Nätverket har rapporterat " + numfmt.Int(nw.Evaluations) + " utvärderingar mot " + numfmt.Int(before.Evaluations) +
		" i " + f.prevName + " (" + numfmt.SignedInt(nw.Evaluations-before.Evaluations) + ")."
	var names []string
	if nw.Costs.WithCost > 0 && before.Costs.WithCost > 0 {
		s += " Den redovisade kostnaden " + rose(nw.Costs.Total-before.Costs.Total) + " från " + numfmt.Kronor(before.Costs.Total) +
			" till " + numfmt.Kronor(nw.Costs.Total) + " (" + numfmt.SignedKronor(nw.Costs.Total-before.Costs.Total) + ")"
		if now, was := nw.Costs.PerInvanare, before.Costs.PerInvanare; now != nil && was != nil {
			s += "; per invånare från " + numfmt.Kronor(*was) + " till " + numfmt.Kronor(*now) + " (" + numfmt.SignedKronor(*now-*was) + ")"
		}
		s += "."
		// The kommuner whose cost per inhabitant rose and fell the most.
		var up, down *Municipality
		for i := range f.rep.Municipalities {
			m := &f.rep.Municipalities[i]
			if m.Change == nil || m.Change.Costs.PerInvanare == nil {
				continue
			}
			d := *m.Change.Costs.PerInvanare
			if d >= 0.5 && (up == nil || d > *up.Change.Costs.PerInvanare) {
				up = m
			}
			if d <= -0.5 && (down == nil || d < *down.Change.Costs.PerInvanare) {
				down = m
			}
		}
		switch {
		case up != nil && down != nil:
			s += " Störst ökning per invånare har " + up.Name + " (" + numfmt.SignedKronor(*up.Change.Costs.PerInvanare) + "), störst minskning " +
				down.Name + " (" + numfmt.SignedKronor(*down.Change.Costs.PerInvanare) + ")."
			names = append(names, up.Name, down.Name)
		case up != nil:
			s += " Störst ökning per invånare har " + up.Name + " (" + numfmt.SignedKronor(*up.Change.Costs.PerInvanare) + ")."
			names = append(names, up.Name)
		case down != nil:
			s += " Störst minskning per invånare har " + down.Name + " (" + numfmt.SignedKronor(*down.Change.Costs.PerInvanare) + ")."
			names = append(names, down.Name)
		}
	}
	f.add(MeasureCost, Info, names, s)
}

// rose says whether an amount has risen or fallen.
func rose(d float64) string {
	switch {
	case d >= 0.5:
		return "har ökat"
	case d <= -0.5:
		return "har minskat"
	}
	return "är oförändrad,"
}

func (f *changeFinder) response() {
	nw := f.rep.Network
	before := nw.Previous.Response
	if before.Rate == nil || nw.Response.Units == 0 {
		return
	}
	p, c := *before.Rate, nw.ResponseRate
	was := countShare(p, before.Submitted+before.IngaUtvarderingar, before.Units) + " i " + f.prevName
	is := countShare(c, nw.Response.Submitted+nw.Response.IngaUtvarderingar, nw.Response.Units)
	s := "Svarsfrekvensen, andelen enheter som har svarat,"
	dir := Info
	switch Changed(c, p) {
	case 1:
		s += " har ökat från " + was + " till " + is + "."
		dir = Over
	case -1:
		s += " har minskat från " + was + " till " + is + "."
		dir = Under
	default:
		s += " är i stort sett oförändrad: " + is + " mot " + was + "."
	}
	f.add(MeasureResponse, dir, nil, s)
}

// quality says which kommuner the comparison cannot follow, and which
// were recognised by their kommunkod under another name.
func (f *changeFinder) quality() {
	c := f.rep.Comparison
	if c.Kommuner == 0 {
		f.add(MeasureQuality, Info, nil, "Ingen kommun deltar i både den här omgången och "+f.prevName+
			"; bara nätverkets siffror kan jämföras, och de gäller olika kommuner.")
		return
	}
	if len(c.OnlyCurrent) > 0 || len(c.OnlyPrevious) > 0 {
		var parts, names []string
		if len(c.OnlyCurrent) > 0 {
			parts = append(parts, numfmt.CapList(c.OnlyCurrent, maxNamed, "kommuner")+" deltar bara i den här omgången")
			names = append(names, c.OnlyCurrent...)
		}
		if len(c.OnlyPrevious) > 0 {
			prev := make([]string, len(c.OnlyPrevious))
			for i, k := range c.OnlyPrevious {
				prev[i] = k.Name
			}
			parts = append(parts, numfmt.CapList(prev, maxNamed, "kommuner")+" deltog bara i "+f.prevName)
			names = append(names, prev...)
		}
		f.add(MeasureQuality, Info, names, "Jämförelsen med "+f.prevName+" gäller "+count(c.Kommuner, "kommun", "kommuner")+
			" som deltar i båda omgångarna. "+upperFirst(numfmt.List(parts))+
			"; nätverkets siffror omfattar därför inte samma kommuner i båda omgångarna.")
	}
	var renamed, names []string
	for _, m := range f.rep.Municipalities {
		if m.Compared != nil && m.Compared.PreviousName != "" {
			renamed = append(renamed, m.Name+" (”"+m.Compared.PreviousName+"” i "+f.prevName+")")
			names = append(names, m.Name)
		}
	}
	if len(renamed) > 0 {
		f.add(MeasureQuality, Info, names, "Efter kommunkod jämförs "+numfmt.CapList(renamed, maxNamed, "kommuner")+
			" med samma kommun under ett annat namn.")
	}
}
