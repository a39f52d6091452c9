package numfmt

import "strings"

// Signed writes a change with its sign: "+15", "−12 000", "±0" when it
// rounds to zero (decimals as Number).
func Signed(v float64, decimals int) string {
	s := Number(v, decimals)
	switch {
	case s == "–":
		return s
	case strings.Trim(s, "0,") == "":
		return "±" + s
	case strings.HasPrefix(s, "−"):
		return s
	}
	return "+" + s
}

// SignedInt writes a change of a count: "+15", "−3", "±0".
func SignedInt(n int) string { return Signed(float64(n), 0) }

// SignedKronor writes a change in kronor: "+426 713 kr", "−12 000 kr".
func SignedKronor(v float64) string { return Signed(v, 0) + NBSP + "kr" }
