package form

import "testing"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
		ok    bool
	}{
		{"1 234,5", 2, "1234.5", true},
		{"1234.5", 2, "1234.5", true},
		{"1,234", 3, "1.234", true},
		{"1,234", 2, "", false}, // three decimals where two are allowed
		{"1\u00a0234", 0, "1234", true},
		{"1\u202f234,25", 2, "1234.25", true},
		{"0", 0, "0", true},
		{",5", 2, "0.5", true},
		{"12,50", 2, "12.5", true},
		{"1.2.3", 2, "", false},
		{"1,2,3", 2, "", false},
		{"abc", 2, "", false},
		{"", 2, "", false},
		{"-5", 0, "", false},
		{"−5", 0, "", false},
		{"12,5", 0, "", false},
		{"1e5", 2, "", false},
		{"9999999999999999", 0, "", false},
		{"+7", 0, "7", true},
		{"1 234 567", 0, "1234567", true},
	}
	for _, tt := range tests {
		n, err := ParseNumber(tt.in, tt.scale)
		if (err == nil) != tt.ok {
			t.Errorf("ParseNumber(%q, %d) error = %v, want ok=%v", tt.in, tt.scale, err, tt.ok)
			continue
		}
		if tt.ok && n.String() != tt.want {
			t.Errorf("ParseNumber(%q, %d) = %s, want %s", tt.in, tt.scale, n.String(), tt.want)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in      string
		yes, ok bool
	}{
		{"ja", true, true}, {"JA", true, true}, {"Ja", true, true}, {"x", true, true}, {"X", true, true},
		{"1", true, true}, {"true", true, true}, {"TRUE", true, true}, {"sant", true, true},
		{"nej", false, true}, {"NEJ", false, true}, {"0", false, true}, {"false", false, true}, {"falskt", false, true},
		{"", false, false}, {"kanske", false, false}, {"2", false, false},
	}
	for _, tt := range tests {
		yes, ok := ParseYesNo(tt.in)
		if yes != tt.yes || ok != tt.ok {
			t.Errorf("ParseYesNo(%q) = %v, %v; want %v, %v", tt.in, yes, ok, tt.yes, tt.ok)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v    float64
		dec  int
		want string
	}{
		{9073287, 0, "9\u00a0073\u00a0287"},
		{4.3, 1, "4,3"},
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1\u00a0000"},
		{-1234.5, 1, "−1\u00a0234,5"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.v, tt.dec); got != tt.want {
			t.Errorf("FormatNumber(%v, %d) = %q, want %q", tt.v, tt.dec, got, tt.want)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1 234,5", "1234.5", "1,234", "-1", "", "1\u00a0000", ",", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s, 2)
		if err != nil {
			return
		}
		// A parsed number written canonically parses back to itself.
		back, err := ParseNumber(n.String(), 2)
		if err != nil || back != n {
			t.Fatalf("ParseNumber(%q) = %v; canonical %q parses back to %v, %v", s, n, n.String(), back, err)
		}
	})
}

func FuzzParseYesNo(f *testing.F) {
	for _, s := range []string{"ja", "NEJ", "x", "1", "0", "true", " Ja ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		yes, ok := ParseYesNo(s)
		if !ok && yes {
			t.Fatalf("ParseYesNo(%q) = yes without ok", s)
		}
	})
}
