package form

import (
	"strings"

	"github.com/inventera/inventera/internal/numfmt"
)

// FormatNumber writes v the Swedish way: spaces group thousands, "," is the
// decimal mark, rounded to the given decimals ("9 073 287", "4,3"). It is
// numfmt.Number, kept here for the form's messages.
func FormatNumber(v float64, decimals int) string { return numfmt.Number(v, decimals) }

// Swedish writes the number exactly, the Swedish way: no-break spaces group
// thousands, "," is the decimal mark, no trailing zeros ("12 500",
// "1 234,5"). ParseNumber reads it back to the same number.
func (n Number) Swedish() string {
	s := n.String()
	neg := strings.HasPrefix(s, "-")
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	out := groupThousands(intPart)
	if frac != "" {
		out += "," + frac
	}
	if neg {
		out = "−" + out
	}
	return out
}

// groupThousands puts a no-break space between each group of three digits.
func groupThousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// InputValue is a stored answer as the field's input shows it again: a
// number the Swedish way ("12 500", "12,5"), whether it was stored
// canonically or typed so into a draft; anything else, and a draft's number
// that does not parse, exactly as it is stored, so nothing typed is changed.
func (f *Field) InputValue(v string) string {
	if f.IsNumber() && strings.TrimSpace(v) != "" {
		if n, err := f.ParseNumber(v); err == nil {
			return n.Swedish()
		}
	}
	return v
}

// AnswerText is a stored answer as a person reads it: an option's label
// instead of its code (several joined by ", "), "Ja" or "Nej", a number the
// Swedish way; "" when blank.
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
		return f.InputValue(v)
	}
	return v
}

// Hint says how to write a number field's value, from its unit and
// decimals ("Hela kronor, t.ex. 12 500", "Timmar, t.ex. 12,5"); "" for a
// field that is not a number.
func (f *Field) Hint() string {
	if !f.IsNumber() {
		return ""
	}
	whole, decimal := FormatNumber(12500, 0), "12,5"
	switch {
	case f.Unit == UnitKronor && f.Decimals == 0:
		return "Hela kronor, t.ex. " + whole
	case f.Unit == UnitKronor:
		return "Kronor, t.ex. " + whole + " eller " + FormatNumber(12500.5, 2)
	case f.Unit == UnitHours && f.Decimals == 0:
		return "Hela timmar, t.ex. 120"
	case f.Unit == UnitHours:
		return "Timmar, t.ex. " + decimal
	case f.Decimals == 0:
		return "Ett heltal, t.ex. " + FormatNumber(1234, 0)
	}
	return "Ett tal, t.ex. " + decimal
}
