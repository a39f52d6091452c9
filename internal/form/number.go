package form

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Number is a fixed-point number: Units in 10^-Scale.
type Number struct {
	Units int64
	Scale int
}

// Errors of number parsing; messages are shown to users via Validate.
var (
	errNotNumber    = errors.New("not a number")
	errTooManyDecim = errors.New("too many decimals")
	errNegative     = errors.New("negative")
	errTooLarge     = errors.New("too large")
)

// ParseNumber reads a number written the Swedish or the English way:
// "1 234,5", "1234.5", "1 234". Either "," or "." is the decimal mark; only
// spaces (also no-break spaces) group thousands, so "1,234" is 1.234. At most
// scale decimals are accepted. A leading minus is parsed (so the caller can
// say "negative" rather than "not a number").
func ParseNumber(s string, scale int) (Number, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case isSpace(r):
			continue
		case r == '\u2212': // typographic minus, as Word and Excel may write it
			r = '-'
		}
		b.WriteRune(r)
	}
	t := b.String()
	if t == "" {
		return Number{}, errNotNumber
	}
	neg := false
	if t[0] == '-' || t[0] == '+' {
		neg = t[0] == '-'
		t = t[1:]
	}
	intPart, frac := t, ""
	if i := strings.IndexAny(t, ",."); i >= 0 {
		intPart, frac = t[:i], t[i+1:]
		if strings.ContainsAny(frac, ",.") {
			return Number{}, errNotNumber
		}
	}
	if intPart == "" && frac == "" {
		return Number{}, errNotNumber
	}
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return Number{}, errNotNumber
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return Number{}, errTooManyDecim
	}
	frac += strings.Repeat("0", scale-len(frac))
	if intPart == "" {
		intPart = "0"
	}
	if len(intPart) > 15 {
		return Number{}, errTooLarge
	}
	units, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return Number{}, errTooLarge
	}
	if neg && units != 0 {
		return Number{Units: -units, Scale: scale}, errNegative
	}
	return Number{Units: units, Scale: scale}, nil
}

// Units a number field may be measured in (the definition's "unit").
const (
	UnitKronor = "kr"
	UnitHours  = "timmar"
)

// unitSuffixes are the ways people write a unit after a number, as typed
// into a form, an Excel cell or an import ("12 500 kr", "12 500:-", "12,5
// tim"). Longer spellings come first, so "kr." is cut before "kr".
func unitSuffixes(unit string) []string {
	switch unit {
	case UnitKronor:
		return []string{"kronor", "kr.", "kr", "sek", ":-", ",-"}
	case UnitHours:
		return []string{"timmar", "timme", "tim.", "tim", "h"}
	}
	return nil
}

// ParseAmount is ParseNumber for a number measured in unit: one trailing
// spelling of the unit (any letter case, with or without a space before it)
// is accepted and dropped, so "12 500 kr", "12 500kr", "12 500 kr." and
// "12 500:-" are all 12500 kronor.
func ParseAmount(s, unit string, scale int) (Number, error) {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	for _, suf := range unitSuffixes(unit) {
		if len(t) > len(suf) && strings.EqualFold(t[len(t)-len(suf):], suf) {
			t = t[:len(t)-len(suf)]
			break
		}
	}
	return ParseNumber(t, scale)
}

// ParseNumber reads a value typed into the number field f: ParseAmount in
// the field's unit and decimals.
func (f *Field) ParseNumber(s string) (Number, error) {
	return ParseAmount(s, f.Unit, f.Decimals)
}

// isSpace is a space that may group thousands: also the no-break and thin
// spaces that word processors, Excel and FormatNumber put there.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

// String writes the number canonically: "." as decimal mark, no trailing
// zeros, no grouping.
func (n Number) String() string {
	neg := n.Units < 0
	u := n.Units
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	if n.Scale > 0 {
		for len(s) <= n.Scale {
			s = "0" + s
		}
		s = s[:len(s)-n.Scale] + "." + s[len(s)-n.Scale:]
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Float returns the number as a float64.
func (n Number) Float() float64 {
	return float64(n.Units) / math.Pow10(n.Scale)
}

// ParseYesNo reads ja/nej in the spellings an import meets: ja/nej, j/n,
// yes/no, y/n, 1/0, x (ticked) and true/false (also sant/falskt, as a Swedish
// Excel writes booleans), in any letter case. Blank is not an answer: ok is
// false and the caller decides what blank means.
func ParseYesNo(s string) (yes bool, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ja", "j", "yes", "y", "1", "x", "true", "sant":
		return true, true
	case "nej", "n", "no", "0", "false", "falskt":
		return false, true
	}
	return false, false
}
