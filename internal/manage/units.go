package manage

import (
	"context"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// UnitAdmin is the staff's part of a unit's page: its details, its
// personal link, what has been sent to it, and what may be done to it now.
type UnitAdmin struct {
	Round       round.Round
	Unit        round.Unit
	Link        string // the active personal link, "" when none
	Sends       []SendRecord
	Evaluations int
	Kommuner    []string // the round's kommuner, for the edit form
	// CanManage: the unit's details may be corrected and its link replaced.
	CanManage bool
	// CanMarkManual: the link may be recorded as sent by hand.
	CanMarkManual bool
	// DeleteRefusal says why the unit cannot be deleted; "" when it can.
	DeleteRefusal string
}

// SendRecord is one line of a unit's send history.
type SendRecord struct {
	At        time.Time
	Kind      round.SendKind
	Recipient string
	SentBy    string
	Outcome   string // in Swedish
	OK        bool
}

// When is the time in Swedish time.
func (r SendRecord) When() string { return round.SwedishTime(r.At) }

// pendingGrace is how long a send may await the server's answer before its
// outcome is shown as unknown (the sender stopped half-way).
const pendingGrace = 10 * time.Minute

// UnitAdmin loads the staff's part of a unit's page.
func (s *Service) UnitAdmin(ctx context.Context, actor Actor, unitID int64) (UnitAdmin, error) {
	var a UnitAdmin
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		u, err := q.Unit(unitID)
		if err != nil {
			return err
		}
		if err := actor.requireUnit(u); err != nil {
			return err
		}
		r, err := q.Round(u.RoundID)
		if err != nil {
			return err
		}
		links, err := q.ActiveLinks(r.ID)
		if err != nil {
			return err
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		log, err := q.UnitMailLog(u.ID)
		if err != nil {
			return err
		}
		if a.Kommuner, err = kommunNames(q, r.ID); err != nil {
			return err
		}
		a.Round, a.Unit, a.Evaluations = r, u, len(evs)
		if l, ok := links[u.ID]; ok {
			a.Link = s.LinkURL(s.Keys.Token(l.Nonce))
		}
		now := s.Now()
		for _, e := range log {
			a.Sends = append(a.Sends, SendRecord{At: e.At, Kind: round.SendKind(e.Kind), Recipient: e.Recipient,
				SentBy: e.SentBy, Outcome: sendOutcome(e, now), OK: e.OK})
		}
		a.CanManage = r.Allows(round.ManageUnits) == nil
		a.CanMarkManual = u.Can(r, round.Invite) && a.Link != ""
		if err := u.AllowsDelete(r, len(evs)); err != nil {
			a.DeleteRefusal = apperror.Message(err)
		}
		return nil
	})
	return a, err
}

func sendOutcome(e store.MailLogEntry, now time.Time) string {
	switch {
	case e.Kind == string(round.SentManually):
		return "Registrerad"
	case e.Pending && now.Sub(e.At) < pendingGrace:
		return "Skickas …"
	case e.Pending:
		return "Okänt: sändningen avbröts innan servern svarade"
	case e.OK:
		return "Skickad"
	case e.Error != "":
		return "Misslyckades: " + e.Error
	}
	return "Misslyckades"
}

// UnitChange is a unit's corrected details as staff typed them.
type UnitChange struct {
	UnitInput
	// SendLink mails the unit's link to a changed address in the same step.
	SendLink bool
	// Version is the unit's version the edit form was loaded with; a change
	// made by someone else since refuses the edit (no lost update). 0 when
	// not known: the unit as it is now.
	Version int64
}

// UnitChangeResult is what a correction did.
type UnitChangeResult struct {
	Unit    round.Unit
	Changed []string      // the fields that changed (round.UnitField…)
	Mail    *InviteResult // the link mailed to the new address, when asked
}

