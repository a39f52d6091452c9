package chart

import (
	"bytes"
	"math"

	"github.com/golang/freetype/truetype"
)

// layout is a chart of horizontal bars: one row per kommun, one or more
// panels side by side (small multiples), each with its own value axis.
type layout struct {
	title  string
	desc   string // text alternative for the SVG's <desc>
	legend []legendItem
	rows   []string // row labels (kommun names)
	panels []panel
}

type legendItem struct {
	label  string
	fill   fill
	dashed bool // a dashed line (the mean) rather than a swatch
}

// panel is one value axis with a bar (or stack) per row.
type panel struct {
	title     string
	swatch    fill    // beside the title; zero for none
	max       float64 // largest value; the axis is rounded up from it
	percent   bool    // values are shares 0–1; the axis is 0–100 %
	integer   bool    // values are counts
	tickLabel func(float64) string
	mean      *float64 // marked with a dashed line when set
	meanLabel string
	cells     []cell // one per row
}

// cell is one row of a panel: stacked segments, a label at the bar's end,
// or a note instead of a bar.
type cell struct {
	segments []segment
	label    string
	note     string
}

type segment struct {
	value float64
	fill  fill
}

// Geometry in layout units (SVG pixels).
const (
	chartWidth   = 860.0
	margin       = 16.0
	rowHeight    = 22.0
	barHeight    = 14.0
	panelGap     = 20.0
	labelGap     = 10.0
	valueGap     = 6.0
	maxLabelW    = 200.0
	tickLen      = 4.0
	legendSwatch = 12.0
)

