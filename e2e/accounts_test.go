package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/staff"
)

// TestOneTimePasswordForcesChange: the samordnare creates an account on
// /admin/konton and reads its one-time password off the page, once. The new
// projektledare logs in with it and can do nothing but choose a password of
// their own: every other page sends them to /konto/losenord. A too short
// password is refused at the field, with the focus on the error summary; a
// good one lands them on their start page. From then on only the new
// password opens the account.
func TestOneTimePasswordForcesChange(t *testing.T) {
	src := axeSource(t)
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	const (
		name  = "Karin Berg"
		email = "karin.berg@borlange.e2e"
		own   = "karins-eget-langa-losenord"
	)

	// The samordnare creates the account.
	b.login(s.url, "samordnare@e2e.example")
	b.loadAfter("Konton", chromedp.Click(chromedp.CSS(`main a[href="/admin/konton"]`)))
	if got := b.text("main h1"); got != "Konton" {
		t.Fatalf("accounts page heading %q", got)
	}
	b.do("fill in the new account",
		chromedp.SendKeys(chromedp.ID("namn"), name),
		chromedp.SendKeys(chromedp.ID("epost"), email),
		chromedp.SetValue(chromedp.ID("roll"), staff.Projektledare),
		chromedp.SetValue(chromedp.ID("kommun"), "Borlänge"),
	)
	b.loadAfter("Skapa konto", chromedp.Click(chromedp.CSS(`main form[action="/admin/konton"] button[type=submit]`)))
	if n := b.count(`main .error-summary`); n > 0 {
		t.Fatalf("the account was refused: %s", b.text("main .error-summary"))
	}
	if got := b.text("#engangslosenord"); !strings.Contains(got, name) || !strings.Contains(got, email) {
		t.Errorf("the notice says %q; want the new account's name and address", got)
	}
	oneTime := strings.TrimSpace(b.text("#engangslosenord code"))
	if len([]rune(oneTime)) < staff.MinPasswordLength {
		t.Fatalf("one-time password on the page: %q", oneTime)
	}
	if got := b.text("main table"); !strings.Contains(got, email) {
		t.Errorf("the account list does not show %s", email)
	}
	b.screenshot("konto-skapat")
	b.axe(src)
	// Shown once: the list, opened again, does not hold it.
	b.open(s.url, "/admin/konton")
	if n := b.count("#engangslosenord"); n != 0 || strings.Contains(b.text("main"), oneTime) {
		t.Error("the one-time password is shown again when the account list is opened again")
	}
	b.logout()

	// The new account logs in with the one-time password and must change it.
	b.submitLogin(s.url, email, oneTime)
	if got := b.path(s.url); got != "/konto/losenord" {
		t.Fatalf("after logging in with the one-time password the browser is at %s, want /konto/losenord; the page says %q", got, b.text("main"))
	}
	if got := b.text("header.site nav"); !strings.Contains(got, name) {
		t.Errorf("the menu says %q; want %s", got, name)
	}
	if got := b.text("main .notice"); !strings.Contains(got, "engångslösenord") {
		t.Errorf("the password page does not say why: %q", got)
	}
	b.screenshot("engangslosenord-inloggad")
	for _, p := range []string{"/admin", fmt.Sprintf("/admin/omgangar/%d", s.round.ID), fmt.Sprintf("/admin/enheter/%d", s.unit.ID), "/rapporter"} {
		b.open(s.url, p)
		if got := b.path(s.url); got != "/konto/losenord" {
			t.Errorf("with the one-time password, %s opens %s; want /konto/losenord", p, got)
		}
	}
	if b.count(`header.site nav a[href="/admin"]`) == 1 {
		b.loadAfter("menu Omgångar", chromedp.Click(chromedp.CSS(`header.site nav a[href="/admin"]`)))
		if got := b.path(s.url); got != "/konto/losenord" {
			t.Errorf("the menu's Omgångar opens %s; want /konto/losenord", got)
		}
	}

	// A too short password is refused at the field.
	b.open(s.url, "/konto/losenord")
	b.do("fill in a too short password",
		chromedp.SendKeys(chromedp.ID("nuvarande"), oneTime),
		chromedp.SendKeys(chromedp.ID("nytt"), "kort"),
		chromedp.SendKeys(chromedp.ID("upprepa"), "kort"),
	)
	b.loadAfter("Byt lösenord (too short)", chromedp.Click(chromedp.CSS(`main form[action="/konto/losenord"] button[type=submit]`)))
	if st := b.status(); st != 422 {
		t.Errorf("a too short password: status %d, want 422", st)
	}
	want := fmt.Sprintf("Lösenordet måste ha minst %d tecken.", staff.MinPasswordLength)
	if got := b.text("#fel-nytt"); !strings.Contains(got, want) {
		t.Errorf("error at the new password: %q, want %q", got, want)
	}
	type field struct {
		Invalid     string `json:"invalid"`
		DescribedBy string `json:"describedBy"`
	}
	if f := eval[field](b, `(function(el){ return {invalid: el.getAttribute('aria-invalid') || '', describedBy: el.getAttribute('aria-describedby') || ''}; })(document.getElementById('nytt'))`); f.Invalid != "true" || !strings.Contains(" "+f.DescribedBy+" ", " fel-nytt ") {
		t.Errorf("the new password field is not tied to its error: %+v", f)
	}
	if n := b.count(`#felsammanfattning a[href="#nytt"]`); n != 1 {
		t.Errorf("the error summary has %d links to #nytt, want 1", n)
	}
	if n := b.count(`main .field-error`); n != 1 {
		t.Errorf("%d fields show an error, want only the new password's", n)
	}
	// errors.js, a deferred script, has run by the load event.
	if got := eval[string](b, activeElementJS); !strings.HasPrefix(got, "div#felsammanfattning") {
		t.Errorf("after the refusal the focus is on %s, want the error summary", got)
	}
	b.screenshot("for-kort-losenord")
	b.axe(src)
	b.open(s.url, "/admin")
	if got := b.path(s.url); got != "/konto/losenord" {
		t.Fatalf("after a refused change, /admin opens %s; want /konto/losenord", got)
	}

	// A good password lands on the projektledare's start page.
	b.do("fill in a good password",
		chromedp.SendKeys(chromedp.ID("nuvarande"), oneTime),
		chromedp.SendKeys(chromedp.ID("nytt"), own),
		chromedp.SendKeys(chromedp.ID("upprepa"), own),
	)
	b.loadAfter("Byt lösenord", chromedp.Click(chromedp.CSS(`main form[action="/konto/losenord"] button[type=submit]`)))
	if got := b.path(s.url); !strings.HasPrefix(got, "/admin?") && got != "/admin" {
		t.Fatalf("after changing the password the browser is at %s, want /admin", got)
	}
	if got := b.text("main h1"); got != "Omgångar" {
		t.Errorf("start page heading %q", got)
	}
	if got := b.text("main .notice"); !strings.Contains(strings.ToLower(got), "lösenord") {
		t.Errorf("no confirmation of the change: %q", got)
	}
	b.screenshot("losenord-bytt")
	b.open(s.url, "/rapporter")
	if got := b.path(s.url); got != "/rapporter" {
		t.Errorf("after the change /rapporter opens %s", got)
	}
	if u, err := s.store.Q(context.Background()).UserByEmail(email); err != nil || u.MustChangePassword {
		t.Errorf("stored account after the change: must change %v, err %v", u.MustChangePassword, err)
	}
	b.logout()

	// The one-time password no longer works; the new one does.
	b.submitLogin(s.url, email, oneTime)
	if got := b.path(s.url); got != "/logga-in" {
		t.Errorf("the one-time password, used again, leads to %s", got)
	}
	if got := b.text("main .error-summary"); !strings.Contains(got, "Fel e-postadress eller lösenord") {
		t.Errorf("logging in with the old one-time password says %q", got)
	}
	if n := b.count(`header.site nav form[action="/logga-ut"]`); n != 0 {
		t.Fatal("the old one-time password logged in")
	}
	b.screenshot("engangslosenord-igen")
	b.submitLogin(s.url, email, own)
	if got := b.path(s.url); got != "/admin" {
		t.Errorf("logging in with the new password leads to %s, want /admin", got)
	}
	if got := b.text("header.site nav"); !strings.Contains(got, name) {
		t.Errorf("after logging in with the new password the menu says %q", got)
	}
}
