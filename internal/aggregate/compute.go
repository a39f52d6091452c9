package aggregate

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// Compute aggregates a round. ds holds only the evaluations that count (the
// caller passes complete evaluations of units that submitted). Every kommun
// of ds.Kommuner gets a Municipality, in Swedish alphabetical order.
//
// It reads each evaluation once and merges each unit's tallies into its
// member kommuner, so the work is linear in the size of the dataset. The
// error is for inconsistent input only: a kommun listed twice, a unit with
// no kommun or one that is not in ds.Kommuner, an unreadable fordelning, an
// answer that is not a valid value, or evaluations of a unit that declined
// or said it had none.
func Compute(r round.Round, ds round.Dataset) (*Report, error) {
	kommunIndex := make(map[string]int, len(ds.Kommuner))
	kommuner := make([]kommunTally, len(ds.Kommuner))
	for i, k := range ds.Kommuner {
		if _, dup := kommunIndex[k.Name]; dup {
			return nil, fmt.Errorf("aggregate: kommun %q listed twice", k.Name)
		}
		kommunIndex[k.Name] = i
	}
	population := ds.Population()

	rep := &Report{Round: RoundInfo{Name: r.Name, HourlyRate: r.HourlyRate, PopulationSource: r.PopulationSource}}
	var net struct {
		tally
		response NetworkResponse
	}
	var unusedOre int64
	for _, u := range ds.Units {
		members, shares, equal, err := apportion(u.Unit, kommunIndex, population)
		if err != nil {
			return nil, fmt.Errorf("aggregate: unit %q: %w", u.Name, err)
		}
		if equal {
			rep.EqualSplitUnits = append(rep.EqualSplitUnits, u.Name)
		}
		ut, err := tallyUnit(u, r.HourlyRate)
		if err != nil {
			return nil, fmt.Errorf("aggregate: unit %q: %w", u.Name, err)
		}
		net.addCounts(&ut.tally)
		net.response.count(ut.status)
		for i, c := range ut.cost {
			net.cost[i] += c
		}
		unusedOre += ut.unusedOre
		var left *UnsubmittedUnit
		if u.Unsubmitted > 0 {
			left = &UnsubmittedUnit{Enhet: u.Name, Kommuner: slices.Clone(u.Kommuner), Evaluations: u.Unsubmitted, Drafts: u.UnsubmittedDrafts}
			rep.Network.UnsubmittedUnits = append(rep.Network.UnsubmittedUnits, *left)
			rep.Network.UnsubmittedEvaluations += u.Unsubmitted
			rep.Network.UnsubmittedDrafts += u.UnsubmittedDrafts
		}
		excluded := excludedOf(u)
		rep.Network.Excluded = append(rep.Network.Excluded, excluded...)
		for i, m := range members {
			kommuner[m].addUnit(ut, shares[i], len(members) == 1)
			if left != nil {
				kommuner[m].unsubmitted = append(kommuner[m].unsubmitted, *left)
			}
			kommuner[m].excluded = append(kommuner[m].excluded, inKommun(excluded, ds.Kommuner[m].Name)...)
		}
	}

	comments := map[string]string{}
	for _, t := range ds.Texts {
		if t.Kommun == "" {
			rep.Reflection = t.Body
		} else {
			comments[t.Kommun] = t.Body
		}
	}
	col := newCollator()
	rep.Municipalities = make([]Municipality, len(ds.Kommuner))
	var meanSum [nUsage]float64
	surveyMeanSum := 0.0
	var popSum int64
	popKnown := len(ds.Kommuner) > 0
	for i, k := range ds.Kommuner {
		m := kommuner[i].municipality(k, col)
		m.Comment = comments[k.Name]
		rep.Municipalities[i] = m
		rep.Network.EvaluationsPerKommun += m.Evaluations
		if m.Population != nil {
			popSum += *m.Population
		} else {
			popKnown = false
		}
		if m.Evaluations > 0 {
			rep.Network.KommunerWithEvaluations++
			for j, c := range m.Usage.Counts.values() {
				meanSum[j] += float64(c) / float64(m.Evaluations)
			}
			surveyMeanSum += m.UserSurveyShare
		}
	}
	slices.SortStableFunc(rep.Municipalities, func(a, b Municipality) int { return col.compare(a.Name, b.Name) })

	nw := &rep.Network
	nw.Evaluations = net.rows[totalt][0]
	nw.UsagePooledCounts = usageCounts([nUsage]int(net.rows[totalt][1:]))
	nw.UsagePooled = nw.UsagePooledCounts.Shares(nw.Evaluations)
	if k := nw.KommunerWithEvaluations; k > 0 {
		for j := range meanSum {
			meanSum[j] /= float64(k)
		}
	}
	nw.UsageMean = usageShares(meanSum)
	nw.Costs = NetworkCosts{
		Lon:         kronor(net.cost[costLon]),
		Konsult:     kronor(net.cost[costKonsult]),
		Material:    kronor(net.cost[costMaterial]),
		Ovrigt:      kronor(net.cost[costOvrigt]),
		Total:       kronor(net.cost[costTotal]),
		WithCost:    net.withCost,
		EjUppdelat:  kronor(net.cost[costUnsplit]),
		TotalOnly:   net.totalOnly,
		WithoutCost: nw.Evaluations - net.withCost,
		Timmar:      float64(net.centiHours) / 100,
		WithTimmar:  net.withHours,
	}
	if popKnown && popSum > 0 {
		nw.Population = &popSum
		per := nw.Costs.Total / float64(popSum)
		nw.Costs.PerInvanare = &per
	}
	nw.Costs.PerInvanareRange = rangeOf(rep.Municipalities, func(m Municipality) (float64, bool) {
		if m.Evaluations == 0 || m.Costs.PerInvanare == nil {
			return 0, false
		}
		return *m.Costs.PerInvanare, true
	})
	nw.UserSurveys = net.surveys
	if k := nw.KommunerWithEvaluations; k > 0 {
		nw.UserSurveyMean = surveyMeanSum / float64(k)
	}
	if nw.Evaluations > 0 {
		nw.UserSurveyPooled = float64(net.surveys) / float64(nw.Evaluations)
	}
	nw.Unused = net.rows[totalt][1+nUsage-1]
	nw.UnusedCost = kronor(unusedOre)
	nw.UnsubmittedUnits = sortUnsubmitted(nw.UnsubmittedUnits, col)
	nw.Excluded = sortExcluded(nw.Excluded, col)
	if nw.Costs.Total > 0 {
		nw.UnusedCostShare = nw.UnusedCost / nw.Costs.Total
	}
	nw.Response = net.response
	if r := nw.Response; r.Units > 0 {
		nw.ResponseRate = float64(r.Submitted+r.IngaUtvarderingar) / float64(r.Units)
	}
	rep.Findings = DeriveFindings(rep)
	return rep, nil
}