func (l *layout) render(font *truetype.Font, svg bool, scale float64) ([]byte, error) {
	// Measure on a scratch renderer, then draw on one of the final size.
	scratch, err := rendererProvider(svg)(1, 1)
	if err != nil {
		return nil, err
	}
	scratch.SetDPI(dpi * scale)
	m := &painter{r: scratch, font: font, svg: svg, scale: scale}
	g := l.measure(m)

	r, err := rendererProvider(svg)(int(math.Ceil(chartWidth*scale)), int(math.Ceil(g.height*scale)))
	if err != nil {
		return nil, err
	}
	r.SetDPI(dpi * scale)
	p := &painter{r: r, font: font, svg: svg, scale: scale}
	l.draw(p, g)
	var buf bytes.Buffer
	if err := r.Save(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// geometry is where things go, computed by measure.
type geometry struct {
	titleLines  []string
	legendLines [][]legendItem
	labelW      float64
	rowLabels   []string
	panelW      float64
	headerLines [][]string // per panel
	headerH     float64
	plotW       []float64 // per panel: width of the value axis
	axisMax     []float64
	ticks       [][]float64
	rowsTop     float64
	rowsBottom  float64
	height      float64
}

func (l *layout) measure(p *painter) geometry {
	var g geometry
	inner := chartWidth - 2*margin
	y := margin

	g.titleLines = p.wrap(l.title, sizeTitle, inner)
	y += float64(len(g.titleLines)) * lineHeight(sizeTitle)

	// Legend items flow into lines.
	if len(l.legend) > 0 {
		y += 4
		var line []legendItem
		x := 0.0
		for _, it := range l.legend {
			w := legendSwatch + 6 + p.measure(it.label, sizeText) + 20
			if it.dashed {
				w += 12
			}
			if len(line) > 0 && x+w > inner {
				g.legendLines = append(g.legendLines, line)
				line, x = nil, 0
			}
			line = append(line, it)
			x += w
		}
		g.legendLines = append(g.legendLines, line)
		y += float64(len(g.legendLines)) * lineHeight(sizeText)
	}
	y += 8

	// Row labels.
	for _, s := range l.rows {
		g.labelW = math.Max(g.labelW, p.measure(s, sizeText))
	}
	g.labelW = math.Min(g.labelW, maxLabelW)
	g.rowLabels = make([]string, len(l.rows))
	for i, s := range l.rows {
		g.rowLabels[i] = p.fit(s, sizeText, g.labelW)
	}

	n := float64(max(len(l.panels), 1))
	g.panelW = (inner - g.labelW - labelGap - panelGap*(n-1)) / n

	// Panel headers (wrapped titles, then the mean's label).
	for _, pn := range l.panels {
		w := g.panelW
		if !pn.swatch.isZero() {
			w -= legendSwatch + 5
		}
		lines := p.wrap(pn.title, sizeText, w)
		g.headerLines = append(g.headerLines, lines)
		h := float64(len(lines)) * lineHeight(sizeText)
		if pn.mean != nil {
			h += lineHeight(sizeSmall)
		}
		g.headerH = math.Max(g.headerH, h)
	}
	y += g.headerH + 4

	// Value axes: leave room for the labels at the bars' ends.
	for _, pn := range l.panels {
		axisMax, ticks := niceAxis(pn.max, pn.percent, pn.integer)
		if pn.percent && g.panelW < 300 {
			ticks = []float64{0, 0.5, 1}
		}
		if !pn.percent && g.panelW < 200 && len(ticks) > 3 {
			// A narrow panel (the trend's) has room for the ends and the
			// middle only.
			ticks = []float64{0, axisMax / 2, axisMax}
		}
		labelW := 0.0
		for _, c := range pn.cells {
			labelW = math.Max(labelW, p.measure(c.label, sizeSmall))
		}
		// Value labels go in a right-aligned column at the panel's right
		// edge, clear of the bars and the mean line.
		plotW := g.panelW
		if labelW > 0 {
			plotW -= labelW + 2*valueGap
		} else {
			// The last tick label is centred on the axis end: keep it
			// clear of the next panel's first one.
			plotW -= p.measure(pn.tickLabel(axisMax), sizeSmall)/2 + valueGap
		}
		plotW = math.Max(plotW, g.panelW/3)
		g.axisMax = append(g.axisMax, axisMax)
		g.ticks = append(g.ticks, ticks)
		g.plotW = append(g.plotW, plotW)
	}

	g.rowsTop = y
	g.rowsBottom = y + float64(max(len(l.rows), 1))*rowHeight
	y = g.rowsBottom + tickLen + lineHeight(sizeSmall) + margin
	g.height = math.Ceil(y)
	return g
}

func (l *layout) draw(p *painter, g geometry) {
	width := chartWidth
	p.rect(0, 0, width, g.height, colorWhite)

	y := margin
	for _, t := range g.titleLines {
		y += lineHeight(sizeTitle)
		p.text(t, margin, y-5, sizeTitle, colorText, alignLeft)
	}

	if len(g.legendLines) > 0 {
		y += 4
		for _, line := range g.legendLines {
			y += lineHeight(sizeText)
			x := margin
			mid := y - lineHeight(sizeText)/2
			for _, it := range line {
				if it.dashed {
					p.line(x, mid, x+legendSwatch+12, mid, it.fill.color, 2, 5, 3)
					x += legendSwatch + 12 + 6
				} else {
					p.bar(x, mid-legendSwatch/2, x+legendSwatch, mid+legendSwatch/2, it.fill)
					x += legendSwatch + 6
				}
				p.text(it.label, x, mid+4, sizeText, colorText, alignLeft)
				x += p.measure(it.label, sizeText) + 20
			}
		}
		p.flushOutlines()
	}

	left := margin + g.labelW + labelGap
	rows := max(len(l.rows), 1)

	// Stripes and row labels.
	for i := range l.rows {
		top := g.rowsTop + float64(i)*rowHeight
		if i%2 == 1 {
			p.rect(margin, top, width-margin, top+rowHeight, colorStripe)
		}
		p.text(g.rowLabels[i], left-labelGap, top+rowHeight/2+4, sizeText, colorText, alignRight)
	}
	if len(l.rows) == 0 {
		p.text("Inga kommuner", left, g.rowsTop+rowHeight/2+4, sizeText, colorMuted, alignLeft)
	}

	for k, pn := range l.panels {
		x0 := left + float64(k)*(g.panelW+panelGap)
		plotW := g.plotW[k]
		scale := func(v float64) float64 { return x0 + plotW*math.Max(0, v)/g.axisMax[k] }

		// Header.
		hy := g.rowsTop - 4 - g.headerH
		tx := x0
		if !pn.swatch.isZero() {
			p.bar(x0, hy+lineHeight(sizeText)/2-legendSwatch/2+1, x0+legendSwatch, hy+lineHeight(sizeText)/2+legendSwatch/2+1, pn.swatch)
			tx += legendSwatch + 5
		}
		for i, t := range g.headerLines[k] {
			p.text(t, tx, hy+float64(i+1)*lineHeight(sizeText)-4, sizeText, colorText, alignLeft)
		}

		// Grid and axis.
		bottom := g.rowsBottom
		for _, t := range g.ticks[k] {
			x := scale(t)
			p.line(x, g.rowsTop, x, bottom, colorGrid, 1)
			p.line(x, bottom, x, bottom+tickLen, colorAxis, 1)
			p.text(pn.tickLabel(t), x, bottom+tickLen+lineHeight(sizeSmall)-3, sizeSmall, colorMuted, alignCenter)
		}
		p.line(x0, bottom, x0+plotW, bottom, colorAxis, 1)
		p.line(x0, g.rowsTop, x0, bottom, colorAxis, 1)

		// Bars.
		for i, c := range pn.cells {
			if i >= rows {
				break
			}
			top := g.rowsTop + float64(i)*rowHeight + (rowHeight-barHeight)/2
			mid := g.rowsTop + float64(i)*rowHeight + rowHeight/2
			if c.note != "" {
				continue // drawn last, over the mean line
			}
			sum := 0.0
			for _, s := range c.segments {
				a, b := scale(sum), scale(sum+s.value)
				sum += s.value
				// Outlined, so adjacent segments stay apart.
				p.bar(a, top, b, top+barHeight, s.fill)
			}
			if c.label != "" {
				p.text(c.label, x0+g.panelW, mid+4, sizeSmall, colorText, alignRight)
			}
		}

		p.flushOutlines()

		// The mean, over the bars.
		if pn.mean != nil {
			x := scale(*pn.mean)
			p.line(x, g.rowsTop-2, x, bottom, colorMean, 2, 5, 3)
			lw := p.measure(pn.meanLabel, sizeSmall)
			lx := math.Min(math.Max(x-lw/2, x0), x0+g.panelW-lw)
			p.text(pn.meanLabel, lx, g.rowsTop-6, sizeSmall, colorText, alignLeft)
		}

		// Notes instead of bars, on the row's background.
		for i, c := range pn.cells {
			if i >= rows || c.note == "" {
				continue
			}
			top := g.rowsTop + float64(i)*rowHeight
			bg := colorWhite
			if i%2 == 1 {
				bg = colorStripe
			}
			w := math.Min(p.measure(c.note, sizeSmall)+8, g.panelW-1)
			p.rect(x0+1, top+2, x0+1+w, top+rowHeight-2, bg)
			p.text(c.note, x0+4, top+rowHeight/2+4, sizeSmall, colorMuted, alignLeft)
		}
	}
}

// niceAxis rounds max up to a round axis end and returns the ticks from 0.
func niceAxis(maxV float64, percent, integer bool) (float64, []float64) {
	if percent {
		return 1, []float64{0, 0.25, 0.5, 0.75, 1}
	}
	if !(maxV > 0) || math.IsInf(maxV, 0) {
		maxV = 1
	}
	raw := maxV / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if integer && m == 2.5 && mag < 10 {
			continue
		}
		if m*mag >= raw*(1-1e-9) {
			step = m * mag
			break
		}
	}
	if integer {
		step = math.Max(1, math.Round(step))
	}
	n := math.Ceil(maxV/step - 1e-9)
	ticks := make([]float64, 0, int(n)+1)
	for i := 0.0; i <= n; i++ {
		ticks = append(ticks, i*step)
	}
	return n * step, ticks
}
