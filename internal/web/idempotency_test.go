package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var (
	idemField = regexp.MustCompile(`name="idem" value="([^"]+)"`)
	postForm  = regexp.MustCompile(`(?s)<form method="post".*?</form>`)
)

// answer is what a post was answered: enough to tell two answers apart.
type answer struct {
	status   int
	location string
	body     string
	replayed bool
}

func (a answer) same(b answer) bool {
	return a.status == b.status && a.location == b.location && a.body == b.body
}

// send posts form to target (an autosave when autosave is set) and returns
// the answer; a failed request is an error of t and answers status 0.
func send(t *testing.T, c *http.Client, target string, form url.Values, autosave bool) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if autosave {
		req.Header.Set("X-Autosave", "1")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", target, err) // not Fatal: it runs in goroutines too
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b),
		replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// formKey is the idempotency key of the page's first form.
func formKey(t *testing.T, page string) string {
	t.Helper()
	m := idemField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the form carries no idempotency key")
	}
	return m[1]
}

// TestIdempotentPosts: a post repeated with its key — on the same instance
// or another, one after the other or at the same time — is stored once and
// answered as the first was; a refused post keeps no key; an autosave's
// keys move on with its sequence. On SQLite (two stores on one file) and on
// PostgreSQL (two stores on one schema).
func TestIdempotentPosts(t *testing.T) {
	storetest.BothShared(t, 2, store.Options{}, func(t *testing.T, stores []*store.Store) {
		a, b := newInstance(t, "A", stores[0]), newInstance(t, "B", stores[1])
		ctx := context.Background()
		r, err := a.manage.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Resultatstyrning 2009", HourlyRate: "280"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.manage.AddKommun(ctx, manage.System("test"), r.ID, "Borlänge", "47 000"); err != nil {
			t.Fatal(err)
		}
		u, link, err := a.manage.AddUnit(ctx, manage.System("test"), r.ID, manage.UnitInput{Name: "Socialnämnden", Kommuner: []string{"Borlänge"}})
		if err != nil {
			t.Fatal(err)
		}
		base := link[strings.LastIndex(link, "/"):]
		base = "/l" + base
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		q := stores[0].Q(ctx)
		count := func() (evaluations, audit int) {
			t.Helper()
			evs, err := q.UnitEvaluations(u.ID)
			if err != nil {
				t.Fatal(err)
			}
			trail, err := q.AuditTrail(r.ID, 100000)
			if err != nil {
				t.Fatal(err)
			}
			return len(evs), len(trail)
		}

		// Every post form of the unit's pages carries a key of its own.
		seen := map[string]bool{}
		for _, path := range []string{base, base + "/ny"} {
			page := a.mustStatus(c, http.StatusOK, http.MethodGet, path, nil)
			forms := postForm.FindAllString(page, -1)
			if len(forms) == 0 {
				t.Fatalf("%s has no post form", path)
			}
			for _, f := range forms {
				k := formKey(t, f)
				if seen[k] {
					t.Fatalf("the key %s is on two forms", k)
				}
				seen[k] = true
			}
		}

		// One post, repeated on A and on B: stored once, the same answer.
		key := formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, base+"/ny", nil))
		form := with(validForm(), map[string][]string{"idem": {key}})
		first := send(t, c, a.srv.URL+base+"/ny", form, false)
		if first.status != http.StatusSeeOther || first.replayed {
			t.Fatalf("first post: %+v", first)
		}
		evs0, audit0 := count()
		for _, in := range []*instance{a, b} {
			again := send(t, c, in.srv.URL+base+"/ny", form, false)
			if !again.same(first) || !again.replayed {
				t.Fatalf("repeat on %s answered %+v, want %+v replayed", in.name, again, first)
			}
		}
		if evs, audit := count(); evs != 1 || evs0 != 1 || audit != audit0 {
			t.Fatalf("after the repeats: %d evaluations (%d before), %d audit events (%d before); want 1 and no new events", evs, evs0, audit, audit0)
		}

		// The same post sent at the same time to both instances, eight
		// times: one is stored, every answer is the same.
		form = with(validForm(), map[string][]string{"idem": {formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, base+"/ny", nil))},
			"benamning": {"Samtidigt skickad"}})
		answers := make([]answer, 8)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := []*instance{a, b}[i%2]
				answers[i] = send(t, c, in.srv.URL+base+"/ny", form, false)
			}()
		}
		wg.Wait()
		fresh := 0
		for _, ans := range answers {
			if ans.status != http.StatusSeeOther || !ans.same(answers[0]) {
				t.Fatalf("concurrent answers differ: %+v", answers)
			}
			if !ans.replayed {
				fresh++
			}
		}
		if evs, _ := count(); evs != 2 || fresh != 1 {
			t.Fatalf("%d evaluations after the concurrent posts (want 2), %d answered fresh (want 1)", evs, fresh)
		}

		// A refused post keeps no key: repeated, it is checked again, and
		// the corrected form under a new key is stored.
		bad := with(validForm(), map[string][]string{"idem": {formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, base+"/ny", nil))}, "syfte": nil})
		for _, in := range []*instance{a, b} {
			if ans := send(t, c, in.srv.URL+base+"/ny", bad, false); ans.status != http.StatusUnprocessableEntity || ans.replayed {
				t.Fatalf("refused post on %s: %d replayed=%v, want 422 checked again", in.name, ans.status, ans.replayed)
			}
		}

		// Autosave: the key .a1 creates the draft; its repeat (the answer
		// was lost) replays the same JSON and stores nothing; .a2 saves the
		// newer content to the evaluation the answer named.
		akey := formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, base+"/ny", nil))
		draft := with(validForm(), map[string][]string{"atgard": {"utkast"}, "idem": {akey + ".a1"}, "benamning": {"Utkast"}})
		first = send(t, c, a.srv.URL+base+"/ny", draft, true)
		if first.status != http.StatusOK || !strings.Contains(first.body, `"action"`) {
			t.Fatalf("autosave: %+v", first)
		}
		newer := with(draft, map[string][]string{"benamning": {"Utkast, längre namn"}})
		again := send(t, c, b.srv.URL+base+"/ny", newer, true)
		if !again.same(first) || !again.replayed {
			t.Fatalf("repeated autosave answered %+v, want %+v replayed", again, first)
		}
		action := regexp.MustCompile(`"action":"([^"]+)"`).FindStringSubmatch(first.body)[1]
		// The page sends the version the first answer gave (lost-update check).
		version := regexp.MustCompile(`"version":(\d+)`).FindStringSubmatch(first.body)
		if version == nil {
			t.Fatalf("autosave answer without a version: %s", first.body)
		}
		next := with(newer, map[string][]string{"idem": {akey + ".a2"}, "version": {version[1]}})
		if ans := send(t, c, b.srv.URL+action, next, true); ans.status != http.StatusOK || ans.replayed {
			t.Fatalf("the next autosave: %+v", ans)
		}
		evs, err := q.UnitEvaluations(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 || evs[2].Answers.Get("benamning") != "Utkast, längre namn" {
			t.Fatalf("after the autosaves: %d evaluations, the last named %q", len(evs), evs[len(evs)-1].Answers.Get("benamning"))
		}

		// A unit answer repeated: the first answer again, not "already
		// submitted".
		del := url.Values{"idem": {formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, fmt.Sprintf("%s/u/%d/ta-bort", base, evs[2].ID), nil))}}
		if ans := send(t, c, a.srv.URL+fmt.Sprintf("%s/u/%d/ta-bort", base, evs[2].ID), del, false); ans.status != http.StatusSeeOther {
			t.Fatalf("delete the draft: %+v", ans)
		}
		submit := url.Values{"idem": {formKey(t, a.mustStatus(c, http.StatusOK, http.MethodGet, base, nil))}}
		first = send(t, c, a.srv.URL+base+"/skicka-in", submit, false)
		if first.status != http.StatusSeeOther {
			t.Fatalf("submit: %+v", first)
		}
		if again := send(t, c, b.srv.URL+base+"/skicka-in", submit, false); !again.same(first) || !again.replayed {
			t.Fatalf("repeated submit answered %+v, want %+v replayed", again, first)
		}
		if ans := send(t, c, b.srv.URL+base+"/skicka-in", url.Values{"idem": {strings.Repeat("n", 24)}}, false); ans.status != http.StatusConflict {
			t.Fatalf("a new submit of a submitted unit: %d, want 409", ans.status)
		}
	})
}

