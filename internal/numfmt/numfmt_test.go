package numfmt

import "testing"

func TestFormats(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"zero share", Percent(0), "0,0\u00a0%"},
		{"small share", Percent(0.043), "4,3\u00a0%"},
		{"share near 10 %", Percent(0.0996), "10,0\u00a0%"},
		{"share under 10 %", Percent(0.0994), "9,9\u00a0%"},
		{"large share", Percent(0.743), "74,3\u00a0%"},
		{"whole", Percent(1), "100,0\u00a0%"},
		{"tiny share", Percent(0.0001), "0,0\u00a0%"},
		{"kronor", Kronor(9073287), "9\u00a0073\u00a0287\u00a0kr"},
		{"kronor rounds", Kronor(0.4), "0\u00a0kr"},
		{"kronor per inhabitant", Kronor(186.49), "186\u00a0kr"},
		{"negative", Number(-1234.5, 1), "−1\u00a0234,5"},
		{"negative zero", Number(-0.04, 1), "0,0"},
		{"NaN", Number(nanValue(), 0), "–"},
		{"int", Int(1234567), "1\u00a0234\u00a0567"},
		{"hours", Hours(2.93), "2,9\u00a0timmar"},
		{"one hour", Hours(1), "1,0\u00a0timme"},
		{"points up", Points(0.025), "+2,5\u00a0procentenheter"},
		{"points down", Points(-0.1), "−10,0\u00a0procentenheter"},
		{"points none", Points(0.0001), "0,0\u00a0procentenheter"},
		{"percent tick", PercentTick(0.25), "25\u00a0%"},
		{"tick", Tick(2.5), "2,5"},
		{"big tick", Tick(1e6), "1\u00a0000\u00a0000"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
