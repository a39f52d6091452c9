// Package nearest finds the names a mistyped name was probably meant to be:
// a command, a flag, a kommun. It compares by edit distance, ignoring case.
package nearest

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Names returns the known names closest to typed, if they are within a few
// typing mistakes of it: all those at the smallest distance, in the order
// given; nil when none is close. A name that starts with what was typed (at
// least two letters) counts as close.
func Names(typed string, known []string) []string {
	t := strings.ToLower(typed)
	type hit struct {
		name string
		d    int
	}
	var hits []hit
	for _, k := range known {
		kl := strings.ToLower(k)
		d := Distance(t, kl)
		limit := max(1, utf8.RuneCountInString(kl)/3)
		if d <= limit || (utf8.RuneCountInString(t) >= 2 && strings.HasPrefix(kl, t)) {
			hits = append(hits, hit{k, d})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].d < hits[b].d })
	var out []string
	for _, h := range hits {
		if h.d > hits[0].d {
			break
		}
		out = append(out, h.name)
	}
	return out
}

// Distance is the Levenshtein distance between a and b, in runes, where a
// swap of two neighbouring letters counts as one edit. Very long strings
// are far from everything.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return 1 << 30
	}
	// rows i-2, i-1 and i of the table
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
