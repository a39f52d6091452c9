package manage

import (
	"context"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// PreviousRound returns the round the round was carried forward from (the
// comparison's default), and false when it was not carried forward or the
// actor may not see that round's report.
func (s *Service) PreviousRound(ctx context.Context, actor Actor, roundID int64) (round.Round, bool, error) {
	var (
		prev  round.Round
		found bool
	)
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		id, err := q.PreviousRoundID(roundID)
		if err != nil || id == 0 {
			return err
		}
		if prev, err = q.Round(id); err != nil {
			return err
		}
		found = s.requireRound(q, actor, prev) == nil && actor.SeesReport(prev)
		return nil
	})
	if !found {
		prev = round.Round{}
	}
	return prev, found, err
}

// MatchRounds pairs an earlier round's kommuner, units and evaluations with
// the current round's (round.MatchRounds): kommuner by kommunkod, else by
// name; units and evaluations by carry-forward lineage, else by name. It
// reads what each round's report counts, with the answers (evaluations
// are matched by name, which the facts a report reads do not keep), so the
// pairs speak of the evaluations the two reports hold; the actor must be
// allowed to read both reports.
func (s *Service) MatchRounds(ctx context.Context, actor Actor, previousID, currentID int64) (round.Match, error) {
	if previousID == currentID {
		return round.Match{}, apperror.New(apperror.Invalid, "Välj en annan omgång att jämföra med.")
	}
	_, prevDS, err := s.ReportDataWithAnswers(ctx, actor, previousID)
	if err != nil {
		return round.Match{}, err
	}
	_, curDS, err := s.ReportDataWithAnswers(ctx, actor, currentID)
	if err != nil {
		return round.Match{}, err
	}
	var lineage round.Lineage
	err = s.Store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		lineage, err = chainedLineage(q, previousID, currentID)
		return err
	})
	if err != nil {
		return round.Match{}, err
	}
	return round.MatchRounds(content(prevDS), content(curDS), lineage), nil
}

// content is what matching reads of a report's dataset.
func content(ds round.Dataset) round.RoundContent {
	n := 0
	for _, u := range ds.Units {
		n += len(u.Evaluations)
	}
	c := round.RoundContent{Kommuner: ds.Kommuner, Units: make([]round.Unit, 0, len(ds.Units)), Evaluations: make([]round.Evaluation, 0, n)}
	for _, u := range ds.Units {
		c.Units = append(c.Units, u.Unit)
		c.Evaluations = append(c.Evaluations, u.Evaluations...)
	}
	return c
}

// maxChain is how many carry-forwards lineage is followed through.
const maxChain = 10

// chainedLineage is the current round's lineage, followed back through the
// rounds it was carried forward from until it reaches the previous one, so
// that a round compared with the one before last still knows its units
// and evaluations. When the previous round is not an ancestor, the current
// round's own lineage is returned (links into other rounds are ignored by
// the matching).
func chainedLineage(q *store.Queries, previousID, currentID int64) (round.Lineage, error) {
	var chain []round.Lineage
	id := currentID
	for range maxChain {
		var l round.Lineage
		var err error
		if l.Units, err = q.UnitLineage(id); err != nil {
			return round.Lineage{}, err
		}
		if l.Evaluations, err = q.EvaluationLineage(id); err != nil {
			return round.Lineage{}, err
		}
		chain = append(chain, l)
		if id, err = q.PreviousRoundID(id); err != nil {
			return round.Lineage{}, err
		}
		if id == previousID || id == 0 {
			break
		}
	}
	if id != previousID {
		return chain[0], nil
	}
	out := chain[0]
	for _, older := range chain[1:] {
		out = round.Lineage{Units: compose(out.Units, older.Units), Evaluations: compose(out.Evaluations, older.Evaluations)}
	}
	return out, nil
}

// compose follows each link of newer one step further back through older.
func compose(newer, older map[int64]int64) map[int64]int64 {
	out := make(map[int64]int64, len(newer))
	for cur, mid := range newer {
		if back, ok := older[mid]; ok {
			out[cur] = back
		}
	}
	return out
}
