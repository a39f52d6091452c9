package manage

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// UnitsPerPage is how many units the progress page lists at a time.
const UnitsPerPage = 50

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

// DeclineReason is why the unit declined, "" when it has not.
func (u UnitStatus) DeclineReason() string {
	if u.Progress != round.ProgressDeclined {
		return ""
	}
	return u.Reason
}

// KommunStatus totals a kommun's units by progress.
type KommunStatus struct {
	round.Kommun
	Units       int
	Answered    int // submitted, "inga utvärderingar" or declined
	Evaluations int
	ByProgress  map[round.Progress]int
	// OpenQuestions counts the review's open questions to the kommun's
	// units (a shared unit's in each of its kommuner).
	OpenQuestions int
}

// AnsweredShare is the share of the kommun's units that have answered, and
// false when it has no units.
func (k KommunStatus) AnsweredShare() (float64, bool) {
	if k.Units == 0 {
		return 0, false
	}
	return float64(k.Answered) / float64(k.Units), true
}

// OverviewFilter narrows the progress page's list of units. The zero value
// lists every unit the actor sees, from the first page.
type OverviewFilter struct {
	Kommun string         // units of this kommun, shared ones included
	Status round.Progress // units at this step
	Omrade string         // units of this område
	Search string         // part of the unit's name, its chef's name or e-mail
	Page   int            // 1-based; below 1 is the first page, beyond the last the last
}

// Active tells whether the filter narrows the list at all (the page aside).
func (f OverviewFilter) Active() bool {
	return f.Kommun != "" || f.Status != "" || f.Omrade != "" || f.Search != ""
}

// Overview is a round's progress page: every kommun the actor sees with its
// units counted by progress, and one page of the units the filter selects.
type Overview struct {
	Round round.Round
	// Kommuner: the lowest share of answered units first (kommuner without
	// units before them), then by name.
	Kommuner []KommunStatus
	Steps    []round.Progress // the progress steps in order, for tables
	// Totals counts every unit the actor sees by progress, a shared unit
	// once; UnitCount, Answered and Evaluations likewise.
	Totals      map[round.Progress]int
	UnitCount   int
	Answered    int
	Evaluations int
	// OpenQuestions counts the review's open questions to the units the
	// actor sees (each once).
	OpenQuestions int
	// KommunNames and Omraden are what the list can be filtered by, in
	// Swedish alphabetical order.
	KommunNames []string
	Omraden     []string

	Filter  OverviewFilter // as applied: trimmed, its page within range
	Matches int            // units the filter selects
	Pages   int            // pages of UnitsPerPage units (at least 1)
	Units   []UnitStatus   // the filter's page of units
}

// First and Last are the positions (1-based) among the selected units of
// the first and last unit on the page; 0 when there are none.
func (o Overview) First() int {
	if len(o.Units) == 0 {
		return 0
	}
	return (o.Filter.Page-1)*UnitsPerPage + 1
}

// Last: see First.
func (o Overview) Last() int {
	if len(o.Units) == 0 {
		return 0
	}
	return o.First() + len(o.Units) - 1
}

// CanInvite tells whether invitations and reminders may be sent now.
func (o Overview) CanInvite() bool { return o.Round.Allows(round.Invite) == nil }

// CanManageUnits tells whether units may be registered, corrected or
// deleted now.
func (o Overview) CanManageUnits() bool { return o.Round.Allows(round.ManageUnits) == nil }

