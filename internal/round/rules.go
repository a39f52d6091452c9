package round

import (
	"time"

	"github.com/inventera/inventera/internal/apperror"
)

// This file is the one place that decides what may happen in a round: the
// round's state and a unit's answer decide every action. The web handlers,
// the templates (through the views' Can* methods), the command line and the
// mail sender all ask here; none of them compares state strings itself.

// Action is something a person may try to do in a round.
type Action int

const (
	// EditEvaluations adds, changes or deletes a unit's evaluations,
	// including by uploading the unit's Excel form.
	EditEvaluations Action = iota
	// Submit sends in the unit's list of evaluations.
	Submit
	// AnswerNone answers that the unit ran no evaluations.
	AnswerNone
	// Decline answers that the unit will not take part.
	Decline
	// ReopenAnswer takes back the unit's answer so it can be changed.
	ReopenAnswer
	// Invite mails a unit its personal link.
	Invite
	// Remind mails a unit a reminder.
	Remind
	// ManageUnits registers, corrects or deletes units and kommuner and
	// issues new links.
	ManageUnits
	// WriteReportTexts writes the report's own words: a kommun's comment,
	// the network's "Reflektioner och förslag" and where the populations
	// come from. They may change until the report is published, and are
	// frozen with it.
	WriteReportTexts
	// Exclude marks a submitted evaluation out of the study's scope
	// ("utanför avgränsningen"); Include takes it back in. Both may be done
	// until the round is published.
	Exclude
	Include
	// AskQuestion opens a question to a unit about one of its submitted
	// evaluations, while the round is open.
	AskQuestion
	// AnswerQuestion answers an open question, while the round is open.
	AnswerQuestion
	// CloseQuestion closes a question; until the round is published.
	CloseQuestion
)

// Allows tells whether the round's state permits the action; the error
// says why not, in Swedish. Every action on a round's content needs the
// round open.
func (r Round) Allows(a Action) error {
	if a == WriteReportTexts {
		if r.State == Published {
			return apperror.New(apperror.Conflict, "Omgången ”%s” är publicerad: rapportens kommentarer och reflektioner är fastställda och kan inte längre ändras.", r.Name)
		}
		return nil
	}
	if r.State == Open || r.State == "" {
		return nil
	}
	switch a {
	case Exclude, Include, CloseQuestion:
		// The working group reviews after the round has closed too: the
		// report is final only once it is published.
		if r.State == Closed {
			return nil
		}
		return apperror.New(apperror.Conflict, "Omgången ”%s” är %s: rapporten är fastställd och granskningen kan inte längre ändras.", r.Name, stateWord(r.State))
	case AskQuestion:
		return apperror.New(apperror.Conflict, "Omgången ”%s” är %s. Frågor till enheterna kan bara ställas medan omgången är öppen, så att de hinner svara.", r.Name, stateWord(r.State))
	case Invite, Remind:
		return apperror.New(apperror.Conflict, "Omgången ”%s” är %s. Inbjudningar och påminnelser skickas bara medan omgången är öppen.", r.Name, stateWord(r.State))
	case ManageUnits:
		return apperror.New(apperror.Conflict, "Omgången ”%s” är %s. Enheter och kommuner kan inte längre ändras.", r.Name, stateWord(r.State))
	}
	return apperror.New(apperror.Conflict, "Omgången ”%s” är %s. Svaren kan inte längre ändras.", r.Name, stateWord(r.State))
}

// Final tells whether the round's report is published: final, and open to
// projektledare and styrgrupp.
func (r Round) Final() bool { return r.State == Published }

// Editable tells whether answers may still change.
func (r Round) Editable() bool { return r.Allows(EditEvaluations) == nil }

func stateWord(s State) string {
	switch s {
	case Closed:
		return "stängd"
	case Published:
		return "publicerad"
	}
	return string(s)
}

// CanBecome tells whether the round may move to the state: an open round
// closes; a closed round opens again or is published; a published round's
// report is final and its answers frozen.
func (r Round) CanBecome(to State) error {
	from := r.State
	if from == "" {
		from = Open
	}
	if from == to {
		return apperror.New(apperror.Conflict, "Omgången ”%s” är redan %s.", r.Name, stateWordOrOpen(to))
	}
	switch {
	case from == Open && to == Closed,
		from == Closed && to == Open,
		from == Closed && to == Published:
		return nil
	case from == Open && to == Published:
		return apperror.New(apperror.Conflict, "Stäng omgången ”%s” innan rapporten publiceras, så att svaren inte ändras efter publiceringen.", r.Name)
	case from == Published:
		return apperror.New(apperror.Conflict, "Omgången ”%s” är publicerad: rapporten är fastställd och kan inte öppnas eller stängas igen.", r.Name)
	}
	return apperror.New(apperror.Invalid, "Okänt läge för omgången: ”%s”.", to)
}

