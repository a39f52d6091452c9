package manage_test

import (
	"slices"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

// TestReportCountsWhatStaffSubmit: what a projektledare enters for a unit
// is left out of the report data (and counted as left out) until they
// submit for the unit; then it counts.
func TestReportCountsWhatStaffSubmit(t *testing.T) {
	f := newFixture(t)
	pl := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	unit := f.units["Socialnämnden/Heby"]
	sc := pl.UnitScope(unit.ID)
	if _, err := f.resp.Save(ctx, sc, respond.Edit{Answers: complete("arligen", "Brukarenkät")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.resp.Save(ctx, sc, respond.Edit{Answers: form.Answers{"benamning": "Utkast"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	leftOut := func() (counted, unsubmitted, drafts int) {
		t.Helper()
		_, ds, err := f.m.ReportData(ctx, f.system, f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ds.Units {
			if u.ID == unit.ID {
				return len(u.Evaluations), u.Unsubmitted, u.UnsubmittedDrafts
			}
		}
		t.Fatal("the unit is not in the report data")
		return
	}
	if c, u, d := leftOut(); c != 0 || u != 2 || d != 1 {
		t.Fatalf("before submitting: %d counted, %d left out (%d drafts); want 0, 2 (1)", c, u, d)
	}
	evs, _ := f.st.Q(ctx).UnitEvaluations(unit.ID)
	for _, e := range evs {
		if !e.Complete {
			if err := f.resp.Delete(ctx, sc, e.ID, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.resp.Submit(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if c, u, d := leftOut(); c != 1 || u != 0 || d != 0 {
		t.Fatalf("after submitting: %d counted, %d left out (%d drafts); want 1, 0 (0)", c, u, d)
	}
}

// TestSetStateConfirmed: a close that leaves evaluations out happens only
// when every unit it leaves out was among those the samordnare confirmed.
func TestSetStateConfirmed(t *testing.T) {
	f := newFixture(t)
	heby, falun := f.units["Socialnämnden/Heby"], f.units["Socialnämnden/Falun"]
	if _, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Heby"]), respond.Edit{Answers: form.Answers{"benamning": "Utkast"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	pl := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	if _, _, err := f.m.SetStateConfirmed(ctx, pl, f.round.ID, round.Closed, []int64{heby.ID}); codeOf(err) != "forbidden" {
		t.Fatalf("projektledare closing: %v, want forbidden", err)
	}
	for _, tc := range []struct {
		name  string
		shown []int64
		done  bool
	}{
		{"nothing confirmed", nil, false},
		{"another unit confirmed", []int64{falun.ID}, false},
		{"the unit confirmed", []int64{falun.ID, heby.ID}, true},
	} {
		ch, done, err := f.m.SetStateConfirmed(ctx, f.system, f.round.ID, round.Closed, tc.shown)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if done != tc.done || len(ch.Unsubmitted) != 1 || ch.Unsubmitted[0].Unit.ID != heby.ID {
			t.Fatalf("%s: done=%v with %+v; want done=%v naming Heby's unit", tc.name, done, ch.Unsubmitted, tc.done)
		}
		r, _ := f.st.Q(ctx).Round(f.round.ID)
		if want := map[bool]round.State{false: round.Open, true: round.Closed}[tc.done]; r.State != want {
			t.Fatalf("%s: round is %s, want %s", tc.name, r.State, want)
		}
	}
	// Reopening leaves nothing out and needs no confirmation.
	if _, done, err := f.m.SetStateConfirmed(ctx, f.system, f.round.ID, round.Open, nil); err != nil || !done {
		t.Fatalf("reopen: done=%v, %v", done, err)
	}
}

func TestMoves(t *testing.T) {
	for _, tc := range []struct {
		from round.State
		want []round.State
	}{
		{round.Open, []round.State{round.Closed}},
		{round.Closed, []round.State{round.Open, round.Published}},
		{round.Published, nil},
	} {
		var got []round.State
		for _, m := range manage.Moves(round.Round{State: tc.from}) {
			got = append(got, m.To)
			if m.Label == "" {
				t.Errorf("move %s → %s has no label", tc.from, m.To)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("moves from %s: %v, want %v", tc.from, got, tc.want)
		}
	}
}
