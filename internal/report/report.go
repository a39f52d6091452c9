// Package report writes the comparison report from the aggregates and the
// charts: JSON for machines (exactly the aggregate JSON), HTML for people
// (Swedish, print-ready, accessible; templates in package reports) and an
// XLSX workbook with one sheet per table.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/reports"
)

// JSON writes the report's aggregates as indented JSON: the report JSON
// contract of design §6, exactly as package aggregate encodes it
// (json.MarshalIndent with two spaces, and a newline).
//
// It writes the report kommun by kommun, each encoded and indented on its
// own, not the whole report at once: a compared national report is
// 7.1 MB, and encoding it whole took three buffers of its size (json's
// own, the compact copy, the indented one), whose fresh pages cost the
// first compared report a server built as much again as encoding it.
func JSON(w io.Writer, rep *aggregate.Report) error {
	if rep == nil {
		return fmt.Errorf("report: no report")
	}
	if len(rep.Municipalities) == 0 { // null or []: nothing to write apart
		b, err := marshalIndent(nil, rep, 0)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	shell := *rep
	shell.Municipalities = []aggregate.Municipality{}
	head, err := marshalIndent(nil, &shell, 0)
	if err != nil {
		return err
	}
	// The empty list's place: the key cannot occur earlier, as a key of
	// the round's (before it) or inside a string, whose quotes are escaped.
	at := bytes.Index(head, []byte(municipalitiesKey))
	if at < 0 {
		return fmt.Errorf("report: encode JSON: no %s in the report", municipalitiesKey)
	}
	open := at + len(municipalitiesKey) - len("[]")
	if _, err := w.Write(head[:open+1]); err != nil {
		return err
	}
	var buf []byte
	for i := range rep.Municipalities {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = newline(buf, 2)
		if buf, err = marshalIndent(buf, &rep.Municipalities[i], 2); err != nil {
			return err
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	buf = append(newline(buf[:0], 1), head[open+1:]...)
	_, err = w.Write(append(buf, '\n'))
	return err
}

// municipalitiesKey is the report's list of kommuner, empty, as indented.
const municipalitiesKey = `"municipalities": []`

// marshalIndent appends v to dst as json.MarshalIndent(v, "", "  ")
// encodes it, as if it stood depth levels deep.
func marshalIndent(dst []byte, v any, depth int) ([]byte, error) {
	compact, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("report: encode JSON: %w", err)
	}
	return indentFrom(dst, compact, depth), nil
}

// Renderer writes HTML and XLSX reports. It holds the parsed template, the
// form's labels and a chart renderer; create it once with NewRenderer. It is
// safe for concurrent use.
type Renderer struct {
	tmpl   *template.Template
	css    template.CSS
	charts *chart.Renderer
	labels labels
}

// NewRenderer parses the report template and prepares the charts.
func NewRenderer() (*Renderer, error) {
	def, err := form.Evaluation()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	tmpl, err := template.New("report.html").Parse(reports.HTML())
	if err != nil {
		return nil, fmt.Errorf("report: parse template: %w", err)
	}
	charts, err := chart.NewRenderer()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return &Renderer{
		tmpl:   tmpl,
		css:    template.CSS(reports.CSS()), // our own embedded file
		charts: charts,
		labels: newLabels(def),
	}, nil
}

// HTMLOptions adjust the HTML report.
type HTMLOptions struct {
	// GeneratedOn is the report's date as it should be shown, e.g.
	// "2009-12-18"; empty leaves it out.
	GeneratedOn string
	// Draft marks every page "Utkast – omgången är inte stängd".
	Draft bool
	// Unpublished says that the report is not yet published, and who
	// publishes it.
	Unpublished bool
	// ChartURL, when set, gives the address of a chart as an image to
	// download; each figure then links to its PNG and SVG.
	ChartURL func(kind chart.Kind, format chart.Format) string
}

// HTML writes the comparison report as one self-contained HTML page. It
// renders into a buffer first, so w gets nothing on error.
func (r *Renderer) HTML(w io.Writer, rep *aggregate.Report, opt HTMLOptions) error {
	if rep == nil {
		return fmt.Errorf("report: no report")
	}
	p := build(rep, r.labels)
	p.GeneratedOn = opt.GeneratedOn
	p.Draft = opt.Draft
	p.Unpublished = opt.Unpublished
	p.CSS = r.css
	if err := r.renderCharts(rep, p, opt.ChartURL); err != nil {
		return err
	}
	if err := r.renderTrend(rep, p, opt.ChartURL); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := r.tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: render HTML: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// renderCharts renders every figure's SVG, in parallel. A figure whose
// kommuner do not fit one chart gets one SVG per part.
func (r *Renderer) renderCharts(rep *aggregate.Report, p *page, url func(chart.Kind, chart.Format) string) error {
	figs := []struct {
		fig  *figure
		kind chart.Kind
	}{
		{&p.Volumes.Costs, chart.KindCosts},
		{&p.Volumes.PerInh, chart.KindPerInhabitant},
		{&p.Usage.Figure, chart.KindUsage},
		{&p.Surveys.Figure, chart.KindUserSurveyShare},
	}
	parts := chartParts(rep)
	var wg sync.WaitGroup
	errs := make([]error, len(figs)*len(parts))
	for i, f := range figs {
		if url != nil {
			for _, fm := range []chart.Format{chart.PNG, chart.SVG} {
				name := strings.ToUpper(string(fm))
				f.fig.Links = append(f.fig.Links, link{Text: name, Href: url(f.kind, fm),
					Label: f.fig.Label + " som " + name + "-bild"})
			}
		}
		f.fig.SVGs = make([]template.HTML, len(parts))
		from := 1
		for j, part := range parts {
			opt := chart.Options{ID: f.fig.ID}
			if len(parts) > 1 {
				opt.ID = fmt.Sprintf("%s-del-%d", f.fig.ID, j+1)
				to := from + len(part.Municipalities) - 1
				opt.Title = partTitle(defaultTitle(f.kind), from, to, len(rep.Municipalities))
				from = to + 1
			}
			wg.Go(func() {
				svg, err := r.charts.Render(f.kind, part, chart.SVG, opt)
				if err != nil {
					errs[i*len(parts)+j] = fmt.Errorf("report: %w", err)
					return
				}
				// The SVG is generated here and its text escaped by the
				// chart package; it holds no unescaped user input.
				f.fig.SVGs[j] = template.HTML(svg)
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func defaultTitle(k chart.Kind) string {
	switch k {
	case chart.KindUsage:
		return chart.TitleUsage
	case chart.KindCosts:
		return chart.TitleCosts
	case chart.KindPerInhabitant:
		return chart.TitlePerInhabitant
	case chart.KindUserSurveyShare:
		return chart.TitleUserSurveys
	}
	return string(k)
}