// rangeOf finds the lowest and highest value over the kommuner that have
// one; nil when none has. Kommuner with the same value tie.
func rangeOf(ms []Municipality, value func(Municipality) (float64, bool)) *Range {
	var r *Range
	for _, m := range ms {
		v, ok := value(m)
		if !ok {
			continue
		}
		switch {
		case r == nil:
			r = &Range{Min: v, Max: v, Lowest: []string{m.Name}, Highest: []string{m.Name}}
			continue
		case v < r.Min:
			r.Min, r.Lowest = v, []string{m.Name}
		case v == r.Min:
			r.Lowest = append(r.Lowest, m.Name)
		}
		switch {
		case v > r.Max:
			r.Max, r.Highest = v, []string{m.Name}
		case v == r.Max:
			r.Highest = append(r.Highest, m.Name)
		}
	}
	return r
}

// apportion resolves a unit's member kommuner and their shares of its
// costs. equal tells that a split by population fell back to equal shares.
func apportion(u round.Unit, kommunIndex map[string]int, population map[string]*int64) (members []int, shares []float64, equal bool, err error) {
	if len(u.Kommuner) == 0 {
		return nil, nil, false, fmt.Errorf("no kommun")
	}
	members = make([]int, len(u.Kommuner))
	for i, name := range u.Kommuner {
		k, ok := kommunIndex[name]
		if !ok {
			return nil, nil, false, fmt.Errorf("kommun %q is not in the round", name)
		}
		if slices.Contains(members[:i], k) {
			return nil, nil, false, fmt.Errorf("kommun %q named twice", name)
		}
		members[i] = k
	}
	f, err := round.ParseFordelning(u.Fordelning, u.Kommuner)
	if err != nil {
		return nil, nil, false, fmt.Errorf("fordelning: %w", err)
	}
	if len(members) == 1 {
		return members, []float64{1}, false, nil
	}
	split, ok := f.Split(u.Kommuner, population)
	shares = make([]float64, len(u.Kommuner))
	sum := 0.0
	for i, name := range u.Kommuner {
		shares[i] = split[name]
		sum += shares[i]
	}
	if sum <= 0 || math.IsNaN(sum) {
		return nil, nil, false, fmt.Errorf("fordelning %q gives no shares", u.Fordelning)
	}
	// Explicit shares may sum to 1 within a rounding tolerance; scale them
	// so that nothing is lost or counted twice.
	for i := range shares {
		shares[i] /= sum
	}
	return members, shares, !ok, nil
}

