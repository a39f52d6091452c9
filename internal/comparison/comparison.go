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
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/pace"
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
	slots    chan struct{}  // one token per report being built
	final    finalCache     // published rounds' reports, for comparisons
	binary   string         // the binary's fingerprint, for kept reports (kept.go)
	demand   *pace.Demand   // requests queued, which builds give way to (GiveWayTo)
	keeping  sync.WaitGroup // reports being packed and kept after they were served (keepLater)
}

// GiveWayTo makes the service's report builds give way to the requests
// queued in d (package pace): the web server raises d while a request
// waits for its turn. Call it before the service builds anything; without
// it builds run at full speed, as the command line's do.
func (s *Service) GiveWayTo(d *pace.Demand) { s.demand = d }

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
	// Data holds the kommuner and units and the evaluations counted, each
	// with its facts (round.Evaluation.Facts).
	Data round.Dataset
	// Previous is the round the report is compared with (LoadCompared);
	// nil when it stands alone.
	Previous *round.Round
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
	s.atLowPriority(ctx, func(ctx context.Context) { rep, err = s.loadNow(ctx, actor, roundID) })
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
	s.atLowPriority(ctx, func(ctx context.Context) { rep, err = s.loadComparedNow(ctx, actor, roundID, previousID) })
	return rep, err
}

// Build loads, aggregates and renders a round's report in one format, in
// one slot (see the package comment), and returns what it rendered (an
// XLSX report without its Data, see buildXLSX). With previousID (not 0)
// the report is compared with that earlier round. A JSON or HTML report
// standing alone is served from its kept copy while the round is
// unchanged (kept.go); the Report returned then holds only the round.
func (s *Service) Build(ctx context.Context, actor manage.Actor, roundID, previousID int64, format string, w io.Writer) (Report, error) {
	return s.build(ctx, actor, roundID, previousID, format, nil, to(w))
}

// BuildTo is Build to the writer that open returns. open is called once,
// with the round, when the report is about to be written — the actor's
// access checked, the data read and aggregated — and not at all when the
// build fails before: a web response can name its file and begin then,
// and send the report as it is written rather than hold a copy of it (a
// compared national JSON report is 7.1 MB). JSON is written as it is
// encoded; XLSX and HTML once rendered whole (the workbook, the template),
// so that a failed rendering sends nothing.
func (s *Service) BuildTo(ctx context.Context, actor manage.Actor, roundID, previousID int64, format string, open func(round.Round) io.Writer) (Report, error) {
	return s.build(ctx, actor, roundID, previousID, format, nil, open)
}

// to opens w whatever the round.
func to(w io.Writer) func(round.Round) io.Writer { return func(round.Round) io.Writer { return w } }

// BuildPage is Build of the HTML report for the browser, each figure
// linking to its chart as an image to download (see WriteHTML).
func (s *Service) BuildPage(ctx context.Context, actor manage.Actor, roundID, previousID int64, chartURL func(chart.Kind, chart.Format) string, w io.Writer) (Report, error) {
	return s.build(ctx, actor, roundID, previousID, HTML, chartURL, to(w))
}

