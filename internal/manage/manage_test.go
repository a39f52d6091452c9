package manage_test

import (
	"context"
	"io"
	"maps"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/form"
	inmail "github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

type fixture struct {
	st     *store.Store
	m      *manage.Service
	resp   *respond.Service
	round  round.Round
	links  map[string]string // unit name → link
	units  map[string]round.Unit
	system manage.Actor
	clock  time.Time // the services' now; tests move it on
}

// newFixture: a round with Heby and Falun, three units with e-mail, one
// without, and one shared by both kommuner.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.MustOpen(t)
	f := &fixture{st: st, links: map[string]string{}, units: map[string]round.Unit{}, system: manage.System("test"),
		clock: time.Date(2009, 9, 1, 12, 0, 0, 0, time.UTC)}
	now := func() time.Time { return f.clock }
	f.m = &manage.Service{Store: st, Keys: round.LinkKey("0123456789abcdef0123456789abcdef"), BaseURL: "https://inventera.example", Now: now}
	f.resp = &respond.Service{Store: st, Form: form.MustEvaluation(), Now: now}
	var err error
	f.round, err = f.m.CreateRound(ctx, f.system, manage.RoundInput{Name: "Resultatstyrning 2009", Deadline: "2009-12-18"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Heby", "Falun"} {
		if _, err := f.m.AddKommun(ctx, f.system, f.round.ID, k, "13 000"); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []manage.UnitInput{
		{Name: "Socialnämnden", Kommuner: []string{"Heby"}, ChefName: "Anna Lind", ChefEmail: "anna@heby.example"},
		{Name: "Socialnämnden", Kommuner: []string{"Falun"}, ChefName: "Bo Ek", ChefEmail: "bo@falun.example"},
		{Name: "Miljökontoret", Kommuner: []string{"Falun"}, ChefName: "Cia Berg", ChefEmail: "cia@falun.example"},
		{Name: "Kommunfastigheter", Kommuner: []string{"Falun"}, ChefName: "Dan Al"},
		{Name: "Gemensam nämnd", Kommuner: []string{"Heby", "Falun"}, Fordelning: "lika", ChefName: "Eva Ros", ChefEmail: "eva@gemensam.example"},
	} {
		unit, link, err := f.m.AddUnit(ctx, f.system, f.round.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		key := u.Name + "/" + strings.Join(u.Kommuner, "+")
		f.links[key], f.units[key] = link, unit
	}
	return f
}

func token(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// byLink is the scope of a personal link, as the verksamhetschef opens it.
func (f *fixture) byLink(link string) respond.Scope { return f.resp.ByLink(token(link)) }

func TestInviteAndRemindOverRealSMTP(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t)
	sender, err := inmail.NewSender(inmail.Config{Addr: srv.Addr, From: "inventera@natverk.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&staff.Service{Store: f.st, Now: time.Now}).AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "pl@falun.example",
		Name: "Lena Falk", Role: staff.Projektledare, Kommun: "Falun", Password: "ett-langt-losenord"}); err != nil {
		t.Fatal(err)
	}
	results, err := f.m.Invite(ctx, f.system, sender, f.round.ID, manage.InviteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Messages()); got != 4 {
		t.Fatalf("messages delivered = %d, want 4 (one per unit with an address)", got)
	}
	var noAddress []string
	for _, r := range results {
		if !r.Sent && r.Recipient == "" {
			noAddress = append(noAddress, r.Unit.Name)
		}
	}
	if len(noAddress) != 1 || noAddress[0] != "Kommunfastigheter" {
		t.Errorf("units listed without address = %v, want [Kommunfastigheter]", noAddress)
	}
	// Each mail carries its own unit's link, and that link opens that unit.
	seen := map[string]bool{}
	for _, msg := range srv.Messages() {
		body := decodedText(t, msg.Raw)
		var link string
		for key, l := range f.links {
			if strings.Contains(body, l) {
				if link != "" {
					t.Errorf("mail to %v holds two links", msg.To)
				}
				link = l
				if f.units[key].ChefEmail != msg.To[0] {
					t.Errorf("mail to %s holds the link of %s", msg.To[0], key)
				}
			}
		}
		if link == "" || seen[link] {
			t.Fatalf("mail to %v: no distinct link", msg.To)
		}
		seen[link] = true
		page, err := f.resp.Open(ctx, f.byLink(link))
		if err != nil || page.Unit.ChefEmail != msg.To[0] {
			t.Errorf("link in mail to %s opens %q (%v)", msg.To[0], page.Unit.Name, err)
		}
		if !strings.Contains(body, "2009-12-18") {
			t.Errorf("mail to %s lacks the deadline", msg.To[0])
		}
	}
	// Falun's units name its projektledare as contact, by name and address.
	for _, msg := range srv.Messages() {
		if msg.To[0] != "bo@falun.example" {
			continue
		}
		body := decodedText(t, msg.Raw)
		for _, want := range []string{"Lena Falk", "pl@falun.example"} {
			if !strings.Contains(body, want) {
				t.Errorf("Falun mail lacks the projektledare's %q as contact", want)
			}
		}
	}

	// Three units answer; a day later the reminder reaches exactly the
	// silent ones (not the same day: design §7 and round.ResendPause).
	if err := f.resp.NoEvaluations(ctx, f.byLink(f.links["Socialnämnden/Heby"])); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Decline(ctx, f.byLink(f.links["Miljökontoret/Falun"]), "Ingen tid i år."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Falun"]), respond.Edit{Answers: form.Answers{"benamning": "Utkast"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Messages())
	f.clock = f.clock.Add(24 * time.Hour)
	results, err = f.m.Invite(ctx, f.system, sender, f.round.ID, manage.InviteOptions{Remind: true})
	if err != nil {
		t.Fatal(err)
	}
	var reminded []string
	for _, msg := range srv.Messages()[before:] {
		reminded = append(reminded, msg.To[0])
		if subj := decodeHeader(msg.Header().Get("Subject")); !strings.HasPrefix(subj, "Påminnelse") {
			t.Errorf("reminder subject = %q", subj)
		}
	}
	want := map[string]bool{"bo@falun.example": true, "eva@gemensam.example": true}
	if len(reminded) != len(want) {
		t.Fatalf("reminded %v, want %v", reminded, want)
	}
	for _, r := range reminded {
		if !want[r] {
			t.Errorf("reminded %s, who has answered", r)
		}
	}
	// Every unit is accounted for: two reminded, Kommunfastigheter listed
	// for a link by hand, the answered ones with the reason.
	outcome := map[string]string{}
	for _, r := range results {
		switch {
		case r.Sent:
			outcome[r.Unit.ChefEmail] = "sent"
		case r.ByHand:
			outcome[r.Unit.Name] = "by hand " + r.Link
		default:
			outcome[r.Unit.ChefEmail] = r.Reason
		}
	}
	wantOutcome := map[string]string{"bo@falun.example": "sent", "eva@gemensam.example": "sent",
		"Kommunfastigheter": "by hand " + f.links["Kommunfastigheter/Falun"],
		"anna@heby.example": "har redan svarat", "cia@falun.example": "har redan svarat"}
	if !maps.Equal(outcome, wantOutcome) {
		t.Errorf("reminder outcomes\n got %v\nwant %v", outcome, wantOutcome)
	}
}

func TestRefusedDeliveryIsReportedAsFailed(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t)
	srv.Reject("cia@falun.example")
	sender, _ := inmail.NewSender(inmail.Config{Addr: srv.Addr, From: "inventera@natverk.example"})
	results, err := f.m.Invite(ctx, f.system, sender, f.round.ID, manage.InviteOptions{Kommun: "Falun"})
	if err != nil {
		t.Fatal(err)
	}
	var failed bool
	for _, r := range results {
		if r.Recipient == "cia@falun.example" {
			failed = !r.Sent && strings.Contains(r.Error, "550")
		}
	}
	if !failed {
		t.Fatalf("refused delivery not reported as failed: %+v", results)
	}
	ov, _ := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	for _, u := range ov.Units {
		if u.ChefEmail == "cia@falun.example" && u.Progress != round.NotInvited {
			t.Errorf("refused unit shows %q, want not invited", u.Progress)
		}
		if u.ChefEmail == "bo@falun.example" && u.Progress != round.Invited {
			t.Errorf("invited unit shows %q", u.Progress)
		}
	}
	log, _ := f.st.Q(ctx).MailLog(f.round.ID)
	var logged bool
	for _, e := range log {
		if e.Recipient == "cia@falun.example" && !e.OK && strings.Contains(e.Error, "550") {
			logged = true
		}
	}
	if !logged {
		t.Error("failed send not in the mail log")
	}
	// --kommun Falun wrote to Falun's units only (the shared one included).
	for _, msg := range srv.Messages() {
		if msg.To[0] == "anna@heby.example" {
			t.Error("Heby's unit got a mail for --kommun Falun")
		}
	}
}

func decodedText(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(msg.Body)
	// Undo quoted-printable soft breaks and =XX escapes well enough to
	// search for links and dates.
	s := strings.ReplaceAll(string(b), "=\r\n", "")
	s = strings.ReplaceAll(s, "=\n", "")
	return strings.NewReplacer("=3D", "=", "=C3=A5", "å", "=C3=A4", "ä", "=C3=B6", "ö").Replace(s)
}

func decodeHeader(s string) string {
	var d = new(mimeDecoder)
	return d.decode(s)
}