// Overview loads a round's progress page: the kommuner's totals, and the
// page of units the filter selects, filtered, counted and paged by the
// database. A projektledare sees their own kommun and its units only (a
// shared unit included), whatever the filter says; a filter naming a kommun
// they do not see, or an unknown step, is refused.
func (s *Service) Overview(ctx context.Context, actor Actor, roundID int64, f OverviewFilter) (Overview, error) {
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
		ov = Overview{Round: r, Steps: round.ProgressSteps, Totals: map[round.Progress]int{}}
		for _, k := range ks {
			if actor.SeesKommun(k.Name) {
				ov.Kommuner = append(ov.Kommuner, KommunStatus{Kommun: k, ByProgress: map[round.Progress]int{}})
				ov.KommunNames = append(ov.KommunNames, k.Name)
			}
		}
		f, err = normalizeFilter(f, ov.KommunNames)
		if err != nil {
			return err
		}
		if err := ov.count(q, actor); err != nil {
			return err
		}
		scope := unitScope(actor, roundID)
		if ov.Omraden, err = q.Omraden(scope); err != nil {
			return err
		}
		uq := selection(scope, f)
		if ov.Matches, err = q.CountUnits(uq); err != nil {
			return err
		}
		ov.Pages = max(1, (ov.Matches+UnitsPerPage-1)/UnitsPerPage)
		f.Page = min(max(f.Page, 1), ov.Pages)
		uq.Limit, uq.Offset = UnitsPerPage, (f.Page-1)*UnitsPerPage
		units, err := q.QueryUnits(uq)
		if err != nil {
			return err
		}
		ids := make([]int64, len(units))
		for i, u := range units {
			ids[i] = u.ID
		}
		links, err := q.ActiveLinksOf(ids)
		if err != nil {
			return err
		}
		ov.Units = s.unitStatuses(r, units, links)
		ov.Filter = f
		return nil
	})
	if err != nil {
		return Overview{}, err
	}
	col := collate.New(language.Swedish)
	col.SortStrings(ov.KommunNames)
	col.SortStrings(ov.Omraden)
	sortByAnswered(col, ov.Kommuner)
	return ov, nil
}

// ProgressList is every unit a filter selects (its page aside), for the
// progress workbook and the links list.
type ProgressList struct {
	Round  round.Round
	Filter OverviewFilter // as applied
	Units  []UnitStatus   // in the progress page's order
}

// ProgressList loads every unit the filter selects, by the progress page's
// rules (Overview): a projektledare gets their own kommun's units only.
func (s *Service) ProgressList(ctx context.Context, actor Actor, roundID int64, f OverviewFilter) (ProgressList, error) {
	var pl ProgressList
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
		var seen []string
		for _, k := range ks {
			if actor.SeesKommun(k.Name) {
				seen = append(seen, k.Name)
			}
		}
		if f, err = normalizeFilter(f, seen); err != nil {
			return err
		}
		f.Page = 0
		units, err := q.QueryUnits(selection(unitScope(actor, roundID), f))
		if err != nil {
			return err
		}
		links, err := q.ActiveLinks(roundID)
		if err != nil {
			return err
		}
		pl = ProgressList{Round: r, Filter: f, Units: s.unitStatuses(r, units, links)}
		return nil
	})
	return pl, err
}

// normalizeFilter trims the filter's text and refuses a kommun outside
// kommuner (those the actor sees) and an unknown step.
func normalizeFilter(f OverviewFilter, kommuner []string) (OverviewFilter, error) {
	f.Kommun = strings.TrimSpace(f.Kommun)
	f.Omrade = strings.TrimSpace(f.Omrade)
	f.Search = strings.Join(strings.Fields(f.Search), " ")
	if len([]rune(f.Search)) > 200 {
		f.Search = string([]rune(f.Search)[:200])
	}
	if f.Kommun != "" && !slices.Contains(kommuner, f.Kommun) {
		return f, apperror.New(apperror.Invalid, "Kommunen ”%s” finns inte bland kommunerna du ser i omgången. Välj en kommun i listan.", f.Kommun)
	}
	if f.Status != "" && !slices.Contains(round.ProgressSteps, f.Status) {
		return f, apperror.New(apperror.Invalid, "Det finns ingen status ”%s”. Välj en status i listan.", f.Status)
	}
	return f, nil
}

// unitScope is every unit of the round the actor sees: a projektledare's
// own kommun's, shared ones included.
func unitScope(actor Actor, roundID int64) store.UnitQuery {
	q := store.UnitQuery{RoundID: roundID}
	if !actor.Coordinator() {
		q.Members = []string{actor.Kommun}
	}
	return q
}

// selection narrows the actor's scope by the filter.
func selection(scope store.UnitQuery, f OverviewFilter) store.UnitQuery {
	q := scope
	q.Members = slices.Clone(scope.Members)
	if f.Kommun != "" && !slices.Contains(q.Members, f.Kommun) {
		q.Members = append(q.Members, f.Kommun)
	}
	q.Omrade, q.Search = f.Omrade, f.Search
	if f.Status != "" {
		q.Facts = []store.ProgressFacts{}
		for _, facts := range everyProgressFacts() {
			if progressOf(facts) == f.Status {
				q.Facts = append(q.Facts, facts)
			}
		}
	}
	return q
}