func stateWordOrOpen(s State) string {
	if s == Open {
		return "öppen"
	}
	return stateWord(s)
}

// ParseState reads a state as typed on the command line or posted by a form.
func ParseState(s string) (State, error) {
	switch s {
	case "open", string(Open), "öppen", "oppna", "öppna":
		return Open, nil
	case "close", "closed", "stang", "stäng", string(Closed), "stängd":
		return Closed, nil
	case "publish", "published", "publicera", string(Published):
		return Published, nil
	}
	return "", apperror.New(apperror.Invalid, "Okänt läge ”%s”: välj open, close eller publish.", s)
}

// Answered tells whether the unit has given its answer: submitted, "inga
// utvärderingar" or declined.
func (u Unit) Answered() bool { return u.Response != NoResponse }

// Allows tells whether the action may be done on the unit in the round,
// whoever does it (the verksamhetschef through the link, or staff helping
// the unit); the error says why not and what to do instead.
func (u Unit) Allows(r Round, a Action) error {
	if err := r.Allows(a); err != nil {
		return err
	}
	switch a {
	case EditEvaluations, Submit, AnswerNone, Decline:
		switch u.Response {
		case Submitted:
			return apperror.New(apperror.Conflict, "Enhetens svar är redan inskickat. Välj ”Ändra svaret” om något behöver rättas.")
		case NoEvaluations, Declined:
			return apperror.New(apperror.Conflict, "Enheten har redan svarat. Välj ”Ändra svaret” om något behöver rättas.")
		}
	case ReopenAnswer:
		if u.Response == NoResponse {
			return apperror.New(apperror.Conflict, "Enheten har inte skickat in något svar än; det finns inget att ändra.")
		}
	case Invite, Remind:
		if u.Answered() {
			return apperror.New(apperror.Conflict, "Enheten har redan svarat och får inga fler utskick.")
		}
	}
	return nil
}

// Standing is how an evaluation stands in the round's report.
type Standing int

const (
	// Counted: complete, sent in, and not excluded by the review.
	Counted Standing = iota
	// OutOfScope: sent in, but the working group has ruled it out of the
	// study's scope; it counts nowhere and the report lists it.
	OutOfScope
	// NotSubmitted: complete, but its unit has not sent in its list.
	NotSubmitted
	// NotSubmittedDraft: a draft, which never counts.
	NotSubmittedDraft
)

// Standing decides whether an evaluation counts in the round's report: it
// is complete, its unit has sent in its list, and the review has not ruled
// it out of scope. A draft, or a list the unit (or staff helping it) never
// submitted, is left out, and the report says how many were; an excluded
// evaluation is listed with its reason.
func (u Unit) Standing(e Evaluation) Standing {
	switch {
	case !e.Complete:
		return NotSubmittedDraft
	case u.Response != Submitted:
		return NotSubmitted
	case e.Excluded != nil:
		return OutOfScope
	}
	return Counted
}

// Counts tells whether an evaluation counts in the round's report (see
// Standing).
func (u Unit) Counts(e Evaluation) bool { return u.Standing(e) == Counted }

// Reviewable tells whether the working group reviews the evaluation: it is
// complete and its unit has sent it in (whether counted or excluded).
func (u Unit) Reviewable(e Evaluation) bool {
	st := u.Standing(e)
	return st == Counted || st == OutOfScope
}

// AllowsReview tells whether the review action (Exclude, Include,
// AskQuestion) may be done on the unit's evaluation e in the round; the
// error says why not.
func (u Unit) AllowsReview(r Round, a Action, e Evaluation) error {
	if err := r.Allows(a); err != nil {
		return err
	}
	switch a {
	case Exclude:
		if e.Excluded != nil {
			return apperror.New(apperror.Conflict, "”%s” är redan markerad som utanför avgränsningen.", e.Title())
		}
		if !u.Reviewable(e) {
			return apperror.New(apperror.Conflict, "”%s” är inte inskickad och räknas inte i rapporten; bara inskickade utvärderingar granskas.", e.Title())
		}
	case Include:
		if e.Excluded == nil {
			return apperror.New(apperror.Conflict, "”%s” är inte markerad som utanför avgränsningen.", e.Title())
		}
	case AskQuestion:
		if !u.Reviewable(e) {
			return apperror.New(apperror.Conflict, "”%s” är inte inskickad; bara inskickade utvärderingar granskas.", e.Title())
		}
	default:
		return apperror.New(apperror.Invalid, "Okänd granskningsåtgärd.")
	}
	return nil
}

