package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// The verksamhetschef's page (issue 9, part 6): autosave on leaving, Avbryt
// that leaves no draft, focus on the error summary, long words that wrap,
// and the read-only view of a submitted evaluation.

// addUnit registers another unit of the round and returns it with its
// personal link token.
func (s *server) addUnit(name string) (round.Unit, string) {
	s.t.Helper()
	u, link, err := s.manage.AddUnit(context.Background(), manage.System("e2e"), s.round.ID, manage.UnitInput{Name: name,
		Kommuner: []string{"Borlänge"}, ChefName: "Anna Lind", ChefEmail: "anna@borlange.example"})
	if err != nil {
		s.t.Fatal(err)
	}
	return u, link[strings.LastIndex(link, "/")+1:]
}

// waitEvaluations polls the database until the unit's evaluations satisfy
// ok or the time is up; it returns the last list read.
func (s *server) waitEvaluations(unitID int64, within time.Duration, ok func([]round.Evaluation) bool) []round.Evaluation {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		evs := s.evaluations(unitID)
		if ok(evs) || time.Now().After(deadline) {
			return evs
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tab opens a second tab in b's browser.
func (b *browser) tab() (*browser, func()) {
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		b.t.Fatalf("open a tab: %v", err)
	}
	return &browser{t: b.t, ctx: ctx, out: b.out}, cancel
}

// closeTab closes the tab as a person does, running the page's pagehide
// handlers, and waits until the browser has let it go.
func (b *browser) closeTab() {
	b.t.Helper()
	gone, err := chromedp.Detached(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Call(ctx, page.Close, cdp.Empty{}); err != nil {
		b.t.Fatalf("close the tab: %v", err)
	}
	select {
	case <-gone:
	case <-ctx.Done():
		b.t.Fatal("the tab did not close")
	}
}

// dialogs answers every confirm() of the page: accept or dismiss, as
// answer says at the time; it returns the messages seen so far.
func (b *browser) dialogs(answer func() bool) func() []string {
	var mu sync.Mutex
	var seen []string
	events := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			seen = append(seen, ev.Message)
			mu.Unlock()
			if _, err := chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: answer()}); err != nil {
				return
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// typeFast types s at the end of the field with the id, as fast as a
// person can before leaving: no Tab walk.
func (b *browser) typeFast(id, s string) {
	b.t.Helper()
	if !eval[bool](b, `(function(el){ if (!el) return false; el.focus(); el.setSelectionRange(el.value.length, el.value.length); return document.activeElement === el; })(document.getElementById(`+jsString(id)+`))`) {
		b.t.Fatalf("no field #%s to type into", id)
	}
	b.key(s)
}

// TestChefTypesAndLeaves: a verksamhetschef types and, within three
// seconds, closes the tab or leaves the page, before the two-second pause
// after which autosave would run anyway; what was typed is there on return.
func TestChefTypesAndLeaves(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)

	existing, existingToken := s.addUnit("Kulturnämnden")
	saved, err := s.respond.Save(context.Background(), s.respond.ByLink(existingToken), respond.Edit{Answers: form.Answers{"benamning": "Besöksenkät bibliotek", "syfte": "Gammalt syfte."}, Draft: true})
	ev, _ := saved.Evaluation, saved.Errors
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		token  func() (round.Unit, string)
		path   func(token string) string
		field  string
		typed  string
		leave  func(tab *browser)
		wantID int64 // 0 = a new evaluation
	}{
		{
			name:  "new evaluation, tab closed",
			token: func() (round.Unit, string) { return s.addUnit("Tekniska nämnden") },
			path:  func(tok string) string { return "/l/" + tok + "/ny" },
			field: "benamning", typed: "Skrivet strax före stängning",
			leave: func(tab *browser) { tab.closeTab() },
		},
		{
			name:  "new evaluation, link followed",
			token: func() (round.Unit, string) { return s.addUnit("Miljönämnden") },
			path:  func(tok string) string { return "/l/" + tok + "/ny" },
			field: "benamning", typed: "Skrivet och sedan bort",
			leave: func(tab *browser) {
				tab.loadAfter("follow the link back to the unit", chromedp.Click(chromedp.CSS(`main > p:first-child a`)))
			},
		},
		{
			name:  "existing evaluation, tab closed",
			token: func() (round.Unit, string) { return existing, existingToken },
			path:  func(tok string) string { return fmt.Sprintf("/l/%s/u/%d", tok, ev.ID) },
			field: "syfte", typed: " Tillagt sist.",
			leave:  func(tab *browser) { tab.closeTab() },
			wantID: ev.ID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unit, token := tt.token()
			before := s.evaluations(unit.ID)
			tab, cancel := b.tab()
			defer cancel()
			tab.t = t
			if st := tab.open(s.url, tt.path(token)); st != 200 {
				t.Fatalf("form: status %d", st)
			}
			start := time.Now()
			tab.typeFast(tt.field, tt.typed)
			typed := time.Now()
			tt.leave(tab)
			left := time.Since(typed)
			if total := time.Since(start); total > 3*time.Second || left >= 2*time.Second {
				t.Fatalf("typing and leaving took %v (left %v after the last key): too slow to show that leaving saves", total, left)
			}
			want := tt.typed
			if tt.wantID != 0 {
				want = "Gammalt syfte." + tt.typed
			}
			evs := s.waitEvaluations(unit.ID, 5*time.Second, func(evs []round.Evaluation) bool {
				for _, e := range evs {
					if e.Answers.Get(tt.field) == want {
						return true
					}
				}
				return false
			})
			var saved round.Evaluation
			for _, e := range evs {
				if e.Answers.Get(tt.field) == want {
					saved = e
				}
			}
			if saved.ID == 0 {
				t.Fatalf("after leaving, the unit's evaluations are %s; want %s = %q", describe(evs), tt.field, want)
			}
			if tt.wantID != 0 && (saved.ID != tt.wantID || len(evs) != len(before)) {
				t.Fatalf("saved into evaluation %d of %d, want the existing %d and no new one", saved.ID, len(evs), tt.wantID)
			}
			if tt.wantID == 0 && len(evs) != len(before)+1 {
				t.Fatalf("%d evaluations after leaving, want %d: one draft, not two", len(evs), len(before)+1)
			}
			// On return, the text is in the form.
			rb := b.in(t)
			if st := rb.open(s.url, fmt.Sprintf("/l/%s/u/%d", token, saved.ID)); st != 200 {
				t.Fatalf("return: status %d", st)
			}
			if got := eval[string](rb, `document.getElementById(`+jsString(tt.field)+`).value`); got != want {
				t.Fatalf("on return #%s holds %q, want %q", tt.field, got, want)
			}
		})
	}

	// Without leaving, the draft is saved about two seconds after the last
	// key, and the page says when, in Swedish time.
	t.Run("pause", func(t *testing.T) {
		unit, token := s.addUnit("Fritidsnämnden")
		rb := b.in(t)
		rb.open(s.url, "/l/"+token+"/ny")
		rb.typeFast("benamning", "Pausat efter skrivandet")
		typed := time.Now()
		evs := s.waitEvaluations(unit.ID, 5*time.Second, func(evs []round.Evaluation) bool { return len(evs) > 0 })
		after := time.Since(typed)
		if len(evs) != 1 || evs[0].Answers.Get("benamning") != "Pausat efter skrivandet" {
			t.Fatalf("after a pause the unit has %s", describe(evs))
		}
		if after > 4*time.Second {
			t.Errorf("autosave came %v after the last key, want about 2 s", after)
		}
		rb.do("wait for the autosave status", chromedp.Poll[chromedp.Void](`document.getElementById('autosave-status').textContent.indexOf('sparades') >= 0`))
		if got := rb.text("#autosave-status"); !strings.Contains(got, "Utkastet sparades automatiskt kl. ") || !(strings.Contains(got, "CET") || strings.Contains(got, "CEST")) {
			t.Errorf("autosave status %q, want the time in Swedish time with its zone", got)
		}
		// The form now stores into the draft: Spara completes it, no second one.
		if act := eval[string](rb, `document.getElementById('evaluation-form').getAttribute('action')`); act != fmt.Sprintf("/l/%s/u/%d", token, evs[0].ID) {
			t.Errorf("after autosave the form posts to %q", act)
		}
	})
}

