package manage

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// Mailer delivers one e-mail; *mail.Sender is the real one.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// InviteOptions choose whom to write to and what (design §7, `invite`).
type InviteOptions struct {
	Kommun string // only units of this kommun; "" = all the actor may see
	Remind bool   // a reminder to invited units that have not answered
	Again  bool   // the invitation again, also to invited units that have not answered
	// Units, when not nil, are the units the sender confirmed on the
	// preview: nobody else is written to, even if the rules would now
	// allow it.
	Units []int64
}

// Kind is the kind of mail the options send.
func (o InviteOptions) Kind() round.SendKind {
	switch {
	case o.Remind:
		return round.SendReminder
	case o.Again:
		return round.SendAgain
	}
	return round.SendInvitation
}

// mailKinds are the sends that count for the pause between mails: every
// kind that reaches the verksamhetschef's inbox.
var mailKinds = []string{string(round.SendInvitation), string(round.SendAgain), string(round.SendReminder), string(round.SendNewLink)}

// action is what a send of the kind asks of the round.
func action(kind round.SendKind) round.Action {
	if kind == round.SendReminder {
		return round.Remind
	}
	return round.Invite
}

// PlannedSend is what a send will do for one unit, decided by
// round.SendDecision.
type PlannedSend struct {
	Unit      round.Unit
	Kind      round.SendKind
	Recipient string     // the address written to ("" when none)
	Link      string     // the unit's personal link
	LastSent  *time.Time // when the address last got a mail
	Send      bool
	Reason    string // why not, in Swedish, when !Send
	// ByHand: the unit has no address but may be invited; the projektledare
	// sends its link some other way.
	ByHand bool
}

// InvitePlan is who will get what, shown before anything is sent.
type InvitePlan struct {
	Round  round.Round
	Kind   round.SendKind
	Kommun string
	Units  []PlannedSend
}

// Reminder tells whether the plan sends reminders.
func (p InvitePlan) Reminder() bool { return p.Kind == round.SendReminder }

// ToSend lists the units that will get the mail.
func (p InvitePlan) ToSend() []PlannedSend {
	return p.filter(func(u PlannedSend) bool { return u.Send })
}

// ByHand lists the units without an address whose link is sent by hand.
func (p InvitePlan) ByHand() []PlannedSend {
	return p.filter(func(u PlannedSend) bool { return u.ByHand })
}

// Skipped lists the other units, each with why it gets nothing.
func (p InvitePlan) Skipped() []PlannedSend {
	return p.filter(func(u PlannedSend) bool { return !u.Send && !u.ByHand })
}

func (p InvitePlan) filter(keep func(PlannedSend) bool) []PlannedSend {
	var out []PlannedSend
	for _, u := range p.Units {
		if keep(u) {
			out = append(out, u)
		}
	}
	return out
}

