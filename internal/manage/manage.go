// Package manage is what staff do to a round: create it and its kommuner,
// register units and their verksamhetschefer, issue and revoke personal
// links, follow progress, change the round's state, and move a whole round
// in and out as a dataset (import, export, report input).
package manage

import (
	"context"
	"net/mail"
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
	return round.Round{Name: name, HourlyRate: rate, OpensOn: strings.TrimSpace(in.OpensOn),
		Deadline: strings.TrimSpace(in.Deadline), State: round.Open, CreatedAt: s.Now()}, nil
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
func (s *Service) AddUnit(ctx context.Context, actor Actor, roundID int64, in UnitInput) (round.Unit, string, error) {
	u := round.Unit{RoundID: roundID, Name: strings.Join(strings.Fields(in.Name), " "),
		Omrade: strings.TrimSpace(in.Omrade), Fordelning: strings.TrimSpace(in.Fordelning),
		ChefName: strings.TrimSpace(in.ChefName), ChefEmail: strings.ToLower(strings.TrimSpace(in.ChefEmail))}
	for _, k := range in.Kommuner {
		if k = strings.TrimSpace(k); k != "" {
			u.Kommuner = append(u.Kommuner, k)
		}
	}
	if u.Name == "" {
		return round.Unit{}, "", apperror.New(apperror.Invalid, "Skriv enhetens namn, till exempel ”Socialnämnden”.")
	}
	if len(u.Kommuner) == 0 {
		return round.Unit{}, "", apperror.New(apperror.Invalid, "Välj minst en kommun som enheten hör till.")
	}
	if u.ChefEmail != "" {
		if _, err := mail.ParseAddress(u.ChefEmail); err != nil {
			return round.Unit{}, "", apperror.New(apperror.Invalid, "”%s” är ingen giltig e-postadress.", u.ChefEmail)
		}
	}
	if _, err := round.ParseFordelning(u.Fordelning, u.Kommuner); err != nil {
		return round.Unit{}, "", err
	}
	if !actor.SeesUnit(u) {
		return round.Unit{}, "", apperror.New(apperror.Forbidden, "Du kan bara registrera enheter i %s.", actor.Kommun)
	}
	var token string
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForWrite(roundID)
		if err != nil {
			return err
		}
		if err := r.Allows(round.ManageUnits); err != nil {
			return err
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
