package manage

import (
	"slices"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// Actor is the staff member (or tool) doing something. Every action checks
// what the actor may see and do here, in the domain, whatever the route.
type Actor struct {
	Email       string
	DisplayName string // the account's name; "" when it has none
	Role        string
	Kommun      string // a projektledare's kommun
}

// System is the command line and the fixtures: it may do everything.
func System(name string) Actor { return Actor{Email: name, Role: staff.Samordnare} }

// StaffActor is a logged-in staff account as an actor.
func StaffActor(u store.User) Actor {
	return Actor{Email: u.Email, DisplayName: u.Name, Role: u.Role, Kommun: u.Kommun}
}

// Name is how the actor appears in the audit trail and the send log:
// "Anna Lind (anna@borlange.se)", or the e-mail address alone for an
// account without a name (and the tool's name for the command line).
func (a Actor) Name() string {
	if a.DisplayName != "" && a.Email != "" {
		return a.DisplayName + " (" + a.Email + ")"
	}
	if a.Email == "" {
		return a.DisplayName
	}
	return a.Email
}

// Coordinator tells whether the actor manages the whole network.
func (a Actor) Coordinator() bool { return a.Role == staff.Samordnare }

// SeesUnit tells whether the actor may see a unit's raw answers: a
// projektledare sees the units of their own kommun, shared ones included.
func (a Actor) SeesUnit(u round.Unit) bool {
	return a.Coordinator() || (a.Role == staff.Projektledare && slices.Contains(u.Kommuner, a.Kommun))
}

// SeesKommun tells whether the actor may see a kommun's details.
func (a Actor) SeesKommun(name string) bool {
	return a.Coordinator() || (a.Role == staff.Projektledare && a.Kommun == name)
}

// ReportPublic tells whether the round's report is out for every staff
// role: once the round is published.
func ReportPublic(r round.Round) bool { return r.State == round.Published }

// SeesReport tells whether the actor may read the round's report: the
// samordnare at any time (a draft until it is published), everyone else
// once it is published.
func (a Actor) SeesReport(r round.Round) bool { return a.Coordinator() || ReportPublic(r) }

// WritesReportText tells whether the actor may write the report's text for
// a kommun, or (kommun "") the network's reflection: the samordnare writes
// them all, a projektledare the comment of their own kommun. (When is the
// round's question: round.WriteReportTexts.)
func (a Actor) WritesReportText(kommun string) bool {
	if a.Coordinator() {
		return true
	}
	return kommun != "" && a.Role == staff.Projektledare && a.Kommun == kommun
}

func (a Actor) requireCoordinator() error {
	if !a.Coordinator() {
		return apperror.New(apperror.Forbidden, "Det här får bara samordnaren göra.")
	}
	return nil
}

func (a Actor) requireUnit(u round.Unit) error {
	if !a.SeesUnit(u) {
		// Not found rather than forbidden: another kommun's units are not
		// even confirmed to exist.
		return apperror.New(apperror.NotFound, "Enheten finns inte.")
	}
	return nil
}
