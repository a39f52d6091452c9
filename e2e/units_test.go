package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// TestCorrectEmailAndResend: a projektledare finds a unit's e-mail address
// wrong, corrects it on the unit's page with "send the link to the new
// address" ticked, and the link reaches the new address through the real
// SMTP server; the unit's send history says so, and the mailed link opens
// the unit's page.
func TestCorrectEmailAndResend(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("pl@borlange.e2e", staff.Projektledare, "Borlänge")
	b.login(s.url, "pl@borlange.e2e")

	unitPage := fmt.Sprintf("/admin/enheter/%d", s.unit.ID)
	if st := b.open(s.url, unitPage); st != 200 {
		t.Fatalf("unit page: %d", st)
	}
	if got := b.text("#utskick + p"); !strings.Contains(got, "Inget har skickats") {
		t.Errorf("send history before: %q", got)
	}
	b.loadAfter("open the correction form", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="%s/uppgifter"]`, unitPage))))
	if got := b.text("main h1"); got != "Ändra enhetens uppgifter" {
		t.Fatalf("form heading %q", got)
	}
	if !eval[bool](b, `document.getElementById('skicka_lank').checked`) {
		t.Error("'send the link to the new address' is not ticked by default")
	}
	// Replace the address by keyboard: clear the field, type the new one.
	b.do("clear the address", chromedp.Clear(chromedp.CSS("#epost")))
	b.typeInto("epost", "eva.ek@borlange.example")
	b.tabToCSS(`main form button[type="submit"]`)
	b.focusVisible("save button")
	b.loadAfter("save", b.press("\r"))

	if loc := b.location(); !strings.Contains(loc, unitPage+"?meddelande=uppgifter-lank") {
		t.Fatalf("after saving at %s", loc)
	}
	if got := b.text("main .notice"); !strings.Contains(got, "länken är skickad till den nya adressen") {
		t.Errorf("notice %q", got)
	}
	type sendRow struct {
		What, To, Outcome string
	}
	rows := eval[[]sendRow](b, `Array.from(document.querySelectorAll('#utskick ~ div table tbody tr')).map(tr => ({
	  What: tr.cells[1].textContent.trim(), To: tr.cells[2].textContent.trim(), Outcome: tr.cells[4].textContent.trim()}))`)
	if len(rows) != 1 || rows[0].What != round.SendNewLink.Label() || rows[0].To != "eva.ek@borlange.example" || rows[0].Outcome != "Skickad" {
		t.Errorf("send history on the page: %+v", rows)
	}

	// The new pages pass axe (WCAG 2.1 AA): the unit's page with its
	// history, the correction form showing an error, the new-link and
	// delete confirmations, and the send preview.
	src := axeSource(t)
	b.axe(src)
	for _, path := range []string{unitPage + "/ny-lank", unitPage + "/radera", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=paminnelse", s.round.ID)} {
		if st := b.open(s.url, path); st != 200 {
			t.Fatalf("%s: %d", path, st)
		}
		b.axe(src)
	}
	b.open(s.url, unitPage+"/uppgifter")
	b.do("clear the address", chromedp.Clear(chromedp.CSS("#epost")))
	b.typeInto("epost", "eva@borlange")
	b.loadAfter("save a bad address", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	if got := b.text("#fel-epost"); !strings.Contains(got, "”eva@borlange” är ingen giltig e-postadress.") {
		t.Errorf("error at the field: %q", got)
	}
	b.axe(src)

	// The SMTP server got one mail, to the new address, with the link.
	msgs := s.mail.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "eva.ek@borlange.example" {
		t.Fatalf("mails: %d", len(msgs))
	}
	raw := strings.ReplaceAll(strings.ReplaceAll(string(msgs[0].Raw), "=\r\n", ""), "=3D", "=")
	if !strings.Contains(raw, s.link) {
		t.Fatalf("the mail does not hold the unit's link %s", s.link)
	}
	if got := s.storedUnit(s.unit.ID); got.ChefEmail != "eva.ek@borlange.example" || got.InvitedAt == nil {
		t.Errorf("stored unit: %s, invited %v", got.ChefEmail, got.InvitedAt)
	}
	// The verksamhetschef opens the mailed link.
	c := newBrowser(t)
	if st := c.open(s.link, ""); st != 200 {
		t.Fatalf("the mailed link answers %d", st)
	}
	if got := c.text("main h1"); got != s.unit.Name {
		t.Errorf("the mailed link opens %q", got)
	}
}
