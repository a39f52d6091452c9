package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
)

// waitText polls the JavaScript expression until its value contains want.
func waitText(b *browser, expr, want string, timeout time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := eval[string](b, expr)
		if strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("after %v, %s is %q, want it to contain %q", timeout, expr, got, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestAutosaveConflictKeepsText: the verksamhetschef types into an open
// evaluation; autosave saves it and moves the form's version on. Someone
// else then saves the evaluation: the next autosave is refused, says so,
// stops, and keeps everything typed in the form; Spara then merges, and
// both changes are kept.
func TestAutosaveConflictKeepsText(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, false)
	ctx := context.Background()
	sc := s.respond.ByLink(s.token)
	answers := form.Answers{"benamning": "Brukarundersökning hemtjänst", "kommunovergripande": "nej",
		"periodicitet": "arligen", "uppdragsgivare_typ": "politisk", "syfte": "Brukarnas upplevelse.",
		"resultatansvarig": "namnd", "anvandning": "handlingsplan", "brukarundersokning": "nej"}
	saved, err := s.respond.Save(ctx, sc, respond.Edit{Answers: answers})
	if err != nil {
		t.Fatal(err)
	}
	id := saved.Evaluation.ID
	base := s.url + "/l/" + s.token
	if st := b.open(base, fmt.Sprintf("/u/%d", id)); st != 200 {
		t.Fatalf("form: status %d", st)
	}
	const version = `document.querySelector('#evaluation-form input[name=version]').value`
	const status = `document.getElementById('autosave-status').textContent`
	if v := eval[string](b, version); v != "1" {
		t.Fatalf("form loaded at version %q, want 1", v)
	}

	// Autosave stores what is typed and moves the version on.
	b.typeInto("kommentar", "Skrivet i webbläsaren.")
	waitText(b, status, "sparades automatiskt", 45*time.Second)
	if v := eval[string](b, version); v != "2" {
		t.Fatalf("after autosave the form's version is %q, want 2", v)
	}

	// Someone else saves a change to syfte.
	other := answers.Clone()
	other["kommentar"] = "Skrivet i webbläsaren."
	other["syfte"] = "Ändrat i en annan flik."
	if _, err := s.respond.Save(ctx, sc, respond.Edit{ID: id, Version: 2, Answers: other}); err != nil {
		t.Fatal(err)
	}

	// Typing on: the next autosave is refused; the text stays.
	b.key(" Och mer.")
	waitText(b, status, "Någon annan har ändrat utvärderingen – ladda om för att se ändringarna; din text finns kvar här", 45*time.Second)
	if got := eval[string](b, `document.getElementById('kommentar').value`); got != "Skrivet i webbläsaren. Och mer." {
		t.Fatalf("after the refused autosave the field holds %q", got)
	}
	stored := s.evaluations(s.unit.ID)[0]
	if stored.Answers.Get("kommentar") != "Skrivet i webbläsaren." || stored.Version != 3 {
		t.Fatalf("the refused autosave stored kommentar %q (version %d)", stored.Answers.Get("kommentar"), stored.Version)
	}

	// Spara merges: the other's syfte and everything typed here.
	b.loadAfter("Spara", chromedp.Click(chromedp.CSS(`#evaluation-form button[value=spara]`)))
	if got := b.text("main .notice"); !strings.Contains(got, "Sparad. Ändringar som någon annan gjort under tiden i Syfte finns kvar.") {
		t.Errorf("notice after Spara: %q", got)
	}
	stored = s.evaluations(s.unit.ID)[0]
	if stored.Answers.Get("syfte") != "Ändrat i en annan flik." || stored.Answers.Get("kommentar") != "Skrivet i webbläsaren. Och mer." || !stored.Complete {
		t.Errorf("after Spara: syfte %q kommentar %q complete %v", stored.Answers.Get("syfte"), stored.Answers.Get("kommentar"), stored.Complete)
	}
}
