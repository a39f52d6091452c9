package staff

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/inventera/inventera/internal/nearest"
	"github.com/inventera/inventera/internal/numfmt"

	"github.com/inventera/inventera/internal/apperror"
)

// MatchKommun returns the known kommun that name means: the same name, in
// any letter case. Any other name is refused with the nearest known names
// ("Ludvka" → "Menade du Ludvika?"), and so is every name while no round
// knows any kommun.
func MatchKommun(name string, known []string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if len(known) == 0 {
		return "", apperror.New(apperror.Invalid,
			"Det finns ingen omgång med kommuner ännu. Skapa först en omgång där ”%s” deltar (på webben eller med inventera import), och lägg sedan till kontot.", name)
	}
	for _, k := range known {
		if k == name {
			return k, nil
		}
	}
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k, nil
		}
	}
	if near := NearestNames(name, known, 3, true); len(near) > 0 {
		return "", apperror.New(apperror.Invalid, "Kommunen ”%s” finns inte i någon omgång. Menade du %s?", name, numfmt.ListOr(near))
	}
	return "", apperror.New(apperror.Invalid, "Kommunen ”%s” finns inte i någon omgång. De närmaste namnen är %s.",
		name, numfmt.List(NearestNames(name, known, 3, false)))
}

// NearestNames returns up to n of the known names nearest to name, nearest
// first, comparing without letter case and diacritics (”Sater” is Säter) and
// counting a swap of two neighbouring letters as one edit. With typos set,
// it returns only names a typo or two explains: one edit per four letters
// (at least one), or starting with what was typed (three letters or more).
func NearestNames(name string, known []string, n int, typos bool) []string {
	target := fold(name)
	limit := max(1, (len([]rune(target))+1)/4)
	type candidate struct {
		name string
		dist int
	}
	var cands []candidate
	for _, k := range known {
		fk := fold(k)
		d := nearest.Distance(target, fk)
		if len([]rune(target)) >= 3 && strings.HasPrefix(fk, target) {
			d = min(d, 1)
		}
		if typos && d > limit {
			continue
		}
		cands = append(cands, candidate{k, d})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	out := make([]string, 0, n)
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

// fold lower-cases a name and strips its diacritics.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.Join(strings.Fields(s), " ")))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}
