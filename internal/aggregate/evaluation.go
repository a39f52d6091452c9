package aggregate

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/inventera/inventera/internal/form"
)

// Cost kinds, in öre (hundredths of a krona) so that sums stay exact.
const (
	costLon = iota
	costKonsult
	costMaterial
	costOvrigt
	costUnsplit // kostnad_totalt_kr given without a breakdown
	costTotal
	nCost
)

// facts is what the aggregates need of one evaluation.
type facts struct {
	initiator        int // index into initiatorKeys, never totalt
	usage            [nUsage]bool
	cost             [nCost]int64 // öre
	withCost         bool
	totalOnly        bool  // the cost is a total without a breakdown
	centiHours       int64 // timmar in hundredths of an hour
	withHours        bool
	survey           bool
	initiatorIsOwner bool
	noOwner          bool
	multipleOwners   bool
}

// readEvaluation reads the answers of a complete evaluation. Answers are
// canonical once validated; looser spellings (Swedish numbers, "Ja") are
// accepted too. A value that cannot be read is an error: silently dropping
// it would change the report.
func readEvaluation(a form.Answers, hourlyRate int64) (f facts, err error) {
	switch t := strings.TrimSpace(a["uppdragsgivare_typ"]); t {
	case "extern":
		f.initiator = 0
	case "politisk":
		f.initiator = 1
	case "verksamhet":
		f.initiator = 2
	case "", "ej_angiven":
		f.initiator = ejAngiven
	default:
		return f, fmt.Errorf("uppdragsgivare_typ %q is not one of extern, politisk, verksamhet", t)
	}

	for o := range options(a["anvandning"]) {
		i := usageIndex(o)
		if i < 0 {
			return f, fmt.Errorf("anvandning %q is not one of %s", o, strings.Join(usageKeys[:], ", "))
		}
		f.usage[i] = true
	}

	var owners [16]string // the form has nine options; more is nonsense
	n := 0
	for o := range options(a["resultatansvarig"]) {
		if o == "ingen" {
			f.noOwner = true
			continue
		}
		if slices.Contains(owners[:n], o) {
			continue
		}
		if n == len(owners) {
			return f, fmt.Errorf("resultatansvarig: more than %d owners", len(owners))
		}
		owners[n] = o
		n++
	}
	f.multipleOwners = n >= 2
	f.initiatorIsOwner = yes(a["uppdragsgivare_ar_resultatansvarig"])
	f.survey = yes(a["brukarundersokning"])

	// Costs: lon = timmar × rate; in öre that is hundredths of an hour × rate.
	var parts bool
	for _, c := range [...]struct {
		code  string
		scale int
		kind  int
	}{{"timmar", 2, costLon}, {"konsult_kr", 0, costKonsult}, {"material_kr", 0, costMaterial}, {"ovrigt_kr", 0, costOvrigt}} {
		v, given, err := amount(a, c.code, c.scale)
		if err != nil {
			return f, err
		}
		if !given {
			continue
		}
		parts = true
		if c.kind == costLon {
			f.cost[costLon] = v * hourlyRate
			f.centiHours, f.withHours = v, true
		} else {
			f.cost[c.kind] = v * 100
		}
	}
	total, totalGiven, err := amount(a, "kostnad_totalt_kr", 0)
	if err != nil {
		return f, err
	}
	switch {
	case parts:
		f.cost[costTotal] = f.cost[costLon] + f.cost[costKonsult] + f.cost[costMaterial] + f.cost[costOvrigt]
	case totalGiven:
		f.cost[costTotal] = total * 100
		f.cost[costUnsplit] = total * 100
		f.totalOnly = true
	}
	f.withCost = parts || totalGiven
	return f, nil
}

// options yields the option codes of a multi-choice answer without
// allocating: codes separated by ";" or ",", spaces around them ignored.
func options(v string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start := 0
		for i := 0; i <= len(v); i++ {
			if i < len(v) && v[i] != ';' && v[i] != ',' {
				continue
			}
			if p := strings.TrimSpace(v[start:i]); p != "" && !yield(p) {
				return
			}
			start = i + 1
		}
	}
}

func yes(v string) bool {
	if v == "ja" {
		return true
	}
	y, _ := form.ParseYesNo(v)
	return y
}

// amount reads a non-negative number in units of 10^-scale; given is false
// when the answer is blank (0 is given).
func amount(a form.Answers, code string, scale int) (units int64, given bool, err error) {
	v := a[code]
	if n, ok := canonicalAmount(v, scale); ok {
		return n, true, nil
	}
	if strings.TrimSpace(v) == "" {
		return 0, false, nil
	}
	num, err := form.ParseNumber(v, scale)
	if err != nil {
		return 0, true, fmt.Errorf("%s %q: %w", code, v, err)
	}
	return num.Units, true, nil
}

// canonicalAmount is the fast path of amount for the canonical form: digits,
// optionally "." and at most scale decimals.
func canonicalAmount(v string, scale int) (int64, bool) {
	if v == "" || len(v) > 15 {
		return 0, false
	}
	var n int64
	decimals := -1
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			if decimals >= 0 {
				decimals++
			}
		case c == '.' && decimals < 0 && i > 0 && i < len(v)-1:
			decimals = 0
		default:
			return 0, false
		}
	}
	if decimals > scale {
		return 0, false
	}
	for decimals = max(decimals, 0); decimals < scale; decimals++ {
		n *= 10
	}
	return n, true
}

// metodOrder ranks the `metod` options in form order, for a stable method
// set in the user-survey table.
var metodOrder = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	if f := form.MustEvaluation().Field("metod"); f != nil {
		for i, o := range f.Options {
			m[o.Code] = i
		}
	}
	return m
})

// methods returns the chosen methods once each, in form order (unknown codes
// last, alphabetically), and the same joined by ";" as a grouping key.
func methods(v string) ([]string, string) {
	var out []string
	for o := range options(v) {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	order := metodOrder()
	slices.SortFunc(out, func(a, b string) int {
		ia, okA := order[a]
		ib, okB := order[b]
		switch {
		case okA && okB:
			return ia - ib
		case okA:
			return -1
		case okB:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out, strings.Join(out, form.MultiSeparator)
}