// UpdateUnit corrects a unit: every field of UnitInput, cleaned and checked
// by round.NormalizeUnit as when it was added. Each changed field is
// audited with its old and new value. A projektledare corrects the units of
// their own kommun and may not move one out of it. A changed address
// means the new one has not been invited yet; with SendLink the unit's
// link goes to it at once (round.SendNewLink).
func (s *Service) UpdateUnit(ctx context.Context, actor Actor, m Mailer, unitID int64, in UnitChange) (UnitChangeResult, error) {
	var (
		res  UnitChangeResult
		link string
	)
	emailChanged := false
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		old, r, err := s.unitForChange(q, actor, unitID)
		if err != nil {
			return err
		}
		names, err := kommunNames(q, r.ID)
		if err != nil {
			return err
		}
		next := old
		typed := in.unit(r.ID)
		next.Name, next.Kommuner, next.Omrade, next.Fordelning = typed.Name, typed.Kommuner, typed.Omrade, typed.Fordelning
		next.ChefName, next.ChefEmail = typed.ChefName, typed.ChefEmail
		if next, err = round.NormalizeUnit(next, names); err != nil {
			return err
		}
		if !actor.SeesUnit(next) {
			return apperror.New(apperror.Forbidden, "Enheten måste höra till %s: du kan inte flytta den från din egen kommun. Be samordnaren om det behövs.", actor.Kommun)
		}
		now := s.Now()
		for _, c := range []struct{ field, old, new string }{
			{round.UnitFieldName, old.Name, next.Name},
			{round.UnitFieldKommun, strings.Join(old.Kommuner, ", "), strings.Join(next.Kommuner, ", ")},
			{round.UnitFieldOmrade, old.Omrade, next.Omrade},
			{round.UnitFieldFordelning, old.Fordelning, next.Fordelning},
			{round.UnitFieldChefName, old.ChefName, next.ChefName},
			{round.UnitFieldChefEmail, old.ChefEmail, next.ChefEmail},
		} {
			if c.old == c.new {
				continue
			}
			res.Changed = append(res.Changed, c.field)
			if err := q.Audit(event(r.ID, old.ID, now, actor.Name(), "enhet_andrad", c.field, c.old, c.new)); err != nil {
				return err
			}
		}
		res.Unit = next
		if len(res.Changed) == 0 {
			return nil
		}
		// A new address has had no invitation: the unit shows as not
		// invited until its link reaches the new address.
		if emailChanged = !strings.EqualFold(old.ChefEmail, next.ChefEmail); emailChanged && next.InvitedAt != nil {
			next.InvitedAt = nil
			if err := q.Audit(event(r.ID, old.ID, now, actor.Name(), "enhet_andrad", "inbjuden", round.SwedishTime(*old.InvitedAt), "")); err != nil {
				return err
			}
		}
		loaded := in.Version
		if loaded == 0 {
			loaded = old.Version
		}
		if next.Version, err = q.AdvanceUnitVersion(old.ID, loaded); err != nil {
			return err
		}
		next.UpdatedAt = now
		if err := q.UpdateUnit(next); err != nil {
			return err
		}
		res.Unit = next
		links, err := q.ActiveLinks(r.ID)
		if err != nil {
			return err
		}
		if l, ok := links[next.ID]; ok {
			link = s.LinkURL(s.Keys.Token(l.Nonce))
		}
		return nil
	})
	if err != nil || !in.SendLink || !emailChanged || res.Unit.ChefEmail == "" {
		return res, err
	}
	res.Mail, err = s.mailLink(ctx, actor, m, res.Unit, link, false)
	return res, err
}

// mailLink mails a unit its link (round.SendNewLink): a replaced link
// (replaced) or the current one to a new address.
func (s *Service) mailLink(ctx context.Context, actor Actor, m Mailer, u round.Unit, link string, replaced bool) (*InviteResult, error) {
	res := &InviteResult{PlannedSend: PlannedSend{Unit: u, Kind: round.SendNewLink, Recipient: u.ChefEmail, Link: link}}
	switch {
	case m == nil:
		res.Reason = "e-post är inte inställd för tjänsten; skicka länken själv"
		return res, nil
	case link == "":
		res.Reason = "enheten saknar giltig länk; skapa en ny länk"
		return res, nil
	}
	contacts, err := s.contacts(ctx)
	if err != nil {
		return nil, err
	}
	sent, err := s.deliver(ctx, actor, m, contacts, sendJob{roundID: u.RoundID, unitID: u.ID, kind: round.SendNewLink, link: link, newLinkMsg: replaced})
	if err != nil {
		return nil, err
	}
	return &sent, nil
}

