package store

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/round"
)

// TestUnitFactsRow: a unit's row of lists becomes its evaluations, in
// order of ID whatever order the database read them in; lists that do not
// pair up are refused.
func TestUnitFactsRow(t *testing.T) {
	a := facts.Encode(nil, &facts.Facts{Title: "Elevenkät\x00,", Timmar: facts.Amount{Units: 250, Given: true}})
	b := facts.Encode(nil, &facts.Facts{Title: "Tillsyn"})
	row := func(ids, complete, lengths string, all ...[]byte) *unitFacts {
		u := &unitFacts{roundID: 7, unitID: 3, excluded: map[int64]round.Exclusion{12: {Reason: "Statistik"}},
			ids: []byte(ids), complete: []byte(complete), lengths: []byte(lengths)}
		for _, f := range all {
			u.facts = append(u.facts, f...)
		}
		return u
	}
	itoa := strconv.Itoa

	// Read out of order: 12 (complete), 5 (a draft), 9 (unreadable facts).
	u := row("12,5,9", "101", itoa(len(a))+",0,3", a, []byte{0xff, 0, 0})
	if err := u.add(); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range u.out {
		ids = append(ids, e.ID)
		if e.RoundID != 7 || e.UnitID != 3 {
			t.Errorf("evaluation %d: round %d, unit %d; want 7 and 3", e.ID, e.RoundID, e.UnitID)
		}
	}
	if got, want := ids, []int64{5, 9, 12}; !slices.Equal(got, want) {
		t.Fatalf("IDs %v, want %v", got, want)
	}
	draft, unreadable, complete := u.out[0], u.out[1], u.out[2]
	if draft.Complete || draft.Facts != nil {
		t.Errorf("draft: %+v", draft)
	}
	if !unreadable.Complete || unreadable.Facts != nil {
		t.Errorf("unreadable facts: %+v; want complete without facts", unreadable)
	}
	if !complete.Complete || complete.Facts == nil || complete.Facts.Title != "Elevenkät\x00," || complete.Facts.Timmar.Units != 250 ||
		complete.Excluded == nil || complete.Excluded.Reason != "Statistik" {
		t.Errorf("complete: %+v (facts %+v)", complete, complete.Facts)
	}

	for name, bad := range map[string]*unitFacts{
		"an ID short":         row("12", "11", itoa(len(a))+","+itoa(len(b)), a, b),
		"an ID too many":      row("12,13,14", "11", itoa(len(a))+","+itoa(len(b)), a, b),
		"a length short":      row("12,13", "11", itoa(len(a)), a, b),
		"facts longer":        row("12,13", "11", itoa(len(a))+","+itoa(len(b)), a, b, []byte{1}),
		"a length past facts": row("12,13", "11", itoa(len(a))+",99", a, b),
		"not a number":        row("12,x", "11", itoa(len(a))+","+itoa(len(b)), a, b),
		"an empty ID":         row("12,", "11", itoa(len(a))+","+itoa(len(b)), a, b),
	} {
		if err := bad.add(); !errors.Is(err, errUnpairedLists) {
			t.Errorf("%s: %v, want errUnpairedLists", name, err)
		}
	}
}