// tally holds the counts of a set of evaluations.
type tally struct {
	// rows is the initiator table: per initiator (and totalt) the count and
	// then the usage counts in UsageKeys order.
	rows             [nInitiator][1 + nUsage]int
	cost             [nCost]int64 // öre
	withCost         int
	totalOnly        int
	centiHours       int64
	withHours        int
	surveys          int
	initiatorIsOwner int
	noOwner          int
	multipleOwners   int
}

func (t *tally) addFacts(f *facts.Facts, cost [nCost]int64, withCost bool) {
	for _, r := range [2]int{f.Initiator, totalt} {
		t.rows[r][0]++
		for i, used := range f.Usage {
			if used {
				t.rows[r][1+i]++
			}
		}
	}
	for i, c := range cost {
		t.cost[i] += c
	}
	t.withCost += b2i(withCost)
	t.totalOnly += b2i(f.TotalOnly())
	if f.Timmar.Given {
		t.centiHours += f.Timmar.Units
		t.withHours++
	}
	t.surveys += b2i(f.Survey)
	t.initiatorIsOwner += b2i(f.InitiatorIsOwner)
	t.noOwner += b2i(f.NoOwner)
	t.multipleOwners += b2i(f.MultipleOwners)
}

// addCounts adds everything of o but its costs.
func (t *tally) addCounts(o *tally) {
	for r := range t.rows {
		for c := range t.rows[r] {
			t.rows[r][c] += o.rows[r][c]
		}
	}
	t.withCost += o.withCost
	t.totalOnly += o.totalOnly
	t.centiHours += o.centiHours
	t.withHours += o.withHours
	t.surveys += o.surveys
	t.initiatorIsOwner += o.initiatorIsOwner
	t.noOwner += o.noOwner
	t.multipleOwners += o.multipleOwners
}

// unitTally is one unit's contribution to each of its member kommuner.
type unitTally struct {
	tally
	unused        []UnusedEvaluation
	unusedOre     int64 // what the unit's unused evaluations cost
	surveyRows    []SurveyRow
	nonResponding *NonResponding
	status        round.Response // as counted: Submitted also for an import's unit with evaluations
}

