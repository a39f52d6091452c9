package manage

import (
	"context"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// UnitStatus is one unit's line on the progress page.
type UnitStatus struct {
	round.Unit
	Progress    round.Progress
	Evaluations int
	Link        string // full personal link, "" when none is active
	// ByHand: the unit has no e-mail address and has not been invited,
	// but may be: the projektledare sends its link by hand and marks it
	// sent.
	ByHand bool
	// OpenQuestions counts the review's questions to the unit still open.
	OpenQuestions int
}

// KommunStatus totals a kommun's units by progress.
type KommunStatus struct {
	round.Kommun
	Units       int
	Answered    int // submitted, "inga utvärderingar" or declined
	Evaluations int
	ByProgress  map[round.Progress]int
	// OpenQuestions counts the review's open questions to the kommun's
	// units (a shared unit's in each member kommun).
	OpenQuestions int
}

// Overview is a round with its kommuner and units' progress.
type Overview struct {
	Round    round.Round
	Kommuner []KommunStatus
	Units    []UnitStatus
	Totals   map[round.Progress]int
	Steps    []round.Progress // the progress steps in order, for tables
	// OpenQuestions counts the review's open questions to the units shown
	// (each once).
	OpenQuestions int
}

// CanInvite tells whether invitations and reminders may be sent now.
func (o Overview) CanInvite() bool { return o.Round.Allows(round.Invite) == nil }

// CanManageUnits tells whether units may be registered, corrected or
// deleted now.
func (o Overview) CanManageUnits() bool { return o.Round.Allows(round.ManageUnits) == nil }

// Overview loads a round's progress page.
// A projektledare sees their own kommun and its units only.
func (s *Service) Overview(ctx context.Context, actor Actor, roundID int64) (Overview, error) {
	var ov Overview
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
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
		questions, err := q.OpenQuestionCounts(roundID)
		if err != nil {
			return err
		}
		ov = Overview{Round: r, Totals: map[round.Progress]int{}, Steps: round.ProgressSteps}
		perKommun := map[string]*KommunStatus{}
		for _, k := range ks {
			if actor.SeesKommun(k.Name) {
				ov.Kommuner = append(ov.Kommuner, KommunStatus{Kommun: k, ByProgress: map[round.Progress]int{}})
			}
		}
		for i := range ov.Kommuner {
			perKommun[ov.Kommuner[i].Name] = &ov.Kommuner[i]
		}
		for _, u := range units {
			if !actor.SeesUnit(u) {
				continue
			}
			st := UnitStatus{Unit: u, Evaluations: counts[u.ID], Progress: round.ProgressOf(u, counts[u.ID]), OpenQuestions: questions[u.ID]}
			ov.OpenQuestions += st.OpenQuestions
			if l, ok := links[u.ID]; ok {
				st.Link = s.LinkURL(s.Keys.Token(l.Nonce))
			}
			st.ByHand = u.ChefEmail == "" && u.InvitedAt == nil && st.Link != "" && u.Can(r, round.Invite)
			ov.Units = append(ov.Units, st)
			ov.Totals[st.Progress]++
			for _, k := range u.Kommuner {
				if ks := perKommun[k]; ks != nil {
					ks.Units++
					ks.Evaluations += st.Evaluations
					ks.OpenQuestions += st.OpenQuestions
					ks.ByProgress[st.Progress]++
					if u.Answered() {
						ks.Answered++
					}
				}
			}
		}
		return nil
	})
	return ov, err
}

// Rounds lists the rounds the actor takes part in, newest first: all for a
// samordnare, those of their kommun for a projektledare, published ones for
// the styrgrupp.
func (s *Service) Rounds(ctx context.Context, actor Actor) ([]round.Round, error) {
	var out []round.Round
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		all, err := q.Rounds()
		if err != nil {
			return err
		}
		for _, r := range all {
			if s.requireRound(q, actor, r) == nil {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// ReportRounds lists the rounds whose report the actor may read: every
// round for the samordnare, published ones for everyone else.
func (s *Service) ReportRounds(ctx context.Context, actor Actor) ([]round.Round, error) {
	rs, err := s.Rounds(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []round.Round
	for _, r := range rs {
		if actor.SeesReport(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Round returns one round the actor takes part in.
func (s *Service) Round(ctx context.Context, actor Actor, id int64) (round.Round, error) {
	var r round.Round
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if r, err = q.Round(id); err != nil {
			return err
		}
		return s.requireRound(q, actor, r)
	})
	return r, err
}

// requireRound lets a samordnare into any round, a projektledare into rounds
// where their kommun takes part, and the styrgrupp into published rounds.
func (s *Service) requireRound(q *store.Queries, actor Actor, r round.Round) error {
	switch actor.Role {
	case staff.Samordnare:
		return nil
	case staff.Projektledare:
		ks, err := q.Kommuner(r.ID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if k.Name == actor.Kommun {
				return nil
			}
		}
	case staff.Styrgrupp:
		if actor.SeesReport(r) {
			return nil
		}
		return apperror.New(apperror.NotFound, "Rapporten finns inte, eller är inte publicerad ännu. Samordnaren publicerar den när omgången är stängd; då finns den under Rapporter.")
	}
	return apperror.New(apperror.NotFound, "Omgången finns inte.")
}

// Unit returns one unit the actor may see.
func (s *Service) Unit(ctx context.Context, actor Actor, id int64) (round.Unit, error) {
	u, err := s.Store.Q(ctx).Unit(id)
	if err != nil {
		return round.Unit{}, err
	}
	return u, actor.requireUnit(u)
}
