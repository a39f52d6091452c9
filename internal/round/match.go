package round

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Matching two rounds (design §5, "Comparison with an earlier round"):
// kommuner by kommunkod where both rounds have it, else by name; units by
// carry-forward lineage, else by kommun and name; evaluations by lineage,
// else by unit and name. The comparison report reads the pairs; a kommun,
// unit or evaluation found in one round only is a pair with one side nil,
// never a zero.

// RoundContent is what matching reads of a round: its kommuner, units and
// evaluations (all of them, or only those that count in its report).
type RoundContent struct {
	Kommuner    []Kommun
	Units       []Unit
	Evaluations []Evaluation
}

// Lineage links a round's units and evaluations to those of the earlier
// round they were carried forward from: current ID → earlier ID.
type Lineage struct {
	Units       map[int64]int64
	Evaluations map[int64]int64
}

// Match pairs two rounds' kommuner, units and evaluations. Each list holds
// the current round's items in their order, each with its earlier
// counterpart or nil, then the earlier round's items that have no
// counterpart now.
type Match struct {
	Kommuner    []KommunPair
	Units       []UnitPair
	Evaluations []EvaluationPair
}

// KommunPair is one kommun in two rounds.
type KommunPair struct {
	Previous *Kommun // nil: the kommun takes part in the current round only
	Current  *Kommun // nil: it took part in the earlier round only
	ByCode   bool    // matched by kommunkod; else by name (or not at all)
}

// Name is the kommun's current name, or its earlier one when it is not in
// the current round.
func (p KommunPair) Name() string {
	if p.Current != nil {
		return p.Current.Name
	}
	if p.Previous != nil {
		return p.Previous.Name
	}
	return ""
}

// Both tells whether the kommun is in both rounds.
func (p KommunPair) Both() bool { return p.Previous != nil && p.Current != nil }

// UnitPair is one unit in two rounds.
type UnitPair struct {
	Previous  *Unit
	Current   *Unit
	ByLineage bool // carried forward; else matched by kommun and name (or not at all)
}

// EvaluationPair is one evaluation in two rounds: both set for one that
// recurs, Current alone for a new one, Previous alone for one dropped.
type EvaluationPair struct {
	Previous  *Evaluation
	Current   *Evaluation
	ByLineage bool // carried forward; else matched by unit and name (or not at all)
}

// Recurs tells whether the evaluation is in both rounds.
func (p EvaluationPair) Recurs() bool { return p.Previous != nil && p.Current != nil }

// Kommun returns the pair of the current round's kommun with the name.
func (m Match) Kommun(current string) (KommunPair, bool) {
	for _, p := range m.Kommuner {
		if p.Current != nil && p.Current.Name == current {
			return p, true
		}
	}
	return KommunPair{}, false
}

// MatchRounds pairs an earlier round's content with the current one's.
// lineage is the current round's (its maps may be nil); a link to a unit
// or evaluation that is not in prev is ignored and the names decide.
func MatchRounds(prev, cur RoundContent, lineage Lineage) Match {
	var m Match
	m.Kommuner = MatchKommuner(prev.Kommuner, cur.Kommuner)
	m.Units = matchUnits(m.Kommuner, prev.Units, cur.Units, lineage.Units)
	m.Evaluations = matchEvaluations(m.Units, prev.Evaluations, cur.Evaluations, lineage.Evaluations)
	return m
}

// MatchKommuner pairs kommuner by kommunkod where both have one, and the
// rest by name (letter case and spacing aside): "Falu kommun" with code
// 2080 is "Falun" with code 2080, and two kommuner with different codes
// are different kommuner whatever their names.
func MatchKommuner(prev, cur []Kommun) []KommunPair {
	used := make([]bool, len(prev))
	byCode := map[string]int{}
	byName := map[string][]int{}
	for i, k := range prev {
		if k.Kommunkod != "" {
			byCode[k.Kommunkod] = i
		}
		byName[foldName(k.Name)] = append(byName[foldName(k.Name)], i)
	}
	out := make([]KommunPair, len(cur))
	for i := range cur {
		out[i].Current = &cur[i]
		if c := cur[i].Kommunkod; c != "" {
			if j, ok := byCode[c]; ok && !used[j] {
				used[j] = true
				out[i].Previous, out[i].ByCode = &prev[j], true
			}
		}
	}
	for i := range cur {
		if out[i].Previous != nil {
			continue
		}
		for _, j := range byName[foldName(cur[i].Name)] {
			if used[j] || (cur[i].Kommunkod != "" && prev[j].Kommunkod != "") {
				continue
			}
			used[j] = true
			out[i].Previous = &prev[j]
			break
		}
	}
	for j := range prev {
		if !used[j] {
			out = append(out, KommunPair{Previous: &prev[j]})
		}
	}
	return out
}

