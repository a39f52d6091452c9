// Package chart holds go-chart renderings of the aggregates, PNG and SVG:
// how results are used by kommun with the network mean (Diagram 1 of the
// study), costs by kommun stacked by kind, count and cost per inhabitant, and
// the user-survey share.
//
// go-chart v2 has no grouped bars, and its StackedBarChart normalises every
// bar to 100 %, so it cannot show kronor. The charts are therefore laid out
// here as horizontal bar panels (small multiples for Diagram 1) and drawn
// with go-chart's renderers (chart.PNG, chart.SVG), fonts and text
// measurement. Kommuner are rows, so a chart stays legible for a national
// round; callers split very long lists into several charts (see Options).
//
// Concurrency: go-chart keeps its default font in package state that it
// initialises lazily without synchronising the first read (GetDefaultFont),
// which races when charts are first rendered concurrently. A Renderer parses
// its own copy of the font once, in NewRenderer, and passes it to every
// drawing call, so go-chart's default font is never used. The parsed font is
// only read afterwards (truetype faces and glyph buffers are per render), so
// one Renderer is safe for concurrent use without a lock; chart_test.go
// renders all charts concurrently under -race to keep it so.
//
// Output is deterministic: the same report gives the same bytes.
package chart

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/golang/freetype/truetype"
	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/roboto"

	"github.com/inventera/inventera/internal/aggregate"
)

// Format is an output format.
type Format string

const (
	SVG Format = "svg"
	PNG Format = "png"
)

// Kind names one of the charts.
type Kind string

const (
	KindUsage           Kind = "anvandning"
	KindCosts           Kind = "kostnader"
	KindPerInhabitant   Kind = "per-invanare"
	KindUserSurveyShare Kind = "brukarundersokningar"
)

// Kinds lists the charts in report order.
var Kinds = []Kind{KindCosts, KindPerInhabitant, KindUsage, KindUserSurveyShare}

// Options adjust one rendering.
type Options struct {
	// ID prefixes the ids of the SVG's <title> and <desc>, which must be
	// unique in an HTML page that inlines several charts. Default: the kind.
	ID string
	// Title replaces the chart's default title (drawn and in <title>).
	Title string
}

// Renderer draws the charts. Create one with NewRenderer and share it; it is
// safe for concurrent use.
type Renderer struct {
	font *truetype.Font
}

// NewRenderer parses the chart font (Roboto Medium, embedded in go-chart).
func NewRenderer() (*Renderer, error) {
	f, err := truetype.Parse(roboto.Roboto)
	if err != nil {
		return nil, fmt.Errorf("chart: parse font: %w", err)
	}
	return &Renderer{font: f}, nil
}

// Usage renders Diagram 1: per kommun the share of its evaluations used in
// each way, one panel per usage, with the network mean marked.
func (r *Renderer) Usage(rep *aggregate.Report, f Format) ([]byte, error) {
	return r.Render(KindUsage, rep, f, Options{})
}

// Costs renders the costs per kommun stacked by kind.
func (r *Renderer) Costs(rep *aggregate.Report, f Format) ([]byte, error) {
	return r.Render(KindCosts, rep, f, Options{})
}

// PerInhabitant renders the count of evaluations and the cost per inhabitant
// by kommun; kommuner with unknown population get a note instead of a bar.
func (r *Renderer) PerInhabitant(rep *aggregate.Report, f Format) ([]byte, error) {
	return r.Render(KindPerInhabitant, rep, f, Options{})
}

// UserSurveyShare renders the user-survey share by kommun with the network
// mean marked.
func (r *Renderer) UserSurveyShare(rep *aggregate.Report, f Format) ([]byte, error) {
	return r.Render(KindUserSurveyShare, rep, f, Options{})
}

// Render renders one chart.
func (r *Renderer) Render(k Kind, rep *aggregate.Report, f Format, opt Options) ([]byte, error) {
	if rep == nil {
		return nil, fmt.Errorf("chart: no report")
	}
	var l *layout
	switch k {
	case KindUsage:
		l = usageLayout(rep)
	case KindCosts:
		l = costsLayout(rep)
	case KindPerInhabitant:
		l = perInhabitantLayout(rep)
	case KindUserSurveyShare:
		l = userSurveyLayout(rep)
	case KindTrend:
		if rep.Comparison == nil || len(rep.Comparison.Trend) < 2 {
			return nil, fmt.Errorf("chart: the report has no trend")
		}
		l = trendLayout(rep)
	default:
		return nil, fmt.Errorf("chart: unknown chart %q", k)
	}
	if opt.Title != "" {
		l.title = opt.Title
	}
	if opt.ID == "" {
		opt.ID = string(k)
	}
	var out []byte
	var err error
	switch f {
	case SVG:
		out, err = l.render(r.font, true, 1)
		if err == nil {
			out = annotateSVG(out, opt.ID, l.title, l.desc)
		}
	case PNG:
		out, err = l.render(r.font, false, pngScale)
	default:
		return nil, fmt.Errorf("chart: unknown format %q", f)
	}
	if err != nil {
		return nil, fmt.Errorf("chart: %s: %w", k, err)
	}
	return out, nil
}

// pngScale renders PNGs at twice the SVG's size, sharp enough for print.
const pngScale = 2

// annotateSVG makes go-chart's SVG fit to inline in HTML: it gets a width
// and height, role="img", and a <title> and <desc> referred to by
// aria-labelledby and aria-describedby.
func annotateSVG(svg []byte, id, title, desc string) []byte {
	i := bytes.IndexByte(svg, '>')
	if i < 0 || !bytes.HasPrefix(svg, []byte("<svg ")) {
		return svg
	}
	head := string(svg[:i])
	var w, h int
	if j := strings.Index(head, `viewBox="`); j >= 0 {
		fmt.Sscanf(head[j+len(`viewBox="`):], "0 0 %d %d", &w, &h)
	}
	id = html.EscapeString(id)
	var b bytes.Buffer
	b.Grow(len(svg) + 256 + len(title) + len(desc))
	b.WriteString(head)
	if w > 0 && h > 0 {
		fmt.Fprintf(&b, ` width="%d" height="%d"`, w, h)
	}
	fmt.Fprintf(&b, ` role="img" aria-labelledby="%s-title" aria-describedby="%s-desc">`, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
	b.Write(svg[i+1:])
	return b.Bytes()
}

// rendererProvider returns go-chart's renderer for the format.
func rendererProvider(svg bool) gochart.RendererProvider {
	if svg {
		return gochart.SVG
	}
	return gochart.PNG
}
