package manage_test

import (
	"fmt"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// TestOverviewStatusFilterFollowsProgressOf: the database selects and
// counts units by step exactly as round.ProgressOf judges each unit, for
// every combination of answer, stored evaluations, opened and sent link.
func TestOverviewStatusFilterFollowsProgressOf(t *testing.T) {
	f := newFixture(t)
	at := f.clock
	n := 0
	for _, resp := range []round.Response{round.NoResponse, round.Submitted, round.NoEvaluations, round.Declined} {
		for _, evals := range []bool{false, true} {
			for _, opened := range []bool{false, true} {
				for _, invited := range []bool{false, true} {
					n++
					kommuner := []string{"Heby"}
					if n%3 == 0 {
						kommuner = []string{"Falun", "Heby"}
					}
					u, _, err := f.m.AddUnit(ctx, f.system, f.round.ID, manage.UnitInput{Name: fmt.Sprintf("Enhet %02d", n), Kommuner: kommuner, Fordelning: "lika"})
					if err != nil {
						t.Fatal(err)
					}
					err = f.st.InTx(ctx, func(q *store.Queries) error {
						if invited {
							if err := q.MarkInvited(u.ID, at); err != nil {
								return err
							}
						}
						if opened {
							if err := q.TouchUnit(u.ID, at, true); err != nil {
								return err
							}
						}
						if evals {
							if _, err := q.CreateEvaluation(round.Evaluation{RoundID: f.round.ID, UnitID: u.ID, Answers: form.Answers{"benamning": "Utkast"}, CreatedAt: at, UpdatedAt: at}); err != nil {
								return err
							}
						}
						if resp != round.NoResponse {
							return q.SetUnitResponse(u.ID, resp, "Orsak", at)
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}

	all, err := f.m.ProgressList(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all.Units), 5+n; got != want {
		t.Fatalf("%d units listed, want %d", got, want)
	}
	want := map[round.Progress]map[int64]bool{}
	for _, u := range all.Units {
		p := round.ProgressOf(u.Unit, u.Evaluations)
		if u.Progress != p {
			t.Errorf("%s shows %q, ProgressOf says %q", u.Name, u.Progress, p)
		}
		if want[p] == nil {
			want[p] = map[int64]bool{}
		}
		want[p][u.ID] = true
	}
	ov, err := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if ov.UnitCount != len(all.Units) {
		t.Errorf("network units %d, want %d (a shared unit once)", ov.UnitCount, len(all.Units))
	}
	for _, step := range round.ProgressSteps {
		got, err := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{Status: step})
		if err != nil {
			t.Fatal(err)
		}
		if got.Matches != len(want[step]) || len(got.Units) != len(want[step]) {
			t.Errorf("%s: %d matches, %d listed; want %d", step, got.Matches, len(got.Units), len(want[step]))
		}
		for _, u := range got.Units {
			if !want[step][u.ID] {
				t.Errorf("%s lists %s, which is %q", step, u.Name, u.Progress)
			}
		}
		if ov.Totals[step] != len(want[step]) {
			t.Errorf("%s: network total %d, want %d", step, ov.Totals[step], len(want[step]))
		}
	}

	// Each kommun counts its units, a shared one in each member kommun.
	perKommun := map[string]map[round.Progress]int{}
	answered := map[string]int{}
	for _, u := range all.Units {
		for _, k := range u.Kommuner {
			if perKommun[k] == nil {
				perKommun[k] = map[round.Progress]int{}
			}
			perKommun[k][u.Progress]++
			if u.Answered() {
				answered[k]++
			}
		}
	}
	for _, k := range ov.Kommuner {
		for _, step := range round.ProgressSteps {
			if k.ByProgress[step] != perKommun[k.Name][step] {
				t.Errorf("%s %s: %d, want %d", k.Name, step, k.ByProgress[step], perKommun[k.Name][step])
			}
		}
		if k.Answered != answered[k.Name] {
			t.Errorf("%s answered %d, want %d", k.Name, k.Answered, answered[k.Name])
		}
	}
	// The kommun where the smaller share has answered comes first.
	if len(ov.Kommuner) != 2 {
		t.Fatalf("kommuner %+v", ov.Kommuner)
	}
	s0, _ := ov.Kommuner[0].AnsweredShare()
	s1, _ := ov.Kommuner[1].AnsweredShare()
	if s0 > s1 {
		t.Errorf("kommuner in the order %s (%v), %s (%v): lowest share first", ov.Kommuner[0].Name, s0, ov.Kommuner[1].Name, s1)
	}

	// A projektledare's totals are their kommun's.
	heby := manage.Actor{Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"}
	pov, err := f.m.Overview(ctx, heby, f.round.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pov.Kommuner) != 1 || pov.UnitCount != pov.Kommuner[0].Units || pov.Answered != answered["Heby"] {
		t.Errorf("projektledare's totals: %d units, %d answered; kommuner %+v", pov.UnitCount, pov.Answered, pov.Kommuner)
	}
	for _, step := range round.ProgressSteps {
		if pov.Totals[step] != perKommun["Heby"][step] {
			t.Errorf("projektledare's total %s: %d, want %d", step, pov.Totals[step], perKommun["Heby"][step])
		}
	}
}

// TestOverviewRefusesFilters: an unknown step, and a kommun the actor does
// not see, are refused as the user's mistake.
func TestOverviewRefusesFilters(t *testing.T) {
	f := newFixture(t)
	heby := manage.Actor{Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"}
	for _, tc := range []struct {
		name   string
		actor  manage.Actor
		filter manage.OverviewFilter
		code   string
	}{
		{"unknown step", f.system, manage.OverviewFilter{Status: "klar"}, apperror.Invalid},
		{"kommun not in the round", f.system, manage.OverviewFilter{Kommun: "Mora"}, apperror.Invalid},
		{"other kommun for a projektledare", heby, manage.OverviewFilter{Kommun: "Falun"}, apperror.Invalid},
		{"own kommun for a projektledare", heby, manage.OverviewFilter{Kommun: " Heby "}, ""},
		{"page far beyond the last", f.system, manage.OverviewFilter{Page: 1 << 40}, ""},
		{"negative page", f.system, manage.OverviewFilter{Page: -3}, ""},
	} {
		code := func(err error) string {
			if err == nil {
				return ""
			}
			return apperror.Code(err)
		}
		ov, err := f.m.Overview(ctx, tc.actor, f.round.ID, tc.filter)
		if got := code(err); got != tc.code {
			t.Errorf("%s: error %v, want code %q", tc.name, err, tc.code)
		}
		if err == nil && ov.Filter.Page != 1 {
			t.Errorf("%s: page %d, want 1", tc.name, ov.Filter.Page)
		}
		if _, err := f.m.ProgressList(ctx, tc.actor, f.round.ID, tc.filter); code(err) != tc.code {
			t.Errorf("%s: progress list error %v, want code %q", tc.name, err, tc.code)
		}
	}
}
