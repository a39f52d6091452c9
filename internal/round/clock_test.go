package round_test

import (
	"testing"
	"time"

	"github.com/inventera/inventera/internal/round"
)

func TestSwedishTimeSeconds(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2009, 12, 18, 13, 5, 9, 0, time.UTC), "2009-12-18 14:05:09 CET"},
		{time.Date(2009, 6, 18, 22, 59, 59, 0, time.UTC), "2009-06-19 00:59:59 CEST"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := round.SwedishTimeSeconds(tt.in); got != tt.want {
			t.Errorf("SwedishTimeSeconds(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
