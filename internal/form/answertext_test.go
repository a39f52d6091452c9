package form_test

import (
	"testing"

	"github.com/inventera/inventera/internal/form"
)

func TestAnswerText(t *testing.T) {
	def := form.MustEvaluation()
	tests := []struct {
		code, value, want string
	}{
		{"benamning", "Brukarenkät", "Brukarenkät"},
		{"benamning", "  ", ""},
		{"lagstadgad", "ja", "Ja"},
		{"lagstadgad", "nej", "Nej"},
		{"periodicitet", "engangs", "Engångsutvärdering"},
		{"periodicitet", "okänt", "okänt"}, // a draft's value as typed
		{"anvandning", "handlingsplan;annat", "Handlingsplan för förbättringsarbete, Annat"},
		{"timmar", "1234.5", "1\u00a0234,5"},
		{"timmar", "12,5", "12,5"}, // a draft typed the Swedish way
		{"timmar", "tolv", "tolv"},
		{"konsult_kr", "9073287", "9\u00a0073\u00a0287"},
		{"konsult_kr", "0", "0"},
	}
	for _, tt := range tests {
		f := def.Field(tt.code)
		if f == nil {
			t.Fatalf("no field %s", tt.code)
		}
		if got := f.AnswerText(form.Answers{tt.code: tt.value}); got != tt.want {
			t.Errorf("%s %q: got %q, want %q", tt.code, tt.value, got, tt.want)
		}
	}
}
