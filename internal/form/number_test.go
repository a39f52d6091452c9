package form

import (
	"strings"
	"testing"
)

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

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in    string
		unit  string
		scale int
		want  string // "" = refused
	}{
		{"12 500 kr", UnitKronor, 0, "12500"},
		{"12 500kr", UnitKronor, 0, "12500"},
		{"12 500 kr.", UnitKronor, 0, "12500"},
		{"12 500 KR", UnitKronor, 0, "12500"},
		{"12\u00a0500\u00a0kr", UnitKronor, 0, "12500"},
		{"12 500 kr ", UnitKronor, 0, "12500"},
		{"12 500:-", UnitKronor, 0, "12500"},
		{"12 500 :-", UnitKronor, 0, "12500"},
		{"500,-", UnitKronor, 0, "500"},
		{"12 500 kronor", UnitKronor, 0, "12500"},
		{"12 500 SEK", UnitKronor, 0, "12500"},
		{"12 500", UnitKronor, 0, "12500"},
		{"12,5 kr", UnitKronor, 0, ""},   // whole kronor only
		{"kr", UnitKronor, 0, ""},        // a unit is no number
		{"kr 12 500", UnitKronor, 0, ""}, // the unit goes after the number
		{"12 500 kr kr", UnitKronor, 0, ""},
		{"12 500 kr", "", 0, ""}, // only a field measured in kronor drops "kr"
		{"12 500 kr", UnitHours, 2, ""},
		{"-5 kr", UnitKronor, 0, ""},
		{"12,5 tim", UnitHours, 2, "12.5"},
		{"12,5 timmar", UnitHours, 2, "12.5"},
		{"12,5h", UnitHours, 2, "12.5"},
		{"12,5", UnitHours, 2, "12.5"},
	}
	for _, tt := range tests {
		n, err := ParseAmount(tt.in, tt.unit, tt.scale)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseAmount(%q, %q, %d) = %s, want refused", tt.in, tt.unit, tt.scale, n)
		case tt.want != "" && err != nil:
			t.Errorf("ParseAmount(%q, %q, %d) error %v, want %s", tt.in, tt.unit, tt.scale, err, tt.want)
		case tt.want != "" && n.String() != tt.want:
			t.Errorf("ParseAmount(%q, %q, %d) = %s, want %s", tt.in, tt.unit, tt.scale, n, tt.want)
		}
	}
}

