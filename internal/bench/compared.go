package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// The compared report (issue 12's benchmark line, issue 13's table): the
// national round is the second measurement of an earlier round, published,
// that it was carried forward from. The earlier round is the same network
// a year before (earlierDataset); the lineage is what manage.CarryForward
// records (recordLineage), set after the import, since carrying forward
// itself would have filled the national round with drafts before the
// import step measures it.

const (
	benchEarlierRound = "Nationell omgång, föregående (bench)"
	comparedFile      = "rapport-jamford.json"
)

// compared runs the compared report's steps: the earlier round, then the
// compared report JSON built in a fresh process benchRepeats times (shown
// beside json, the report JSON built in a fresh process; the first of them
// aggregates the published earlier round and keeps its basis, the others
// read it), then in a running server, first (reading the kept basis) and
// again (the report service holds it), each held against the round's own
// report built in the same server.
func (b *bencher) compared(ctx context.Context, json Row) ([]Row, error) {
	var rows []Row
	_, row, err := b.step(ctx, "earlier", "earlier round (store, publish, lineage)")
	rows = append(rows, row)
	if err != nil {
		return rows, err
	}
	// In fresh processes, shown beside the target's rows.
	var runs []Row
	for range benchRepeats {
		_, row, err := b.step(ctx, "report-compared", "compared report JSON, first build in a fresh process")
		if err != nil {
			rows = append(rows, row)
			return rows, err
		}
		runs = append(runs, row)
	}
	fresh := median(runs)
	fresh.Target = "— (a request's: the rows below)"
	fresh.Note += fmt.Sprintf("; median of %d runs, each a new process (the first, %s, aggregated the earlier round and kept its basis); %.2f × report JSON built in a fresh process",
		len(runs), fmtDuration(runs[0].Time), ratio(fresh.Time, json.Time))
	rows = append(rows, fresh)

	res, row, err := b.step(ctx, "report-compared-repeat", "compared report JSON, repeated in a running server")
	if err != nil {
		rows = append(rows, row)
		return rows, err
	}
	alone, first := seconds(number(res.Extra, "alone_seconds")), seconds(number(res.Extra, "first_seconds"))
	limit := time.Duration(comparedMaxFactor * float64(alone))
	target := fmt.Sprintf("≤ %.1f × alone = %s", comparedMaxFactor, fmtDuration(limit))
	firstRow := Row{Step: "compared report JSON, first build in a running server", Time: first, RSSKiB: row.RSSKiB,
		Target: target, Status: met(first <= limit),
		Note: fmt.Sprintf("reads the earlier round's basis, kept in the database by the first build in a fresh process; %.2f × the round alone (%s, median of its builds in the same server)", ratio(first, alone), fmtDuration(alone))}
	row.CPU = 0 // the process built many reports; its CPU time is no one build's
	row.Target, row.Status = target, met(row.Time <= limit)
	row.Note += fmt.Sprintf("; median of %d builds after the first; %.2f × the round alone (%s)", benchRepeats, ratio(row.Time, alone), fmtDuration(alone))
	return append(rows, firstRow, row), nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(max(b, 1)) }

// number is a step result's extra figure (JSON numbers are float64).
func number(extra map[string]any, key string) float64 {
	v, _ := extra[key].(float64)
	return v
}

// earlier stores the earlier round, publishes it and links the national
// round to it as carried forward.
func (s *stepper) earlier(ctx context.Context) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	cur, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return stepResult{}, err
	}
	ds := earlierDataset(natgen.Generate(s.o.generated()), s.o.Seed)
	prev, err := a.Manage.ImportDataset(ctx, system, benchEarlierRound, round.DefaultHourlyRate, ds)
	if err != nil {
		return stepResult{}, fmt.Errorf("store the earlier round: %w", err)
	}
	stored := time.Since(start)
	for _, st := range []round.State{round.Closed, round.Published} {
		if _, err := a.Manage.SetState(ctx, system, prev.ID, st); err != nil {
			return stepResult{}, fmt.Errorf("publish the earlier round: %w", err)
		}
	}
	l, err := recordLineage(ctx, a.Store, prev.ID, cur.ID)
	if err != nil {
		return stepResult{}, err
	}
	// The report service finds it as the national round's predecessor.
	found, ok, err := a.Manage.PreviousRound(ctx, system, cur.ID)
	if err != nil {
		return stepResult{}, err
	}
	if !ok || found.ID != prev.ID || !found.Final() {
		return stepResult{}, fmt.Errorf("the national round's predecessor is %q (found %v), not the published %q", found.Name, ok, prev.Name)
	}
	if l.units == 0 || l.evaluations == 0 {
		return stepResult{}, fmt.Errorf("lineage links %d units and %d evaluations; the comparison would match by name only", l.units, l.evaluations)
	}
	return stepResult{Seconds: time.Since(start).Seconds(), RoundID: prev.ID,
		Note: fmt.Sprintf("%d evaluations stored in %s, published; %d of %d units and %d of %d evaluations linked as carried forward",
			ds.EvaluationCount(), fmtDuration(stored), l.units, l.curUnits, l.evaluations, l.curEvaluations)}, nil
}

