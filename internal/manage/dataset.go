package manage

import (
	"context"
	"fmt"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// ImportDataset stores an imported dataset in the named round, creating the
// round (with the hourly rate) when it is new. Kommuner and units are matched
// by name and created when missing; evaluations are added. It is one
// transaction: a refused import stores nothing, not even the round.
func (s *Service) ImportDataset(ctx context.Context, actor, roundName string, hourlyRate int64, ds round.Dataset) (round.Round, error) {
	var r round.Round
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		r, err = q.RoundByName(roundName)
		switch {
		case apperror.Code(err) == apperror.NotFound:
			in := RoundInput{Name: roundName, HourlyRate: fmt.Sprint(hourlyRate)}
			if r, err = s.parseRound(in); err != nil {
				return err
			}
			if r, err = q.CreateRound(r); err != nil {
				return err
			}
		case err != nil:
			return err
		case !r.Editable():
			return closedRound(r)
		}
		now := s.Now()
		existingK, err := q.Kommuner(r.ID)
		if err != nil {
			return err
		}
		haveK := map[string]bool{}
		for _, k := range existingK {
			haveK[k.Name] = true
		}
		for _, k := range ds.Kommuner {
			if haveK[k.Name] {
				continue
			}
			k.RoundID = r.ID
			if _, err := q.CreateKommun(k); err != nil {
				return err
			}
			haveK[k.Name] = true
		}
		existingU, err := q.Units(r.ID)
		if err != nil {
			return err
		}
		unitID := map[string]int64{}
		for _, u := range existingU {
			unitID[u.Name] = u.ID
		}
		var evs []round.Evaluation
		for _, ud := range ds.Units {
			id, ok := unitID[ud.Name]
			if !ok {
				u := ud.Unit
				u.RoundID = r.ID
				u.UpdatedAt = now
				if u.Response != round.NoResponse && u.RespondedAt == nil {
					u.RespondedAt = &now
				}
				for _, k := range u.Kommuner {
					if !haveK[k] {
						if _, err := q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k}); err != nil {
							return err
						}
						haveK[k] = true
					}
				}
				created, err := q.CreateUnit(u)
				if err != nil {
					return err
				}
				id = created.ID
				unitID[ud.Name] = id
				if _, err := s.issueLink(q, id); err != nil {
					return err
				}
			} else if len(ud.Evaluations) > 0 && ud.Response != round.NoResponse {
				if err := q.SetUnitResponse(id, ud.Response, ud.Reason, now); err != nil {
					return err
				}
			}
			for _, e := range ud.Evaluations {
				e.ID, e.RoundID, e.UnitID = 0, r.ID, id
				e.CreatedAt, e.UpdatedAt = now, now
				evs = append(evs, e)
			}
		}
		if err := q.CreateEvaluations(evs); err != nil {
			return err
		}
		return q.Audit(event(r.ID, 0, now, actor, "import", "utvarderingar", "",
			fmt.Sprintf("%d kommuner, %d enheter, %d utvärderingar", len(ds.Kommuner), len(ds.Units), len(evs))))
	})
	return r, err
}

// Dataset loads a round for reports and exports. With counting set, only
// what the report counts is included: complete evaluations of units that
// have submitted.
func (s *Service) Dataset(ctx context.Context, roundID int64, counting bool) (round.Round, round.Dataset, error) {
	var (
		r  round.Round
		ds round.Dataset
	)
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if r, err = q.Round(roundID); err != nil {
			return err
		}
		if ds.Kommuner, err = q.Kommuner(roundID); err != nil {
			return err
		}
		units, err := q.Units(roundID)
		if err != nil {
			return err
		}
		evs, err := q.RoundEvaluations(roundID)
		if err != nil {
			return err
		}
		byUnit := map[int64][]round.Evaluation{}
		for _, e := range evs {
			byUnit[e.UnitID] = append(byUnit[e.UnitID], e)
		}
		for _, u := range units {
			ud := round.UnitData{Unit: u}
			for _, e := range byUnit[u.ID] {
				if counting && (!e.Complete || u.Response != round.Submitted) {
					continue
				}
				ud.Evaluations = append(ud.Evaluations, e)
			}
			ds.Units = append(ds.Units, ud)
		}
		return nil
	})
	return r, ds, err
}

// RoundByName finds a round by name.
func (s *Service) RoundByName(ctx context.Context, name string) (round.Round, error) {
	return s.Store.Q(ctx).RoundByName(name)
}
