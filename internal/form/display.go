package form

import (
	"strconv"
	"strings"
)

// Display writes a stored answer in words, as a read-only page shows it:
// Ja/Nej, option labels (several joined by ", "), numbers the Swedish way
// ("1 234,5"), text as it is. A value that is not a valid answer (a
// draft's) is shown as typed.
func (d *Definition) Display(a Answers, code string) string {
	v := strings.TrimSpace(a.Get(code))
	f := d.Field(code)
	if v == "" || f == nil {
		return v
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
		var labels []string
		for _, o := range a.Options(code) {
			labels = append(labels, f.OptionLabel(o))
		}
		return strings.Join(labels, ", ")
	case TypeDecimal, TypeInteger:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return v
		}
		decimals := 0
		if _, frac, ok := strings.Cut(v, "."); ok {
			decimals = len(frac)
		}
		return FormatNumber(n, decimals)
	}
	return v
}