// earlierDataset is the network a year before the generated round: the
// same kommuner (a little fewer inhabitants) and units; of the round's
// evaluations, the recurring ones except every tenth (new this year), with
// fewer hours and lower consultants' costs here and there; and, at every
// tenth unit with evaluations, one that has since been discontinued.
func earlierDataset(cur round.Dataset, seed uint64) round.Dataset {
	out := round.Dataset{PopulationSource: cur.PopulationSource}
	for _, k := range cur.Kommuner {
		if k.Population != nil {
			p := *k.Population - *k.Population/200
			k.Population = &p
		}
		out.Kommuner = append(out.Kommuner, k)
	}
	n := 0
	for i, u := range cur.Units {
		prev := round.UnitData{Unit: u.Unit}
		for _, e := range u.Evaluations {
			n++
			if n%10 == 7 || e.Answers.Get("periodicitet") == "engangs" {
				continue
			}
			a := e.Answers.Clone()
			if t, err := strconv.ParseFloat(a.Get("timmar"), 64); err == nil && n%4 == 1 {
				a["timmar"] = strconv.FormatFloat(math.Round(t*80)/100, 'f', -1, 64)
			}
			if k, err := strconv.ParseInt(a.Get("konsult_kr"), 10, 64); err == nil && k >= 5000 && n%6 == 5 {
				a["konsult_kr"] = strconv.FormatInt(k-5000, 10)
			}
			prev.Evaluations = append(prev.Evaluations, round.Evaluation{Complete: true, Answers: a})
		}
		if len(u.Evaluations) > 0 && i%10 == 3 {
			a := natgen.Answers(seed+1, i, form.ModeImport)
			a["benamning"] = "Avslutad uppföljning " + strconv.Itoa(i+1)
			prev.Evaluations = append(prev.Evaluations, round.Evaluation{Complete: true, Answers: a})
		}
		if prev.Response == round.Submitted && len(prev.Evaluations) == 0 {
			prev.Response = round.NoEvaluations
		}
		out.Units = append(out.Units, prev)
	}
	return out
}

type lineageCount struct {
	units, curUnits, evaluations, curEvaluations int
}

// recordLineage links the current round to the previous one as
// manage.CarryForward does: the round, each unit to the unit of the same
// name and kommuner, and each evaluation to the one of the same name at
// that unit, if it recurs (carry-forward copies no one-off evaluation).
func recordLineage(ctx context.Context, st *store.Store, prevID, curID int64) (lineageCount, error) {
	var c lineageCount
	err := st.InTx(ctx, func(q *store.Queries) error {
		prevUnits, err := q.Units(prevID)
		if err != nil {
			return err
		}
		curUnits, err := q.Units(curID)
		if err != nil {
			return err
		}
		byKey := make(map[string]int64, len(prevUnits))
		for _, u := range prevUnits {
			byKey[unitKey(u)] = u.ID
		}
		units := make(map[int64]int64, len(curUnits))
		for _, u := range curUnits {
			if id, ok := byKey[unitKey(u)]; ok {
				units[u.ID] = id
			}
		}
		prevEvs, err := q.RoundAnswers(prevID)
		if err != nil {
			return err
		}
		type named struct {
			unit int64
			name string
		}
		recurring := make(map[named][]int64, len(prevEvs))
		for _, e := range prevEvs {
			if e.Answers.Get("periodicitet") != "engangs" {
				k := named{e.UnitID, e.Name()}
				recurring[k] = append(recurring[k], e.ID)
			}
		}
		prevEvs = nil
		curEvs, err := q.RoundAnswers(curID)
		if err != nil {
			return err
		}
		evs := make(map[int64]int64, len(curEvs))
		for _, e := range curEvs {
			k := named{units[e.UnitID], e.Name()}
			if ids := recurring[k]; len(ids) > 0 {
				evs[e.ID], recurring[k] = ids[0], ids[1:]
			}
		}
		c = lineageCount{units: len(units), curUnits: len(curUnits), evaluations: len(evs), curEvaluations: len(curEvs)}
		if err := q.SetPreviousRound(curID, prevID); err != nil {
			return err
		}
		if err := q.SetUnitLineage(units); err != nil {
			return err
		}
		return q.SetEvaluationLineage(evs)
	})
	return c, err
}

func unitKey(u round.Unit) string {
	k := slices.Clone(u.Kommuner)
	slices.Sort(k)
	return u.Name + "\x00" + strings.Join(k, "\x00")
}

