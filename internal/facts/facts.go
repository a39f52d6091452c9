// Package facts reads what a comparison report counts of one evaluation —
// who initiated it, what its result was used for, who owns the result,
// whether it was a user survey, and its costs — from the evaluation's
// answers into typed values, and encodes those values compactly.
//
// The store keeps each complete evaluation's encoded facts beside its
// answers, written in the same statement, so that a report reads a few
// dozen bytes per evaluation instead of decoding every answer. Aggregation
// uses From as well when it is handed answers (an import, a fixture), so
// the two ways to a report give the same result by construction.
package facts

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/inventera/inventera/internal/form"
)

// The options of `anvandning`, in the order every table shows them; Usage
// is indexed the same way.
const (
	PolitisktBeslut = iota
	Handlingsplan
	BudgetMalprocess
	Annat
	InteAlls
	NUsage
)

// UsageOptions are the option codes of `anvandning`, indexed as Usage.
var UsageOptions = [NUsage]string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat", "inte_alls"}

// The initiator kinds (`uppdragsgivare_typ`), EjAngiven for a blank one.
const (
	Extern = iota
	Politisk
	Verksamhet
	EjAngiven
	NInitiator
)

// InitiatorKinds are the codes of the initiator kinds, indexed as Initiator.
var InitiatorKinds = [NInitiator]string{"extern", "politisk", "verksamhet", "ej_angiven"}

// Amount is a non-blank number in fixed point, or a blank one (Given false;
// 0 is given).
type Amount struct {
	Units int64 // hundredths for timmar, whole kronor for the costs
	Given bool
}

// Facts is what a report counts of one complete evaluation.
type Facts struct {
	Initiator        int // Extern … EjAngiven
	Usage            [NUsage]bool
	Survey           bool // brukarundersokning = ja
	InitiatorIsOwner bool // uppdragsgivare_ar_resultatansvarig = ja
	NoOwner          bool // resultatansvarig includes `ingen`
	MultipleOwners   bool // two or more owners other than `ingen`

	Timmar   Amount // hundredths of an hour
	Konsult  Amount // kronor
	Material Amount
	Ovrigt   Amount
	Totalt   Amount // kostnad_totalt_kr

	// Title is benamning: the report lists evaluations whose result was
	// not used at all by name, and a compared report matches evaluations
	// across rounds by unit and name (round.MatchRounds).
	Title string
	// Malgrupp (spaces collapsed) and Metod (each method once, in form
	// order; unknown codes last, alphabetically) are kept only for a user
	// survey: the survey table groups by them.
	Malgrupp string
	Metod    []string
}

// From reads the facts of a complete evaluation's answers. Answers are
// canonical once validated; looser spellings (Swedish numbers, "Ja") are
// accepted too. A value that cannot be read is an error: silently dropping
// it would change the report.
func From(a form.Answers) (f Facts, err error) {
	switch t := strings.TrimSpace(a["uppdragsgivare_typ"]); t {
	case "extern":
		f.Initiator = Extern
	case "politisk":
		f.Initiator = Politisk
	case "verksamhet":
		f.Initiator = Verksamhet
	case "", "ej_angiven":
		f.Initiator = EjAngiven
	default:
		return f, fmt.Errorf("uppdragsgivare_typ %q is not one of extern, politisk, verksamhet", t)
	}

	for o := range options(a["anvandning"]) {
		i := UsageIndex(o)
		if i < 0 {
			return f, fmt.Errorf("anvandning %q is not one of %s", o, strings.Join(UsageOptions[:], ", "))
		}
		f.Usage[i] = true
	}

	var owners [16]string // the form has nine options; more is nonsense
	n := 0
	for o := range options(a["resultatansvarig"]) {
		if o == "ingen" {
			f.NoOwner = true
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
	f.MultipleOwners = n >= 2
	f.InitiatorIsOwner = yes(a["uppdragsgivare_ar_resultatansvarig"])
	f.Survey = yes(a["brukarundersokning"])

	for _, c := range [...]struct {
		code  string
		scale int
		into  *Amount
	}{{"timmar", 2, &f.Timmar}, {"konsult_kr", 0, &f.Konsult}, {"material_kr", 0, &f.Material},
		{"ovrigt_kr", 0, &f.Ovrigt}, {"kostnad_totalt_kr", 0, &f.Totalt}} {
		if *c.into, err = amount(a, c.code, c.scale); err != nil {
			return f, err
		}
	}

	f.Title = a["benamning"]
	if f.Survey {
		f.Malgrupp = strings.Join(strings.Fields(a["malgrupp"]), " ")
		f.Metod = methods(a["metod"])
	}
	return f, nil
}

// UsageIndex is the index of an `anvandning` option, -1 for another code.
func UsageIndex(code string) int {
	for i, k := range UsageOptions {
		if k == code {
			return i
		}
	}
	return -1
}

// Costs are an evaluation's costs in öre (hundredths of a krona, so that
// sums stay exact) at an hourly rate in kronor.
type Costs struct {
	Lon, Konsult, Material, Ovrigt, Total int64
	// Unsplit is kostnad_totalt_kr given without a breakdown (TotalOnly):
	// the report shows it as its own kind, "Ej uppdelat".
	Unsplit int64
	// Given tells whether any cost field was filled in (timmar included;
	// 0 counts as given).
	Given bool
}

// TotalOnly tells whether the evaluation's cost is kostnad_totalt_kr alone,
// without a breakdown into its kinds.
func (f *Facts) TotalOnly() bool {
	return f.Totalt.Given && !(f.Timmar.Given || f.Konsult.Given || f.Material.Given || f.Ovrigt.Given)
}

// Costs prices the evaluation: lon is timmar × the hourly rate; total is
// the sum of the parts, or kostnad_totalt_kr when no part is given.
func (f *Facts) Costs(hourlyRate int64) Costs {
	var c Costs
	parts := f.Timmar.Given || f.Konsult.Given || f.Material.Given || f.Ovrigt.Given
	if f.Timmar.Given {
		c.Lon = f.Timmar.Units * hourlyRate // hundredths of an hour × kr = öre
	}
	if f.Konsult.Given {
		c.Konsult = f.Konsult.Units * 100
	}
	if f.Material.Given {
		c.Material = f.Material.Units * 100
	}
	if f.Ovrigt.Given {
		c.Ovrigt = f.Ovrigt.Units * 100
	}
	switch {
	case parts:
		c.Total = c.Lon + c.Konsult + c.Material + c.Ovrigt
	case f.Totalt.Given:
		c.Total = f.Totalt.Units * 100
		c.Unsplit = c.Total
	}
	c.Given = parts || f.Totalt.Given
	return c
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

// amount reads a number in units of 10^-scale; a blank answer is not given.
func amount(a form.Answers, code string, scale int) (Amount, error) {
	v := a[code]
	if n, ok := canonicalAmount(v, scale); ok {
		return Amount{Units: n, Given: true}, nil
	}
	if strings.TrimSpace(v) == "" {
		return Amount{}, nil
	}
	num, err := form.ParseNumber(v, scale)
	if err != nil {
		return Amount{}, fmt.Errorf("%s %q: %w", code, v, err)
	}
	return Amount{Units: num.Units, Given: true}, nil
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
// last, alphabetically).
func methods(v string) []string {
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
	return out
}
