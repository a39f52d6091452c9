package manage

import (
	"context"
	"fmt"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// CarryForward creates a new round from a previous one: its kommuner, its
// units with their verksamhetschefer (each with a new personal link) and
// every recurring evaluation (periodicitet other than engångs) copied as a
// draft for the unit to confirm or change. Answers and statuses start over.
func (s *Service) CarryForward(ctx context.Context, actor Actor, fromRoundID int64, in RoundInput) (round.Round, error) {
	if err := actor.requireCoordinator(); err != nil {
		return round.Round{}, err
	}
	r, err := s.parseRound(in)
	if err != nil {
		return round.Round{}, err
	}
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		prev, err := q.Round(fromRoundID)
		if err != nil {
			return err
		}
		if r.PopulationSource == "" {
			// The populations come along, and so does where they are from.
			r.PopulationSource = prev.PopulationSource
		}
		if r, err = q.CreateRound(r); err != nil {
			return err
		}
		kommuner, err := q.Kommuner(prev.ID)
		if err != nil {
			return err
		}
		for _, k := range kommuner {
			if _, err := q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k.Name, Population: k.Population}); err != nil {
				return err
			}
		}
		units, err := q.Units(prev.ID)
		if err != nil {
			return err
		}
		evs, err := q.RoundEvaluations(prev.ID)
		if err != nil {
			return err
		}
		byUnit := map[int64][]round.Evaluation{}
		for _, e := range evs {
			byUnit[e.UnitID] = append(byUnit[e.UnitID], e)
		}
		now := s.Now()
		var copies []round.Evaluation
		for _, u := range units {
			nu, err := q.CreateUnit(round.Unit{RoundID: r.ID, Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade,
				Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail, UpdatedAt: now})
			if err != nil {
				return err
			}
			if _, err := s.issueLink(q, nu.ID); err != nil {
				return err
			}
			for _, e := range byUnit[u.ID] {
				if e.Answers.Get("periodicitet") == "engangs" || !e.Complete {
					continue
				}
				copies = append(copies, round.Evaluation{RoundID: r.ID, UnitID: nu.ID, Complete: false,
					Answers: e.Answers.Clone(), CreatedAt: now, UpdatedAt: now})
			}
		}
		if err := q.CreateEvaluations(copies); err != nil {
			return err
		}
		return q.Audit(event(r.ID, 0, now, actor.Name(), "omgang_overford", "fran", prev.Name,
			fmt.Sprintf("%d kommuner, %d enheter, %d återkommande utvärderingar", len(kommuner), len(units), len(copies))))
	})
	return r, err
}
