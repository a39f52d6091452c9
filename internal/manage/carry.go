package manage

import (
	"context"
	"fmt"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// CarryForward creates a new round from a previous one: its kommuner (with
// their kommunkod), its units with their verksamhetschefer (each with a new
// personal link) and, as drafts for the unit to confirm, change or mark as
// no longer run, every recurring evaluation (periodicitet other than
// engångs) and the unit's unfinished drafts. Answers and statuses start
// over; one-off evaluations and those the review ruled out of scope stay
// behind. The new round records where it came from, each unit the unit it
// continues and each copied evaluation the one it was copied from
// (lineage), so that the next report knows which are "the same".
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
		if r, err = q.CreateRound(r); err != nil {
			return err
		}
		if err := q.SetPreviousRound(r.ID, prev.ID); err != nil {
			return err
		}
		kommuner, err := q.Kommuner(prev.ID)
		if err != nil {
			return err
		}
		for _, k := range kommuner {
			if _, err := q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k.Name, Population: k.Population, Kommunkod: k.Kommunkod}); err != nil {
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
		excluded, err := q.Exclusions(prev.ID)
		if err != nil {
			return err
		}
		byUnit := map[int64][]round.Evaluation{}
		for _, e := range evs {
			byUnit[e.UnitID] = append(byUnit[e.UnitID], e)
		}
		now := s.Now()
		lineage := map[int64]int64{}
		recurring, drafts := 0, 0
		for _, u := range units {
			nu, err := q.CreateUnit(round.Unit{RoundID: r.ID, Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade,
				Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail, UpdatedAt: now})
			if err != nil {
				return err
			}
			if err := q.SetUnitLineage(nu.ID, u.ID); err != nil {
				return err
			}
			if _, err := s.issueLink(q, nu.ID); err != nil {
				return err
			}
			for _, e := range byUnit[u.ID] {
				if !carried(e, excluded) {
					continue
				}
				c, err := q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: nu.ID, Complete: false,
					Answers: e.Answers.Clone(), CreatedAt: now, UpdatedAt: now})
				if err != nil {
					return err
				}
				lineage[c.ID] = e.ID
				if e.Complete {
					recurring++
				} else {
					drafts++
				}
			}
		}
		if err := q.SetEvaluationLineage(lineage); err != nil {
			return err
		}
		summary := fmt.Sprintf("%d kommuner, %d enheter, %d återkommande utvärderingar", len(kommuner), len(units), recurring)
		if drafts > 0 {
			summary += fmt.Sprintf(", %d utkast", drafts)
		}
		return q.Audit(event(r.ID, 0, now, actor.Name(), "omgang_overford", "fran", prev.Name, summary))
	})
	return r, err
}

// carried tells whether an evaluation of the previous round is copied into
// the next: a complete one when it recurs and the review kept it in scope,
// a draft unless it is marked as a one-off.
func carried(e round.Evaluation, excluded map[int64]round.Exclusion) bool {
	if e.Answers.Get("periodicitet") == "engangs" {
		return false
	}
	if _, out := excluded[e.ID]; out {
		return false
	}
	return true
}
