package manage_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	inmail "github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store/storetest"
)

// inviteWorld is a round whose units stand in every state a send can meet,
// three days after the first invitations went out:
//
//	Ny              Heby        never invited
//	Inbjuden        Heby        invited three days ago, silent
//	Nyss påmind     Heby        invited, reminded two hours ago
//	Inskickad       Heby        invited, submitted
//	Inga            Heby        invited, answered "inga utvärderingar"
//	Avböjd          Heby        invited, declined
//	Avböjd direkt   Heby        never invited, declined through its link
//	Utan e-post     Heby        no address
//	Gemensam        Heby+Falun  invited three days ago, silent
//	Faluns egen     Falun       invited three days ago, silent
type inviteWorld struct {
	*fixture
	t      *testing.T
	srv    *mailtest.Server
	sender *inmail.Sender
	units  map[string]round.Unit
	links  map[string]string
	pl     map[string]manage.Actor // kommun → its projektledare
}

func newInviteWorld(t *testing.T) *inviteWorld {
	t.Helper()
	st := storetest.MustOpen(t)
	f := &fixture{st: st, system: manage.System("test"), clock: time.Date(2009, 10, 1, 8, 0, 0, 0, time.UTC)}
	now := func() time.Time { return f.clock }
	f.m = &manage.Service{Store: st, Keys: round.LinkKey("0123456789abcdef0123456789abcdef"), BaseURL: "https://inventera.example", Now: now}
	f.resp = &respond.Service{Store: st, Form: form.MustEvaluation(), Now: now}
	var err error
	if f.round, err = f.m.CreateRound(ctx, f.system, manage.RoundInput{Name: "Resultatstyrning 2009", Deadline: "2009-12-18"}); err != nil {
		t.Fatal(err)
	}
	w := &inviteWorld{fixture: f, t: t, srv: mailtest.Start(t), units: map[string]round.Unit{}, links: map[string]string{},
		pl: map[string]manage.Actor{"Heby": {Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"},
			"Falun": {Email: "pl@falun.example", Role: staff.Projektledare, Kommun: "Falun"}}}
	if w.sender, err = inmail.NewSender(inmail.Config{Addr: w.srv.Addr, From: "inventera@natverk.example"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Heby", "Falun"} {
		if _, err := f.m.AddKommun(ctx, f.system, f.round.ID, k, "13 000"); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct{ name, kommun, email string }{
		{"Ny", "Heby", "ny@heby.example"},
		{"Inbjuden", "Heby", "inbjuden@heby.example"},
		{"Nyss påmind", "Heby", "pamind@heby.example"},
		{"Inskickad", "Heby", "inskickad@heby.example"},
		{"Inga", "Heby", "inga@heby.example"},
		{"Avböjd", "Heby", "avbojd@heby.example"},
		{"Avböjd direkt", "Heby", "direkt@heby.example"},
		{"Utan e-post", "Heby", ""},
		{"Gemensam", "Heby;Falun", "gemensam@example.se"},
		{"Faluns egen", "Falun", "egen@falun.example"},
	} {
		unit, link, err := f.m.AddUnit(ctx, f.system, f.round.ID, manage.UnitInput{Name: u.name,
			Kommuner: strings.Split(u.kommun, ";"), Fordelning: "lika", ChefEmail: u.email})
		if err != nil {
			t.Fatal(err)
		}
		w.units[u.name], w.links[u.name] = unit, link
	}
	ids := func(names ...string) []int64 {
		var out []int64
		for _, n := range names {
			out = append(out, w.units[n].ID)
		}
		return out
	}
	w.send(f.system, manage.InviteOptions{Units: ids("Inbjuden", "Nyss påmind", "Inskickad", "Inga", "Avböjd", "Gemensam", "Faluns egen")})
	f.clock = f.clock.Add(70 * time.Hour)
	w.send(f.system, manage.InviteOptions{Remind: true, Units: ids("Nyss påmind")})
	f.clock = f.clock.Add(2 * time.Hour)

	tok := func(name string) respond.Scope { return f.byLink(w.links[name]) }
	if _, err := f.resp.Save(ctx, tok("Inskickad"), respond.Edit{Answers: validAnswers()}); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Submit(ctx, tok("Inskickad")); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.NoEvaluations(ctx, tok("Inga")); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Decline(ctx, tok("Avböjd"), "Ingen tid."); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Decline(ctx, tok("Avböjd direkt"), "Omorganisation."); err != nil {
		t.Fatal(err)
	}
	return w
}

// send runs Invite and fails the test on an error.
func (w *inviteWorld) send(actor manage.Actor, opt manage.InviteOptions) []manage.InviteResult {
	w.t.Helper()
	res, err := w.m.Invite(ctx, actor, w.sender, w.round.ID, opt)
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// inbox returns the recipients of the messages after the first n.
func (w *inviteWorld) inbox(n int) []string {
	var to []string
	for _, m := range w.srv.Messages()[n:] {
		to = append(to, m.To...)
	}
	slices.Sort(to)
	return to
}

func validAnswers() form.Answers {
	return form.Answers{"benamning": "Brukarundersökning", "periodicitet": "arligen", "uppdragsgivare_typ": "politisk",
		"syfte": "Att veta.", "resultatansvarig": "namnd", "anvandning": "handlingsplan", "brukarundersokning": "nej"}
}

// TestInviteRules is design §7's `invite` as a table: for every kind of
// send, each unit's state decides whether it is mailed, and why not; the
// SMTP server's inbox holds exactly the mails the results say were sent.
func TestInviteRules(t *testing.T) {
	const (
		sent   = "skickad"
		byHand = "för hand"
	)
	answered := "har redan svarat"
	tests := []struct {
		name string
		opt  manage.InviteOptions
		want map[string]string // unit → sent, by hand, or a piece of the reason
	}{
		{"invitation", manage.InviteOptions{}, map[string]string{
			"Ny": sent, "Inbjuden": "redan inbjuden", "Nyss påmind": "redan inbjuden", "Inskickad": answered,
			"Inga": answered, "Avböjd": answered, "Avböjd direkt": answered, "Utan e-post": byHand,
			"Gemensam": "redan inbjuden", "Faluns egen": "redan inbjuden"}},
		{"again", manage.InviteOptions{Again: true}, map[string]string{
			"Ny": sent, "Inbjuden": sent, "Nyss påmind": "nästa tidigast efter ett dygn", "Inskickad": answered,
			"Inga": answered, "Avböjd": answered, "Avböjd direkt": answered, "Utan e-post": byHand,
			"Gemensam": sent, "Faluns egen": sent}},
		{"reminder", manage.InviteOptions{Remind: true}, map[string]string{
			"Ny": "inte inbjuden", "Inbjuden": sent, "Nyss påmind": "nästa tidigast efter ett dygn", "Inskickad": answered,
			"Inga": answered, "Avböjd": answered, "Avböjd direkt": answered, "Utan e-post": byHand,
			"Gemensam": sent, "Faluns egen": sent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newInviteWorld(t)
			before := len(w.srv.Messages())
			plan, err := w.m.PlanInvite(ctx, w.system, w.round.ID, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			results := w.send(w.system, tt.opt)
			got := map[string]string{}
			var wantInbox []string
			for i, r := range results {
				switch {
				case r.Sent:
					got[r.Unit.Name] = sent
				case r.ByHand:
					got[r.Unit.Name] = byHand
				default:
					got[r.Unit.Name] = r.Reason
				}
				if r.Kind != tt.opt.Kind() {
					t.Errorf("%s: kind %s, want %s", r.Unit.Name, r.Kind, tt.opt.Kind())
				}
				// The send did what the preview said.
				if p := plan.Units[i]; p.Unit.ID != r.Unit.ID || p.Send != r.Sent || p.Reason != r.Reason || p.ByHand != r.ByHand {
					t.Errorf("%s: planned %+v, did %+v", r.Unit.Name, p, r)
				}
			}
			for name, want := range tt.want {
				if want == sent {
					wantInbox = append(wantInbox, w.units[name].ChefEmail)
				}
				if g := got[name]; g != want && (want == sent || want == byHand || !strings.Contains(g, want)) {
					t.Errorf("%s: got %q, want %q", name, g, want)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("results for %d units, want %d: %v", len(got), len(tt.want), got)
			}
			slices.Sort(wantInbox)
			if inbox := w.inbox(before); !slices.Equal(inbox, wantInbox) {
				t.Errorf("inbox\n got %v\nwant %v", inbox, wantInbox)
			}
			// Sending the same again at once sends nothing more.
			before = len(w.srv.Messages())
			for _, r := range w.send(w.system, tt.opt) {
				if r.Sent {
					t.Errorf("%s mailed twice in a row", r.Unit.Name)
				}
			}
			if inbox := w.inbox(before); len(inbox) != 0 {
				t.Errorf("second send mailed %v", inbox)
			}
		})
	}
}

// TestInviteRefusedUnlessOpen: a closed or published round refuses every
// kind of send as a whole; nothing reaches the SMTP server and nothing is
// logged.
func TestInviteRefusedUnlessOpen(t *testing.T) {
	w := newInviteWorld(t)
	logBefore, err := w.st.Q(ctx).MailLog(w.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.srv.Messages())
	for _, state := range []round.State{round.Closed, round.Published} {
		if _, err := w.m.SetState(ctx, w.system, w.round.ID, state); err != nil {
			t.Fatal(err)
		}
		for _, opt := range []manage.InviteOptions{{}, {Again: true}, {Remind: true}, {Remind: true, Kommun: "Heby"}} {
			for _, actor := range []manage.Actor{w.system, w.pl["Heby"]} {
				if _, err := w.m.PlanInvite(ctx, actor, w.round.ID, opt); apperror.Code(err) != apperror.Conflict && apperror.Code(err) != apperror.NotFound {
					t.Errorf("%s round, %s by %s: preview err %v, want refused", state, opt.Kind(), actor.Email, err)
				}
				res, err := w.m.Invite(ctx, actor, w.sender, w.round.ID, opt)
				if err == nil || res != nil {
					t.Errorf("%s round, %s by %s: got %d results, err %v; want refused", state, opt.Kind(), actor.Email, len(res), err)
				}
			}
		}
	}
	if got := w.inbox(before); len(got) != 0 {
		t.Errorf("mails sent for a round that is not open: %v", got)
	}
	if logAfter, _ := w.st.Q(ctx).MailLog(w.round.ID); len(logAfter) != len(logBefore) {
		t.Errorf("mail log grew from %d to %d", len(logBefore), len(logAfter))
	}
}

// TestSharedUnitMailedOnce: the projektledare of a shared unit's member
// kommuner both send reminders the same day; the verksamhetschef gets one,
// each kommun's own unit its own. The same when they press at the same
// moment.
func TestSharedUnitMailedOnce(t *testing.T) {
	t.Run("one after the other", func(t *testing.T) {
		w := newInviteWorld(t)
		before := len(w.srv.Messages())
		heby := w.send(w.pl["Heby"], manage.InviteOptions{Remind: true})
		w.clock = w.clock.Add(3 * time.Hour)
		falun := w.send(w.pl["Falun"], manage.InviteOptions{Remind: true})
		want := []string{"egen@falun.example", "gemensam@example.se", "inbjuden@heby.example"}
		if got := w.inbox(before); !slices.Equal(got, want) {
			t.Errorf("inbox %v, want %v", got, want)
		}
		for _, r := range heby {
			if r.Unit.Name == "Faluns egen" {
				t.Error("Heby's projektledare sees Falun's unit")
			}
		}
		var shared manage.InviteResult
		for _, r := range falun {
			if r.Unit.Name == "Gemensam" {
				shared = r
			}
			if r.Unit.Name == "Inbjuden" {
				t.Error("Falun's projektledare sees Heby's unit")
			}
		}
		if shared.Sent || !strings.Contains(shared.Reason, "fick ett utskick") {
			t.Errorf("shared unit for Falun: %+v, want left alone with the reason", shared)
		}
		// The next day Falun's reminder reaches it again.
		w.clock = w.clock.Add(21 * time.Hour)
		before = len(w.srv.Messages())
		w.send(w.pl["Falun"], manage.InviteOptions{Remind: true})
		if got := w.inbox(before); !slices.Equal(got, []string{"egen@falun.example", "gemensam@example.se"}) {
			t.Errorf("next day's reminders: %v", got)
		}
	})
	t.Run("at the same moment", func(t *testing.T) {
		w := newInviteWorld(t)
		// A fresh shared unit, invited by both kommuner at once.
		u, _, err := w.m.AddUnit(ctx, w.system, w.round.ID, manage.UnitInput{Name: "Ny gemensam", Kommuner: []string{"Heby", "Falun"},
			Fordelning: "lika", ChefEmail: "nygemensam@example.se"})
		if err != nil {
			t.Fatal(err)
		}
		before := len(w.srv.Messages())
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, k := range []string{"Heby", "Falun"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.m.Invite(ctx, w.pl[k], slowMailer{w.sender}, w.round.ID, manage.InviteOptions{Units: []int64{u.ID}})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := w.inbox(before); !slices.Equal(got, []string{"nygemensam@example.se"}) {
			t.Errorf("two projektledare at once: inbox %v, want one mail", got)
		}
		log, _ := w.st.Q(ctx).UnitMailLog(u.ID)
		if len(log) != 1 || !log[0].OK || log[0].Pending {
			t.Errorf("mail log %+v, want one accepted send", log)
		}
	})
}

// slowMailer takes its time before each send, as a distant SMTP server
// does, so that a second sender comes by while the first is sending.
type slowMailer struct{ m manage.Mailer }

func (s slowMailer) Send(ctx context.Context, msg inmail.Message) error {
	time.Sleep(300 * time.Millisecond)
	return s.m.Send(ctx, msg)
}

// TestInviteOnlyConfirmedUnits: the send goes to the units confirmed on
// the preview, never to one that became eligible since.
func TestInviteOnlyConfirmedUnits(t *testing.T) {
	w := newInviteWorld(t)
	plan, err := w.m.PlanInvite(ctx, w.system, w.round.ID, manage.InviteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var confirmed []int64
	for _, p := range plan.ToSend() {
		confirmed = append(confirmed, p.Unit.ID)
	}
	if _, _, err := w.m.AddUnit(ctx, w.system, w.round.ID, manage.UnitInput{Name: "Sent tillagd", Kommuner: []string{"Heby"}, ChefEmail: "sen@heby.example"}); err != nil {
		t.Fatal(err)
	}
	before := len(w.srv.Messages())
	w.send(w.system, manage.InviteOptions{Units: confirmed})
	if got := w.inbox(before); !slices.Equal(got, []string{"ny@heby.example"}) {
		t.Errorf("inbox %v, want only the confirmed unit", got)
	}
}