func describe(evs []round.Evaluation) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, fmt.Sprintf("%d:%q", e.ID, e.Title()))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// TestChefAvbrytLeavesNoDraft: Avbryt on a new evaluation throws away what
// autosave stored, after asking; on an existing evaluation it just leaves.
func TestChefAvbrytLeavesNoDraft(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("pl@e2e.example", staff.Projektledare, "Borlänge")
	var accept bool
	var mu sync.Mutex
	answer := func(v bool) { mu.Lock(); accept = v; mu.Unlock() }
	seen := b.dialogs(func() bool { mu.Lock(); defer mu.Unlock(); return accept })
	dialogsBefore := func() int { return len(seen()) }

	avbryt := func(b *browser, what string) { b.loadAfter(what, chromedp.Click(chromedp.ID("avbryt"))) }

	t.Run("after autosave, confirmed", func(t *testing.T) {
		unit, token := s.addUnit("Tekniska nämnden")
		rb := b.in(t)
		rb.open(s.url, "/l/"+token+"/ny")
		rb.typeFast("benamning", "Halvfärdig")
		if evs := s.waitEvaluations(unit.ID, 5*time.Second, func(evs []round.Evaluation) bool { return len(evs) == 1 }); len(evs) != 1 {
			t.Fatalf("autosave stored %s, want one draft to throw away", describe(evs))
		}
		rb.do("wait for the form to post to the draft", chromedp.Poll[chromedp.Void](`/\/u\/\d+$/.test(document.getElementById('evaluation-form').getAttribute('action'))`))
		n := dialogsBefore()
		answer(true)
		avbryt(rb, "Avbryt, confirmed")
		if d := seen(); len(d) != n+1 {
			t.Fatalf("Avbryt with content asked %d times, want once", len(d)-n)
		}
		if loc := rb.location(); !strings.HasSuffix(loc, "/l/"+token) {
			t.Fatalf("after Avbryt the page is %s, want the unit page", loc)
		}
		time.Sleep(2500 * time.Millisecond) // no late autosave either
		if evs := s.evaluations(unit.ID); len(evs) != 0 {
			t.Fatalf("after Avbryt the unit has %s, want no draft", describe(evs))
		}
		if got := rb.text("main h2"); !strings.Contains(got, "(0)") {
			t.Fatalf("unit page heading %q, want no evaluations", got)
		}
	})

	t.Run("before autosave, confirmed", func(t *testing.T) {
		unit, token := s.addUnit("Miljönämnden")
		rb := b.in(t)
		rb.open(s.url, "/l/"+token+"/ny")
		rb.typeFast("benamning", "Strax ångrat")
		answer(true)
		avbryt(rb, "Avbryt at once")
		time.Sleep(2500 * time.Millisecond)
		if evs := s.evaluations(unit.ID); len(evs) != 0 {
			t.Fatalf("after Avbryt the unit has %s, want nothing saved on the way out", describe(evs))
		}
	})

	t.Run("dismissed", func(t *testing.T) {
		_, token := s.addUnit("Byggnadsnämnden")
		rb := b.in(t)
		rb.open(s.url, "/l/"+token+"/ny")
		rb.typeFast("benamning", "Behålls")
		n := dialogsBefore()
		answer(false)
		rb.do("Avbryt, dismissed", chromedp.Click(chromedp.ID("avbryt")))
		if d := seen(); len(d) != n+1 || !strings.Contains(d[len(d)-1], "slänga") {
			t.Fatalf("dialogs %q, want one asking to throw the evaluation away", d[n:])
		}
		if loc := rb.location(); !strings.HasSuffix(loc, "/ny") {
			t.Fatalf("after dismissing, the page is %s", loc)
		}
		if got := eval[string](rb, `document.getElementById('benamning').value`); got != "Behålls" {
			t.Fatalf("after dismissing, the name is %q", got)
		}
	})

	t.Run("nothing typed", func(t *testing.T) {
		unit, token := s.addUnit("Valnämnden")
		rb := b.in(t)
		rb.open(s.url, "/l/"+token+"/ny")
		n := dialogsBefore()
		avbryt(rb, "Avbryt on an empty form")
		if d := seen(); len(d) != n {
			t.Fatalf("Avbryt on an empty form asked %q", d[n:])
		}
		if evs := s.evaluations(unit.ID); len(evs) != 0 {
			t.Fatalf("unit has %s", describe(evs))
		}
	})

	t.Run("existing evaluation", func(t *testing.T) {
		unit, token := s.addUnit("Kulturnämnden")
		saved, err := s.respond.Save(context.Background(), s.respond.ByLink(token), respond.Edit{Answers: form.Answers{"benamning": "Finns redan"}, Draft: true})
		ev, _ := saved.Evaluation, saved.Errors
		if err != nil {
			t.Fatal(err)
		}
		rb := b.in(t)
		rb.open(s.url, fmt.Sprintf("/l/%s/u/%d", token, ev.ID))
		n := dialogsBefore()
		avbryt(rb, "Avbryt on an existing evaluation")
		if d := seen(); len(d) != n {
			t.Fatalf("Avbryt on an existing evaluation asked %q", d[n:])
		}
		if evs := s.evaluations(unit.ID); len(evs) != 1 || evs[0].ID != ev.ID {
			t.Fatalf("unit has %s, want the evaluation kept", describe(evs))
		}
	})

	t.Run("staff, after autosave", func(t *testing.T) {
		unit, _ := s.addUnit("Överförmyndarnämnden")
		rb := b.in(t)
		rb.login(s.url, "pl@e2e.example")
		rb.open(s.url, fmt.Sprintf("/admin/enheter/%d/ny", unit.ID))
		rb.typeFast("benamning", "Hjälp på distans")
		if evs := s.waitEvaluations(unit.ID, 5*time.Second, func(evs []round.Evaluation) bool { return len(evs) == 1 }); len(evs) != 1 {
			t.Fatalf("staff autosave stored %s", describe(evs))
		}
		rb.do("wait for the form to post to the draft", chromedp.Poll[chromedp.Void](`/\/u\/\d+$/.test(document.getElementById('evaluation-form').getAttribute('action'))`))
		answer(true)
		avbryt(rb, "staff Avbryt")
		if loc := rb.location(); !strings.HasSuffix(loc, fmt.Sprintf("/admin/enheter/%d", unit.ID)) {
			t.Fatalf("after Avbryt the page is %s", loc)
		}
		if evs := s.evaluations(unit.ID); len(evs) != 0 {
			t.Fatalf("after staff Avbryt the unit has %s, want no draft", describe(evs))
		}
	})
}

