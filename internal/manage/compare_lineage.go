package manage

import (
	"context"
	"slices"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// ComparisonLineage returns the lineage that links the current round's
// units and evaluations to the previous round's, followed back through the
// rounds between them (see MatchRounds). It is for a caller that already
// holds both rounds' report data, so that a compared report reads each
// round once; the actor must be allowed to read both reports. It also
// returns the previous round.
func (s *Service) ComparisonLineage(ctx context.Context, actor Actor, previousID, currentID int64) (round.Round, round.Lineage, error) {
	if previousID == currentID {
		return round.Round{}, round.Lineage{}, apperror.New(apperror.Invalid, "Välj en annan omgång att jämföra med.")
	}
	var (
		prev    round.Round
		lineage round.Lineage
	)
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		for _, id := range []int64{previousID, currentID} {
			r, err := q.Round(id)
			if err != nil {
				return err
			}
			if err := s.requireRound(q, actor, r); err != nil {
				return err
			}
			if !actor.SeesReport(r) {
				return apperror.New(apperror.NotFound, "Rapporten för ”%s” är inte publicerad ännu.", r.Name)
			}
			if id == previousID {
				prev = r
			}
		}
		var err error
		lineage, err = chainedLineage(q, previousID, currentID)
		return err
	})
	if err != nil {
		return round.Round{}, round.Lineage{}, err
	}
	return prev, lineage, nil
}

// ReportContent is what matching reads of a report's dataset: its kommuner,
// units and the evaluations the report counts.
func ReportContent(ds round.Dataset) round.RoundContent { return content(ds) }

// RoundChain returns the rounds a round was carried forward from, followed
// back at most max rounds (the round itself included), oldest first, and
// the round itself last. Rounds whose report the actor may not read are
// left out.
func (s *Service) RoundChain(ctx context.Context, actor Actor, roundID int64, max int) ([]round.Round, error) {
	var chain []round.Round
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		id := roundID
		seen := map[int64]bool{}
		for range max {
			if id == 0 || seen[id] {
				break
			}
			seen[id] = true
			r, err := q.Round(id)
			if err != nil {
				return err
			}
			if s.requireRound(q, actor, r) == nil && actor.SeesReport(r) {
				chain = append(chain, r)
			} else if id == roundID {
				return apperror.New(apperror.NotFound, "Rapporten för ”%s” är inte publicerad ännu.", r.Name)
			}
			if id, err = q.PreviousRoundID(id); err != nil {
				return err
			}
		}
		return nil
	})
	slices.Reverse(chain)
	return chain, err
}
