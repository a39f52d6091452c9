package manage

import (
	"context"
	"fmt"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// AddUnits registers many units at once (an uploaded enheter sheet), each
// with a personal link, all or none. Each unit is checked by
// round.NormalizeUnit against the round's kommuner. A projektledare may
// only register units that include their own kommun.
func (s *Service) AddUnits(ctx context.Context, actor Actor, roundID int64, units []round.Unit) (int, error) {
	for _, u := range units {
		if !actor.SeesUnit(u) {
			return 0, apperror.New(apperror.Forbidden, "Enheten ”%s” hör inte till %s; du kan bara registrera enheter i din egen kommun.", u.Name, actor.Kommun)
		}
	}
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForWrite(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		if err := r.Allows(round.ManageUnits); err != nil {
			return err
		}
		names, err := kommunNames(q, roundID)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, u := range units {
			// The sheet was read by the same rules; here its kommuner meet
			// the round's.
			if u, err = round.NormalizeUnit(u, names); err != nil {
				return apperror.New(apperror.Invalid, "Enheten ”%s”: %s", u.Name, apperror.Message(err))
			}
			if !actor.SeesUnit(u) {
				return apperror.New(apperror.Forbidden, "Enheten ”%s” hör inte till %s; du kan bara registrera enheter i din egen kommun.", u.Name, actor.Kommun)
			}
			u.RoundID, u.UpdatedAt = roundID, now
			if u.Answered() {
				u.RespondedAt = &now
			}
			created, err := q.CreateUnit(u)
			if err != nil {
				return err
			}
			if _, err := s.issueLink(q, created.ID); err != nil {
				return err
			}
		}
		return q.Audit(event(roundID, 0, now, actor.Name(), "enheter_uppladdade", "enheter", "", fmt.Sprint(len(units))))
	})
	if err != nil {
		return 0, err
	}
	return len(units), nil
}
