package nearest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"import", "import", 0},
		{"improt", "import", 1}, // swapped letters
		{"imprt", "import", 1},
		{"importt", "import", 1},
		{"Ludvka", "Ludvika", 1},
		{"Säter", "Sater", 1}, // runes, not bytes
		{"abc", "", 3},
		{"kitten", "sitting", 3},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
	if got := Distance(strings.Repeat("a", 300), "a"); got < 100 {
		t.Errorf("long strings: distance %d, want far", got)
	}
}

func TestNames(t *testing.T) {
	known := []string{"serve", "import", "report", "export", "user", "round", "invite"}
	for _, tc := range []struct {
		typed string
		want  string // joined with |
	}{
		{"improt", "import"},
		{"IMPORT", "import"},
		{"reprot", "report"},
		{"rond", "round"},
		{"inv", "invite"},
		{"exprt", "export"},
		{"xyzzy", ""},
		{"", ""},
		{"r", ""},
	} {
		if got := strings.Join(Names(tc.typed, known), "|"); got != tc.want {
			t.Errorf("Names(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := Names("Ludvka", []string{"Falun", "Ludvika", "Borlänge"}); len(got) != 1 || got[0] != "Ludvika" {
		t.Errorf("Names(Ludvka) = %v", got)
	}
}