func TestNumberSwedish(t *testing.T) {
	tests := []struct {
		n    Number
		want string
	}{
		{Number{Units: 12500, Scale: 0}, "12\u00a0500"},
		{Number{Units: 1250, Scale: 2}, "12,5"},
		{Number{Units: 123450, Scale: 2}, "1\u00a0234,5"},
		{Number{Units: 5, Scale: 2}, "0,05"},
		{Number{Units: 0, Scale: 2}, "0"},
		{Number{Units: 999, Scale: 0}, "999"},
		{Number{Units: 10000000000, Scale: 0}, "10\u00a0000\u00a0000\u00a0000"},
	}
	for _, tt := range tests {
		if got := tt.n.Swedish(); got != tt.want {
			t.Errorf("%v.Swedish() = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestInputValueAndAnswerText(t *testing.T) {
	def := MustEvaluation()
	tests := []struct {
		code, stored string
		input, text  string
	}{
		{"konsult_kr", "12500", "12\u00a0500", "12\u00a0500"},
		{"konsult_kr", "12 500 kr", "12\u00a0500", "12\u00a0500"}, // a draft keeps what was typed
		{"konsult_kr", "tolv", "tolv", "tolv"},                    // a draft's non-number stays as typed
		{"konsult_kr", "100,50", "100,50", "100,50"},              // not whole kronor: not reinterpreted
		{"timmar", "12.5", "12,5", "12,5"},
		{"timmar", "1234.25", "1\u00a0234,25", "1\u00a0234,25"},
		{"timmar", "", "", ""},
		{"benamning", "Prov 1.5", "Prov 1.5", "Prov 1.5"},
		{"periodicitet", "arligen", "arligen", "Årligen"},
		{"resultatansvarig", "namnd;verksamhetschef", "namnd;verksamhetschef", "Nämnd eller styrelse, Verksamhetschef"},
		{"lagstadgad", "ja", "ja", "Ja"},
		{"lagstadgad", "nej", "nej", "Nej"},
	}
	for _, tt := range tests {
		f := def.Field(tt.code)
		a := Answers{tt.code: tt.stored}
		if got := f.InputValue(tt.stored); got != tt.input {
			t.Errorf("%s.InputValue(%q) = %q, want %q", tt.code, tt.stored, got, tt.input)
		}
		if got := f.AnswerText(a); got != tt.text {
			t.Errorf("%s.AnswerText(%q) = %q, want %q", tt.code, tt.stored, got, tt.text)
		}
	}
}

func TestHints(t *testing.T) {
	def := MustEvaluation()
	tests := []struct{ code, want string }{
		{"konsult_kr", "Hela kronor, t.ex. 12\u00a0500"},
		{"material_kr", "Hela kronor, t.ex. 12\u00a0500"},
		{"ovrigt_kr", "Hela kronor, t.ex. 12\u00a0500"},
		{"kostnad_totalt_kr", "Hela kronor, t.ex. 12\u00a0500"},
		{"timmar", "Timmar, t.ex. 12,5"},
		{"benamning", ""},
	}
	for _, tt := range tests {
		if got := def.Field(tt.code).Hint(); got != tt.want {
			t.Errorf("%s.Hint() = %q, want %q", tt.code, got, tt.want)
		}
	}
	// Every example a hint gives is accepted by its own field.
	for _, f := range def.Fields {
		h := f.Hint()
		if h == "" {
			continue
		}
		_, example, _ := strings.Cut(h, "t.ex. ")
		if _, err := f.ParseNumber(example); err != nil {
			t.Errorf("%s: the hint's example %q is refused: %v", f.Code, example, err)
		}
	}
}

// TestValidateKronor: a kronor field takes "12 500 kr" in every path that
// validates (web form, Excel form, import), and the advice for a
// non-number fits the field.
func TestValidateKronor(t *testing.T) {
	def := MustEvaluation()
	tests := []struct {
		code, in string
		want     string // canonical; "" = refused with msg
		msg      string
	}{
		{"konsult_kr", "12 500 kr", "12500", ""},
		{"material_kr", "12 500:-", "12500", ""},
		{"ovrigt_kr", "3 000 kr.", "3000", ""},
		{"timmar", "12,5 tim", "12.5", ""},
		{"konsult_kr", "tolv kronor", "", "Skriv hela kronor med siffror, till exempel 12\u00a0500."},
		{"konsult_kr", "12,5", "", "ska vara ett heltal"},
		{"timmar", "tolv", "", "Skriv antalet timmar med siffror, till exempel 12,5."},
	}
	for _, mode := range []Mode{ModeForm, ModeImport} {
		for _, tt := range tests {
			out, errs := def.Validate(Answers{tt.code: tt.in}, mode)
			msg := errs.For(tt.code)
			if tt.want != "" {
				if msg != "" || out.Get(tt.code) != tt.want {
					t.Errorf("mode %d: %s=%q gives %q (error %q), want %q", mode, tt.code, tt.in, out.Get(tt.code), msg, tt.want)
				}
				continue
			}
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("mode %d: %s=%q error %q, want it to contain %q", mode, tt.code, tt.in, msg, tt.msg)
			}
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12 500 kr", "12 500:-", "500,-", "12,5 tim", "kr", "1\u00a0000 kr.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			unit  string
			scale int
		}{{UnitKronor, 0}, {UnitHours, 2}, {"", 2}} {
			n, err := ParseAmount(s, c.unit, c.scale)
			if plain, perr := ParseNumber(s, c.scale); perr == nil && (err != nil || n != plain) {
				t.Fatalf("ParseAmount(%q, %q) = %v, %v; ParseNumber reads it as %v", s, c.unit, n, err, plain)
			}
			if err != nil {
				continue
			}
			// What is shown back (Swedish, with or without the unit) reads
			// back as the same number.
			for _, shown := range []string{n.Swedish(), n.Swedish() + " " + c.unit, n.String()} {
				back, err := ParseAmount(shown, c.unit, c.scale)
				if err != nil || back != n {
					t.Fatalf("ParseAmount(%q, %q) = %v; shown as %q it reads back as %v, %v", s, c.unit, n, shown, back, err)
				}
			}
		}
	})
}
