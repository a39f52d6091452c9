package manage

import (
	"context"
	"slices"

	"github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// Mailer delivers one e-mail; *mail.Sender is the real one.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// InviteOptions choose whom to write to.
type InviteOptions struct {
	Kommun string // only units of this kommun; "" = all the actor may see
	Remind bool   // only units that have not answered (submitted, none, declined)
}

// InviteResult is what happened for one unit.
type InviteResult struct {
	Unit      round.Unit
	Recipient string
	Link      string
	Sent      bool
	Error     string // why it was not sent: no address, or the server's refusal
}

// Invite e-mails each chosen unit's verksamhetschef their personal link, or
// with Remind a reminder to those that have not answered. Each send is
// logged with its outcome; a unit is marked invited only when the server
// accepted the message. Units without an e-mail address are listed.
func (s *Service) Invite(ctx context.Context, actor Actor, m Mailer, roundID int64, opt InviteOptions) ([]InviteResult, error) {
	ov, err := s.Overview(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	if err := ov.Round.Allows(round.Invite); err != nil {
		return nil, err
	}
	contacts, err := s.contacts(ctx)
	if err != nil {
		return nil, err
	}
	kind := "inbjudan"
	if opt.Remind {
		kind = "paminnelse"
	}
	var results []InviteResult
	for _, u := range ov.Units {
		if opt.Kommun != "" && !slices.Contains(u.Kommuner, opt.Kommun) {
			continue
		}
		if opt.Remind && u.Response != round.NoResponse {
			continue
		}
		res := InviteResult{Unit: u.Unit, Recipient: u.ChefEmail, Link: u.Link}
		switch {
		case u.ChefEmail == "":
			res.Error = "enheten saknar e-postadress"
		case u.Link == "":
			res.Error = "enheten saknar giltig länk"
		default:
			msg := mail.Compose(mail.Invitation{RoundName: ov.Round.Name, UnitName: u.Name, ChefName: u.ChefName,
				Link: u.Link, Deadline: ov.Round.Deadline, Contact: contactFor(contacts, u.Unit), Kommuner: u.Kommuner,
				Reminder: opt.Remind})
			msg.To = u.ChefEmail
			if err := m.Send(ctx, msg); err != nil {
				res.Error = err.Error()
			} else {
				res.Sent = true
			}
			now := s.Now()
			err := s.Store.InTx(ctx, func(q *store.Queries) error {
				if err := q.LogMail(store.MailLogEntry{RoundID: ov.Round.ID, UnitID: u.ID, At: now, Kind: kind,
					Recipient: u.ChefEmail, SentBy: actor.Name(), OK: res.Sent, Error: res.Error}); err != nil {
					return err
				}
				if res.Sent && u.InvitedAt == nil {
					return q.MarkInvited(u.ID, now)
				}
				return nil
			})
			if err != nil {
				return results, err
			}
		}
		results = append(results, res)
	}
	return results, nil
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
