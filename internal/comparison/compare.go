package comparison

import (
	"context"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// LoadCompared aggregates a round and compares it with an earlier one
// (design §5, "Comparison with an earlier round"): each round's report is
// computed on its own, as Load gives it, and aggregate.Compare sets the
// earlier figures and the change. The actor must be allowed to read both
// reports. Which evaluations recur, are new or were dropped follows the
// carry-forward lineage, else units and names (round.MatchRounds).
func (s *Service) LoadCompared(ctx context.Context, actor manage.Actor, roundID, previousID int64) (Report, error) {
	if previousID == roundID {
		return Report{}, apperror.New(apperror.Invalid, "Välj en annan omgång att jämföra med än rapportens egen.")
	}
	cur, err := s.Load(ctx, actor, roundID)
	if err != nil {
		return Report{}, err
	}
	prev, err := s.Load(ctx, actor, previousID)
	if err != nil {
		return Report{}, err
	}
	lineage, err := s.manage.ComparisonLineage(ctx, actor, previousID, roundID)
	if err != nil {
		return Report{}, err
	}
	match := round.MatchRounds(manage.ReportContent(prev.Data), manage.ReportContent(cur.Data), lineage)
	cur.Aggregate = aggregate.WithRecurrence(aggregate.Compare(cur.Aggregate, prev.Aggregate), match)
	cur.Previous = &prev.Round
	return cur, nil
}

// DefaultComparison is the round a report is compared with unless another
// is chosen: the round it was carried forward from, when the actor may
// read that round's report; false when there is none.
func (s *Service) DefaultComparison(ctx context.Context, actor manage.Actor, roundID int64) (round.Round, bool, error) {
	return s.manage.PreviousRound(ctx, actor, roundID)
}