// comparedReport is `inventera report --format json --compare` of the
// national round with its predecessor, in a new process: timed from
// opening the database to the last byte written, like report JSON.
func (s *stepper) comparedReport(ctx context.Context) (stepResult, error) {
	start := time.Now()
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	opened := time.Since(start)
	r, prev, err := comparedRounds(ctx, a)
	if err != nil {
		return stepResult{}, err
	}
	path := filepath.Join(s.o.Dir, comparedFile)
	os.Remove(path) // the median runs it more than once
	var rep comparison.Report
	size, err := writeFile(path, func(w io.Writer) error {
		rep, err = a.Reports.Build(ctx, system, r.ID, prev.ID, comparison.JSON, w)
		return err
	})
	if err != nil {
		return stepResult{}, err
	}
	elapsed := time.Since(start)
	what, err := comparedWhat(rep)
	if err != nil {
		return stepResult{}, err
	}
	return stepResult{Seconds: elapsed.Seconds(),
		Note: fmt.Sprintf("%s; %s; open %s, load both + compare + render %s", fmtBytes(size), what, fmtDuration(opened), fmtDuration(elapsed-opened))}, nil
}

// comparedRepeat is the compared report in a running server, through its
// routes, each build after a write to the round: first the round's own
// report a few times (as a server that has served reports before), then
// the compared one for the first time (it reads the earlier round and,
// that being published, keeps it), then benchRepeats times each the
// round's own report and the compared one.
func (s *stepper) comparedRepeat(ctx context.Context) (stepResult, error) {
	a, err := s.open(ctx)
	if err != nil {
		return stepResult{}, err
	}
	defer a.Close()
	r, prev, err := comparedRounds(ctx, a)
	if err != nil {
		return stepResult{}, err
	}
	sr, err := s.servedReports(ctx, a, comparedEmail)
	if err != nil {
		return stepResult{}, err
	}
	const alone, compared = aloneQuery, "" // compared by default with the round it was carried forward from
	var aloneRuns, comparedRuns []Row
	for range benchRepeats {
		d, _, err := sr.build(ctx, alone)
		if err != nil {
			return stepResult{}, err
		}
		aloneRuns = append(aloneRuns, Row{Time: d})
	}
	first, size, err := sr.build(ctx, compared)
	if err != nil {
		return stepResult{}, err
	}
	for range benchRepeats {
		for _, q := range []string{alone, compared} {
			d, n, err := sr.build(ctx, q)
			if err != nil {
				return stepResult{}, err
			}
			if q == alone {
				aloneRuns = append(aloneRuns, Row{Time: d})
			} else {
				comparedRuns, size = append(comparedRuns, Row{Time: d}), n
			}
		}
	}
	// What the compared report compared, from a build of its own (untimed).
	rep, err := a.Reports.Build(ctx, system, r.ID, prev.ID, comparison.JSON, io.Discard)
	if err != nil {
		return stepResult{}, err
	}
	what, err := comparedWhat(rep)
	if err != nil {
		return stepResult{}, err
	}
	m, ma := median(comparedRuns), median(aloneRuns)
	return stepResult{Seconds: m.Time.Seconds(), Extra: map[string]any{"alone_seconds": ma.Time.Seconds(), "first_seconds": first.Seconds()},
		Note: fmt.Sprintf("%s; %s; GET /rapporter/ID/fil/json in a running server, each after a write to the round", fmtBytes(int64(size)), what)}, nil
}

// comparedRounds are the national round and the round it was carried
// forward from, as the report service's default comparison finds it.
func comparedRounds(ctx context.Context, a *App) (round.Round, round.Round, error) {
	r, err := a.Manage.RoundByName(ctx, system, benchRound)
	if err != nil {
		return round.Round{}, round.Round{}, err
	}
	prev, ok, err := a.Reports.DefaultComparison(ctx, system, r.ID)
	if err != nil {
		return round.Round{}, round.Round{}, err
	}
	if !ok {
		return round.Round{}, round.Round{}, errors.New("the national round has no earlier round to compare with")
	}
	return r, prev, nil
}

// comparedWhat says what the comparison found, and refuses one that
// compared nothing.
func comparedWhat(rep comparison.Report) (string, error) {
	if rep.Previous == nil || rep.Aggregate == nil || rep.Aggregate.Comparison == nil || rep.Aggregate.Comparison.Recurrence == nil {
		return "", errors.New("the report is not compared with the earlier round")
	}
	c := rep.Aggregate.Comparison
	rc := c.Recurrence
	if c.Kommuner == 0 || rc.Recurring == 0 || rc.ByLineage == 0 {
		return "", fmt.Errorf("the comparison matched %d kommuner and %d evaluations (%d by lineage)", c.Kommuner, rc.Recurring, rc.ByLineage)
	}
	return fmt.Sprintf("%d kommuner in both, %d evaluations recur (%d by lineage), %d new, %d dropped",
		c.Kommuner, rc.Recurring, rc.ByLineage, rc.New, rc.Dropped), nil
}
