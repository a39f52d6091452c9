package form

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber writes v the Swedish way: spaces group thousands, "," is the
// decimal mark, rounded to the given decimals ("9 073 287", "4,3").
func FormatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg && strings.Trim(out, "0,\u00a0") != "" {
		out = "−" + out
	}
	return out
}

// AnswerText is a stored answer as a person reads it: an option's label
// instead of its code (several joined by ", "), "Ja" or "Nej", a number the
// Swedish way ("1 234,5"); a draft's value that is none of these exactly as
// typed; "" when blank.
func (f *Field) AnswerText(a Answers) string {
	v := strings.TrimSpace(a.Get(f.Code))
	if v == "" {
		return ""
	}
	switch f.Type {
	case TypeYesNo:
		if yes, ok := ParseYesNo(v); ok {
			if yes {
				return "Ja"
			}
			return "Nej"
		}
	case TypeChoice:
		return f.OptionLabel(v)
	case TypeMulti:
		codes := a.Options(f.Code)
		labels := make([]string, len(codes))
		for i, c := range codes {
			labels[i] = f.OptionLabel(c)
		}
		return strings.Join(labels, ", ")
	case TypeDecimal, TypeInteger:
		if n, err := ParseNumber(v, f.Decimals); err == nil {
			s := n.String()
			decimals := 0
			if _, frac, ok := strings.Cut(s, "."); ok {
				decimals = len(frac)
			}
			return FormatNumber(n.Float(), decimals)
		}
	}
	return v
}
