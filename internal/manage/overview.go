package manage

import (
	"context"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// UnitStatus is one unit's line on the progress page.
type UnitStatus struct {
	round.Unit
	Progress    round.Progress
	Evaluations int
	Link        string // full personal link, "" when none is active
}

// KommunStatus totals a kommun's units by progress.
type KommunStatus struct {
	round.Kommun
	Units    int
	Answered int // submitted, "inga utvärderingar" or declined
}

// Overview is a round with its kommuner and units' progress.
type Overview struct {
	Round    round.Round
	Kommuner []KommunStatus
	Units    []UnitStatus
	Totals   map[round.Progress]int
}

// Overview loads a round's progress page.
func (s *Service) Overview(ctx context.Context, roundID int64) (Overview, error) {
	var ov Overview
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		ks, err := q.Kommuner(roundID)
		if err != nil {
			return err
		}
		units, err := q.Units(roundID)
		if err != nil {
			return err
		}
		counts, err := q.EvaluationCounts(roundID)
		if err != nil {
			return err
		}
		links, err := q.ActiveLinks(roundID)
		if err != nil {
			return err
		}
		ov = Overview{Round: r, Totals: map[round.Progress]int{}}
		perKommun := map[string]*KommunStatus{}
		for _, k := range ks {
			ov.Kommuner = append(ov.Kommuner, KommunStatus{Kommun: k})
		}
		for i := range ov.Kommuner {
			perKommun[ov.Kommuner[i].Name] = &ov.Kommuner[i]
		}
		for _, u := range units {
			st := UnitStatus{Unit: u, Evaluations: counts[u.ID], Progress: round.ProgressOf(u, counts[u.ID])}
			if l, ok := links[u.ID]; ok {
				st.Link = s.LinkURL(s.Keys.Token(l.Nonce))
			}
			ov.Units = append(ov.Units, st)
			ov.Totals[st.Progress]++
			for _, k := range u.Kommuner {
				if ks := perKommun[k]; ks != nil {
					ks.Units++
					if u.Response != round.NoResponse {
						ks.Answered++
					}
				}
			}
		}
		return nil
	})
	return ov, err
}

// Rounds lists every round, newest first.
func (s *Service) Rounds(ctx context.Context) ([]round.Round, error) {
	return s.Store.Q(ctx).Rounds()
}

// Round returns one round.
func (s *Service) Round(ctx context.Context, id int64) (round.Round, error) {
	return s.Store.Q(ctx).Round(id)
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, id int64) (round.Unit, error) {
	return s.Store.Q(ctx).Unit(id)
}
