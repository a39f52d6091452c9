package round

import (
	"strings"
	"testing"
)

// TestFoldName: names compare regardless of letter case and spacing, and
// the fast path for a name already folded agrees with the slow one.
func TestFoldName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"tillsyn", "tillsyn"},
		{"Tillsyn", "tillsyn"},
		{"  Nöjd   kund-index ", "nöjd kund-index"},
		{"ÅRSREDOVISNING", "årsredovisning"},
		{"brukar enkät", "brukar enkät"},
		{"a  b", "a b"},
		{"a\tb", "a b"},
		{" a", "a"},
		{"a ", "a"},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := foldName(tt.in); got != tt.want {
			t.Errorf("foldName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if slow := strings.ToLower(strings.Join(strings.Fields(tt.in), " ")); slow != tt.want {
			t.Errorf("%q: the slow fold gives %q", tt.in, slow)
		}
	}
}
