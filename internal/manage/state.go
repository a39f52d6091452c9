package manage

import (
	"context"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Unsubmitted is a unit that has evaluations in its list but has not sent
// them in: if the round closes now, the report leaves them out.
type Unsubmitted struct {
	Unit        round.Unit
	Evaluations int // evaluations in the unit's list (complete or draft)
}

// StateChange is what changing a round's state would do, shown before the
// samordnare confirms: closing lists the units whose evaluations were
// entered but never sent in.
type StateChange struct {
	Round       round.Round
	To          round.State
	Unsubmitted []Unsubmitted
	Evaluations int // evaluations the report would leave out, summed over Unsubmitted
}

// Warns tells whether the change needs the samordnare to confirm it.
func (c StateChange) Warns() bool { return c.To == round.Closed && len(c.Unsubmitted) > 0 }

// PreviewState checks that the round may move to the state and says what
// the move would leave out. Nothing is changed.
func (s *Service) PreviewState(ctx context.Context, actor Actor, roundID int64, to round.State) (StateChange, error) {
	if err := actor.requireCoordinator(); err != nil {
		return StateChange{}, err
	}
	var ch StateChange
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := r.CanBecome(to); err != nil {
			return err
		}
		ch, err = stateChange(q, r, to)
		return err
	})
	return ch, err
}

func stateChange(q *store.Queries, r round.Round, to round.State) (StateChange, error) {
	ch := StateChange{Round: r, To: to}
	if to != round.Closed {
		return ch, nil
	}
	units, err := q.Units(r.ID)
	if err != nil {
		return ch, err
	}
	counts, err := q.EvaluationCounts(r.ID)
	if err != nil {
		return ch, err
	}
	for _, u := range units {
		if n := counts[u.ID]; n > 0 && u.Response != round.Submitted {
			ch.Unsubmitted = append(ch.Unsubmitted, Unsubmitted{Unit: u, Evaluations: n})
			ch.Evaluations += n
		}
	}
	return ch, nil
}

// SetState moves a round to another state (round.Round.CanBecome says which
// moves there are) and returns what the move left out. The round's row is
// locked first, so the change waits for every save that read the round as
// open and every later save sees the new state (store.RoundForWrite).
func (s *Service) SetState(ctx context.Context, actor Actor, roundID int64, to round.State) (StateChange, error) {
	if err := actor.requireCoordinator(); err != nil {
		return StateChange{}, err
	}
	var ch StateChange
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForUpdate(roundID)
		if err != nil {
			return err
		}
		if err := r.CanBecome(to); err != nil {
			return err
		}
		if ch, err = stateChange(q, r, to); err != nil {
			return err
		}
		if err := q.SetRoundState(roundID, to); err != nil {
			return err
		}
		return q.Audit(event(roundID, 0, s.Now(), actor.Name(), "omgang_status", "status", string(r.State), string(to)))
	})
	return ch, err
}
