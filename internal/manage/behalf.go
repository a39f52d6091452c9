package manage

import (
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// UnitScope is the scope in which the actor helps a unit ("hjälp på
// distans"): every action of the verksamhetschef's page (respond.Service:
// add, change, delete, upload the Excel form, submit, "inga utvärderingar",
// decline, reopen) under the same round rules, audited in the actor's name.
// The samordnare may help any unit and a projektledare the units of their
// own kommun, shared ones included; another kommun's unit is NotFound, and
// the styrgrupp is refused.
func (a Actor) UnitScope(unitID int64) respond.Scope {
	return respond.ForStaff(a.Name(), func(q *store.Queries) (round.Unit, error) {
		if err := a.requireHelper(); err != nil {
			return round.Unit{}, err
		}
		u, err := q.Unit(unitID)
		if err != nil {
			if apperror.Code(err) == apperror.NotFound {
				return round.Unit{}, apperror.New(apperror.NotFound, "Enheten finns inte.")
			}
			return round.Unit{}, err
		}
		return u, a.requireUnit(u)
	})
}

// requireHelper lets the roles that help units fill in: the samordnare and
// the projektledare.
func (a Actor) requireHelper() error {
	if a.Role != staff.Samordnare && a.Role != staff.Projektledare {
		return apperror.New(apperror.Forbidden, "Det här får bara samordnaren och projektledarna göra.")
	}
	return nil
}
