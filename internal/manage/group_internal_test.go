package manage

import (
	"reflect"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// TestGroupByUnit: each unit's evaluations in the order given, whether
// they come unit by unit (grouped where they lie, not copied) or apart.
func TestGroupByUnit(t *testing.T) {
	ev := func(id, unit int64) round.Evaluation { return round.Evaluation{ID: id, UnitID: unit} }
	for _, tc := range []struct {
		name    string
		evs     []round.Evaluation
		want    map[int64][]int64 // unit → evaluation IDs
		inPlace bool
	}{
		{"none", nil, map[int64][]int64{}, true},
		{"unit by unit", []round.Evaluation{ev(1, 7), ev(4, 7), ev(2, 9), ev(3, 5)}, map[int64][]int64{7: {1, 4}, 9: {2}, 5: {3}}, true},
		{"apart", []round.Evaluation{ev(1, 7), ev(2, 9), ev(3, 7), ev(4, 9)}, map[int64][]int64{7: {1, 3}, 9: {2, 4}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := groupByUnit(tc.evs)
			ids := map[int64][]int64{}
			for u, evs := range got {
				for _, e := range evs {
					ids[u] = append(ids[u], e.ID)
				}
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("groupByUnit = %v, want %v", ids, tc.want)
			}
			for u, evs := range got {
				// Appending to a unit's slice must not run into the next unit's.
				if cap(evs) != len(evs) {
					t.Errorf("unit %d: cap %d, len %d", u, cap(evs), len(evs))
				}
				if len(tc.evs) > 0 && len(evs) > 0 {
					lies := false
					for i := range tc.evs {
						lies = lies || &tc.evs[i] == &evs[0]
					}
					if lies != tc.inPlace {
						t.Errorf("unit %d grouped where it lies: %v, want %v", u, lies, tc.inPlace)
					}
				}
			}
		})
	}
}
