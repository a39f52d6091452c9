package numfmt

import "testing"

func TestSigned(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"positive count", SignedInt(15), "+15"},
		{"negative count", SignedInt(-3), "−3"},
		{"zero", SignedInt(0), "±0"},
		{"kronor down", SignedKronor(-12000), "−12" + NBSP + "000" + NBSP + "kr"},
		{"kronor up", SignedKronor(426713.4), "+426" + NBSP + "713" + NBSP + "kr"},
		{"rounds to zero", SignedKronor(-0.4), "±0" + NBSP + "kr"},
		{"decimals", Signed(-1.25, 1), "−1,2"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
