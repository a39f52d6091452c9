package respond

import (
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Scope is who acts on which unit: the verksamhetschef through the unit's
// personal link, or a staff member helping a unit they may see. Every
// operation of Service takes a scope and resolves it inside its own
// transaction, so the unit's answer and the round's state are read under
// the same locks as the change they allow. Who may act for which unit is
// decided where the scope is made: here for a link (ByLink), in manage for
// staff (manage.Actor.UnitScope).
type Scope struct {
	who  string // the actor in the audit trail
	link bool   // the personal link: its first opening is recorded
	// find resolves the scope in q: the unit and its round, read for a
	// change (see store.Queries.RoundForWrite).
	find func(q *store.Queries) (round.Round, round.Unit, error)
}

// ByLink is the scope of a personal link's token. The token is checked when
// an operation runs: an unknown link is NotFound, a revoked one Gone.
func (s *Service) ByLink(token string) Scope {
	return Scope{who: "Verksamhetschef", link: true, find: func(q *store.Queries) (round.Round, round.Unit, error) {
		return linkUnit(q, token)
	}}
}

// ForStaff is the scope of a staff member (name, as the audit trail shows
// them) acting for the unit that find returns. find decides whether they may:
// it loads the unit in q and returns NotFound or Forbidden otherwise.
func ForStaff(name string, find func(q *store.Queries) (round.Unit, error)) Scope {
	return Scope{who: name, find: func(q *store.Queries) (round.Round, round.Unit, error) {
		u, err := find(q)
		if err != nil {
			return round.Round{}, round.Unit{}, err
		}
		r, err := q.RoundForWrite(u.RoundID)
		if err != nil {
			return round.Round{}, round.Unit{}, err
		}
		return r, u, nil
	}}
}

// Actor is how changes made through the scope appear in the audit trail.
func (sc Scope) Actor() string {
	if sc.link {
		return sc.who + " via personlig länk"
	}
	return sc.who
}

// excelActor is the audit trail's actor for an uploaded Excel form.
func (sc Scope) excelActor() string { return sc.who + " via Excel-formulär" }

// ViaLink tells whether the scope is the verksamhetschef's personal link.
func (sc Scope) ViaLink() bool { return sc.link }

// load resolves the scope in q: the unit, then its round (read for a
// change, see store.Queries.RoundForWrite).
func (sc Scope) load(q *store.Queries) (round.Round, round.Unit, error) {
	if sc.find == nil {
		return round.Round{}, round.Unit{}, apperror.New(apperror.NotFound, "Enheten finns inte.")
	}
	return sc.find(q)
}

// linkUnit finds the unit of a live personal link and its round, in one
// query. An unknown or revoked token is marked apperror.BadToken, so that
// only it counts as guessing links.
func linkUnit(q *store.Queries, token string) (round.Round, round.Unit, error) {
	missing := apperror.BadToken(apperror.New(apperror.NotFound, "Länken finns inte. Kontrollera att du har kopierat hela länken från e-postmeddelandet."))
	if !round.PlausibleToken(token) {
		return round.Round{}, round.Unit{}, missing
	}
	link, u, r, err := q.LinkUnit(round.HashToken(token))
	if err != nil {
		if apperror.Code(err) == apperror.NotFound {
			return round.Round{}, round.Unit{}, missing
		}
		return round.Round{}, round.Unit{}, err
	}
	if link.RevokedAt != nil {
		return round.Round{}, round.Unit{}, apperror.BadToken(apperror.New(apperror.Gone, "Länken har ersatts av en ny. Använd den senaste länken du har fått, eller kontakta din projektledare."))
	}
	return r, u, nil
}
