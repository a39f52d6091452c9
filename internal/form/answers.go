package form

import (
	"strconv"
	"strings"
)

// Answers holds one evaluation's answers keyed by field code. Values are
// strings in canonical form once validated: yes/no as "ja"/"nej", a choice as
// its option code, a multi choice as option codes joined by ";" in definition
// order, numbers with "." as decimal mark and no grouping. A draft may hold
// text exactly as typed. A blank answer is absent.
type Answers map[string]string

// MultiSeparator joins the option codes of a multi-choice answer.
const MultiSeparator = ";"

// Get returns the answer for the code, "" when blank.
func (a Answers) Get(code string) string { return a[code] }

// Has tells whether the code has a non-blank answer.
func (a Answers) Has(code string) bool { return strings.TrimSpace(a[code]) != "" }

// Yes tells whether a yes/no answer is "ja".
func (a Answers) Yes(code string) bool { return a[code] == "ja" }

// Options returns the chosen option codes of a multi-choice answer.
func (a Answers) Options(code string) []string {
	v := strings.TrimSpace(a[code])
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// HasOption tells whether a multi-choice answer includes the option.
func (a Answers) HasOption(code, option string) bool {
	for _, o := range a.Options(code) {
		if o == option {
			return true
		}
	}
	return false
}

// Int returns an integer answer; ok is false when blank or not canonical.
func (a Answers) Int(code string) (n int64, ok bool) {
	v := a[code]
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// Hundredths returns a decimal answer in hundredths (12.5 → 1250); ok is
// false when blank or not canonical. Fixed point keeps sums of hours exact.
func (a Answers) Hundredths(code string) (n int64, ok bool) {
	v := a[code]
	if v == "" {
		return 0, false
	}
	d, err := ParseNumber(v, 2)
	if err != nil {
		return 0, false
	}
	return d.Units, true
}

// Clone returns a copy that can be changed without touching a.
func (a Answers) Clone() Answers {
	c := make(Answers, len(a))
	for k, v := range a {
		c[k] = v
	}
	return c
}
