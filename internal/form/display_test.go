package form_test

import (
	"testing"

	"github.com/inventera/inventera/internal/form"
)

func TestDisplay(t *testing.T) {
	def := form.MustEvaluation()
	a := form.Answers{"benamning": "Brukarenkät", "lagstadgad": "ja", "kommunovergripande": "NEJ", "periodicitet": "arligen",
		"anvandning": "handlingsplan;budget_malprocess", "timmar": "1234.5", "konsult_kr": "25000", "material_kr": "12,5 kr",
		"uppdragsgivare_typ": "okand"}
	tests := []struct{ code, want string }{
		{"benamning", "Brukarenkät"},
		{"lagstadgad", "Ja"},
		{"kommunovergripande", "Nej"},
		{"periodicitet", "Årligen"},
		{"anvandning", "Handlingsplan för förbättringsarbete, Budget- och målprocessen"},
		{"timmar", "1\u00a0234,5"},
		{"konsult_kr", "25\u00a0000"},
		{"material_kr", "12,5 kr"},      // a draft's value as typed
		{"uppdragsgivare_typ", "okand"}, // an unknown option as stored
		{"syfte", ""},                   // blank
		{"finns_inte", ""},              // no such field
	}
	for _, tt := range tests {
		if got := def.Display(a, tt.code); got != tt.want {
			t.Errorf("Display(%s) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
