package manage

import (
	"context"
	"slices"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// The working group's review (design §5, "Review"; REDCap's data
// resolution workflow is the model): after a unit has sent in its list, the
// samordnare, or a projektledare for their own kommun's units, goes through
// its evaluations and either rules one out of the study's scope
// ("utanför avgränsningen", with a reason, until the round is published)
// or asks the unit a question, which the verksamhetschef answers on their
// page (respond.Service.Answer) and the reviewer closes. What may happen
// when is decided in round/rules.go; every step is audited.

// Review filters (ReviewFilter.Status).
const (
	ReviewAll       = ""
	ReviewIncluded  = "med"       // counted in the report
	ReviewExcluded  = "utesluten" // ruled out of scope
	ReviewQuestions = "fragor"    // with an open question
)

// ReviewStatusOption is one choice of the review list's status filter.
type ReviewStatusOption struct {
	Value string
	Label string
}

// ReviewStatuses are the status filter's choices, in the order shown.
func ReviewStatuses() []ReviewStatusOption {
	return []ReviewStatusOption{
		{ReviewAll, "Alla"},
		{ReviewIncluded, "Med i rapporten"},
		{ReviewExcluded, "Utanför avgränsningen"},
		{ReviewQuestions, "Med öppna frågor"},
	}
}

// ReviewFilter narrows the review list.
type ReviewFilter struct {
	Kommun string // "" for every kommun the reviewer sees
	UnitID int64  // 0 for every unit
	Status string // ReviewAll, ReviewIncluded, ReviewExcluded or ReviewQuestions
	Limit  int    // at most this many items (0: all); the counts cover all
}

// ReviewItem is one evaluation under review: a sent-in one, or one with
// questions whatever its state (its unit may have taken its answer back).
type ReviewItem struct {
	Evaluation round.Evaluation // Excluded set when it is out of scope
	Unit       round.Unit
	Standing   round.Standing
	Questions  []round.Question // oldest first
}

// Excluded tells whether the review ruled the evaluation out of scope.
func (i ReviewItem) Excluded() bool { return i.Evaluation.Excluded != nil }

// OpenQuestions counts the evaluation's open questions.
func (i ReviewItem) OpenQuestions() int {
	n := 0
	for _, q := range i.Questions {
		if q.Open() {
			n++
		}
	}
	return n
}

// CorrectedSinceAsked tells whether the evaluation was changed after the
// oldest of its open questions was asked: the unit corrected it.
func (i ReviewItem) CorrectedSinceAsked() bool {
	for _, q := range i.Questions {
		if q.Open() {
			return i.Evaluation.UpdatedAt.After(q.AskedAt)
		}
	}
	return false
}

// StatusLabel is the evaluation's standing in the review, in words.
func (i ReviewItem) StatusLabel() string {
	switch i.Standing {
	case round.Counted:
		return "Med i rapporten"
	case round.OutOfScope:
		return "Utanför avgränsningen"
	}
	return "Inte inskickad"
}

// Status is the evaluation's standing as the command line writes it:
// "med", "utesluten", or "ej inskickad".
func (i ReviewItem) Status() string {
	switch i.Standing {
	case round.Counted:
		return ReviewIncluded
	case round.OutOfScope:
		return ReviewExcluded
	}
	return "ej inskickad"
}

// Review is a round's review list as one reviewer sees it.
type Review struct {
	Round    round.Round
	Filter   ReviewFilter
	Items    []ReviewItem
	Kommuner []string     // the kommuner the reviewer may filter by
	Units    []round.Unit // the units the reviewer may filter by
	// Counts over every item the filter matches (Items may be cut by
	// Filter.Limit), and how many it matched.
	Matched       int
	Included      int
	Excluded      int
	OpenQuestions int
}

// CanExclude tells whether exclusions may be made or undone now.
func (r Review) CanExclude() bool { return r.Round.Allows(round.Exclude) == nil }

// CanAsk tells whether questions may be asked now.
func (r Review) CanAsk() bool { return r.Round.Allows(round.AskQuestion) == nil }

// requireReviewer lets the samordnare and the projektledare review.
func (a Actor) requireReviewer() error {
	if err := a.requireHelper(); err != nil {
		return apperror.New(apperror.Forbidden, "Granskningen görs av samordnaren och projektledarna.")
	}
	return nil
}

// Review lists the round's evaluations under review that the actor may
// see, narrowed by the filter: the samordnare sees every kommun, a
// projektledare their own kommun's units (shared ones included).
func (s *Service) Review(ctx context.Context, actor Actor, roundID int64, f ReviewFilter) (Review, error) {
	if err := actor.requireReviewer(); err != nil {
		return Review{}, err
	}
	known := false
	for _, o := range ReviewStatuses() {
		known = known || o.Value == f.Status
	}
	if !known {
		return Review{}, apperror.New(apperror.Invalid, "Okänd status ”%s”: välj med, utesluten eller fragor.", f.Status)
	}
	var rv Review
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		rv = Review{Round: r, Filter: f}
		kommuner, err := q.Kommuner(roundID)
		if err != nil {
			return err
		}
		for _, k := range kommuner {
			if actor.SeesKommun(k.Name) {
				rv.Kommuner = append(rv.Kommuner, k.Name)
			}
		}
		units, err := q.Units(roundID)
		if err != nil {
			return err
		}
		var chosen []round.Unit
		for _, u := range units {
			if !actor.SeesUnit(u) {
				continue
			}
			rv.Units = append(rv.Units, u)
			if (f.Kommun == "" || slices.Contains(u.Kommuner, f.Kommun)) && (f.UnitID == 0 || f.UnitID == u.ID) {
				chosen = append(chosen, u)
			}
		}
		items, err := reviewItems(q, roundID, chosen, f.Kommun == "" && f.UnitID == 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			switch f.Status {
			case ReviewIncluded:
				if it.Standing != round.Counted {
					continue
				}
			case ReviewExcluded:
				if it.Standing != round.OutOfScope {
					continue
				}
			case ReviewQuestions:
				if it.OpenQuestions() == 0 {
					continue
				}
			}
			rv.Matched++
			switch it.Standing {
			case round.Counted:
				rv.Included++
			case round.OutOfScope:
				rv.Excluded++
			}
			rv.OpenQuestions += it.OpenQuestions()
			if f.Limit == 0 || len(rv.Items) < f.Limit {
				rv.Items = append(rv.Items, it)
			}
		}
		return nil
	})
	return rv, err
}