// unitForChange loads a unit the actor may see, locked, and its round,
// which must allow managing units.
func (s *Service) unitForChange(q *store.Queries, actor Actor, unitID int64) (round.Unit, round.Round, error) {
	u, err := q.Unit(unitID)
	if err != nil {
		return round.Unit{}, round.Round{}, err
	}
	if err := actor.requireUnit(u); err != nil {
		return round.Unit{}, round.Round{}, err
	}
	r, err := q.RoundForWrite(u.RoundID)
	if err != nil {
		return round.Unit{}, round.Round{}, err
	}
	if err := r.Allows(round.ManageUnits); err != nil {
		return round.Unit{}, round.Round{}, err
	}
	return u, r, nil
}

// DeleteUnit removes a unit that has neither answered nor any evaluation
// (round.Unit.AllowsDelete), with its links and send history; the audit
// trail keeps what it was.
func (s *Service) DeleteUnit(ctx context.Context, actor Actor, unitID int64) (round.Unit, error) {
	var u round.Unit
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var (
			r   round.Round
			err error
		)
		if u, r, err = s.unitForChange(q, actor, unitID); err != nil {
			return err
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			return err
		}
		if err := u.AllowsDelete(r, len(evs)); err != nil {
			return err
		}
		if err := q.DeleteUnit(u.ID); err != nil {
			return err
		}
		what := u.Name + " (" + strings.Join(u.Kommuner, ", ") + ")"
		if u.ChefEmail != "" {
			what += ", " + u.ChefEmail
		}
		return q.Audit(event(r.ID, u.ID, s.Now(), actor.Name(), "enhet_borttagen", round.UnitFieldName, what, ""))
	})
	return u, err
}

// MarkSentManually records that staff sent the unit its link by hand (it
// has no address, or the link went from their own mail program): a line
// in the send history (round.SentManually) in the actor's name, and the
// unit counts as invited.
func (s *Service) MarkSentManually(ctx context.Context, actor Actor, unitID int64) (round.Unit, error) {
	var u round.Unit
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if u, err = q.Unit(unitID); err != nil {
			return err
		}
		if err := actor.requireUnit(u); err != nil {
			return err
		}
		r, err := q.RoundForWrite(u.RoundID)
		if err != nil {
			return err
		}
		if err := u.Allows(r, round.Invite); err != nil {
			return err
		}
		now := s.Now()
		if err := q.LogMail(store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: now, Kind: string(round.SentManually),
			Recipient: u.ChefEmail, SentBy: actor.Name(), OK: true}); err != nil {
			return err
		}
		if u.InvitedAt == nil {
			if err := q.MarkInvited(u.ID, now); err != nil {
				return err
			}
			u.InvitedAt = &now
		}
		return q.Audit(event(r.ID, u.ID, now, actor.Name(), "lank_skickad_manuellt", "lank", "", "skickad manuellt"))
	})
	return u, err
}

// NewLinkResult is what issuing a new link did.
type NewLinkResult struct {
	Unit round.Unit
	Link string
	Mail *InviteResult // the new link mailed to the unit, when asked
}

// NewLink revokes the unit's link and issues a new one (ReissueLink), and
// with mailIt mails it to the unit's address (round.SendNewLink), saying
// that the old link no longer works.
func (s *Service) NewLink(ctx context.Context, actor Actor, m Mailer, unitID int64, mailIt bool) (NewLinkResult, error) {
	link, err := s.ReissueLink(ctx, actor, unitID)
	if err != nil {
		return NewLinkResult{}, err
	}
	u, err := s.Store.Q(ctx).Unit(unitID)
	if err != nil {
		return NewLinkResult{}, err
	}
	res := NewLinkResult{Unit: u, Link: link}
	if mailIt && u.ChefEmail != "" {
		res.Mail, err = s.mailLink(ctx, actor, m, u, link, true)
	}
	return res, err
}

// EditableUnit loads a unit for its correction form: refused unless the
// round allows managing units.
func (s *Service) EditableUnit(ctx context.Context, actor Actor, unitID int64) (UnitAdmin, error) {
	a, err := s.UnitAdmin(ctx, actor, unitID)
	if err != nil {
		return UnitAdmin{}, err
	}
	return a, a.Round.Allows(round.ManageUnits)
}

// DeletableUnit loads a unit for the page that confirms its deletion:
// refused, with the reason, when it may not be deleted.
func (s *Service) DeletableUnit(ctx context.Context, actor Actor, unitID int64) (UnitAdmin, error) {
	a, err := s.UnitAdmin(ctx, actor, unitID)
	if err != nil {
		return UnitAdmin{}, err
	}
	return a, a.Unit.AllowsDelete(a.Round, a.Evaluations)
}
