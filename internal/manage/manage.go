// Package manage is what staff do to a round: create it and its kommuner,
// register units and their verksamhetschefer, issue and revoke personal
// links, follow progress, change the round's state, and move a whole round
// in and out as a dataset (import, export, report input).
package manage

import (
	"context"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Service carries out staff actions on rounds.
type Service struct {
	Store   *store.Store
	Keys    round.LinkKey
	BaseURL string // e.g. http://localhost:8080, for full links
	Now     func() time.Time
}

// RoundInput is a new round as typed by a samordnare.
type RoundInput struct {
	Name       string
	HourlyRate string
	OpensOn    string
	Deadline   string
	// PopulationSource says where the populations come from and when,
	// e.g. "SCB 2009-12-31"; optional.
	PopulationSource string
}

// CreateRound validates and stores a new round.
func (s *Service) CreateRound(ctx context.Context, actor Actor, in RoundInput) (round.Round, error) {
	if err := actor.requireCoordinator(); err != nil {
		return round.Round{}, err
	}
	r, err := s.parseRound(in)
	if err != nil {
		return round.Round{}, err
	}
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err = q.CreateRound(r)
		if err != nil {
			return err
		}
		return q.Audit(event(r.ID, 0, s.Now(), actor.Name(), "omgang_skapad", "namn", "", r.Name))
	})
	return r, err
}

func (s *Service) parseRound(in RoundInput) (round.Round, error) {
	name := strings.Join(strings.Fields(in.Name), " ")
	if name == "" {
		return round.Round{}, apperror.New(apperror.Invalid, "Ge omgången ett namn, till exempel ”Resultatstyrning 2009”.")
	}
	if len([]rune(name)) > 200 {
		return round.Round{}, apperror.New(apperror.Invalid, "Omgångens namn är för långt: högst 200 tecken.")
	}
	rate := int64(round.DefaultHourlyRate)
	if strings.TrimSpace(in.HourlyRate) != "" {
		n, err := form.ParseNumber(in.HourlyRate, 0)
		if err != nil || n.Units <= 0 || n.Units > 100000 {
			return round.Round{}, apperror.New(apperror.Invalid, "Timkostnaden ska vara ett heltal i kronor, till exempel 280.")
		}
		rate = n.Units
	}
	for _, d := range []string{in.OpensOn, in.Deadline} {
		if d = strings.TrimSpace(d); d != "" {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return round.Round{}, apperror.New(apperror.Invalid, "Datumet ”%s” ska skrivas ÅÅÅÅ-MM-DD, till exempel 2009-12-18.", d)
			}
		}
	}
	src, err := parsePopulationSource(in.PopulationSource)
	if err != nil {
		return round.Round{}, err
	}
	return round.Round{Name: name, HourlyRate: rate, OpensOn: strings.TrimSpace(in.OpensOn),
		Deadline: strings.TrimSpace(in.Deadline), State: round.Open, CreatedAt: s.Now(), PopulationSource: src}, nil
}

// maxPopulationSource is the most characters of a population source.
const maxPopulationSource = 300

func parsePopulationSource(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if n := len([]rune(s)); n > maxPopulationSource {
		return "", apperror.New(apperror.Invalid, "Källan för invånarantalen är för lång: %d tecken, högst %d.", n, maxPopulationSource)
	}
	return s, nil
}

// SetPopulationSource records where the round's populations come from and
// when, e.g. "SCB 2009-12-31"; the report states it beside every cost per
// inhabitant. Like the report's other words it may change until the report
// is published.
func (s *Service) SetPopulationSource(ctx context.Context, actor Actor, roundID int64, source string) error {
	if err := actor.requireCoordinator(); err != nil {
		return err
	}
	src, err := parsePopulationSource(source)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForUpdate(roundID)
		if err != nil {
			return err
		}
		if err := r.Allows(round.WriteReportTexts); err != nil {
			return err
		}
		if r.PopulationSource == src {
			return nil
		}
		if err := q.SetPopulationSource(roundID, src); err != nil {
			return err
		}
		return q.Audit(event(roundID, 0, s.Now(), actor.Name(), "invanarkalla_andrad", "invanarkalla", r.PopulationSource, src))
	})
}

// KommunInput is a participating kommun as typed by the samordnare.
type KommunInput struct {
	Name       string
	Population string // blank: unknown
	Kommunkod  string // blank: none (see round.ParseKommunkod)
}

// AddKommun adds a participating kommun; population may be blank (unknown).
func (s *Service) AddKommun(ctx context.Context, actor Actor, roundID int64, name, population string) (round.Kommun, error) {
	return s.AddKommunWith(ctx, actor, roundID, KommunInput{Name: name, Population: population})
}

