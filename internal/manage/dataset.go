package manage

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// ImportDataset stores an imported dataset in the named round, creating the
// round (with the hourly rate) when it is new. Kommuner and units are matched
// by name and created when missing; evaluations are added. It is one
// transaction: a refused import stores nothing, not even the round.
func (s *Service) ImportDataset(ctx context.Context, actor Actor, roundName string, hourlyRate int64, ds round.Dataset) (round.Round, error) {
	return s.Import(ctx, actor, roundName, hourlyRate, datasetSource{ds})
}

// ImportSource is the content of an import with its evaluations handed
// over unit by unit: an import of several hundred thousand evaluations
// (sheet.Import) keeps them compact and unpacks one batch at a time, so the
// round is never held whole as answers.
type ImportSource interface {
	// Content is the import's kommuner, units and population source; the
	// units' Evaluations are not read (see Evaluations).
	Content() round.Dataset
	// Evaluations says how many evaluations unit i of Content().Units has,
	// and yields them.
	Evaluations(i int) (int, iter.Seq[round.Evaluation])
}

// datasetSource is a round.Dataset as an ImportSource.
type datasetSource struct{ ds round.Dataset }

func (d datasetSource) Content() round.Dataset { return d.ds }

func (d datasetSource) Evaluations(i int) (int, iter.Seq[round.Evaluation]) {
	evs := d.ds.Units[i].Evaluations
	return len(evs), slices.Values(evs)
}

// importBatch is how many evaluations an import hands the store at a time.
const importBatch = 1000

// Import stores an import as ImportDataset does, with its evaluations
// written in batches of importBatch as src yields them, all in one
// transaction: a refused import stores nothing, not even the round.
func (s *Service) Import(ctx context.Context, actor Actor, roundName string, hourlyRate int64, src ImportSource) (round.Round, error) {
	if err := actor.requireCoordinator(); err != nil {
		return round.Round{}, err
	}
	ds := src.Content()
	var r round.Round
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		r, err = q.RoundByName(roundName)
		switch {
		case apperror.Code(err) == apperror.NotFound:
			in := RoundInput{Name: roundName, HourlyRate: fmt.Sprint(hourlyRate)}
			if r, err = s.parseRound(in); err != nil {
				return err
			}
			if r, err = q.CreateRound(r); err != nil {
				return err
			}
		case err != nil:
			return err
		case r.Allows(round.EditEvaluations) != nil:
			return r.Allows(round.EditEvaluations)
		}
		if src, err := parsePopulationSource(ds.PopulationSource); err != nil {
			return err
		} else if src != "" && src != r.PopulationSource {
			if err := q.SetPopulationSource(r.ID, src); err != nil {
				return err
			}
			if err := q.Audit(event(r.ID, 0, s.Now(), actor.Name(), "invanarkalla_andrad", "invanarkalla", r.PopulationSource, src)); err != nil {
				return err
			}
			r.PopulationSource = src
		}
		now := s.Now()
		existingK, err := q.Kommuner(r.ID)
		if err != nil {
			return err
		}
		haveK := map[string]bool{}
		for _, k := range existingK {
			haveK[k.Name] = true
		}
		if err := importKommunkoder(q, existingK, ds.Kommuner); err != nil {
			return err
		}
		for _, k := range ds.Kommuner {
			if haveK[k.Name] {
				continue
			}
			k.RoundID = r.ID
			if _, err := q.CreateKommun(k); err != nil {
				return err
			}
			haveK[k.Name] = true
		}
		existingU, err := q.Units(r.ID)
		if err != nil {
			return err
		}
		unitID := map[string]int64{}
		for _, u := range existingU {
			unitID[unitKey(u)] = u.ID
		}
		// Evaluations go to the store a batch at a time.
		batch := make([]round.Evaluation, 0, importBatch)
		stored := 0
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := q.CreateEvaluations(batch); err != nil {
				return err
			}
			stored += len(batch)
			clear(batch)
			batch = batch[:0]
			return nil
		}
		// The round's kommuner, and those the dataset's units name: an
		// import creates them as needed (design §4).
		var known []string
		for k := range haveK {
			known = append(known, k)
		}
		for _, ud := range ds.Units {
			for _, k := range ud.Kommuner {
				if !slices.Contains(known, k) {
					known = append(known, k)
				}
			}
		}
		slices.Sort(known)
		for i, ud := range ds.Units {
			n, evs := src.Evaluations(i)
			id, ok := unitID[unitKey(ud.Unit)]
			if !ok {
				// The sheet reader applies the same rules row by row; here
				// they hold for any dataset, whatever read it.
				u, err := round.NormalizeUnit(ud.Unit, known)
				if err != nil {
					return apperror.New(apperror.Invalid, "Enheten ”%s”: %s", ud.Name, apperror.Message(err))
				}
				u.RoundID = r.ID
				u.UpdatedAt = now
				if u.Response != round.NoResponse && u.RespondedAt == nil {
					u.RespondedAt = &now
				}
				for _, k := range u.Kommuner {
					if !haveK[k] {
						if _, err := q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k}); err != nil {
							return err
						}
						haveK[k] = true
					}
				}
				created, err := q.CreateUnit(u)
				if err != nil {
					return err
				}
				id = created.ID
				unitID[unitKey(ud.Unit)] = id
				if _, err := s.issueLink(q, id); err != nil {
					return err
				}
			} else if n > 0 && ud.Response != round.NoResponse {
				if err := q.SetUnitResponse(id, ud.Response, ud.Reason, now); err != nil {
					return err
				}
			}
			for e := range evs {
				e.ID, e.RoundID, e.UnitID = 0, r.ID, id
				e.CreatedAt, e.UpdatedAt = now, now
				if batch = append(batch, e); len(batch) == importBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return q.Audit(event(r.ID, 0, now, actor.Name(), "import", "utvarderingar", "",
			fmt.Sprintf("%d kommuner, %d enheter, %d utvärderingar", len(ds.Kommuner), len(ds.Units), stored)))
	})
	if err != nil {
		return round.Round{}, err
	}
	// The import is stored; statistics only make the next pages fast, and
	// autoanalyze catches up if this fails, so a failure is not the
	// import's.
	_ = s.Store.RefreshStatistics(ctx)
	return r, nil
}

