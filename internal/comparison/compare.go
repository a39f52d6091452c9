package comparison

import (
	"context"
	"slices"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// loadComparedNow aggregates a round and compares it with an earlier one
// (design §5, "Comparison with an earlier round"): each round's report is
// computed on its own, as Load gives it, and aggregate.Compare sets the
// earlier figures and the change (see comparer). The caller holds a slot.
//
// What the earlier rounds give and the round's own report are read side
// by side, each on a low-priority thread: they do not depend on each
// other, and on an idle server the second core halves the wait (the
// first compared report of a national round took 1.9 × the round's own
// JSON report one after the other). On a busy one the threads take no
// more than their low priority gives them.
func (s *Service) loadComparedNow(ctx context.Context, actor manage.Actor, roundID, previousID int64) (Report, error) {
	var (
		compare    func(cur Report) Report
		compareErr error
	)
	wait := s.startAtLowPriority(ctx, func(ctx context.Context) { compare, compareErr = s.comparer(ctx, actor, roundID, previousID) })
	cur, err := s.loadNow(ctx, actor, roundID)
	wait()
	if compareErr != nil {
		return Report{}, compareErr
	}
	if err != nil {
		return Report{}, err
	}
	return compare(cur), nil
}

// comparer reads what comparing a round with an earlier one needs of the
// earlier rounds — the earlier round's report and content, the lineage
// between the two, the reports of the rounds in the trend — and returns
// the function that compares the round's own report with them. The actor
// must be allowed to read both reports. Which evaluations recur, are new
// or were dropped follows the carry-forward lineage, else units and names
// (round.MatchRounds).
func (s *Service) comparer(ctx context.Context, actor manage.Actor, roundID, previousID int64) (func(cur Report) Report, error) {
	if previousID == roundID {
		return nil, apperror.New(apperror.Invalid, "Välj en annan omgång att jämföra med än rapportens egen.")
	}
	prevRound, lineage, err := s.manage.ComparisonLineage(ctx, actor, previousID, roundID)
	if err != nil {
		return nil, err
	}
	prev, err := s.earlier(ctx, actor, prevRound)
	if err != nil {
		return nil, err
	}
	trend, err := s.trend(ctx, actor, map[int64]*aggregate.Basis{previousID: prev.basis}, roundID)
	if err != nil {
		return nil, err
	}
	return func(cur Report) Report {
		match := round.MatchRounds(prev.content, manage.ReportContent(cur.Data), lineage)
		cur.Aggregate = aggregate.WithTrend(aggregate.WithRecurrence(aggregate.Compare(cur.Aggregate, prev.basis), match), trend(cur.Aggregate))
		cur.Previous = &prev.round
		return cur
	}, nil
}

// trend reads the bases of the rounds the current one was carried
// forward from (at most aggregate.MaxTrendRounds, those the actor may
// read; each as its own report gives them; known holds bases already
// read, by round) and returns the function giving the network's figures
// in each, the current round's from its report.
func (s *Service) trend(ctx context.Context, actor manage.Actor, known map[int64]*aggregate.Basis, roundID int64) (func(cur *aggregate.Report) []aggregate.TrendPoint, error) {
	chain, err := s.manage.RoundChain(ctx, actor, roundID, aggregate.MaxTrendRounds)
	if err != nil {
		return nil, err
	}
	if len(chain) < 2 {
		return func(*aggregate.Report) []aggregate.TrendPoint { return nil }, nil
	}
	reports := make([]*aggregate.Basis, len(chain))
	current := -1
	for i, r := range chain {
		if r.ID == roundID {
			current = i
			continue
		}
		if rep, ok := known[r.ID]; ok {
			reports[i] = rep
			continue
		}
		f, err := s.earlier(ctx, actor, r)
		if err != nil {
			return nil, err
		}
		reports[i] = f.basis
	}
	return func(cur *aggregate.Report) []aggregate.TrendPoint {
		all := slices.Clone(reports)
		if current >= 0 {
			all[current] = aggregate.BasisOf(cur)
		}
		return aggregate.Trend(all)
	}, nil
}

// DefaultComparison is the round a report is compared with unless another
// is chosen: the round it was carried forward from, when the actor may
// read that round's report; false when there is none.
func (s *Service) DefaultComparison(ctx context.Context, actor manage.Actor, roundID int64) (round.Round, bool, error) {
	return s.manage.PreviousRound(ctx, actor, roundID)
}