func (s *Service) build(ctx context.Context, actor manage.Actor, roundID, previousID int64, format string, chartURL func(chart.Kind, chart.Format) string, open func(round.Round) io.Writer) (Report, error) {
	switch format {
	case JSON, HTML, XLSX:
	default:
		return Report{}, unknownFormat(format)
	}
	if variant, ok := s.keptVariant(format, previousID, chartURL); ok {
		return s.buildKept(ctx, actor, roundID, format, variant, chartURL, open)
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	defer release()
	var rep Report
	s.atLowPriority(ctx, func(ctx context.Context) {
		if format == XLSX {
			rep, err = s.buildXLSX(ctx, actor, roundID, previousID, func(r round.Round) io.Writer { return pace.Writer(ctx, open(r)) })
			return
		}
		if previousID == 0 {
			rep, err = s.loadNow(ctx, actor, roundID)
		} else {
			rep, err = s.loadComparedNow(ctx, actor, roundID, previousID)
		}
		if err != nil {
			return
		}
		if err = ctx.Err(); err != nil {
			return // nobody waits for it any more: do not render it
		}
		err = s.write(pace.Writer(ctx, open(rep.Round)), rep, format, chartURL)
	})
	return rep, err
}

// loadNow loads and aggregates, from the facts the store keeps of each
// evaluation.
func (s *Service) loadNow(ctx context.Context, actor manage.Actor, roundID int64) (Report, error) {
	r, ds, err := s.manage.ReportData(ctx, actor, roundID)
	if err != nil {
		return Report{}, err
	}
	return aggregated(r, ds)
}

func aggregated(r round.Round, ds round.Dataset) (Report, error) {
	agg, err := aggregate.Compute(r, ds)
	if err != nil {
		return Report{}, fmt.Errorf("comparison: %w", err)
	}
	return Report{Round: r, Aggregate: agg, Data: ds}, nil
}

// buildXLSX builds the XLSX report, whose raw sheets carry the answers of
// the evaluations it counts, from one snapshot of the round
// (manage.ReportSnapshot): aggregated from the facts like the other
// formats, the answers read a batch at a time as the raw sheet is
// written, so that a round of 290 000 evaluations is never held as
// answers. What a compared report needs of earlier rounds is read first,
// outside the snapshot (each is a report of its own). The snapshot lasts
// until the workbook is written; w gets nothing on error (see
// report.Renderer.XLSX).
func (s *Service) buildXLSX(ctx context.Context, actor manage.Actor, roundID, previousID int64, open func(round.Round) io.Writer) (Report, error) {
	compare := func(cur Report) Report { return cur }
	if previousID != 0 {
		var err error
		if compare, err = s.comparer(ctx, actor, roundID, previousID); err != nil {
			return Report{}, err
		}
	}
	var rep Report
	err := s.manage.ReportSnapshot(ctx, actor, roundID, func(r round.Round, ds round.Dataset, answers func([]int64, func(int, form.Answers) error) error) error {
		cur, err := aggregated(r, ds)
		if err != nil {
			return err
		}
		rep = compare(cur)
		// The raw sheets read of each evaluation its ID: the facts, most
		// of what the round takes in memory, go before the rows are
		// written (nothing refers to ds from here on), and the report
		// comes back without its Data.
		raw, ids := idsOf(ds)
		rep.Data = round.Dataset{}
		if err := ctx.Err(); err != nil {
			return err // nobody waits for it any more: do not render it
		}
		return s.renderer.XLSX(ctx, &opening{open: func() io.Writer { return open(r) }}, rep.Aggregate, func(f *excelize.File, setup func(string) error) error {
			return sheet.WriteInto(f, s.form, raw, sheet.Into{Setup: setup, IDs: ids, Answers: answers})
		})
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// idsOf is ds as the raw sheets of the XLSX report read it: its kommuner
// and units, without their evaluations, and for each unit the IDs of its
// complete evaluations counted (sheet.Into.IDs).
func idsOf(ds round.Dataset) (round.Dataset, [][]int64) {
	n := 0
	for _, u := range ds.Units {
		n += len(u.Evaluations)
	}
	all := make([]int64, 0, n) // one array
	units := make([]round.UnitData, len(ds.Units))
	ids := make([][]int64, len(ds.Units))
	for i, u := range ds.Units {
		start := len(all)
		for _, e := range u.Evaluations {
			if e.Complete {
				all = append(all, e.ID)
			}
		}
		units[i] = round.UnitData{Unit: u.Unit}
		ids[i] = all[start:len(all):len(all)]
	}
	return round.Dataset{Kommuner: ds.Kommuner, Units: units}, ids
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
		// The raw sheets read the answers from the snapshot the report
		// was loaded in (buildXLSX).
		return errors.New("comparison: an XLSX report carries the answers; build it with Build")
	}
	return unknownFormat(format)
}

// opening is a writer that opens its destination at the first write:
// the XLSX renderer writes its workbook only once it is complete.
type opening struct {
	open func() io.Writer
	w    io.Writer // nil until the first write
}

func (o *opening) Write(p []byte) (int, error) {
	if o.w == nil {
		o.w = o.open()
	}
	return o.w.Write(p)
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
