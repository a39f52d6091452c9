package chart

import (
	"html"
	"math"
	"strings"

	"github.com/golang/freetype/truetype"
	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
	"golang.org/x/image/math/fixed"
)

// Colours: the Okabe–Ito palette, which colour-blind readers tell apart.
// Every bar and swatch has a dark outline, so that it stands out from white
// by at least 3:1 (WCAG 1.4.11) whatever its fill, and kinds that come out
// alike in greyscale differ by pattern too. Text has at least 7:1.
var (
	colorText    = drawing.ColorFromHex("1a1a1a")
	colorMuted   = drawing.ColorFromHex("4d4d4d")
	colorAxis    = drawing.ColorFromHex("666666")
	colorGrid    = drawing.ColorFromHex("d9d9d9")
	colorStripe  = drawing.ColorFromHex("f3f5f7")
	colorMean    = drawing.ColorFromHex("1a1a1a")
	colorOutline = drawing.ColorFromHex("1a1a1a")
	colorWhite   = drawing.ColorWhite

	okabeBlue      = drawing.ColorFromHex("0072b2")
	okabeOrange    = drawing.ColorFromHex("e69f00")
	okabeGreen     = drawing.ColorFromHex("009e73")
	okabeSky       = drawing.ColorFromHex("56b4e9")
	okabeVermilion = drawing.ColorFromHex("d55e00")
	okabePurple    = drawing.ColorFromHex("cc79a7")
	lightGrey      = drawing.ColorFromHex("e0e0e0")

	// One fill per usage key, in aggregate.UsageKeys order; each panel of
	// Diagram 1 is named, so colour only helps.
	usageFills = []fill{
		{color: okabeBlue},
		{color: okabeGreen},
		{color: okabeSky},
		{color: okabePurple},
		{color: okabeVermilion},
	}
	// One fill per cost kind: lön, konsult, material, övrigt, ej uppdelat.
	// In greyscale: dark, light, mid with white stripes, mid with a white
	// grid, pale with dark stripes.
	costFills = []fill{
		{color: okabeBlue},
		{color: okabeOrange},
		{color: okabeGreen, pattern: patternSlash, ink: colorWhite},
		{color: okabeVermilion, pattern: patternCross, ink: colorWhite},
		{color: lightGrey, pattern: patternBackslash, ink: colorMuted},
	}
	fillCount   = fill{color: okabeBlue}
	fillPerInh  = fill{color: okabeOrange}
	fillSurvey  = fill{color: okabeGreen}
	fillNothing = fill{}
)

// pattern is a hatching drawn over a fill.
type pattern int

const (
	patternNone      pattern = iota
	patternSlash             // "/"
	patternBackslash         // "\"
	patternCross             // both
)

// fill is how a bar or swatch is painted: a colour, and a pattern in ink.
type fill struct {
	color   drawing.Color
	pattern pattern
	ink     drawing.Color
}

func (f fill) isZero() bool { return f == fillNothing }

// Font sizes in points.
const (
	sizeTitle = 13.5
	sizeText  = 10.5
	sizeSmall = 9.5
	dpi       = 96.0
)

// painter draws in layout units (SVG pixels) on a go-chart renderer, scaled
// for PNG. It escapes text for SVG: go-chart writes text into the SVG as is,
// and kommun names are user input.
type painter struct {
	r        gochart.Renderer
	font     *truetype.Font
	svg      bool
	scale    float64
	outlines [][4]float64 // bars to outline at the next flushOutlines
}

func (p *painter) px(v float64) int { return int(math.Round(v * p.scale)) }

// rect fills the rectangle (x0, y0)–(x1, y1).
func (p *painter) rect(x0, y0, x1, y1 float64, fill drawing.Color) {
	if x1 <= x0 || y1 <= y0 {
		return
	}
	p.r.ResetStyle()
	p.r.SetFillColor(fill)
	p.r.MoveTo(p.px(x0), p.px(y0))
	p.r.LineTo(p.px(x1), p.px(y0))
	p.r.LineTo(p.px(x1), p.px(y1))
	p.r.LineTo(p.px(x0), p.px(y1))
	p.r.Close()
	p.r.Fill()
}

// bar fills the rectangle, hatches it and outlines it.
func (p *painter) bar(x0, y0, x1, y1 float64, f fill) {
	if x1 <= x0 || y1 <= y0 {
		return
	}
	p.rect(x0, y0, x1, y1, f.color)
	p.hatch(x0, y0, x1, y1, f)
	p.outlines = append(p.outlines, [4]float64{x0, y0, x1, y1})
}

// flushOutlines strokes the outlines of the bars drawn since the last
// flush, as one path: a stroke per bar made rasterising a chart slow.
func (p *painter) flushOutlines() {
	if len(p.outlines) == 0 {
		return
	}
	p.r.ResetStyle()
	p.r.SetStrokeColor(colorOutline)
	p.r.SetStrokeWidth(math.Max(1, math.Round(0.75*p.scale)))
	for _, o := range p.outlines {
		p.r.MoveTo(p.px(o[0]), p.px(o[1]))
		p.r.LineTo(p.px(o[2]), p.px(o[1]))
		p.r.LineTo(p.px(o[2]), p.px(o[3]))
		p.r.LineTo(p.px(o[0]), p.px(o[3]))
		p.r.Close()
	}
	p.r.Stroke()
	p.outlines = p.outlines[:0]
}