// ReportData loads what a round's report counts: every kommun and unit, and
// the evaluations that count (round.Unit.Standing: complete, sent in, not
// excluded by the review), each with the facts a report counts
// (round.Evaluation.Facts) rather than its answers; the excluded ones apart
// (round.UnitData.Excluded); for the other units, how many evaluations are
// left out (round.UnitData.Unsubmitted). The samordnare may see it at any
// time; projektledare and styrgrupp once it is published.
func (s *Service) ReportData(ctx context.Context, actor Actor, roundID int64) (round.Round, round.Dataset, error) {
	return s.dataset(ctx, roundID, s.reportAllowed(actor), func(round.Unit) bool { return true }, (*store.Queries).RoundFacts)
}

// ReportDataWithAnswers loads the same as ReportData with each evaluation's
// answers, for a report that carries the data it counts (XLSX).
func (s *Service) ReportDataWithAnswers(ctx context.Context, actor Actor, roundID int64) (round.Round, round.Dataset, error) {
	return s.dataset(ctx, roundID, s.reportAllowed(actor), func(round.Unit) bool { return true }, (*store.Queries).RoundAnswers)
}

// ReportSnapshot calls fn with what ReportData loads, in the same reading
// transaction, and with answers, which reads the answers of the round's
// evaluations by ID from that snapshot (store.Queries.EvaluationAnswers:
// yield gets each one's index in ids, in no particular order). A report
// that carries the answers it counts (XLSX) reads them a batch at a time
// as it writes them, rather than holding the round's answers at once, and
// they are the very answers its figures came from however many forms are
// submitted meanwhile. The transaction lasts until fn returns; fn must not
// use answers after that.
func (s *Service) ReportSnapshot(ctx context.Context, actor Actor, roundID int64,
	fn func(r round.Round, ds round.Dataset, answers func(ids []int64, yield func(i int, a form.Answers) error) error) error) error {
	return s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, ds, err := s.datasetIn(q, roundID, s.reportAllowed(actor), func(round.Unit) bool { return true }, (*store.Queries).RoundFacts)
		if err != nil {
			return err
		}
		return fn(r, ds, func(ids []int64, yield func(int, form.Answers) error) error {
			return q.EvaluationAnswers(roundID, ids, yield)
		})
	})
}

