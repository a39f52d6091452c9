package manage_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

// TestCarryForwardLineage: carrying a round forward keeps the kommuner's
// codes, records the round, unit and evaluation it came from, carries the
// unit's drafts but neither one-off nor excluded evaluations; the chef
// confirms, changes or drops last year's evaluations and reads last year's
// answers; the next round's report is matched with this one's by lineage.
func TestCarryForwardLineage(t *testing.T) {
	f := newFixture(t)
	ticking(f)
	if _, err := f.m.AddKommunWith(ctx, f.system, f.round.ID, manage.KommunInput{Name: "Säter", Kommunkod: "2082"}); err != nil {
		t.Fatal(err)
	}
	heby := f.submitted(t, "Socialnämnden/Heby",
		complete("arligen", "Brukarenkät"), complete("flera_per_ar", "Månadsrapport"),
		complete("engangs", "Utredning 2009"), complete("arligen", "Löpande statistik"))
	if err := f.m.Exclude(ctx, f.system, f.round.ID, heby[3].ID, "Ingen utvärdering"); err != nil {
		t.Fatal(err)
	}
	miljo := f.byLink(f.links["Miljökontoret/Falun"])
	saved, err := f.resp.Save(ctx, miljo, respond.Edit{Answers: form.Answers{"benamning": "Halvfärdig tillsyn"}, Draft: true})
	draft, _ := saved.Evaluation, saved.Errors
	if err != nil {
		t.Fatal(err)
	}

	next, err := f.m.CarryForward(ctx, f.system, f.round.ID, manage.RoundInput{Name: "Resultatstyrning 2010"})
	if err != nil {
		t.Fatal(err)
	}
	prev, ok, err := f.m.PreviousRound(ctx, f.system, next.ID)
	if err != nil || !ok || prev.ID != f.round.ID {
		t.Errorf("PreviousRound = %v, %v, %v; want %s", prev.Name, ok, err, f.round.Name)
	}
	if _, ok, _ := f.m.PreviousRound(ctx, f.system, f.round.ID); ok {
		t.Error("the first round has a previous round")
	}
	ks, err := f.st.Q(ctx).Kommuner(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, k := range ks {
		codes[k.Name] = k.Kommunkod
	}
	if !reflect.DeepEqual(codes, map[string]string{"Falun": "", "Heby": "", "Säter": "2082"}) {
		t.Errorf("carried kommuner = %v", codes)
	}

	units, err := f.st.Q(ctx).UnitLineage(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != len(f.units) {
		t.Errorf("%d units carry lineage, want %d", len(units), len(f.units))
	}
	ov, err := f.m.Overview(ctx, f.system, next.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	newUnit := map[string]int64{}
	for _, u := range ov.Units {
		key := u.Name + "/" + joinPlus(u.Kommuner)
		newUnit[key] = u.ID
		if units[u.ID] != f.units[key].ID {
			t.Errorf("%s continues unit %d, want %d", key, units[u.ID], f.units[key].ID)
		}
	}
	evLineage, err := f.st.Q(ctx).EvaluationLineage(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	carriedFrom := map[int64]bool{}
	for _, p := range evLineage {
		carriedFrom[p] = true
	}
	for _, tc := range []struct {
		name string
		id   int64
		want bool
	}{
		{"recurring yearly", heby[0].ID, true},
		{"recurring monthly", heby[1].ID, true},
		{"one-off", heby[2].ID, false},
		{"excluded", heby[3].ID, false},
		{"the unit's draft", draft.ID, true},
	} {
		if carriedFrom[tc.id] != tc.want {
			t.Errorf("%s: carried %v, want %v", tc.name, carriedFrom[tc.id], tc.want)
		}
	}

	// The chef's page lists last year's evaluations to confirm.
	hebyLink := f.byLinkOf(t, ov, "Socialnämnden/Heby")
	page, err := f.resp.Open(ctx, hebyLink)
	if err != nil {
		t.Fatal(err)
	}
	if !page.HasPrevious() || len(page.Carried()) != 2 {
		t.Fatalf("carried on the chef's page: %d, previous %v; want 2, true", len(page.Carried()), page.HasPrevious())
	}
	confirm, drop := page.Carried()[0], page.Carried()[1]
	// A page that showed another version than the stored one changes
	// nothing: the evaluation was saved since.
	if _, err := f.resp.Confirm(ctx, hebyLink, confirm.ID, confirm.Version+1); codeOf(err) != apperror.Conflict {
		t.Errorf("confirming a version since replaced = %v, want conflict", err)
	}
	if err := f.resp.Discontinue(ctx, hebyLink, drop.ID, drop.Version+1); codeOf(err) != apperror.Conflict {
		t.Errorf("discontinuing a version since replaced = %v, want conflict", err)
	}
	if errs, err := f.resp.Confirm(ctx, hebyLink, confirm.ID, confirm.Version); err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	if err := f.resp.Discontinue(ctx, hebyLink, drop.ID, drop.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.resp.Confirm(ctx, hebyLink, confirm.ID, 0); codeOf(err) != apperror.Conflict {
		t.Errorf("confirming twice = %v, want conflict", err)
	}
	page, err = f.resp.Open(ctx, hebyLink)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Carried()) != 0 || len(page.Evaluations) != 1 || !page.Evaluations[0].Complete || page.Evaluations[0].Title() != "Brukarenkät" {
		t.Errorf("after confirming and dropping: %d carried, evaluations %+v", len(page.Carried()), page.Evaluations)
	}
	// A carried draft that lacks answers is not confirmed as it stands.
	miljoNext := f.byLinkOf(t, ov, "Miljökontoret/Falun")
	mp, err := f.resp.Open(ctx, miljoNext)
	if err != nil {
		t.Fatal(err)
	}
	if len(mp.Carried()) != 1 {
		t.Fatalf("Miljökontoret's carried drafts = %d, want 1", len(mp.Carried()))
	}
	if errs, err := f.resp.Confirm(ctx, miljoNext, mp.Carried()[0].ID, 0); err != nil || len(errs) == 0 {
		t.Errorf("confirming an incomplete draft: %v, %v; want the missing answers", errs, err)
	}

	// Last year's answers, read-only, with what was excluded.
	old, err := f.resp.Previous(ctx, hebyLink)
	if err != nil {
		t.Fatal(err)
	}
	if old.Round.ID != f.round.ID || len(old.Evaluations) != 4 || old.ExclusionOf(heby[3].ID) != "Ingen utvärdering" || old.Unit.Response != round.Submitted {
		t.Errorf("previous page = round %s, %d evaluations, exclusion %q", old.Round.Name, len(old.Evaluations), old.ExclusionOf(heby[3].ID))
	}
	if _, err := f.resp.Previous(ctx, f.byLink(f.links["Socialnämnden/Heby"])); codeOf(err) != apperror.NotFound {
		t.Errorf("the first round's unit has a previous page: %v", err)
	}

	// The next round's report is matched with this one's by lineage: the
	// renamed evaluation recurs.
	renamed := complete("arligen", "Brukarenkät hemtjänst")
	if _, err := f.resp.Save(ctx, hebyLink, respond.Edit{ID: page.Evaluations[0].ID, Version: page.Evaluations[0].Version, Answers: renamed}); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Submit(ctx, hebyLink); err != nil {
		t.Fatal(err)
	}
	m, err := f.m.MatchRounds(ctx, f.system, f.round.ID, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	var recurring, dropped []string
	for _, p := range m.Evaluations {
		switch {
		case p.Recurs():
			if !p.ByLineage {
				t.Errorf("%s recurs by name, want by lineage", p.Current.Title())
			}
			recurring = append(recurring, p.Previous.Title()+" → "+p.Current.Title())
		case p.Previous != nil:
			dropped = append(dropped, p.Previous.Title())
		}
	}
	sort.Strings(dropped)
	if !reflect.DeepEqual(recurring, []string{"Brukarenkät → Brukarenkät hemtjänst"}) {
		t.Errorf("recurring = %v", recurring)
	}
	if !reflect.DeepEqual(dropped, []string{"Månadsrapport", "Utredning 2009"}) {
		t.Errorf("dropped = %v, want Månadsrapport and Utredning 2009 (the excluded one counted in neither report)", dropped)
	}
}

func joinPlus(ks []string) string {
	out := ""
	for i, k := range ks {
		if i > 0 {
			out += "+"
		}
		out += k
	}
	return out
}

// byLinkOf is the link scope of a unit of another round's overview.
func (f *fixture) byLinkOf(t *testing.T, ov manage.Overview, key string) respond.Scope {
	t.Helper()
	for _, u := range ov.Units {
		if u.Name+"/"+joinPlus(u.Kommuner) == key {
			return f.byLink(u.Link)
		}
	}
	t.Fatalf("no unit %s in %s", key, ov.Round.Name)
	return respond.Scope{}
}

// TestMatchRoundsByKommunkod: two rounds entered separately, where the
// kommun's name differs ("Falu kommun" in 2009, "Falun" in 2010) but its
// SCB code is the same, are matched by the code; a kommun that took part in
// one round only is matched with nothing, and its units too.
func TestMatchRoundsByKommunkod(t *testing.T) {
	f := newFixture(t)
	sys := f.system
	mk := func(name string, kommuner []manage.KommunInput, units map[string][]string) round.Round {
		t.Helper()
		r, err := f.m.CreateRound(ctx, sys, manage.RoundInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kommuner {
			if _, err := f.m.AddKommunWith(ctx, sys, r.ID, k); err != nil {
				t.Fatal(err)
			}
		}
		for unit, ks := range units {
			u, link, err := f.m.AddUnit(ctx, sys, r.ID, manage.UnitInput{Name: unit, Kommuner: ks})
			if err != nil {
				t.Fatal(err)
			}
			sc := f.resp.ByLink(token(link))
			if _, err := f.resp.Save(ctx, sc, respond.Edit{Answers: complete("arligen", "Brukarenkät "+u.Name)}); err != nil {
				t.Fatal(err)
			}
			if err := f.resp.Submit(ctx, sc); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	r09 := mk("Mätning 2009", []manage.KommunInput{{Name: "Falu kommun", Kommunkod: "2080"}, {Name: "Vansbro", Kommunkod: "2021"}, {Name: "Heby"}},
		map[string][]string{"Socialnämnden": {"Falu kommun"}, "Kommunstyrelsen": {"Vansbro"}, "Tekniska nämnden": {"Heby"}})
	r10 := mk("Mätning 2010", []manage.KommunInput{{Name: "Falun", Kommunkod: "2080"}, {Name: "Ludvika", Kommunkod: "2085"}, {Name: "Heby", Kommunkod: "0331"}},
		map[string][]string{"Socialnämnden": {"Falun"}, "Kommunstyrelsen": {"Ludvika"}, "Tekniska nämnden": {"Heby"}})

	m, err := f.m.MatchRounds(ctx, sys, r09.ID, r10.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range m.Kommuner {
		prev, cur := "–", "–"
		if p.Previous != nil {
			prev = p.Previous.Name
		}
		if p.Current != nil {
			cur = p.Current.Name
		}
		got[prev] = cur
	}
	want := map[string]string{"Falu kommun": "Falun", "Heby": "Heby", "Vansbro": "–", "–": "Ludvika"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kommun pairs (earlier → now) = %v, want %v", got, want)
	}
	if p, ok := m.Kommun("Falun"); !ok || !p.ByCode {
		t.Errorf("Falun matched by code: %+v", p)
	}
	recurs := map[string]bool{}
	for _, p := range m.Evaluations {
		if p.Recurs() {
			recurs[p.Current.Title()] = true
			if p.ByLineage {
				t.Errorf("%s matched by lineage in rounds entered separately", p.Current.Title())
			}
		}
	}
	if len(recurs) != 2 || !recurs["Brukarenkät Socialnämnden"] || !recurs["Brukarenkät Tekniska nämnden"] {
		t.Errorf("recurring evaluations = %v, want Falun's and Heby's (not Ludvika's new Kommunstyrelsen)", recurs)
	}

	if _, err := f.m.MatchRounds(ctx, sys, r10.ID, r10.ID); codeOf(err) != apperror.Invalid {
		t.Errorf("matching a round with itself = %v, want invalid", err)
	}
	// The report must be visible to the actor: a projektledare before publishing may not.
	pl := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	if _, err := f.m.MatchRounds(ctx, pl, r09.ID, r10.ID); err == nil {
		t.Error("a projektledare matched unpublished rounds")
	}
}

// TestKommunkod: the code is checked once (round.ParseKommunkod), unique
// in a round, and an import gives an existing kommun the code it lacks but
// never a different one.
func TestKommunkod(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		in   manage.KommunInput
		want string
	}{
		{manage.KommunInput{Name: "Borlänge", Kommunkod: "2081"}, ""},
		{manage.KommunInput{Name: "Upplands Väsby", Kommunkod: "114"}, ""},
		{manage.KommunInput{Name: "Borlänge 2", Kommunkod: "2081"}, apperror.Conflict},
		{manage.KommunInput{Name: "Mora", Kommunkod: "20621"}, apperror.Invalid},
		{manage.KommunInput{Name: "Mora", Kommunkod: "1662"}, apperror.Invalid},
	}
	for _, tc := range tests {
		k, err := f.m.AddKommunWith(ctx, f.system, f.round.ID, tc.in)
		if codeOf(err) != tc.want {
			t.Errorf("AddKommunWith(%+v) = %v, want %q", tc.in, err, tc.want)
		}
		if err == nil && tc.in.Name == "Upplands Väsby" && k.Kommunkod != "0114" {
			t.Errorf("Upplands Väsby's code = %q, want 0114", k.Kommunkod)
		}
	}
	if _, err := f.m.AddKommunWith(ctx, manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}, f.round.ID,
		manage.KommunInput{Name: "Ludvika", Kommunkod: "2085"}); codeOf(err) != apperror.Forbidden {
		t.Errorf("projektledare added a kommun: %v", err)
	}

	imp := func(ks ...round.Kommun) error {
		_, err := f.m.ImportDataset(ctx, f.system, f.round.Name, 280, round.Dataset{Kommuner: ks})
		return err
	}
	if err := imp(round.Kommun{Name: "Falun", Kommunkod: "2080"}, round.Kommun{Name: "Ludvika", Kommunkod: "2085"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		k    round.Kommun
		want string
	}{
		{round.Kommun{Name: "Falun", Kommunkod: "2080"}, ""},                // the same again
		{round.Kommun{Name: "Falun", Kommunkod: "2082"}, apperror.Conflict}, // contradicts the stored code
		{round.Kommun{Name: "Heby", Kommunkod: "2081"}, apperror.Conflict},  // Borlänge's
	} {
		if err := imp(tc.k); codeOf(err) != tc.want {
			t.Errorf("import %+v = %v, want %q", tc.k, err, tc.want)
		}
	}
	ks, err := f.st.Q(ctx).Kommuner(f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, k := range ks {
		codes[k.Name] = k.Kommunkod
	}
	want := map[string]string{"Borlänge": "2081", "Falun": "2080", "Heby": "", "Ludvika": "2085", "Upplands Väsby": "0114"}
	if !reflect.DeepEqual(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
}

// TestCarryForwardTwins: two evaluations alike in every answer are each
// carried, each with its own lineage.
func TestCarryForwardTwins(t *testing.T) {
	f := newFixture(t)
	twins := f.submitted(t, "Socialnämnden/Falun", complete("arligen", "Kvartalsrapport"), complete("arligen", "Kvartalsrapport"))
	next, err := f.m.CarryForward(ctx, f.system, f.round.ID, manage.RoundInput{Name: "2010"})
	if err != nil {
		t.Fatal(err)
	}
	lineage, err := f.st.Q(ctx).EvaluationLineage(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	from := map[int64]int{}
	for _, p := range lineage {
		from[p]++
	}
	if len(lineage) != 2 || from[twins[0].ID] != 1 || from[twins[1].ID] != 1 {
		t.Errorf("lineage = %v, want one copy of each of %d and %d", lineage, twins[0].ID, twins[1].ID)
	}
}
