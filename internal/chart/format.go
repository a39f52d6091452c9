package chart

import (
	"math"

	"github.com/inventera/inventera/internal/form"
)

// nbsp keeps a number and its unit on one line ("4,3 %", "9 073 287 kr").
const nbsp = "\u00a0"

// Percent writes a share (0–1) as a Swedish percentage: one decimal under
// 10 % ("4,3 %"), whole percent otherwise ("74 %"), "0 %" for nothing. The
// charts and the report use the same rule.
func Percent(share float64) string {
	return Decimal(share*100) + nbsp + "%"
}

// Decimal writes v the Swedish way with the precision rule of Percent: one
// decimal when 0 < |v| < 10 (after rounding to one decimal), none otherwise.
func Decimal(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if a := math.Abs(v); a > 0 && math.Round(a*10) < 100 {
		if math.Round(a*10) == 0 {
			return "0"
		}
		return form.FormatNumber(v, 1)
	}
	return form.FormatNumber(v, 0)
}

// Kronor writes an amount in whole kronor: "9 073 287 kr".
func Kronor(v float64) string {
	return form.FormatNumber(v, 0) + nbsp + "kr"
}

// tickNumber writes an axis tick with as few decimals as it needs (at most
// two): "0", "2,5", "1 000 000".
func tickNumber(v float64) string {
	for d := 0; d < 2; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(v*p-math.Round(v*p)) < 1e-9*math.Max(1, math.Abs(v*p)) {
			return form.FormatNumber(v, d)
		}
	}
	return form.FormatNumber(v, 2)
}