// AddKommunWith adds a participating kommun with its population and SCB
// kommunkod, both optional. A code another kommun of the round has is
// refused.
func (s *Service) AddKommunWith(ctx context.Context, actor Actor, roundID int64, in KommunInput) (round.Kommun, error) {
	if err := actor.requireCoordinator(); err != nil {
		return round.Kommun{}, err
	}
	name := strings.Join(strings.Fields(in.Name), " ")
	if name == "" {
		return round.Kommun{}, apperror.New(apperror.Invalid, "Skriv kommunens namn.")
	}
	k := round.Kommun{RoundID: roundID, Name: name}
	if strings.TrimSpace(in.Population) != "" {
		n, err := form.ParseNumber(in.Population, 0)
		if err != nil || n.Units <= 0 {
			return round.Kommun{}, apperror.New(apperror.Invalid, "Antal invånare ska vara ett positivt heltal, till exempel 47 000.")
		}
		k.Population = &n.Units
	}
	code, err := round.ParseKommunkod(in.Kommunkod)
	if err != nil {
		return round.Kommun{}, err
	}
	k.Kommunkod = code
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForWrite(roundID)
		if err != nil {
			return err
		}
		if err := r.Allows(round.ManageUnits); err != nil {
			return err
		}
		if code != "" {
			existing, err := q.Kommuner(roundID)
			if err != nil {
				return err
			}
			for _, other := range existing {
				if other.Kommunkod == code {
					return apperror.New(apperror.Conflict, "Kommunkoden %s hör redan till %s i omgången.", code, other.Name)
				}
			}
		}
		if k, err = q.CreateKommun(k); err != nil {
			return err
		}
		events := []store.AuditEvent{event(roundID, 0, s.Now(), actor.Name(), "kommun_tillagd", "kommun", "", name)}
		if code != "" {
			events = append(events, event(roundID, 0, s.Now(), actor.Name(), "kommun_tillagd", "kommunkod", "", code))
		}
		return q.Audit(events...)
	})
	return k, err
}

// UnitInput is a unit as typed by staff.
type UnitInput struct {
	Name       string
	Kommuner   []string
	Omrade     string
	Fordelning string
	ChefName   string
	ChefEmail  string
}

// AddUnit registers a unit and issues its personal link, returned in full.
// The unit is cleaned and checked by round.NormalizeUnit against the
// round's kommuner; a projektledare registers units of their own kommun.
func (s *Service) AddUnit(ctx context.Context, actor Actor, roundID int64, in UnitInput) (round.Unit, string, error) {
	var (
		u     round.Unit
		token string
	)
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
		if u, err = round.NormalizeUnit(in.unit(roundID), names); err != nil {
			return err
		}
		if !actor.SeesUnit(u) {
			return apperror.New(apperror.Forbidden, "Du kan bara registrera enheter i %s.", actor.Kommun)
		}
		u.UpdatedAt = s.Now()
		if u, err = q.CreateUnit(u); err != nil {
			return err
		}
		if token, err = s.issueLink(q, u.ID); err != nil {
			return err
		}
		return q.Audit(event(roundID, u.ID, s.Now(), actor.Name(), "enhet_tillagd", "enhet", "", u.Name))
	})
	if err != nil {
		return round.Unit{}, "", err
	}
	return u, s.LinkURL(token), nil
}

// unit is the input as a unit of the round, not yet cleaned.
func (in UnitInput) unit(roundID int64) round.Unit {
	return round.Unit{RoundID: roundID, Name: in.Name, Kommuner: in.Kommuner, Omrade: in.Omrade,
		Fordelning: in.Fordelning, ChefName: in.ChefName, ChefEmail: in.ChefEmail}
}

// kommunNames lists the names of the round's kommuner.
func kommunNames(q *store.Queries, roundID int64) ([]string, error) {
	ks, err := q.Kommuner(roundID)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return names, nil
}

func (s *Service) issueLink(q *store.Queries, unitID int64) (string, error) {
	nonce, token, hash, err := s.Keys.NewLink()
	if err != nil {
		return "", err
	}
	return token, q.CreateLink(unitID, hash, nonce, s.Now())
}

// ReissueLink revokes a unit's links and issues a new one.
func (s *Service) ReissueLink(ctx context.Context, actor Actor, unitID int64) (string, error) {
	var token string
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.Unit(unitID)
		if err != nil {
			return err
		}
		if err := actor.requireUnit(u); err != nil {
			return err
		}
		r, err := q.RoundForWrite(u.RoundID)
		if err != nil {
			return err
		}
		if err := r.Allows(round.ManageUnits); err != nil {
			return err
		}
		if err := q.RevokeLinks(unitID, s.Now()); err != nil {
			return err
		}
		if token, err = s.issueLink(q, unitID); err != nil {
			return err
		}
		return q.Audit(event(u.RoundID, unitID, s.Now(), actor.Name(), "lank_ersatt", "lank", "återkallad", "ny länk"))
	})
	if err != nil {
		return "", err
	}
	return s.LinkURL(token), nil
}

// LinkURL is the full personal link for a token.
func (s *Service) LinkURL(token string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/l/" + token
}

func event(roundID, unitID int64, at time.Time, actor, action, field, old, new string) store.AuditEvent {
	ev := store.AuditEvent{At: at, Actor: actor, RoundID: &roundID, Action: action, Field: field, OldValue: old, NewValue: new}
	if unitID != 0 {
		ev.UnitID = &unitID
	}
	return ev
}