// everyProgressFacts lists every combination of what a unit's progress is
// derived from.
func everyProgressFacts() []store.ProgressFacts {
	var out []store.ProgressFacts
	for _, resp := range []round.Response{round.NoResponse, round.Submitted, round.NoEvaluations, round.Declined} {
		for _, evals := range []bool{false, true} {
			for _, opened := range []bool{false, true} {
				for _, invited := range []bool{false, true} {
					out = append(out, store.ProgressFacts{Response: string(resp), HasEvaluations: evals, Opened: opened, Invited: invited})
				}
			}
		}
	}
	return out
}

// factsUnit is a unit with these facts, and its number of evaluations, so
// that the round's rules (round.ProgressOf, Unit.Answered) judge it.
func factsUnit(f store.ProgressFacts) (round.Unit, int) {
	u := round.Unit{Response: round.Response(f.Response)}
	var at time.Time
	if f.Opened {
		u.OpenedAt = &at
	}
	if f.Invited {
		u.InvitedAt = &at
	}
	if f.HasEvaluations {
		return u, 1
	}
	return u, 0
}

// progressOf is the step of a unit with these facts.
func progressOf(f store.ProgressFacts) round.Progress { return round.ProgressOf(factsUnit(f)) }

// answered tells whether a unit with these facts has answered as a whole.
func answered(f store.ProgressFacts) bool {
	u, _ := factsUnit(f)
	return u.Answered()
}

// count totals the kommuner's units by progress, and every unit the actor
// sees: for a projektledare those of their kommun, for the samordnare each
// unit once, in its first member kommun.
func (ov *Overview) count(q *store.Queries, actor Actor) error {
	counts, err := q.KommunFactCounts(ov.Round.ID)
	if err != nil {
		return err
	}
	byID := make(map[int64]*KommunStatus, len(ov.Kommuner))
	for i := range ov.Kommuner {
		byID[ov.Kommuner[i].ID] = &ov.Kommuner[i]
	}
	for _, c := range counts {
		p, done := progressOf(c.ProgressFacts), answered(c.ProgressFacts)
		units, evaluations := c.First, c.FirstEvaluations
		if !actor.Coordinator() {
			units, evaluations = 0, 0
		}
		if k := byID[c.KommunID]; k != nil {
			k.Units += c.Units
			k.Evaluations += c.Evaluations
			k.ByProgress[p] += c.Units
			if done {
				k.Answered += c.Units
			}
			if !actor.Coordinator() {
				units, evaluations = c.Units, c.Evaluations
			}
		}
		ov.Totals[p] += units
		ov.UnitCount += units
		ov.Evaluations += evaluations
		if done {
			ov.Answered += units
		}
	}
	questions, err := q.KommunOpenQuestions(ov.Round.ID)
	if err != nil {
		return err
	}
	for _, c := range questions {
		n := c.First
		if k := byID[c.KommunID]; k != nil {
			k.OpenQuestions += c.Questions
			if !actor.Coordinator() {
				n = c.Questions
			}
		} else if !actor.Coordinator() {
			n = 0
		}
		ov.OpenQuestions += n
	}
	return nil
}

// sortByAnswered puts the kommuner that most need a reminder first: those
// without units, then by the share of units that have answered, lowest
// first, then by name.
func sortByAnswered(col *collate.Collator, ks []KommunStatus) {
	slices.SortStableFunc(ks, func(a, b KommunStatus) int {
		sa, oka := a.AnsweredShare()
		sb, okb := b.AnsweredShare()
		switch {
		case oka != okb && !oka:
			return -1
		case oka != okb:
			return 1
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return col.CompareString(a.Name, b.Name)
	})
}

// unitStatuses are the units' lines: progress, link, and whether the link
// may be marked as sent by hand.
func (s *Service) unitStatuses(r round.Round, units []store.UnitProgress, links map[int64]store.Link) []UnitStatus {
	out := make([]UnitStatus, len(units))
	for i, u := range units {
		st := UnitStatus{Unit: u.Unit, Evaluations: u.Evaluations, Progress: round.ProgressOf(u.Unit, u.Evaluations), OpenQuestions: u.OpenQuestions}
		if l, ok := links[u.ID]; ok {
			st.Link = s.LinkURL(s.Keys.Token(l.Nonce))
		}
		st.ByHand = u.ChefEmail == "" && u.InvitedAt == nil && st.Link != "" && u.Can(r, round.Invite)
		out[i] = st
	}
	return out
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
