package comparison

import (
	"context"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// loadComparedNow aggregates a round and compares it with an earlier one
// (design §5, "Comparison with an earlier round"): each round's report is
// computed on its own, as Load gives it, and aggregate.Compare sets the
// earlier figures and the change. The actor must be allowed to read both
// reports. Which evaluations recur, are new or were dropped follows the
// carry-forward lineage, else units and names (round.MatchRounds). The
// caller holds a slot; answers is as for loadNow.
func (s *Service) loadComparedNow(ctx context.Context, actor manage.Actor, roundID, previousID int64, answers bool) (Report, error) {
	if previousID == roundID {
		return Report{}, apperror.New(apperror.Invalid, "Välj en annan omgång att jämföra med än rapportens egen.")
	}
	prevRound, lineage, err := s.manage.ComparisonLineage(ctx, actor, previousID, roundID)
	if err != nil {
		return Report{}, err
	}
	cur, err := s.loadNow(ctx, actor, roundID, answers)
	if err != nil {
		return Report{}, err
	}
	prev, err := s.earlier(ctx, actor, prevRound)
	if err != nil {
		return Report{}, err
	}
	match := round.MatchRounds(prev.content, manage.ReportContent(cur.Data), lineage)
	trend, err := s.trend(ctx, actor, map[int64]*aggregate.Report{roundID: cur.Aggregate, previousID: prev.report}, roundID)
	if err != nil {
		return Report{}, err
	}
	cur.Aggregate = aggregate.WithTrend(aggregate.WithRecurrence(aggregate.Compare(cur.Aggregate, prev.report), match), trend)
	cur.Previous = &prev.round
	return cur, nil
}

// trend is the network's figures in each round the current one was carried
// forward from (at most aggregate.MaxTrendRounds, those the actor may
// read), each as its own report gives them; known holds reports already
// computed, by round.
func (s *Service) trend(ctx context.Context, actor manage.Actor, known map[int64]*aggregate.Report, roundID int64) ([]aggregate.TrendPoint, error) {
	chain, err := s.manage.RoundChain(ctx, actor, roundID, aggregate.MaxTrendRounds)
	if err != nil || len(chain) < 2 {
		return nil, err
	}
	reports := make([]*aggregate.Report, len(chain))
	for i, r := range chain {
		if rep, ok := known[r.ID]; ok {
			reports[i] = rep
			continue
		}
		f, err := s.earlier(ctx, actor, r)
		if err != nil {
			return nil, err
		}
		reports[i] = f.report
	}
	return aggregate.Trend(reports), nil
}

// DefaultComparison is the round a report is compared with unless another
// is chosen: the round it was carried forward from, when the actor may
// read that round's report; false when there is none.
func (s *Service) DefaultComparison(ctx context.Context, actor manage.Actor, roundID int64) (round.Round, bool, error) {
	return s.manage.PreviousRound(ctx, actor, roundID)
}