func matchUnits(kommuner []KommunPair, prev, cur []Unit, lineage map[int64]int64) []UnitPair {
	prevIndex := make(map[int64]int, len(prev))
	for i, u := range prev {
		prevIndex[u.ID] = i
	}
	earlierName := map[string]string{} // current kommun name → earlier name
	for _, p := range kommuner {
		if p.Both() {
			earlierName[p.Current.Name] = p.Previous.Name
		}
	}
	used := make([]bool, len(prev))
	out := make([]UnitPair, len(cur))
	for i := range cur {
		out[i].Current = &cur[i]
		if j, ok := prevIndex[lineage[cur[i].ID]]; ok && lineage[cur[i].ID] != 0 && !used[j] {
			used[j] = true
			out[i].Previous, out[i].ByLineage = &prev[j], true
		}
	}
	byKey := map[string][]int{}
	for j, u := range prev {
		byKey[unitMatchKey(u.Name, u.Kommuner)] = append(byKey[unitMatchKey(u.Name, u.Kommuner)], j)
	}
	for i := range cur {
		if out[i].Previous != nil {
			continue
		}
		members := make([]string, 0, len(cur[i].Kommuner))
		for _, k := range cur[i].Kommuner {
			if e, ok := earlierName[k]; ok {
				members = append(members, e)
			}
		}
		if len(members) != len(cur[i].Kommuner) {
			continue // a member kommun was not in the earlier round
		}
		for _, j := range byKey[unitMatchKey(cur[i].Name, members)] {
			if !used[j] {
				used[j] = true
				out[i].Previous = &prev[j]
				break
			}
		}
	}
	for j := range prev {
		if !used[j] {
			out = append(out, UnitPair{Previous: &prev[j]})
		}
	}
	return out
}

func unitMatchKey(name string, kommuner []string) string {
	ks := make([]string, len(kommuner))
	for i, k := range kommuner {
		ks[i] = foldName(k)
	}
	slices.Sort(ks)
	return foldName(name) + "\x00" + strings.Join(ks, "\x00")
}

func matchEvaluations(units []UnitPair, prev, cur []Evaluation, lineage map[int64]int64) []EvaluationPair {
	prevIndex := make(map[int64]int, len(prev))
	for i, e := range prev {
		prevIndex[e.ID] = i
	}
	earlierUnit := map[int64]int64{} // current unit ID → earlier unit ID
	for _, p := range units {
		if p.Previous != nil && p.Current != nil {
			earlierUnit[p.Current.ID] = p.Previous.ID
		}
	}
	used := make([]bool, len(prev))
	out := make([]EvaluationPair, len(cur))
	for i := range cur {
		out[i].Current = &cur[i]
		if id := lineage[cur[i].ID]; id != 0 {
			if j, ok := prevIndex[id]; ok && !used[j] {
				used[j] = true
				out[i].Previous, out[i].ByLineage = &prev[j], true
			}
		}
	}
	type key struct {
		unit int64
		name string
	}
	// The earlier evaluations lineage left unmatched, by unit and name:
	// first[k] is the first index with key k, next[j] the next index after
	// j with the same key (−1 at the end), so that a national round's
	// 30 000 keys cost one map entry each and no slices. Those lineage
	// matched are left out: a match by name skips them anyway, and once a
	// round is carried forward they are nearly all (21 869 of 22 010 in
	// the bench's national round), whose names need not be folded.
	first := make(map[key]int)
	next := make([]int, len(prev))
	last := make(map[key]int)
	// The earlier units with evaluations left to match by name: a current
	// evaluation of another unit need not have its name folded either.
	pending := map[int64]bool{}
	for j, e := range prev {
		next[j] = -1
		if used[j] {
			continue
		}
		pending[e.UnitID] = true
		k := key{e.UnitID, foldName(e.Name())}
		if l, ok := last[k]; ok {
			next[l] = j
		} else {
			first[k] = j
		}
		last[k] = j
	}
	for i := range cur {
		if out[i].Previous != nil {
			continue
		}
		pu, ok := earlierUnit[cur[i].UnitID]
		if !ok || !pending[pu] {
			continue
		}
		j, ok := first[key{pu, foldName(cur[i].Name())}]
		for ok && j >= 0 {
			if !used[j] {
				used[j] = true
				out[i].Previous = &prev[j]
				break
			}
			j = next[j]
		}
	}
	for j := range prev {
		if !used[j] {
			out = append(out, EvaluationPair{Previous: &prev[j]})
		}
	}
	return out
}

// foldName compares names regardless of letter case and spacing: the
// words of s in lower case, one space between them. It is called for every
// evaluation of both rounds, so it makes one pass and, for a name already
// in that form, no copy.
func foldName(s string) string {
	plain := true
	space := true // at the start, a space would be leading
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf || 'A' <= c && c <= 'Z':
			plain = false
		case c == ' ':
			if space {
				plain = false
			}
			space = true
			continue
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			plain = false
		}
		if !plain {
			break
		}
		space = false
	}
	if plain && !space {
		return s
	}
	if plain && s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, w := range strings.Fields(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for _, r := range w {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