// TestIdempotentStaffPosts: staff helping a unit post under the form's key
// too; the key is theirs (their session), so a repeat is stored once.
func TestIdempotentStaffPosts(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, staff.Samordnare)
	path := fmt.Sprintf("/admin/enheter/%d/ny", e.unit.ID)
	_, page := e.get(c, path)
	form := with(validForm(), map[string][]string{"csrf": {csrf}, "idem": {formKey(t, page)}})
	first := send(t, c, e.srv.URL+path, form, false)
	again := send(t, c, e.srv.URL+path, form, false)
	if first.status != http.StatusSeeOther || !again.same(first) || !again.replayed {
		t.Fatalf("staff post %+v, repeat %+v", first, again)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 1 {
		t.Fatalf("%d evaluations, want 1", n)
	}
	// The same key from the respondent's link is another post.
	link := with(validForm(), map[string][]string{"idem": {formKey(t, page)}})
	if ans := send(t, e.client(), e.srv.URL+"/l/"+e.token+"/ny", link, false); ans.status != http.StatusSeeOther || ans.replayed {
		t.Fatalf("the key through the link: %+v", ans)
	}
	if n := len(e.evaluations(e.unit.ID)); n != 2 {
		t.Fatalf("%d evaluations, want 2", n)
	}

	// The staff's own posts too: a unit added twice with the form's key
	// (a double click) is added once, and the repeat gets the first answer.
	overview := fmt.Sprintf("/admin/omgangar/%d", e.round.ID)
	_, page = e.get(c, overview)
	var add url.Values
	for _, f := range postForm.FindAllString(page, -1) {
		if strings.Contains(f, `action="`+overview+`/enheter"`) {
			add = url.Values{"csrf": {csrf}, "idem": {formKey(t, f)}, "enhet": {"Räddningstjänsten Dala Mitt"}, "kommun": {"Borlänge"}}
		}
	}
	if add == nil {
		t.Fatal("no form to add a unit on the round's page")
	}
	units := func() int {
		t.Helper()
		ov, err := e.manage.Overview(context.Background(), manage.System("test"), e.round.ID, manage.OverviewFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(ov.Units)
	}
	before := units()
	first = send(t, c, e.srv.URL+overview+"/enheter", add, false)
	again = send(t, c, e.srv.URL+overview+"/enheter", add, false)
	if first.status != http.StatusSeeOther || !again.same(first) || !again.replayed {
		t.Fatalf("adding a unit %+v, repeat %+v", first, again)
	}
	if n := units(); n != before+1 {
		t.Fatalf("%d units after adding one twice with one key, want %d", n, before+1)
	}
}
