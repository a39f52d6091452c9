// Package numfmt writes numbers the Swedish way, for every place a person
// reads them: the report's text and tables, its charts and the web pages.
// Thousands are grouped with no-break spaces, "," is the decimal mark, and a
// no-break space joins a number to its unit ("9 073 287 kr", "4,3 %").
//
// One precision rule holds everywhere: a share is a percentage with one
// decimal ("74,3 %", "4,3 %", "0,0 %"), so that a column of shares never
// mixes precisions; kronor are whole kronor, also per inhabitant; hours have
// one decimal. PrecisionNote states the rule for a report's methods note.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// NBSP keeps a number and its unit on one line.
const NBSP = "\u00a0"

// PrecisionNote states the precision rule in Swedish.
const PrecisionNote = "Andelar anges i procent med en decimal, kronor i hela kronor (även per invånare) och timmar med en decimal."

// Number writes v rounded to the given decimals: "9 073 287", "4,3". A
// negative number gets a minus sign (U+2212) unless it rounds to zero; NaN
// and infinities are "–".
func Number(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.Grow(len(s) + len(intPart)/3*2 + 4)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(NBSP)
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg && strings.Trim(out, "0,"+NBSP) != "" {
		out = "−" + out
	}
	return out
}

// Int writes a count: "1 234".
func Int(n int) string { return Number(float64(n), 0) }

// Percent writes a share (0–1) with one decimal: "4,3 %", "74,3 %".
func Percent(share float64) string { return Number(share*100, 1) + NBSP + "%" }

// Points writes a difference of two shares in percentage points with one
// decimal and its sign: "+2,5 procentenheter", "−10,0 procentenheter".
func Points(diff float64) string {
	s := Number(math.Abs(diff)*100, 1)
	switch {
	case s == "0,0":
	case diff > 0:
		s = "+" + s
	default:
		s = "−" + s
	}
	return s + NBSP + "procentenheter"
}

// Kronor writes an amount in whole kronor: "9 073 287 kr".
func Kronor(v float64) string { return Number(v, 0) + NBSP + "kr" }

// Hours writes hours with one decimal: "2,9 timmar" (1 timme).
func Hours(v float64) string {
	s := Number(v, 1)
	if s == "1,0" {
		return s + NBSP + "timme"
	}
	return s + NBSP + "timmar"
}

// PercentTick labels an axis tick of shares in whole percent ("25 %"): ticks
// are round numbers, not data.
func PercentTick(share float64) string { return Number(share*100, 0) + NBSP + "%" }

// Tick labels an axis tick with as few decimals as it needs, at most two:
// "0", "2,5", "1 000 000".
func Tick(v float64) string {
	for d := 0; d < 2; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(v*p-math.Round(v*p)) < 1e-9*math.Max(1, math.Abs(v*p)) {
			return Number(v, d)
		}
	}
	return Number(v, 2)
}

// List joins items as Swedish prose: "A", "A och B", "A, B och C".
func List(items []string) string { return joinProse(items, " och ") }

// ListOr joins alternatives: "A", "A eller B", "A, B eller C".
func ListOr(items []string) string { return joinProse(items, " eller ") }

// CapList names at most limit items and counts the rest with the noun:
// "A, B och 4 kommuner till".
func CapList(items []string, limit int, noun string) string {
	if len(items) <= limit {
		return List(items)
	}
	return strings.Join(items[:limit], ", ") + " och " + Int(len(items)-limit) + " " + noun + " till"
}

func joinProse(items []string, last string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}
