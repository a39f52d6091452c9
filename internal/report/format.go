package report

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/numfmt"
)

// Swedish formatting, the same in charts and text: package numfmt.

func pct(share float64) string { return numfmt.Percent(share) }
func kr(v float64) string      { return numfmt.Kronor(v) }
func integer(n int) string     { return numfmt.Int(n) }

// count writes n with the singular or plural noun: "1 utvärdering",
// "26 utvärderingar".
func count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return integer(n) + " " + plural
}

// evals is count for utvärdering.
func evals(n int) string { return count(n, "utvärdering", "utvärderingar") }

// lowerFirst lowercases the first letter: "Handlingsplan för …" →
// "handlingsplan för …".
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// upperFirst capitalises the first letter of a sentence.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// labels are the Swedish labels of the form's option codes.
type labels struct {
	usage     map[string]string // anvandning
	initiator map[string]string // uppdragsgivare_typ, plus ej_angiven and totalt
	metod     map[string]string
}

func newLabels(def *form.Definition) labels {
	l := labels{usage: map[string]string{}, initiator: map[string]string{}, metod: map[string]string{}}
	opts := func(code string, into map[string]string) {
		if f := def.Field(code); f != nil {
			for _, o := range f.Options {
				into[o.Code] = o.Label
			}
		}
	}
	opts("anvandning", l.usage)
	opts("uppdragsgivare_typ", l.initiator)
	opts("metod", l.metod)
	l.initiator["ej_angiven"] = "Ej angiven"
	l.initiator["totalt"] = "Totalt"
	for _, k := range aggregate.UsageKeys {
		if l.usage[k] == "" {
			l.usage[k] = k
		}
	}
	for _, k := range aggregate.InitiatorKeys {
		if l.initiator[k] == "" {
			l.initiator[k] = k
		}
	}
	return l
}

func (l labels) usageLabel(key string) string { return l.usage[key] }

func (l labels) initiatorLabel(key string) string {
	if s, ok := l.initiator[key]; ok {
		return s
	}
	return key
}

func (l labels) metodLabels(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		if s, ok := l.metod[c]; ok {
			out[i] = s
		} else {
			out[i] = c
		}
	}
	return strings.Join(out, ", ")
}

// unusedInitiator describes the initiator of an unused evaluation:
// "extern uppdragsgivare", "uppdragsgivare ej angiven".
func (l labels) unusedInitiator(key string) string {
	if key == "ej_angiven" || key == "" {
		return "uppdragsgivare ej angiven"
	}
	return lowerFirst(l.initiatorLabel(key))
}

// statusLabel is the Swedish status of a non-responding unit.
func statusLabel(status string) string {
	switch status {
	case aggregate.StatusDeclined:
		return "Avböjt"
	case aggregate.StatusNotResponded:
		return "Har inte svarat"
	}
	return status
}