// PlanInvite works out, without sending anything, what Invite would send
// now: for each unit the actor may see (of opt.Kommun), whether it gets the
// mail and why not. A round that is not open refuses the whole send.
func (s *Service) PlanInvite(ctx context.Context, actor Actor, roundID int64, opt InviteOptions) (InvitePlan, error) {
	kind := opt.Kind()
	if opt.Remind && opt.Again {
		return InvitePlan{}, apperror.New(apperror.Invalid, "Välj antingen påminnelse eller inbjudan igen, inte båda.")
	}
	plan := InvitePlan{Kind: kind, Kommun: opt.Kommun}
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		if actor.Role != staff.Samordnare && actor.Role != staff.Projektledare {
			return apperror.New(apperror.Forbidden, "Din roll kan inte skicka inbjudningar.")
		}
		if err := r.Allows(action(kind)); err != nil {
			return err
		}
		plan.Round = r
		if opt.Kommun != "" {
			ks, err := q.Kommuner(roundID)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(ks, func(k round.Kommun) bool { return k.Name == opt.Kommun }) {
				return apperror.New(apperror.Invalid, "Kommunen ”%s” deltar inte i omgången ”%s”.", opt.Kommun, r.Name)
			}
			if !actor.SeesKommun(opt.Kommun) {
				return apperror.New(apperror.Forbidden, "Du kan bara skicka till enheterna i %s.", actor.Kommun)
			}
		}
		units, err := q.Units(roundID)
		if err != nil {
			return err
		}
		links, err := q.ActiveLinks(roundID)
		if err != nil {
			return err
		}
		last, err := q.LastMailed(roundID, mailKinds)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, u := range units {
			if !actor.SeesUnit(u) || (opt.Kommun != "" && !slices.Contains(u.Kommuner, opt.Kommun)) {
				continue
			}
			if opt.Units != nil && !slices.Contains(opt.Units, u.ID) {
				continue
			}
			p := PlannedSend{Unit: u, Kind: kind, Recipient: u.ChefEmail, LastSent: lastTo(last[u.ID], u.ChefEmail)}
			if l, ok := links[u.ID]; ok {
				p.Link = s.LinkURL(s.Keys.Token(l.Nonce))
			}
			p.Send, p.Reason = round.SendDecision(r, u, kind, p.LastSent, now)
			if p.Send && p.Link == "" {
				p.Send, p.Reason = false, "saknar giltig länk; skapa en ny länk på enhetens sida"
			}
			p.ByHand = u.ChefEmail == "" && u.Can(r, action(kind)) && p.Link != ""
			plan.Units = append(plan.Units, p)
		}
		return nil
	})
	if err != nil {
		return InvitePlan{}, err
	}
	return plan, nil
}

// lastTo picks the time an address last got a mail.
func lastTo(byAddr map[string]time.Time, addr string) *time.Time {
	at, ok := byAddr[strings.ToLower(addr)]
	if !ok || addr == "" {
		return nil
	}
	return &at
}

// InviteResult is what happened for one unit of the plan.
type InviteResult struct {
	PlannedSend
	Sent  bool
	Error string // the server's refusal, when it refused
}

// Outcome says in Swedish what happened.
func (r InviteResult) Outcome() string {
	switch {
	case r.Sent:
		return "Skickad"
	case r.Error != "":
		return "Misslyckades: " + r.Error
	case r.ByHand:
		return "Saknar e-postadress – skicka länken själv"
	}
	return "Inte skickad: " + r.Reason
}

// Failed tells whether the mail was meant to go but the server refused it.
func (r InviteResult) Failed() bool { return r.Error != "" }