func (s *Service) reportAllowed(actor Actor) func(*store.Queries, round.Round) error {
	return func(q *store.Queries, r round.Round) error {
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		if !actor.SeesReport(r) {
			return apperror.New(apperror.NotFound, "Rapporten för ”%s” är inte publicerad ännu. Samordnaren publicerar den när omgången är stängd; då finns den under Rapporter.", r.Name)
		}
		return nil
	}
}

// ExportData loads the same data as ReportData in raw form for the
// interchange format: the samordnare gets the whole round, a projektledare
// their own kommun's units only.
func (s *Service) ExportData(ctx context.Context, actor Actor, roundID int64) (round.Round, round.Dataset, error) {
	return s.dataset(ctx, roundID, func(q *store.Queries, r round.Round) error {
		if actor.Role != staff.Samordnare && actor.Role != staff.Projektledare {
			return apperror.New(apperror.Forbidden, "Din roll kan inte exportera svar.")
		}
		return s.requireRound(q, actor, r)
	}, actor.SeesUnit, (*store.Queries).RoundAnswers)
}

func (s *Service) dataset(ctx context.Context, roundID int64, allowed func(*store.Queries, round.Round) error, sees func(round.Unit) bool,
	evaluations func(*store.Queries, int64) ([]round.Evaluation, error)) (round.Round, round.Dataset, error) {
	var (
		r  round.Round
		ds round.Dataset
	)
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		r, ds, err = s.datasetIn(q, roundID, allowed, sees, evaluations)
		return err
	})
	return r, ds, err
}

// datasetIn is dataset in a transaction of the caller's.
func (s *Service) datasetIn(q *store.Queries, roundID int64, allowed func(*store.Queries, round.Round) error, sees func(round.Unit) bool,
	evaluations func(*store.Queries, int64) ([]round.Evaluation, error)) (r round.Round, ds round.Dataset, err error) {
	if r, err = q.Round(roundID); err != nil {
		return r, ds, err
	}
	if err := allowed(q, r); err != nil {
		return r, ds, err
	}
	kommuner, err := q.Kommuner(roundID)
	if err != nil {
		return r, ds, err
	}
	units, err := q.Units(roundID)
	if err != nil {
		return r, ds, err
	}
	evs, err := evaluations(q, roundID)
	if err != nil {
		return r, ds, err
	}
	byUnit := groupByUnit(evs)
	members := map[string]bool{}
	for _, u := range units {
		if !sees(u) {
			continue
		}
		ud := round.UnitData{Unit: u}
		own := byUnit[u.ID]
		// The counted ones are kept in place, in own's part of the array
		// groupByUnit made, rather than copied once more (a round of 290 000
		// evaluations is 30 MB of them).
		ud.Evaluations = own[:0:len(own)]
		if own == nil {
			ud.Evaluations = []round.Evaluation{}
		}
		for _, e := range own {
			switch u.Standing(e) {
			case round.Counted:
				ud.Evaluations = append(ud.Evaluations, e)
			case round.OutOfScope:
				ud.Excluded = append(ud.Excluded, e)
			case round.NotSubmitted:
				ud.Unsubmitted++
			default:
				ud.Unsubmitted++
				ud.UnsubmittedDrafts++
			}
		}
		ds.Units = append(ds.Units, ud)
		for _, k := range u.Kommuner {
			members[k] = true
		}
	}
	for _, k := range kommuner {
		if sees(round.Unit{Kommuner: []string{k.Name}}) || members[k.Name] {
			ds.Kommuner = append(ds.Kommuner, k)
		}
	}
	texts, err := q.ReportTexts(roundID)
	if err != nil {
		return r, ds, err
	}
	for _, t := range texts {
		if t.Kommun == "" || members[t.Kommun] || sees(round.Unit{Kommuner: []string{t.Kommun}}) {
			ds.Texts = append(ds.Texts, t)
		}
	}
	return r, ds, nil
}

