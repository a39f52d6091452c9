package apperror

import (
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	long := strings.Repeat("å", ClipLen)
	tests := []struct{ in, want string }{
		{"", ""},
		{"kort", "kort"},
		{long, long},
		{long + "ä", long + "…"},
		{strings.Repeat("x", 10_000_000), strings.Repeat("x", ClipLen) + "…"},
	}
	for _, tc := range tests {
		if got := Clip(tc.in); got != tc.want {
			t.Errorf("Clip(%.20q…) = %.100q, want %.100q", tc.in, got, tc.want)
		}
	}
}