func tallyUnit(u round.UnitData, hourlyRate int64) (*unitTally, error) {
	ut := &unitTally{status: u.Response}
	switch u.Response {
	case round.Submitted:
	case round.NoResponse:
		if len(u.Evaluations) > 0 {
			// An import marks no status: a unit with evaluations has
			// submitted them (design §5, response).
			ut.status = round.Submitted
		} else {
			ut.nonResponding = &NonResponding{Enhet: u.Name, Status: StatusNotResponded, Reason: u.Reason}
		}
	case round.NoEvaluations, round.Declined:
		if len(u.Evaluations) > 0 {
			return nil, fmt.Errorf("status %s but %d evaluations", u.Response, len(u.Evaluations))
		}
		if u.Response == round.Declined {
			ut.nonResponding = &NonResponding{Enhet: u.Name, Status: StatusDeclined, Reason: u.Reason}
		}
	default:
		return nil, fmt.Errorf("unknown response %q", u.Response)
	}

	type surveyKey struct{ malgrupp, metod string }
	var surveyIndex map[surveyKey]int
	for n := range u.Evaluations {
		e := &u.Evaluations[n]
		f, err := evaluationFacts(e)
		if err != nil {
			return nil, fmt.Errorf("evaluation %q: %w", e.Title(), err)
		}
		cost, withCost := costs(f, hourlyRate)
		ut.addFacts(f, cost, withCost)
		if f.Usage[facts.InteAlls] {
			title := f.Title
			if title == "" {
				title = e.Title()
			}
			ut.unused = append(ut.unused, UnusedEvaluation{
				Benamning:         title,
				Enhet:             u.Name,
				UppdragsgivareTyp: initiatorKeys[f.Initiator],
				Kostnad:           kronor(cost[costTotal]),
			})
			ut.unusedOre += cost[costTotal]
		}
		if f.Survey {
			k := surveyKey{f.Malgrupp, strings.Join(f.Metod, form.MultiSeparator)}
			if surveyIndex == nil {
				surveyIndex = map[surveyKey]int{}
			}
			i, ok := surveyIndex[k]
			if !ok {
				i = len(ut.surveyRows)
				surveyIndex[k] = i
				metod := f.Metod
				if metod == nil {
					metod = []string{}
				}
				ut.surveyRows = append(ut.surveyRows, SurveyRow{Enhet: u.Name, Omrade: u.Omrade, Malgrupp: f.Malgrupp, Metod: metod})
			}
			ut.surveyRows[i].Count++
		}
	}
	return ut, nil
}

// kommunTally accumulates a kommun's units.
type kommunTally struct {
	// tally counts every evaluation of the kommun's units, shared ones
	// whole; its cost holds the exact costs of the units it runs alone.
	tally
	sharedCost    [nCost]float64 // kronor apportioned from shared units
	unused        []UnusedEvaluation
	surveyRows    []SurveyRow
	response      Response
	nonResponding []NonResponding
	unsubmitted   []UnsubmittedUnit
	excluded      []ExcludedEvaluation
}

func (k *kommunTally) addUnit(u *unitTally, share float64, whole bool) {
	k.addCounts(&u.tally) // a shared unit's evaluations count whole
	if whole {
		for i, c := range u.cost {
			k.cost[i] += c
		}
	} else {
		for i, c := range u.cost {
			k.sharedCost[i] += kronor(c) * share
		}
	}
	k.unused = append(k.unused, u.unused...)
	k.surveyRows = append(k.surveyRows, u.surveyRows...)

	var r NetworkResponse
	r.count(u.status)
	k.response.Units += r.Units
	k.response.Submitted += r.Submitted
	k.response.IngaUtvarderingar += r.IngaUtvarderingar
	k.response.Declined += r.Declined
	k.response.NotResponded += r.NotResponded
	if u.nonResponding != nil {
		k.nonResponding = append(k.nonResponding, *u.nonResponding)
	}
}

