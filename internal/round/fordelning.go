package round

import (
	"math"
	"strconv"
	"strings"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
)

// Cost-split kinds of a shared unit (design §4, `fordelning`).
const (
	SplitByPopulation = "invanare"
	SplitEqually      = "lika"
	SplitByShares     = "andelar"
)

// Fordelning says how a shared unit's costs are split among its members.
type Fordelning struct {
	Kind   string
	Shares map[string]float64 // SplitByShares only
}

// ParseFordelning reads "", "invanare", "lika" or "Borlänge=0,5;Falun=0,3;
// Säter=0,2" for a unit with the given members. Explicit shares must name
// every member once and sum to 1.
func ParseFordelning(spec string, members []string) (Fordelning, error) {
	s := strings.TrimSpace(spec)
	switch strings.ToLower(s) {
	case "", SplitByPopulation:
		return Fordelning{Kind: SplitByPopulation}, nil
	case SplitEqually:
		return Fordelning{Kind: SplitEqually}, nil
	}
	shares := map[string]float64{}
	sum := 0.0
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return Fordelning{}, apperror.New(apperror.Invalid, "Fördelningen ”%s” ska skrivas invanare, lika eller som Kommun=andel;Kommun=andel.", apperror.Clip(s))
		}
		member := matchName(name, members)
		if member == "" {
			return Fordelning{}, apperror.New(apperror.Invalid, "Fördelningen nämner %s, som inte är medlem i enheten (%s).", apperror.Clip(name), apperror.Clip(strings.Join(members, ", ")))
		}
		if _, dup := shares[member]; dup {
			return Fordelning{}, apperror.New(apperror.Invalid, "Fördelningen nämner %s två gånger.", apperror.Clip(member))
		}
		n, err := form.ParseNumber(val, 6)
		if err != nil {
			return Fordelning{}, apperror.New(apperror.Invalid, "Andelen för %s (”%s”) är inget tal mellan 0 och 1.", apperror.Clip(member), apperror.Clip(strings.TrimSpace(val)))
		}
		shares[member] = n.Float()
		sum += n.Float()
	}
	for _, m := range members {
		if _, ok := shares[m]; !ok {
			return Fordelning{}, apperror.New(apperror.Invalid, "Fördelningen saknar en andel för %s.", apperror.Clip(m))
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		return Fordelning{}, apperror.New(apperror.Invalid, "Andelarna i fördelningen summerar till %s, inte 1.", form.FormatNumber(sum, 3))
	}
	return Fordelning{Kind: SplitByShares, Shares: shares}, nil
}

// Split returns each member's share of the unit's costs. population maps a
// kommun to its population (nil when unknown). Splitting by population needs
// every member's population; without it the split is equal and ok is false,
// so the caller can say so.
func (f Fordelning) Split(members []string, population map[string]*int64) (shares map[string]float64, ok bool) {
	shares = make(map[string]float64, len(members))
	switch f.Kind {
	case SplitByShares:
		for _, m := range members {
			shares[m] = f.Shares[m]
		}
		return shares, true
	case SplitByPopulation:
		total := 0.0
		known := true
		for _, m := range members {
			p := population[m]
			if p == nil || *p <= 0 {
				known = false
				break
			}
			total += float64(*p)
		}
		if known {
			for _, m := range members {
				shares[m] = float64(*population[m]) / total
			}
			return shares, true
		}
		ok = len(members) <= 1
	default:
		ok = true
	}
	for _, m := range members {
		shares[m] = 1 / float64(len(members))
	}
	return shares, ok
}

// String writes the split back in the interchange format.
func (f Fordelning) String(members []string) string {
	switch f.Kind {
	case SplitEqually:
		return SplitEqually
	case SplitByShares:
		parts := make([]string, 0, len(members))
		for _, m := range members {
			// Six decimals is what ParseFordelning reads back.
			share := strconv.FormatFloat(math.Round(f.Shares[m]*1e6)/1e6, 'f', -1, 64)
			parts = append(parts, m+"="+strings.Replace(share, ".", ",", 1))
		}
		return strings.Join(parts, ";")
	}
	return ""
}

func matchName(name string, members []string) string {
	for _, m := range members {
		if strings.EqualFold(strings.TrimSpace(m), name) {
			return m
		}
	}
	return ""
}