// reviewItems gathers the units' evaluations under review, in the units'
// order and then the order they were added. whole loads the round's
// evaluations at once rather than unit by unit.
func reviewItems(q *store.Queries, roundID int64, units []round.Unit, whole bool) ([]ReviewItem, error) {
	excluded, err := q.Exclusions(roundID)
	if err != nil {
		return nil, err
	}
	questions, err := q.RoundQuestions(roundID)
	if err != nil {
		return nil, err
	}
	byEval := map[int64][]round.Question{}
	for _, qu := range questions {
		byEval[qu.EvaluationID] = append(byEval[qu.EvaluationID], qu)
	}
	byUnit := map[int64][]round.Evaluation{}
	if whole {
		evs, err := q.RoundEvaluations(roundID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			byUnit[e.UnitID] = append(byUnit[e.UnitID], e)
		}
	} else {
		for _, u := range units {
			if byUnit[u.ID], err = q.UnitEvaluations(u.ID); err != nil {
				return nil, err
			}
		}
	}
	var items []ReviewItem
	for _, u := range units {
		for _, e := range byUnit[u.ID] {
			if x, ok := excluded[e.ID]; ok {
				e.Excluded = &x
			}
			it := ReviewItem{Evaluation: e, Unit: u, Standing: u.Standing(e), Questions: byEval[e.ID]}
			if u.Reviewable(e) || len(it.Questions) > 0 {
				items = append(items, it)
			}
		}
	}
	return items, nil
}

// ReviewPanel is one evaluation's review: the evaluation with its unit and
// questions, and what the reviewer may do now.
type ReviewPanel struct {
	Round round.Round
	ReviewItem
}

// Reviewable tells whether the evaluation is sent in, so reviewed.
func (p ReviewPanel) Reviewable() bool { return p.Unit.Reviewable(p.Evaluation) }

// CanExclude tells whether the evaluation may be ruled out of scope now.
func (p ReviewPanel) CanExclude() bool {
	return p.Unit.AllowsReview(p.Round, round.Exclude, p.Evaluation) == nil
}

// CanInclude tells whether the evaluation's exclusion may be undone now.
func (p ReviewPanel) CanInclude() bool {
	return p.Unit.AllowsReview(p.Round, round.Include, p.Evaluation) == nil
}

// CanAsk tells whether a question about the evaluation may be asked now.
func (p ReviewPanel) CanAsk() bool {
	return p.Unit.AllowsReview(p.Round, round.AskQuestion, p.Evaluation) == nil
}

// CanClose tells whether the question may be closed now.
func (p ReviewPanel) CanClose(q round.Question) bool {
	return q.Allows(p.Round, round.CloseQuestion) == nil
}

// ReviewEvaluation returns one evaluation's review panel.
func (s *Service) ReviewEvaluation(ctx context.Context, actor Actor, roundID, evaluationID int64) (ReviewPanel, error) {
	var p ReviewPanel
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, u, e, err := s.reviewed(q, actor, roundID, evaluationID, false)
		if err != nil {
			return err
		}
		qs, err := q.EvaluationQuestions(e.ID)
		if err != nil {
			return err
		}
		p = ReviewPanel{Round: r, ReviewItem: ReviewItem{Evaluation: e, Unit: u, Standing: u.Standing(e), Questions: qs}}
		return nil
	})
	return p, err
}

