package form

import (
	"errors"
	"math"
	"strconv"
	"strings"
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
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			continue
		case '\u2212': // typographic minus, as Word and Excel may write it
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