// AllowsCorrection tells whether the unit's evaluation e may be changed
// now. While the unit's list is not sent in, the usual rule applies
// (EditEvaluations). Once it is sent in, an evaluation with an open
// question (openQuestions > 0) may still be corrected in answer to it,
// while the round is open, without taking the whole answer back; it is
// then saved complete, so that it goes on counting.
func (u Unit) AllowsCorrection(r Round, e Evaluation, openQuestions int) error {
	err := u.Allows(r, EditEvaluations)
	if err == nil || r.Allows(EditEvaluations) != nil {
		return err
	}
	if u.Response != Submitted || !e.Complete || openQuestions == 0 {
		return err
	}
	return nil
}

// Allows tells whether the action (AnswerQuestion, CloseQuestion) may be
// done on the question in the round.
func (q Question) Allows(r Round, a Action) error {
	if err := r.Allows(a); err != nil {
		return err
	}
	if !q.Open() {
		return apperror.New(apperror.Conflict, "Frågan är redan avslutad.")
	}
	if a != AnswerQuestion && a != CloseQuestion {
		return apperror.New(apperror.Invalid, "Okänd åtgärd för en fråga.")
	}
	return nil
}

// AllowsDelete tells whether the unit may be deleted from the round: only
// while the round allows managing units, and only a unit that has neither
// answered nor any evaluation (a draft included), so nothing anyone typed
// is lost with it.
func (u Unit) AllowsDelete(r Round, evaluations int) error {
	if err := r.Allows(ManageUnits); err != nil {
		return err
	}
	if u.Answered() {
		return apperror.New(apperror.Conflict, "Enheten ”%s” har redan svarat och kan inte tas bort. Rätta enhetens uppgifter i stället.", u.Name)
	}
	if evaluations > 0 {
		return apperror.New(apperror.Conflict, "Enheten ”%s” har %d %s och kan inte tas bort. Rätta enhetens uppgifter i stället, eller ta bort utvärderingarna först.", u.Name, evaluations, plural(evaluations, "utvärdering", "utvärderingar"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Can is Allows as a yes or no, for templates and views.
func (u Unit) Can(r Round, a Action) bool { return u.Allows(r, a) == nil }

// SendKind is the kind of mail sent to a unit.
type SendKind string

const (
	// SendInvitation is the first mail with the personal link.
	SendInvitation SendKind = "inbjudan"
	// SendAgain re-sends the invitation to an invited unit that has not
	// answered.
	SendAgain SendKind = "inbjudan_igen"
	// SendReminder reminds an invited unit that has not answered.
	SendReminder SendKind = "paminnelse"
	// SendNewLink mails a newly issued link (after "Ny länk" or a changed
	// e-mail address).
	SendNewLink SendKind = "ny_lank"
)

// Label is the Swedish name of the kind of mail.
func (k SendKind) Label() string {
	switch k {
	case SendInvitation:
		return "Inbjudan"
	case SendAgain:
		return "Inbjudan (igen)"
	case SendReminder:
		return "Påminnelse"
	case SendNewLink:
		return "Ny länk"
	case SentManually:
		return "Länk skickad manuellt"
	}
	return string(k)
}

// SentManually records that a projektledare sent the link by hand (a unit
// without e-mail address, or the link copied into their own mail).
const SentManually SendKind = "manuellt"

// ResendPause is how long a unit is left alone after a mail before another
// invitation or reminder: a shared unit's member kommuner each send their
// reminders, and the verksamhetschef should get one, not one per kommun.
const ResendPause = 20 * time.Hour

// SendDecision tells whether a unit gets a mail of the kind now. lastSent
// is when the unit's current address last got an invitation, reminder or
// link by mail, counting a mail being sent at this moment (nil when never).
// A new address has had nothing yet, so it is not held back by mails to
// the old one. The reason says why not, in Swedish, for the list shown
// before sending and after. The round's own state is checked separately
// (Round.Allows(Invite)): a round that is not open refuses the whole send.
func SendDecision(r Round, u Unit, kind SendKind, lastSent *time.Time, now time.Time) (bool, string) {
	if err := r.Allows(Invite); err != nil {
		return false, "omgången är inte öppen"
	}
	if u.Answered() {
		return false, "har redan svarat"
	}
	if u.ChefEmail == "" {
		return false, "saknar e-postadress"
	}
	switch kind {
	case SendInvitation:
		if u.InvitedAt != nil {
			return false, "är redan inbjuden"
		}
		// Not yet marked invited, but a mail went out (or is going out)
		// moments ago: another member kommun's projektledare is sending
		// the same shared unit its invitation.
	case SendAgain:
	case SendReminder:
		if u.InvitedAt == nil {
			return false, "är inte inbjuden än"
		}
	case SendNewLink:
		return true, ""
	default:
		return false, "okänt slags utskick"
	}
	if lastSent != nil && now.Sub(*lastSent) < ResendPause {
		return false, "fick ett utskick " + lastSent.In(Stockholm).Format("2006-01-02 15:04") + "; nästa tidigast efter ett dygn"
	}
	return true, ""
}
