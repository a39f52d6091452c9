// Package comparison produces a round's comparison report from stored data:
// it loads what the actor may see, aggregates it and renders it as JSON,
// HTML, XLSX or a chart. The web layer and the command line share it, so a
// report looks the same wherever it is asked for.
//
// A report of a national round takes a core for a while. So that people
// submitting forms meanwhile do not wait for it, the service runs at most
// half as many builds at once as there are cores (at least one; the others
// wait their turn), and each on a thread of lower scheduling priority
// (atLowPriority), which the operating system runs after the threads that
// answer requests.
package comparison

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
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
	slots    chan struct{} // one token per report being built
	final    finalCache    // published rounds' reports, for comparisons
	binary   string        // the binary's fingerprint, for kept reports (kept.go)
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
	return &Service{manage: m, form: def, renderer: r, charts: c, now: now,
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)), binary: buildFingerprint()}, nil
}

// Report is an aggregated round with the data it came from.
type Report struct {
	Round     round.Round
	Aggregate *aggregate.Report
	// Data holds the kommuner and units and the evaluations counted; each
	// evaluation carries its facts, or its answers when loaded for XLSX.
	Data round.Dataset
	// Previous is the round the report is compared with (LoadCompared);
	// nil when it stands alone.
	Previous *round.Round
	answers  bool // Data's evaluations carry their answers
}

// Load aggregates a round as the actor may see it (the samordnare at any
// time; projektledare and styrgrupp once published), for JSON, HTML or a
// chart. It waits for a free slot first (see the package comment).
func (s *Service) Load(ctx context.Context, actor manage.Actor, roundID int64) (Report, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	defer release()
	var rep Report
	atLowPriority(func() { rep, err = s.loadNow(ctx, actor, roundID, false) })
	return rep, err
}

// LoadCompared is Load of a round compared with an earlier one (see
// loadComparedNow), in one slot.
func (s *Service) LoadCompared(ctx context.Context, actor manage.Actor, roundID, previousID int64) (Report, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	defer release()
	var rep Report
	atLowPriority(func() { rep, err = s.loadComparedNow(ctx, actor, roundID, previousID, false) })
	return rep, err
}

// Build loads, aggregates and renders a round's report in one format, in
// one slot (see the package comment), and returns what it rendered. With
// previousID (not 0) the report is compared with that earlier round. A
// JSON or HTML report standing alone is served from its kept copy while
// the round is unchanged (kept.go); the Report returned then holds only
// the round.
func (s *Service) Build(ctx context.Context, actor manage.Actor, roundID, previousID int64, format string, w io.Writer) (Report, error) {
	return s.build(ctx, actor, roundID, previousID, format, nil, w)
}

// BuildPage is Build of the HTML report for the browser, each figure
// linking to its chart as an image to download (see WriteHTML).
func (s *Service) BuildPage(ctx context.Context, actor manage.Actor, roundID, previousID int64, chartURL func(chart.Kind, chart.Format) string, w io.Writer) (Report, error) {
	return s.build(ctx, actor, roundID, previousID, HTML, chartURL, w)
}

func (s *Service) build(ctx context.Context, actor manage.Actor, roundID, previousID int64, format string, chartURL func(chart.Kind, chart.Format) string, w io.Writer) (Report, error) {
	switch format {
	case JSON, HTML, XLSX:
	default:
		return Report{}, unknownFormat(format)
	}
	if variant, ok := s.keptVariant(format, previousID, chartURL); ok {
		return s.buildKept(ctx, actor, roundID, format, variant, chartURL, w)
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	defer release()
	var rep Report
	atLowPriority(func() {
		if previousID == 0 {
			rep, err = s.loadNow(ctx, actor, roundID, format == XLSX)
		} else {
			rep, err = s.loadComparedNow(ctx, actor, roundID, previousID, format == XLSX)
		}
		if err != nil {
			return
		}
		if err = ctx.Err(); err != nil {
			return // nobody waits for it any more: do not render it
		}
		err = s.write(w, rep, format, chartURL)
	})
	return rep, err
}

// loadNow loads and aggregates: from the facts the store keeps of each
// evaluation, or, for a report that carries its data (XLSX), from the
// answers, which the aggregate reads the same way.
func (s *Service) loadNow(ctx context.Context, actor manage.Actor, roundID int64, answers bool) (Report, error) {
	data := s.manage.ReportData
	if answers {
		data = s.manage.ReportDataWithAnswers
	}
	r, ds, err := data(ctx, actor, roundID)
	if err != nil {
		return Report{}, err
	}
	agg, err := aggregate.Compute(r, ds)
	if err != nil {
		return Report{}, fmt.Errorf("comparison: %w", err)
	}
	return Report{Round: r, Aggregate: agg, Data: ds, answers: answers}, nil
}

// acquire waits for a build slot, or for ctx to end.
func (s *Service) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Write renders the report in a format.
func (s *Service) Write(w io.Writer, rep Report, format string) error {
	return s.write(w, rep, format, nil)
}

func (s *Service) write(w io.Writer, rep Report, format string, chartURL func(chart.Kind, chart.Format) string) error {
	switch format {
	case JSON:
		return report.JSON(w, rep.Aggregate)
	case HTML:
		return s.WriteHTML(w, rep, chartURL)
	case XLSX:
		if !rep.answers {
			return errors.New("comparison: an XLSX report carries the answers; build it with Build")
		}
		return s.renderer.XLSX(w, rep.Aggregate, func(f *excelize.File) error {
			return sheet.WriteInto(f, s.form, rep.Data)
		})
	}
	return unknownFormat(format)
}

func unknownFormat(format string) error {
	return apperror.New(apperror.Invalid, "Okänt format ”%s”: välj json, html eller xlsx.", format)
}

// WriteHTML renders the HTML report; chartURL, when set, gives the address
// of each chart as an image to download, and each figure links to it.
func (s *Service) WriteHTML(w io.Writer, rep Report, chartURL func(chart.Kind, chart.Format) string) error {
	return s.renderer.HTML(w, rep.Aggregate, report.HTMLOptions{
		GeneratedOn: s.today(),
		Draft:       rep.Round.Editable(),
		Unpublished: !rep.Round.Final(),
		ChartURL:    chartURL,
	})
}

// today is the day a report is dated.
func (s *Service) today() string { return s.now().Format("2006-01-02") }

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