// reviewed loads an evaluation of the round that the actor may review,
// with its unit and exclusion. forWrite locks the round and the unit for a
// change (see store.Queries.RoundForWrite and Unit).
func (s *Service) reviewed(q *store.Queries, actor Actor, roundID, evaluationID int64, forWrite bool) (round.Round, round.Unit, round.Evaluation, error) {
	var none round.Evaluation
	if err := actor.requireReviewer(); err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	load := q.Round
	if forWrite {
		load = q.RoundForWrite
	}
	r, err := load(roundID)
	if err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	if err := s.requireRound(q, actor, r); err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	missing := apperror.New(apperror.NotFound, "Utvärderingen finns inte i omgången.")
	found, err := q.EvaluationsByID(roundID, []int64{evaluationID})
	if err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	e, ok := found[evaluationID]
	if !ok {
		return round.Round{}, round.Unit{}, none, missing
	}
	u, err := q.Unit(e.UnitID)
	if err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	if !actor.SeesUnit(u) {
		return round.Round{}, round.Unit{}, none, missing
	}
	if e.Excluded, err = q.Exclusion(e.ID); err != nil {
		return round.Round{}, round.Unit{}, none, err
	}
	return r, u, e, nil
}

// Exclude rules a sent-in evaluation out of the study's scope: it then
// counts nowhere in the report, which lists it with the reason.
func (s *Service) Exclude(ctx context.Context, actor Actor, roundID, evaluationID int64, reason string) error {
	reason, err := round.ExclusionReason(reason)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, e, err := s.reviewed(q, actor, roundID, evaluationID, true)
		if err != nil {
			return err
		}
		if err := u.AllowsReview(r, round.Exclude, e); err != nil {
			return err
		}
		now := s.Now()
		if err := q.Exclude(r.ID, e.ID, round.Exclusion{Reason: reason, By: actor.Name(), At: now}); err != nil {
			return err
		}
		return q.Audit(reviewEvent(r.ID, u.ID, e.ID, now, actor.Name(), "granskning_utesluten", "skal", "", reason))
	})
}

// Include takes an excluded evaluation back into the report ("ta med
// igen"), until the round is published.
func (s *Service) Include(ctx context.Context, actor Actor, roundID, evaluationID int64) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, e, err := s.reviewed(q, actor, roundID, evaluationID, true)
		if err != nil {
			return err
		}
		if err := u.AllowsReview(r, round.Include, e); err != nil {
			return err
		}
		now := s.Now()
		if err := q.Include(e.ID); err != nil {
			return err
		}
		return q.Audit(reviewEvent(r.ID, u.ID, e.ID, now, actor.Name(), "granskning_medtagen", "skal", e.Excluded.Reason, ""))
	})
}

// Ask opens a question to the unit about one of its sent-in evaluations;
// the verksamhetschef sees it on their page.
func (s *Service) Ask(ctx context.Context, actor Actor, roundID, evaluationID int64, text string) (round.Question, error) {
	text, err := round.QuestionText(text)
	if err != nil {
		return round.Question{}, err
	}
	var out round.Question
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, e, err := s.reviewed(q, actor, roundID, evaluationID, true)
		if err != nil {
			return err
		}
		if err := u.AllowsReview(r, round.AskQuestion, e); err != nil {
			return err
		}
		now := s.Now()
		if out, err = q.CreateQuestion(round.Question{RoundID: r.ID, UnitID: u.ID, EvaluationID: e.ID,
			AskedBy: actor.Name(), Text: text, AskedAt: now}); err != nil {
			return err
		}
		return q.Audit(reviewEvent(r.ID, u.ID, e.ID, now, actor.Name(), "fraga_stalld", "fraga", "", text))
	})
	return out, err
}

// CloseQuestion closes a question once the reviewer is satisfied with the
// answer or the correction, and returns it closed.
func (s *Service) CloseQuestion(ctx context.Context, actor Actor, roundID, questionID int64) (round.Question, error) {
	var out round.Question
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		qu, err := q.Question(questionID)
		if err != nil {
			return err
		}
		if qu.RoundID != roundID {
			return apperror.New(apperror.NotFound, "Frågan finns inte i omgången.")
		}
		r, u, e, err := s.reviewed(q, actor, roundID, qu.EvaluationID, true)
		if err != nil {
			if apperror.Code(err) == apperror.NotFound {
				return apperror.New(apperror.NotFound, "Frågan finns inte.")
			}
			return err
		}
		if err := qu.Allows(r, round.CloseQuestion); err != nil {
			return err
		}
		now := s.Now()
		if err := q.CloseQuestion(qu.ID, actor.Name(), now); err != nil {
			return err
		}
		qu.ClosedBy, qu.ClosedAt = actor.Name(), &now
		out = qu
		return q.Audit(reviewEvent(r.ID, u.ID, e.ID, now, actor.Name(), "fraga_avslutad", "fraga", qu.Text, ""))
	})
	return out, err
}

func reviewEvent(roundID, unitID, evaluationID int64, at time.Time, actor, action, field, old, new string) store.AuditEvent {
	ev := event(roundID, unitID, at, actor, action, field, old, new)
	ev.EvaluationID = &evaluationID
	return ev
}