func (k *kommunTally) municipality(km round.Kommun, col *collator) Municipality {
	m := Municipality{
		Name:        km.Name,
		Kommunkod:   km.Kommunkod,
		Evaluations: k.rows[totalt][0],
		UserSurveys: k.surveys,
		Responsibility: Responsibility{
			InitiatorIsOwner: k.initiatorIsOwner,
			NoOwner:          k.noOwner,
			MultipleOwners:   k.multipleOwners,
		},
		Response: k.response,
	}
	if p := km.Population; p != nil && *p > 0 {
		v := *p
		m.Population = &v
	}

	var rows [nInitiator]InitiatorRow
	var srows [nInitiator]InitiatorShareRow
	for i, r := range k.rows {
		rows[i] = InitiatorRow{Count: r[0], UsageCounts: usageCounts([nUsage]int(r[1:]))}
		srows[i] = InitiatorShareRow{Count: r[0], UsageShares: rows[i].UsageCounts.Shares(r[0])}
	}
	m.ByInitiator = ByInitiator{rows[0], rows[1], rows[2], rows[3], rows[4]}
	m.ByInitiatorShares = ByInitiatorShares{srows[0], srows[1], srows[2], srows[3], srows[4]}
	m.Usage = Usage{Counts: rows[totalt].UsageCounts, Shares: srows[totalt].UsageShares}
	if m.Evaluations > 0 {
		m.UserSurveyShare = float64(k.surveys) / float64(m.Evaluations)
	}

	var c [nCost]float64
	for i := range c {
		c[i] = kronor(k.cost[i]) + k.sharedCost[i]
	}
	m.Costs = Costs{Lon: c[costLon], Konsult: c[costKonsult], Material: c[costMaterial], Ovrigt: c[costOvrigt], Total: c[costTotal],
		WithCost: k.withCost, EjUppdelat: c[costUnsplit], TotalOnly: k.totalOnly, WithoutCost: m.Evaluations - k.withCost,
		Timmar: float64(k.centiHours) / 100, WithTimmar: k.withHours}
	if m.Population != nil {
		v := c[costTotal] / float64(*m.Population)
		m.Costs.PerInvanare = &v
	}

	m.Unused = nonNil(k.unused)
	slices.SortStableFunc(m.Unused, func(a, b UnusedEvaluation) int {
		if c := col.compare(a.Enhet, b.Enhet); c != 0 {
			return c
		}
		return col.compare(a.Benamning, b.Benamning)
	})
	m.UserSurveyTable = nonNil(k.surveyRows)
	slices.SortStableFunc(m.UserSurveyTable, func(a, b SurveyRow) int {
		if c := col.compare(a.Enhet, b.Enhet); c != 0 {
			return c
		}
		if c := col.compare(a.Malgrupp, b.Malgrupp); c != 0 {
			return c
		}
		return slices.Compare(a.Metod, b.Metod)
	})
	if r := m.Response; r.Units > 0 {
		m.Response.Rate = float64(r.Submitted+r.IngaUtvarderingar) / float64(r.Units)
	}
	m.NonResponding = nonNil(k.nonResponding)
	slices.SortStableFunc(m.NonResponding, func(a, b NonResponding) int { return col.compare(a.Enhet, b.Enhet) })
	m.Response.NonRespondingUnits = make([]string, len(m.NonResponding))
	for i, n := range m.NonResponding {
		m.Response.NonRespondingUnits[i] = n.Enhet
	}
	m.UnsubmittedUnits = sortUnsubmitted(k.unsubmitted, col)
	m.Excluded = sortExcluded(k.excluded, col)
	for _, u := range m.UnsubmittedUnits {
		m.UnsubmittedEvaluations += u.Evaluations
		m.UnsubmittedDrafts += u.Drafts
	}
	return m
}

// sortUnsubmitted orders units by name (Swedish order), then by their
// kommuner, and makes an empty list encode as [].
func sortUnsubmitted(us []UnsubmittedUnit, col *collator) []UnsubmittedUnit {
	us = nonNil(us)
	slices.SortStableFunc(us, func(a, b UnsubmittedUnit) int {
		if c := col.compare(a.Enhet, b.Enhet); c != 0 {
			return c
		}
		return slices.Compare(a.Kommuner, b.Kommuner)
	})
	return us
}

// count adds a unit with the status.
func (r *NetworkResponse) count(status round.Response) {
	r.Units++
	switch status {
	case round.Submitted:
		r.Submitted++
	case round.NoEvaluations:
		r.IngaUtvarderingar++
	case round.Declined:
		r.Declined++
	default:
		r.NotResponded++
	}
}

// collator orders Swedish text (å, ä, ö after z), then bytewise so that the
// order is total. It caches each string's sort key: a report sorts the same
// few unit names and målgrupper many times over.
type collator struct {
	col  *collate.Collator
	buf  collate.Buffer
	keys map[string][]byte
}

func newCollator() *collator {
	return &collator{col: collate.New(language.Swedish), keys: map[string][]byte{}}
}

func (c *collator) key(s string) []byte {
	k, ok := c.keys[s]
	if !ok {
		// Keys stay valid: the buffer is never reset, only grown, and each
		// key is clipped so that later keys are not appended into it.
		k = slices.Clip(c.col.KeyFromString(&c.buf, s))
		c.keys[s] = k
	}
	return k
}

func (c *collator) compare(a, b string) int {
	if a == b {
		return 0
	}
	if r := bytes.Compare(c.key(a), c.key(b)); r != 0 {
		return r
	}
	return strings.Compare(a, b)
}

func kronor(ore int64) float64 { return float64(ore) / 100 }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
