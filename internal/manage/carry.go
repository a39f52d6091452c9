package manage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
		if r.PopulationSource == "" {
			// The populations come along, and so does where they are from.
			r.PopulationSource = prev.PopulationSource
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
		var copies []round.Evaluation
		var from []int64 // from[i] is the evaluation copies[i] was copied from
		unitLineage := make(map[int64]int64, len(units))
		recurring, drafts := 0, 0
		for _, u := range units {
			nu, err := q.CreateUnit(round.Unit{RoundID: r.ID, Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade,
				Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail, UpdatedAt: now})
			if err != nil {
				return err
			}
			unitLineage[nu.ID] = u.ID
			if _, err := s.issueLink(q, nu.ID); err != nil {
				return err
			}
			for _, e := range byUnit[u.ID] {
				if !carried(e, excluded) {
					continue
				}
				copies = append(copies, round.Evaluation{RoundID: r.ID, UnitID: nu.ID, Complete: false,
					Answers: e.Answers.Clone(), CreatedAt: now, UpdatedAt: now})
				from = append(from, e.ID)
				if e.Complete {
					recurring++
				} else {
					drafts++
				}
			}
		}
		if err := q.SetUnitLineage(unitLineage); err != nil {
			return err
		}
		if err := q.CreateEvaluations(copies); err != nil {
			return err
		}
		stored, err := q.RoundAnswers(r.ID)
		if err != nil {
			return err
		}
		lineage, err := copiedFrom(copies, from, stored)
		if err != nil {
			return err
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

// copiedFrom pairs the stored copies (of a round that holds nothing else)
// with the evaluations they were copied from: a copy is known by its unit
// and its answers, and copies alike in both are interchangeable. So the
// copies are stored in batches, whatever order the database gives them
// their IDs in.
func copiedFrom(copies []round.Evaluation, from []int64, stored []round.Evaluation) (map[int64]int64, error) {
	waiting := make(map[string][]int64, len(copies))
	for i, c := range copies {
		k := copyKey(c)
		waiting[k] = append(waiting[k], from[i])
	}
	out := make(map[int64]int64, len(stored))
	for _, e := range stored {
		k := copyKey(e)
		if ids := waiting[k]; len(ids) > 0 {
			out[e.ID], waiting[k] = ids[0], ids[1:]
		}
	}
	if len(out) != len(copies) {
		return nil, fmt.Errorf("manage: carry forward: %d of %d copies found again", len(out), len(copies))
	}
	return out, nil
}

// copyKey is an evaluation's unit and answers in one unambiguous string:
// the codes in order, each code and value preceded by its length.
func copyKey(e round.Evaluation) string {
	codes := make([]string, 0, len(e.Answers))
	for c := range e.Answers {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b strings.Builder
	b.WriteString(strconv.FormatInt(e.UnitID, 10))
	for _, c := range codes {
		v := e.Answers[c]
		b.WriteString(";" + strconv.Itoa(len(c)) + ":" + c + strconv.Itoa(len(v)) + ":" + v)
	}
	return b.String()
}
