package manage

import (
	"slices"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// Actor is the staff member (or tool) doing something. Every action checks
// what the actor may see and do here, in the domain, whatever the route.
type Actor struct {
	Email  string
	Role   string
	Kommun string // a projektledare's kommun
}

// System is the command line and the fixtures: it may do everything.
func System(name string) Actor { return Actor{Email: name, Role: staff.Samordnare} }

// Name is how the actor appears in the audit trail.
func (a Actor) Name() string { return a.Email }

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

// SeesReport tells whether the actor may read the round's report: the
// samordnare at any time, everyone else once it is published. (Whether the
// actor takes part in the round at all is requireRound's question.)
func (a Actor) SeesReport(r round.Round) bool {
	return a.Coordinator() || r.State == round.Published
}

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
