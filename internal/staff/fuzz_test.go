package staff_test

import (
	"slices"
	"testing"

	"github.com/inventera/inventera/internal/staff"
)

// FuzzMatchKommun: whatever is typed, MatchKommun returns a known name or a
// refusal, never both and never a panic, and the suggestions are known names.
func FuzzMatchKommun(f *testing.F) {
	known := []string{"Borlänge", "Falun", "Ludvika", "Malung-Sälen", "Säter", "Å"}
	for _, seed := range []string{"Ludvka", "", " ", "säter", "SATER", "Malung", "\x00", "é\u0301", "Å", "ÅÅÅÅÅÅÅÅÅÅÅÅ", "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := staff.MatchKommun(name, known)
		if (err == nil) == (got == "") || (err == nil && !slices.Contains(known, got)) {
			t.Fatalf("MatchKommun(%q) = %q, %v", name, got, err)
		}
		for _, typos := range []bool{true, false} {
			near := staff.NearestNames(name, known, 3, typos)
			if len(near) > 3 || (!typos && len(near) != 3) {
				t.Fatalf("NearestNames(%q, %v) = %v", name, typos, near)
			}
			for _, n := range near {
				if !slices.Contains(known, n) {
					t.Fatalf("NearestNames(%q) suggests %q", name, n)
				}
			}
		}
	})
}
