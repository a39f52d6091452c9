package comparison

import (
	"context"
	"slices"
	"sync"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
)

// A published round is final: its answers, review, kommuner and report
// texts are frozen (round.Round.Allows). A compared report reads the
// earlier round's own report and what matching needs of it; for a
// published round the Service keeps both, so that comparing a national
// round with its predecessor costs little more than its own report. Access
// is still checked on every call (manage.ComparisonLineage, RoundChain):
// the cache only saves recomputing what every reader would get.

// maxFinal is how many published rounds are kept.
const maxFinal = 4

// finalRound is what a comparison reads of a published round.
type finalRound struct {
	round   round.Round
	report  *aggregate.Report  // read only
	content round.RoundContent // only the names of its evaluations
}

// finalCache holds the last maxFinal published rounds read.
type finalCache struct {
	mu      sync.Mutex
	entries map[int64]*finalRound
	order   []int64 // oldest first
}

func (c *finalCache) get(id int64) (*finalRound, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.entries[id]
	return f, ok
}

func (c *finalCache) put(f *finalRound) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[int64]*finalRound{}
	}
	if _, ok := c.entries[f.round.ID]; ok {
		return
	}
	if len(c.order) == maxFinal {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[f.round.ID] = f
	c.order = append(c.order, f.round.ID)
}

// earlier returns the earlier round's own report and its content for
// matching: from the cache when the round is published and was read
// before, else loaded (and kept when published). The caller holds a build
// slot (so this does not take one) and has checked
// that the actor may read the round's report.
func (s *Service) earlier(ctx context.Context, actor manage.Actor, r round.Round) (*finalRound, error) {
	if r.Final() {
		if f, ok := s.final.get(r.ID); ok {
			return f, nil
		}
	}
	rep, err := s.loadNow(ctx, actor, r.ID)
	if err != nil {
		return nil, err
	}
	f := &finalRound{round: rep.Round, report: rep.Aggregate, content: names(manage.ReportContent(rep.Data))}
	if rep.Round.Final() {
		s.final.put(f)
	}
	return f, nil
}

// names keeps of a round's content what matching reads: kommuner, units,
// and each evaluation's id, unit and name (its facts' Title, all of them
// in one slab rather than a map of answers each).
func names(c round.RoundContent) round.RoundContent {
	out := round.RoundContent{Kommuner: slices.Clone(c.Kommuner), Units: slices.Clone(c.Units),
		Evaluations: make([]round.Evaluation, len(c.Evaluations))}
	titles := make([]facts.Facts, len(c.Evaluations))
	for i, e := range c.Evaluations {
		titles[i].Title = e.Name()
		out.Evaluations[i] = round.Evaluation{ID: e.ID, RoundID: e.RoundID, UnitID: e.UnitID, Complete: e.Complete,
			Facts: &titles[i]}
	}
	return out
}
