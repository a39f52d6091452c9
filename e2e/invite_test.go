package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// TestReminderToClosedRoundSendsNothing: a projektledare opens the
// reminders' send preview while the round is open, so the confirm button
// is on the screen; meanwhile the samordnare closes the round. The old
// tab's confirm is refused with a Swedish 409 page that leads back to the
// round, no mail reaches the SMTP server and none is logged, and the closed
// round's page offers no sending at all.
func TestReminderToClosedRoundSendsNothing(t *testing.T) {
	src := axeSource(t)
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("pl@borlange.e2e", staff.Projektledare, "Borlänge")
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	roundPage := fmt.Sprintf("/admin/omgangar/%d", s.round.ID)
	unitPage := fmt.Sprintf("/admin/enheter/%d", s.unit.ID)
	sendLinks := `main a[href*="/utskick"], main form[action$="/utskick"]`

	// The projektledare handed the link over by hand, so the unit is
	// invited and due a reminder.
	b.login(s.url, "pl@borlange.e2e")
	if st := b.open(s.url, unitPage); st != 200 {
		t.Fatalf("unit page: %d", st)
	}
	b.loadAfter("Länken är skickad manuellt", chromedp.Click(chromedp.CSS(`main form[action$="/manuellt"] button[type=submit]`)))
	if u := s.storedUnit(s.unit.ID); u.InvitedAt == nil {
		t.Fatal("the unit is not invited after 'Länken är skickad manuellt'")
	}

	// The open round offers reminders; the preview lists the unit.
	b.open(s.url, roundPage)
	if n := b.count(sendLinks); n != 3 {
		t.Fatalf("the open round's page has %d send links, want 3 (at %s)", n, b.location())
	}
	b.loadAfter("Påminn enheter som inte har svarat", chromedp.Click(chromedp.CSS(`main a[href$="/utskick?slag=paminnelse"]`)))
	if got := b.text("main h1"); !strings.HasPrefix(got, round.SendReminder.Label()) {
		t.Fatalf("preview heading %q", got)
	}
	type planned struct{ Unit, To string }
	rows := eval[[]planned](b, `Array.from(document.querySelectorAll('main form[action$="/utskick"]')).length === 1 ?
	  Array.from(document.querySelector('table').tBodies[0].rows).map(tr => ({Unit: tr.cells[0].textContent.trim(), To: tr.cells[2].textContent.trim()})) : null`)
	if len(rows) != 1 || rows[0] != (planned{s.unit.Name, s.unit.ChefEmail}) {
		t.Fatalf("the reminder preview plans %+v, want one reminder to %s", rows, s.unit.ChefEmail)
	}
	confirm := `main form[action$="/utskick"] button[type=submit]`
	if got := b.text(confirm); got != "Skicka 1 e-postmeddelande" {
		t.Fatalf("confirm button %q", got)
	}
	b.screenshot("paminnelse-forhandsvisning")

	// The samordnare closes the round, in a browser of their own.
	c := newBrowser(t)
	c.login(s.url, "samordnare@e2e.example")
	c.open(s.url, roundPage)
	c.loadAfter("Stäng omgången", chromedp.Click(chromedp.CSS(`main form[action$="/status"] button[value=stangd]`)))
	if got := s.overview(s.round.ID).Round.State; got != round.Closed {
		t.Fatalf("after the samordnare closed it the round is %s", got)
	}

	// The projektledare's old tab confirms.
	before := len(s.mail.Messages())
	b.loadAfter("Skicka 1 e-postmeddelande", chromedp.Click(chromedp.CSS(confirm)))
	b.screenshot("paminnelse-stangd-omgang")
	if st := b.status(); st != 409 {
		t.Errorf("a reminder to a closed round: status %d, want 409", st)
	}
	// Read without waiting: a page that sent shows neither.
	textOf := func(sel string) string {
		return eval[string](b, `(function(el){ return el ? el.textContent.trim() : ''; })(document.querySelector(`+jsString(sel)+`))`)
	}
	if got := textOf("main h1"); got != "Det går inte just nu" {
		t.Errorf("refusal heading %q", got)
	}
	if got := textOf("main .lead"); !strings.Contains(got, "är stängd") || !strings.Contains(got, "skickas bara medan omgången är öppen") {
		t.Errorf("the refusal says %q; want that the round is closed and reminders go out only while it is open", got)
	}
	back := eval[string](b, `(function(a){ return a ? a.getAttribute('href') + ' ' + a.textContent.trim() : ''; })(document.querySelector('main a'))`)
	if back != roundPage+" Tillbaka till omgångens sida" {
		t.Errorf("the refusal links %q, want back to the round %s", back, roundPage)
	}
	b.axe(src)
	if after := len(s.mail.Messages()); after != before || after != 0 {
		t.Errorf("the SMTP server got %d mails (%d before the confirm), want none", after, before)
	}
	ua, err := s.manage.UnitAdmin(context.Background(), manage.System("e2e"), s.unit.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ua.Sends {
		if r.Kind != round.SentManually {
			t.Errorf("the unit's send history holds %s to %s (%s)", r.Kind.Label(), r.Recipient, r.Outcome)
		}
	}

	// Back on the closed round's page, nothing can be sent, and the
	// preview itself refuses.
	if back != "" {
		b.loadAfter("back to the round", chromedp.Click(chromedp.CSS("main a")))
	} else {
		b.open(s.url, roundPage)
	}
	if got := b.path(s.url); got != roundPage {
		t.Errorf("the way back leads to %s", got)
	}
	if n := b.count(sendLinks); n != 0 {
		t.Errorf("the closed round's page offers %d send links or forms", n)
	}
	if got := b.text("main"); strings.Contains(got, "Påminn") || strings.Contains(got, "Skicka personliga länkar") {
		t.Error("the closed round's page still offers to send")
	}
	b.screenshot("stangd-omgang")
	if st := b.open(s.url, roundPage+"/utskick?slag=paminnelse"); st != 409 {
		t.Errorf("the reminder preview of a closed round: status %d, want 409", st)
	}
	if n := b.count(`main form[action$="/utskick"]`); n != 0 {
		t.Error("the reminder preview of a closed round offers a confirm")
	}
	if n := len(s.mail.Messages()); n != 0 {
		t.Errorf("the SMTP server got %d mails, want none", n)
	}
}