// TestChefFocusOnErrorSummary: after a refused save the focus is on the
// error summary, with JavaScript and without.
func TestChefFocusOnErrorSummary(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript=%v", js), func(t *testing.T) {
			rb := b.in(t)
			ctx, cancel := rb.step()
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js})
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			rb.open(s.url, "/l/"+s.token+"/ny")
			rb.typeFast("benamning", "Utan syfte")
			rb.loadAfter("Spara", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
			rb.waitVisible("#felsammanfattning")
			if got := eval[string](rb, `document.activeElement ? document.activeElement.id : ''`); got != "felsammanfattning" {
				t.Fatalf("after a refused save the focus is on %s, want the error summary", eval[string](rb, activeElementJS))
			}
			if js {
				rb.screenshotTop("formular-fel-fokus")
			}
		})
	}
	if n := len(s.evaluations(s.unit.ID)); n != 0 {
		// Without JavaScript nothing autosaves; with it, the typed name may
		// have been kept as a draft by autosave, which is fine. Only the
		// refused Spara must not have stored a complete evaluation.
		for _, e := range s.evaluations(s.unit.ID) {
			if e.Complete {
				t.Fatalf("a refused save stored a complete evaluation %q", e.Title())
			}
		}
	}
}

// TestChefLongWordsWrap: a 300-character name without spaces wraps instead
// of widening the page, on a wide screen and a phone.
func TestChefLongWordsWrap(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	s.addUser("samordnare@e2e.example", staff.Samordnare, "")
	long := strings.Repeat("Utvärderingsnamnutanmellanslag", 10) // 300 characters
	// A unit's name may be 200 characters (round.NormalizeUnit).
	unit, token := s.addUnit(strings.Repeat("Förvaltningsnamnutanmellanslag", 10)[:200])
	ctx := context.Background()
	saved, err := s.respond.Save(ctx, s.respond.ByLink(token), respond.Edit{Answers: form.Answers{"benamning": long, "periodicitet": "arligen", "uppdragsgivare_typ": "verksamhet",
		"syfte": long, "resultatansvarig": "verksamhetschef", "anvandning": "inte_alls", "konsult_kr": "12500", "timmar": "12.5"}})
	ev, errs := saved.Evaluation, saved.Errors
	if err != nil || len(errs) > 0 {
		t.Fatalf("save: %v %v", err, errs)
	}
	link := "/l/" + token
	pages := []string{link, link + fmt.Sprintf("/u/%d", ev.ID), link + "/ny"}
	check := func(rb *browser, width int) {
		for _, p := range pages {
			rb.open(s.url, p)
			sw, iw := eval[int](rb, `document.documentElement.scrollWidth`), eval[int](rb, `window.innerWidth`)
			if sw > iw {
				rb.screenshotTop(fmt.Sprintf("bred-%d", width))
				t.Errorf("%s at %d px: the page is %d px wide, the window %d px", p, width, sw, iw)
			}
		}
	}
	rb := b.in(t)
	check(rb, 1280)
	// Submitted: the read-only view, with the long name in its heading.
	if err := s.respond.Submit(ctx, s.respond.ByLink(token)); err != nil {
		t.Fatal(err)
	}
	check(rb, 1280)
	rb.open(s.url, link+fmt.Sprintf("/u/%d", ev.ID))
	rb.screenshot("las-lang")

	// Staff pages: the unit page, the round's list of units, and the audit
	// trail, where the long name is a logged value.
	rb.login(s.url, "samordnare@e2e.example")
	userPages := pages
	pages = []string{fmt.Sprintf("/admin/enheter/%d", unit.ID), fmt.Sprintf("/admin/omgangar/%d", s.round.ID),
		fmt.Sprintf("/admin/omgangar/%d/andringslogg", s.round.ID)}
	check(rb, 1280)
	rb.open(s.url, pages[2])
	rb.screenshotTop("andringslogg-lang")

	c, cancel := rb.step()
	_, err = chromedp.Call(c, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	// On a phone: the verksamhetschef's pages and the staff unit page (the
	// round's tables scroll in their own box; the audit trail's eight
	// columns do not fit a phone with or without long words).
	pages = append(userPages, pages[0], pages[1])
	check(rb, 390)
	rb.open(s.url, userPages[1])
	rb.screenshot("las-lang-mobil")
}

// TestChefReadOnlyEvaluation: a submitted evaluation opens read-only with
// the banner at the top of the window, and the unit page; screenshots of
// both for a person to look at.
func TestChefReadOnlyEvaluation(t *testing.T) {
	src := axeSource(t)
	b := newBrowser(t)
	s := newServer(t, false)
	ctx := context.Background()
	saved, err := s.respond.Save(ctx, s.respond.ByLink(s.token), respond.Edit{Answers: form.Answers{"benamning": "Brukarundersökning hemtjänst", "periodicitet": "arligen",
		"uppdragsgivare_typ": "politisk", "uppdragsgivare": "Socialnämnden", "syfte": "Ta reda på hur brukarna upplever hemtjänsten.",
		"resultatansvarig": "namnd;verksamhetschef", "anvandning": "handlingsplan;budget_malprocess", "brukarundersokning": "ja",
		"malgrupp": "Brukare i hemtjänsten", "metod": "enkat_papper;intervju", "timmar": "120.5", "konsult_kr": "25000"}})
	ev, errs := saved.Evaluation, saved.Errors
	if err != nil || len(errs) > 0 {
		t.Fatalf("save: %v %v", err, errs)
	}
	if err := s.respond.Submit(ctx, s.respond.ByLink(s.token)); err != nil {
		t.Fatal(err)
	}
	b.open(s.url, "/l/"+s.token)
	b.screenshot("enhet-inskickad")
	if got := b.text("main tbody td:nth-child(3)"); !strings.HasSuffix(got, " CET") && !strings.HasSuffix(got, " CEST") {
		t.Errorf("Ändrad %q, want Swedish time with its zone", got)
	}
	b.open(s.url, fmt.Sprintf("/l/%s/u/%d", s.token, ev.ID))
	b.screenshot("utvardering-las")
	b.axe(src)
	// The banner is in the first window, nothing is an input.
	top := eval[float64](b, `document.querySelector('.banner').getBoundingClientRect().bottom`)
	if h := eval[float64](b, `window.innerHeight`); top <= 0 || top > h {
		t.Fatalf("the banner ends at %v px, outside the first window (%v px)", top, h)
	}
	if n := b.count("main input, main textarea, main select"); n != 0 {
		t.Fatalf("read-only page has %d inputs", n)
	}
	if got := b.text(".banner"); !strings.Contains(got, "Ändra svaret") || !strings.Contains(got, "inskickat") {
		t.Fatalf("banner says %q", got)
	}
	answers := eval[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll('dl > div')).map(d => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]))`)
	for label, want := range map[string]string{"Egen insatt tid (timmar)": "120,5", "Konsultkostnader (kr)": "25\u00a0000", "Metod": "Enkät på papper, Intervju", "Hur ofta": "Årligen"} {
		if answers[label] != want {
			t.Errorf("%s: %q, want %q", label, answers[label], want)
		}
	}
	// A page that cannot be had now leads back to the unit.
	if st := b.open(s.url, "/l/"+s.token+"/ny"); st != 409 {
		t.Fatalf("new evaluation after submit: status %d, want 409", st)
	}
	b.axe(src)
	if got := eval[string](b, `(function(a){ return a ? a.getAttribute('href') + ' ' + a.textContent : ''; })(document.querySelector('main a'))`); got != "/l/"+s.token+" Tillbaka till enhetens sida" {
		t.Fatalf("409 page links %q, want back to the unit", got)
	}
	b.screenshotTop("fel-409")
	b.loadAfter("back to the unit", chromedp.Click(chromedp.CSS("main a")))

	// "Ändra svaret" through the banner's link opens the form again.
	b.open(s.url, fmt.Sprintf("/l/%s/u/%d", s.token, ev.ID))
	b.loadAfter("the banner's link", chromedp.Click(chromedp.CSS(".banner a")))
	b.loadAfter("Ändra svaret", chromedp.Click(chromedp.CSS(`form[action$="/andra"] button`)))
	b.open(s.url, fmt.Sprintf("/l/%s/u/%d", s.token, ev.ID))
	if got := eval[string](b, `document.getElementById('konsult_kr').value`); got != "25\u00a0000" {
		t.Fatalf("reopened form shows konsult_kr %q, want 25 000", got)
	}
	if got := eval[string](b, `document.getElementById('hjalp-konsult_kr').textContent`); !strings.Contains(got, "Hela kronor, t.ex. 12\u00a0500") {
		t.Fatalf("konsult_kr hint %q", got)
	}
	b.screenshot("utvardering-oppen")
}

// TestChefSaveWhileAutosaveAdds: pressing "Spara utkast" while autosave is
// still adding the new evaluation (a slow network) stores into that draft
// instead of adding the evaluation a second time.
func TestChefSaveWhileAutosaveAdds(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	unit, token := s.addUnit("Tekniska nämnden")
	ctx, cancel := b.step()
	_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{URLPattern: s.url + "/l/*/ny", Latency: 2000, DownloadThroughput: -1, UploadThroughput: -1}}})
	cancel()
	if err != nil {
		t.Fatalf("slow down adding: %v", err)
	}
	b.open(s.url, "/l/"+token+"/ny")
	b.typeFast("benamning", "Långsamt nät")
	// The autosave starts two seconds after the last key and then waits
	// two seconds for its answer; press the button in between.
	time.Sleep(2500 * time.Millisecond)
	if act := eval[string](b, `document.getElementById('evaluation-form').getAttribute('action')`); !strings.HasSuffix(act, "/ny") {
		t.Fatalf("the slowed autosave already answered (the form posts to %s): the test cannot show the race", act)
	}
	if evs := s.evaluations(unit.ID); len(evs) != 1 {
		t.Fatalf("the autosave under way has stored %s, want the draft it adds", describe(evs))
	}
	b.loadAfter("Spara utkast while autosave adds", chromedp.Click(chromedp.CSS(`button[name=atgard][value=utkast]`)))
	if got := b.text("main .notice"); !strings.HasPrefix(got, "Utkastet är sparat.") {
		t.Fatalf("after Spara utkast the notice is %q (at %s)", got, b.location())
	}
	time.Sleep(500 * time.Millisecond)
	if evs := s.evaluations(unit.ID); len(evs) != 1 || evs[0].Title() != "Långsamt nät" {
		t.Fatalf("the unit has %s, want one draft", describe(evs))
	}
}

// TestChefAvbrytAfterRefusal: Avbryt on a refused new evaluation, shown
// again with what was typed, asks before throwing that away.
func TestChefAvbrytAfterRefusal(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	seen := b.dialogs(func() bool { return true })
	b.open(s.url, "/l/"+s.token+"/ny")
	b.typeFast("benamning", "Avvisad")
	b.loadAfter("Spara", chromedp.Click(chromedp.CSS(`button[name=atgard][value=spara]`)))
	b.waitVisible("#felsammanfattning")
	n := len(seen())
	b.loadAfter("Avbryt", chromedp.Click(chromedp.ID("avbryt")))
	if d := seen(); len(d) != n+1 {
		t.Fatalf("Avbryt on a refused form asked %d times, want once", len(d)-n)
	}
	if evs := s.waitEvaluations(s.unit.ID, 3*time.Second, func(evs []round.Evaluation) bool { return false }); len(evs) != 0 {
		t.Fatalf("after Avbryt the unit has %s", describe(evs))
	}
}
