package manage_test

import (
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// TestRoundChainAndComparisonLineage: the chain of rounds carried forward
// from one another, oldest first, holds the rounds whose report the actor
// may read; the lineage of a comparison needs both reports readable.
func TestRoundChainAndComparisonLineage(t *testing.T) {
	f := newFixture(t)
	f.submitted(t, "Socialnämnden/Heby", complete("arligen", "Brukarenkät"))
	second, err := f.m.CarryForward(ctx, f.system, f.round.ID, manage.RoundInput{Name: "Resultatstyrning 2010"})
	if err != nil {
		t.Fatal(err)
	}
	third, err := f.m.CarryForward(ctx, f.system, second.ID, manage.RoundInput{Name: "Resultatstyrning 2011"})
	if err != nil {
		t.Fatal(err)
	}
	names := func(rs []round.Round) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	tests := []struct {
		name  string
		max   int
		want  []string
		actor manage.Actor
	}{
		{"all", 10, []string{"Resultatstyrning 2009", "Resultatstyrning 2010", "Resultatstyrning 2011"}, f.system},
		{"at most two", 2, []string{"Resultatstyrning 2010", "Resultatstyrning 2011"}, f.system},
	}
	for _, tt := range tests {
		chain, err := f.m.RoundChain(ctx, tt.actor, third.ID, tt.max)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := names(chain); len(got) != len(tt.want) || got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1] {
			t.Errorf("%s: chain %q, want %q", tt.name, got, tt.want)
		}
	}

	// Lineage across two carry-forwards: 2011's evaluation continues 2009's.
	prev, l, err := f.m.ComparisonLineage(ctx, f.system, f.round.ID, third.ID)
	if err != nil {
		t.Fatal(err)
	}
	if prev.ID != f.round.ID {
		t.Errorf("ComparisonLineage returned round %q, want %q", prev.Name, f.round.Name)
	}
	if len(l.Units) == 0 || len(l.Evaluations) != 1 {
		t.Errorf("lineage 2011 → 2009: %d units, %d evaluations; want the units and the one evaluation", len(l.Units), len(l.Evaluations))
	}

	// The styrgrupp reads published reports only: 2011 is published, the
	// others are not.
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := f.m.SetState(ctx, f.system, third.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	styr := manage.Actor{Email: "styr@natverk.example", Role: staff.Styrgrupp}
	chain, err := f.m.RoundChain(ctx, styr, third.ID, 10)
	if err != nil || len(chain) != 1 || chain[0].ID != third.ID {
		t.Errorf("styrgrupp's chain %q, %v; want 2011 alone", names(chain), err)
	}
	if _, _, err := f.m.ComparisonLineage(ctx, styr, f.round.ID, third.ID); apperror.Code(err) != apperror.NotFound {
		t.Errorf("styrgrupp's lineage to an unpublished round: %v, want NotFound", err)
	}
	if _, err := f.m.RoundChain(ctx, styr, second.ID, 10); apperror.Code(err) != apperror.NotFound {
		t.Errorf("styrgrupp's chain from an unpublished round: %v, want NotFound", err)
	}
}
