// Package comparison produces a round's comparison report from stored data:
// it loads what the actor may see, aggregates it and renders it as JSON,
// HTML, XLSX or a chart. The web layer and the command line share it, so a
// report looks the same wherever it is asked for.
package comparison

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/report"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
)

// Formats the report comes in.
const (
	JSON = "json"
	HTML = "html"
	XLSX = "xlsx"
)

// Service renders reports. Build it once: NewService parses the templates
// and loads the chart font.
type Service struct {
	manage   *manage.Service
	form     *form.Definition
	renderer *report.Renderer
	charts   *chart.Renderer
	now      func() time.Time
	final    finalCache // published rounds' reports, for comparisons
}

// NewService builds the report service.
func NewService(m *manage.Service, def *form.Definition, now func() time.Time) (*Service, error) {
	r, err := report.NewRenderer()
	if err != nil {
		return nil, err
	}
	c, err := chart.NewRenderer()
	if err != nil {
		return nil, err
	}
	return &Service{manage: m, form: def, renderer: r, charts: c, now: now}, nil
}

// Report is an aggregated round with the data it came from.
type Report struct {
	Round     round.Round
	Aggregate *aggregate.Report
	Data      round.Dataset
	// Previous is the round the report is compared with (LoadCompared);
	// nil when it stands alone.
	Previous *round.Round
}

// Load aggregates a round as the actor may see it (the samordnare at any
// time; projektledare and styrgrupp once published).
func (s *Service) Load(ctx context.Context, actor manage.Actor, roundID int64) (Report, error) {
	r, ds, err := s.manage.ReportData(ctx, actor, roundID)
	if err != nil {
		return Report{}, err
	}
	agg, err := aggregate.Compute(r, ds)
	if err != nil {
		return Report{}, fmt.Errorf("comparison: %w", err)
	}
	return Report{Round: r, Aggregate: agg, Data: ds}, nil
}

// Write renders the report in a format.
func (s *Service) Write(w io.Writer, rep Report, format string) error {
	switch format {
	case JSON:
		return report.JSON(w, rep.Aggregate)
	case HTML:
		return s.WriteHTML(w, rep, nil)
	case XLSX:
		return s.renderer.XLSX(w, rep.Aggregate, func(f *excelize.File) error {
			return sheet.WriteInto(f, s.form, rep.Data)
		})
	}
	return apperror.New(apperror.Invalid, "Okänt format ”%s”: välj json, html eller xlsx.", format)
}

// WriteHTML renders the HTML report; chartURL, when set, gives the address
// of each chart as an image to download, and each figure links to it.
func (s *Service) WriteHTML(w io.Writer, rep Report, chartURL func(chart.Kind, chart.Format) string) error {
	return s.renderer.HTML(w, rep.Aggregate, report.HTMLOptions{
		GeneratedOn: s.now().Format("2006-01-02"),
		Draft:       rep.Round.Editable(),
		Unpublished: !rep.Round.Final(),
		ChartURL:    chartURL,
	})
}

// Chart renders one of the report's charts.
func (s *Service) Chart(rep Report, kind chart.Kind, format chart.Format) ([]byte, error) {
	for _, k := range chart.Kinds {
		if k == kind {
			return s.charts.Render(kind, rep.Aggregate, format, chart.Options{})
		}
	}
	if c := rep.Aggregate.Comparison; kind == chart.KindTrend && c != nil && len(c.Trend) > 1 {
		return s.charts.Render(kind, rep.Aggregate, format, chart.Options{})
	}
	return nil, apperror.New(apperror.NotFound, "Diagrammet finns inte.")
}