// Invite sends what PlanInvite plans, and only that: the invitation (or
// reminder, or invitation again) to each unit the plan says gets it. Each
// unit's send is decided again at the moment it is made, under the unit's
// lock, so two projektledare of a shared unit's member kommuner sending at
// once mail it once. Each send is logged with its outcome; a unit is
// marked invited only when the server accepted the message. The results
// list every unit of the plan. A round that is not open refuses the whole
// send, and nothing is sent.
func (s *Service) Invite(ctx context.Context, actor Actor, m Mailer, roundID int64, opt InviteOptions) ([]InviteResult, error) {
	plan, err := s.PlanInvite(ctx, actor, roundID, opt)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, apperror.New(apperror.Conflict, "E-post är inte inställd för tjänsten (INVENTERA_SMTP). Kopiera länkarna från omgångens sida i stället.")
	}
	contacts, err := s.contacts(ctx)
	if err != nil {
		return nil, err
	}
	results := make([]InviteResult, 0, len(plan.Units))
	for _, p := range plan.Units {
		if !p.Send {
			results = append(results, InviteResult{PlannedSend: p})
			continue
		}
		res, err := s.deliver(ctx, actor, m, contacts, sendJob{roundID: roundID, unitID: p.Unit.ID, kind: plan.Kind, link: p.Link})
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

// sendJob is one mail to one unit.
type sendJob struct {
	roundID    int64
	unitID     int64
	kind       round.SendKind
	link       string
	newLinkMsg bool // word it as a newly issued link that replaces the old one
}

// deliver decides the send again under the unit's lock and claims it in the
// mail log (pending), sends it outside the transaction, then records the
// server's answer and, on success, marks the unit invited. An error ends
// the whole send: the round stopped being open, or the database failed.
func (s *Service) deliver(ctx context.Context, actor Actor, m Mailer, contacts map[string]mail.Contact, job sendJob) (InviteResult, error) {
	var (
		res   InviteResult
		r     round.Round
		entry int64
	)
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		// The unit's lock (PostgreSQL), so a concurrent sender waits here
		// and then sees this claim; then the round's share lock, in the
		// order every change of a unit takes them: closing the round waits
		// for this claim, and a claim after the close sees it closed.
		u, err := q.Unit(job.unitID)
		if err != nil {
			return err
		}
		if u.RoundID != job.roundID {
			return apperror.New(apperror.NotFound, "Enheten finns inte i den här omgången.")
		}
		if r, err = q.RoundForWrite(u.RoundID); err != nil {
			return err
		}
		if err := r.Allows(action(job.kind)); err != nil {
			return err
		}
		byAddr, err := q.LastMailedUnit(u.ID, mailKinds)
		if err != nil {
			return err
		}
		res.PlannedSend = PlannedSend{Unit: u, Kind: job.kind, Recipient: u.ChefEmail, Link: job.link, LastSent: lastTo(byAddr, u.ChefEmail)}
		res.Send, res.Reason = round.SendDecision(r, u, job.kind, res.LastSent, s.Now())
		if !res.Send {
			return nil
		}
		entry, err = q.StartMail(store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: s.Now(), Kind: string(job.kind),
			Recipient: u.ChefEmail, SentBy: actor.Name()})
		return err
	})
	if err != nil || !res.Send {
		return res, err
	}
	u := res.Unit
	msg := mail.Compose(mail.Invitation{RoundName: r.Name, UnitName: u.Name, ChefName: u.ChefName,
		Link: job.link, Deadline: r.Deadline, Contact: contactFor(contacts, u), Kommuner: u.Kommuner,
		Reminder: job.kind == round.SendReminder, NewLink: job.newLinkMsg})
	msg.To = u.ChefEmail
	if err := m.Send(ctx, msg); err != nil {
		res.Error = err.Error()
	} else {
		res.Sent = true
	}
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		if err := q.FinishMail(entry, res.Sent, res.Error); err != nil {
			return err
		}
		if !res.Sent {
			return nil
		}
		fresh, err := q.Unit(u.ID)
		if err != nil {
			return err
		}
		if fresh.InvitedAt == nil {
			return q.MarkInvited(u.ID, s.Now())
		}
		return nil
	})
	return res, err
}

// contacts maps each kommun to its projektledare.
func (s *Service) contacts(ctx context.Context) (map[string]mail.Contact, error) {
	users, err := s.Store.Q(ctx).UsersByRole(staff.Projektledare)
	if err != nil {
		return nil, err
	}
	out := map[string]mail.Contact{}
	for _, u := range users {
		if u.DisabledAt != nil {
			continue // no longer answers for the kommun
		}
		if _, ok := out[u.Kommun]; !ok {
			out[u.Kommun] = mail.Contact{Name: staff.DisplayName(u), Email: u.Email}
		}
	}
	return out, nil
}

func contactFor(contacts map[string]mail.Contact, u round.Unit) mail.Contact {
	for _, k := range u.Kommuner {
		if c, ok := contacts[k]; ok {
			return c
		}
	}
	return mail.Contact{}
}

// ParseInviteKind reads the kind of send as a form or the command line
// names it: "inbjudan" (or ""), "inbjudan_igen" or "paminnelse".
func ParseInviteKind(s string) (InviteOptions, error) {
	switch round.SendKind(strings.TrimSpace(s)) {
	case "", round.SendInvitation:
		return InviteOptions{}, nil
	case round.SendAgain:
		return InviteOptions{Again: true}, nil
	case round.SendReminder:
		return InviteOptions{Remind: true}, nil
	}
	return InviteOptions{}, apperror.New(apperror.Invalid, "Okänt slags utskick ”%s”: välj inbjudan, inbjudan igen eller påminnelse.", s)
}