// groupByUnit groups evaluations by unit, each unit's in the order given.
// Evaluations that come unit by unit (store.Queries.RoundFacts) are
// grouped where they lie; others are copied into one array, as subslices
// of it (a national round has 30 000 evaluations, ten times that 35 MB).
func groupByUnit(evs []round.Evaluation) map[int64][]round.Evaluation {
	if byUnit, ok := groupedInPlace(evs); ok {
		return byUnit
	}
	count := map[int64]int{}
	for _, e := range evs {
		count[e.UnitID]++
	}
	all := make([]round.Evaluation, len(evs))
	byUnit := make(map[int64][]round.Evaluation, len(count))
	next := 0
	for _, e := range evs {
		s, ok := byUnit[e.UnitID]
		if !ok {
			s = all[next : next : next+count[e.UnitID]]
			next += count[e.UnitID]
		}
		byUnit[e.UnitID] = append(s, e)
	}
	return byUnit
}

// groupedInPlace is groupByUnit of evaluations that come unit by unit: each
// unit's run of them as a subslice of evs; ok is false when a unit's come
// apart.
func groupedInPlace(evs []round.Evaluation) (byUnit map[int64][]round.Evaluation, ok bool) {
	byUnit = map[int64][]round.Evaluation{}
	for i := 0; i < len(evs); {
		j := i + 1
		for j < len(evs) && evs[j].UnitID == evs[i].UnitID {
			j++
		}
		if _, seen := byUnit[evs[i].UnitID]; seen {
			return nil, false
		}
		byUnit[evs[i].UnitID] = evs[i:j:j]
		i = j
	}
	return byUnit, true
}

// RoundByName finds a round the actor takes part in by name.
func (s *Service) RoundByName(ctx context.Context, actor Actor, name string) (round.Round, error) {
	var r round.Round
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if r, err = q.RoundByName(name); err != nil {
			return err
		}
		return s.requireRound(q, actor, r)
	})
	return r, err
}

// unitKey identifies a unit within a round: its name and member kommuner
// (names repeat across kommuner).
func unitKey(u round.Unit) string {
	ks := slices.Clone(u.Kommuner)
	slices.Sort(ks)
	return u.Name + "\x00" + strings.Join(ks, "\x00")
}

// importKommunkoder gives the round's existing kommuner the kommunkod an
// import brings for them; a code that contradicts the stored one, or that
// another kommun of the round already has, refuses the import.
func importKommunkoder(q *store.Queries, existing, imported []round.Kommun) error {
	byName := make(map[string]round.Kommun, len(existing))
	byCode := map[string]string{}
	for _, k := range existing {
		byName[k.Name] = k
		if k.Kommunkod != "" {
			byCode[k.Kommunkod] = k.Name
		}
	}
	for _, k := range imported {
		if k.Kommunkod == "" {
			continue
		}
		if other, ok := byCode[k.Kommunkod]; ok && other != k.Name {
			return apperror.New(apperror.Conflict, "Kommunkoden %s hör redan till %s i omgången, inte till %s.", k.Kommunkod, other, k.Name)
		}
		have, ok := byName[k.Name]
		if !ok || have.Kommunkod == k.Kommunkod {
			continue
		}
		if have.Kommunkod != "" {
			return apperror.New(apperror.Conflict, "%s har kommunkoden %s i omgången; filen anger %s.", k.Name, have.Kommunkod, k.Kommunkod)
		}
		if err := q.SetKommunkod(have.ID, k.Kommunkod); err != nil {
			return err
		}
		byCode[k.Kommunkod] = k.Name
	}
	return nil
}