// hatchStep is the distance between hatching lines, in layout units.
const hatchStep = 4.0

// hatch draws the fill's pattern, clipped to the rectangle, as one path:
// a stroke per line made rasterising a bar slow.
func (p *painter) hatch(x0, y0, x1, y1 float64, f fill) {
	if f.pattern == patternNone || x1-x0 < 2 {
		return
	}
	p.r.ResetStyle()
	p.r.SetStrokeColor(f.ink)
	p.r.SetStrokeWidth(math.Max(1, math.Round(p.scale)))
	lines := 0
	seg := func(ax, ay, bx, by float64) {
		p.r.MoveTo(p.px(ax), p.px(ay))
		p.r.LineTo(p.px(bx), p.px(by))
		lines++
	}
	if f.pattern == patternSlash || f.pattern == patternCross {
		// Lines x + y = c, rising to the right.
		for c := x0 + y0 + hatchStep/2; c < x1+y1; c += hatchStep {
			if a, b := math.Max(x0, c-y1), math.Min(x1, c-y0); b > a {
				seg(a, c-a, b, c-b)
			}
		}
	}
	if f.pattern == patternBackslash || f.pattern == patternCross {
		// Lines x − y = c, falling to the right.
		for c := x0 - y1 + hatchStep/2; c < x1-y0; c += hatchStep {
			if a, b := math.Max(x0, c+y0), math.Min(x1, c+y1); b > a {
				seg(a, a-c, b, b-c)
			}
		}
	}
	if lines > 0 {
		p.r.Stroke()
	}
}

// line strokes a line; dash, when given, is in layout units.
func (p *painter) line(x0, y0, x1, y1 float64, c drawing.Color, width float64, dash ...float64) {
	p.r.ResetStyle()
	p.r.SetStrokeColor(c)
	p.r.SetStrokeWidth(math.Max(1, math.Round(width*p.scale)))
	if len(dash) > 0 {
		d := make([]float64, len(dash))
		for i, v := range dash {
			d[i] = v * p.scale
		}
		p.r.SetStrokeDashArray(d)
	}
	p.r.MoveTo(p.px(x0), p.px(y0))
	p.r.LineTo(p.px(x1), p.px(y1))
	p.r.Stroke()
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

func (p *painter) setFont(size float64, c drawing.Color) {
	p.r.ResetStyle()
	p.r.SetFont(p.font)
	if !p.svg {
		// go-chart's raster context scales fonts by points × DPI in 26.6
		// units, that is by DPI/64 instead of DPI/72 pixels per point, so
		// PNG text came out 12.5 % larger than in SVG and than measured.
		size *= 64.0 / 72.0
	}
	p.r.SetFontSize(size)
	p.r.SetFontColor(c)
}

// measure returns the advance width of s in layout units, from the font's
// metrics. go-chart's MeasureText would do, but its SVG renderer builds a
// new truetype face (with a glyph image cache) on every call, which made a
// national report's charts allocate gigabytes.
func measure(f *truetype.Font, s string, size float64) float64 {
	scale := fixed.Int26_6(math.Round(size * dpi / 72 * 64))
	var w fixed.Int26_6
	var prev truetype.Index
	for i, r := range s {
		idx := f.Index(r)
		if i > 0 {
			w += f.Kern(scale, prev, idx)
		}
		w += f.HMetric(scale, idx).AdvanceWidth
		prev = idx
	}
	return float64(w) / 64
}

func (p *painter) measure(s string, size float64) float64 { return measure(p.font, s, size) }

// lineHeight is the height of a line of text of the size, in layout units.
func lineHeight(size float64) float64 { return math.Ceil(size * dpi / 72 * 1.3) }

// text draws s with its baseline at y, aligned at x.
func (p *painter) text(s string, x, y, size float64, c drawing.Color, a align) {
	if s == "" {
		return
	}
	switch a {
	case alignCenter:
		x -= p.measure(s, size) / 2
	case alignRight:
		x -= p.measure(s, size)
	}
	p.setFont(size, c)
	if p.svg {
		s = html.EscapeString(s)
	}
	p.r.Text(s, p.px(x), p.px(y))
}

// wrap breaks s into lines no wider than width; a single word wider than
// width is shortened.
func (p *painter) wrap(s string, size, width float64) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if cur != "" && p.measure(try, size) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		lines[i] = p.fit(l, size, width)
	}
	return lines
}

// fit shortens s with an ellipsis until it is no wider than width.
func (p *painter) fit(s string, size, width float64) string {
	if p.measure(s, size) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if p.measure(t, size) <= width {
			return t
		}
	}
	return "…"
}
