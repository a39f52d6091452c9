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

// OpenQuestion is a review question still open, with what it concerns.
type OpenQuestion struct {
	round.Question
	Unit       round.Unit
	Evaluation string // the evaluation's name
}

// StateChange is what changing a round's state would do, shown before the
// samordnare confirms: closing lists the units whose evaluations were
// entered but never sent in, and the review's questions still open (the
// units cannot answer them once the round is closed).
type StateChange struct {
	Round         round.Round
	To            round.State
	Unsubmitted   []Unsubmitted
	Evaluations   int // evaluations the report would leave out, summed over Unsubmitted
	OpenQuestions []OpenQuestion
}

// Warns tells whether the change needs the samordnare to confirm it.
func (c StateChange) Warns() bool {
	return c.To == round.Closed && (len(c.Unsubmitted) > 0 || len(c.OpenQuestions) > 0)
}

// Shown is what the samordnare was shown before confirming a state change:
// the units left out (Unsubmitted) and the open questions, by ID.
type Shown struct {
	Units     []int64
	Questions []int64
}

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
	byID := make(map[int64]round.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
		if n := counts[u.ID]; n > 0 && u.Response != round.Submitted {
			ch.Unsubmitted = append(ch.Unsubmitted, Unsubmitted{Unit: u, Evaluations: n})
			ch.Evaluations += n
		}
	}
	questions, err := q.RoundQuestions(r.ID)
	if err != nil {
		return ch, err
	}
	var ids []int64
	for _, qu := range questions {
		if qu.Open() {
			ids = append(ids, qu.EvaluationID)
		}
	}
	evs, err := q.EvaluationsByID(r.ID, ids)
	if err != nil {
		return ch, err
	}
	for _, qu := range questions {
		if qu.Open() {
			ch.OpenQuestions = append(ch.OpenQuestions, OpenQuestion{Question: qu, Unit: byID[qu.UnitID], Evaluation: evs[qu.EvaluationID].Title()})
		}
	}
	return ch, nil
}

// SetState moves a round to another state (round.Round.CanBecome says which
// moves there are) and returns what the move left out. The round's row is
// locked first, so the change waits for every save that read the round as
// open and every later save sees the new state (store.RoundForWrite).
func (s *Service) SetState(ctx context.Context, actor Actor, roundID int64, to round.State) (StateChange, error) {
	ch, _, err := s.move(ctx, actor, roundID, to, func(StateChange) bool { return true })
	return ch, err
}

// SetStateConfirmed is ConfirmState for a samordnare who was shown the
// units in shown and no open questions.
func (s *Service) SetStateConfirmed(ctx context.Context, actor Actor, roundID int64, to round.State, shown []int64) (StateChange, bool, error) {
	return s.ConfirmState(ctx, actor, roundID, to, Shown{Units: shown})
}

// ConfirmState is SetState after the samordnare has been shown what the
// move leaves out and confirmed it: shown is what they were shown
// (PreviewState's Unsubmitted and OpenQuestions). If the move would now
// leave out a unit they were not shown (one saved a draft meanwhile), or
// leave open a question they were not shown, nothing changes and done is
// false: the returned StateChange is what to show them instead. The check
// and the move are one transaction.
func (s *Service) ConfirmState(ctx context.Context, actor Actor, roundID int64, to round.State, shown Shown) (StateChange, bool, error) {
	seen := make(map[int64]bool, len(shown.Units))
	for _, id := range shown.Units {
		seen[id] = true
	}
	seenQ := make(map[int64]bool, len(shown.Questions))
	for _, id := range shown.Questions {
		seenQ[id] = true
	}
	return s.move(ctx, actor, roundID, to, func(ch StateChange) bool {
		if !ch.Warns() {
			return true
		}
		for _, u := range ch.Unsubmitted {
			if !seen[u.Unit.ID] {
				return false
			}
		}
		for _, q := range ch.OpenQuestions {
			if !seenQ[q.ID] {
				return false
			}
		}
		return true
	})
}

// move changes the round's state if ok accepts what the change leaves out;
// done tells whether it did.
func (s *Service) move(ctx context.Context, actor Actor, roundID int64, to round.State, ok func(StateChange) bool) (ch StateChange, done bool, err error) {
	if err := actor.requireCoordinator(); err != nil {
		return StateChange{}, false, err
	}
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
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
		if !ok(ch) {
			return nil
		}
		if err := q.SetRoundState(roundID, to); err != nil {
			return err
		}
		done = true
		return q.Audit(event(roundID, 0, s.Now(), actor.Name(), "omgang_status", "status", string(r.State), string(to)))
	})
	if err != nil {
		return StateChange{}, false, err
	}
	return ch, done, nil
}

// Move is a state the round may move to now, with the words of the button
// that moves it there.
type Move struct {
	To    round.State
	Label string
}

// Moves lists the state changes the round allows now
// (round.Round.CanBecome), in the order a round goes through them.
func Moves(r round.Round) []Move {
	var out []Move
	for _, m := range []Move{
		{round.Closed, "Stäng omgången"},
		{round.Open, "Öppna omgången igen"},
		{round.Published, "Publicera rapporten"},
	} {
		if r.CanBecome(m.To) == nil {
			out = append(out, m)
		}
	}
	return out
}
