package aggregate

import (
	"math"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// testRound is a round with the study's hourly rate.
var testRound = round.Round{Name: "Test 2009", HourlyRate: 280}

func pop(n int64) *int64 { return &n }

// ev builds an evaluation from code/value pairs; a minimal valid answer set
// (initiator extern, used for handlingsplan) is the default unless overridden.
func ev(kv ...string) round.Evaluation {
	a := form.Answers{
		"benamning":          "Utvärdering",
		"periodicitet":       "arligen",
		"uppdragsgivare_typ": "extern",
		"syfte":              "Syfte",
		"resultatansvarig":   "verksamhetschef",
		"anvandning":         "handlingsplan",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(a, kv[i])
		} else {
			a[kv[i]] = kv[i+1]
		}
	}
	return round.Evaluation{Complete: true, Answers: a}
}

// excludedEv is a complete evaluation named name that the review ruled out
// of scope for the reason.
func excludedEv(name, reason string, kv ...string) round.Evaluation {
	e := ev(append([]string{"benamning", name}, kv...)...)
	e.Excluded = &round.Exclusion{Reason: reason}
	return e
}

// evs repeats ev(kv...) n times.
func evs(n int, kv ...string) []round.Evaluation {
	out := make([]round.Evaluation, n)
	for i := range out {
		out[i] = ev(kv...)
	}
	return out
}

func unit(name string, kommuner []string, es ...round.Evaluation) round.UnitData {
	return round.UnitData{
		Unit:        round.Unit{Name: name, Kommuner: kommuner, Response: round.Submitted},
		Evaluations: es,
	}
}

func kommuner(names ...string) []round.Kommun {
	out := make([]round.Kommun, len(names))
	for i, n := range names {
		out[i] = round.Kommun{Name: n, Population: pop(1000)}
	}
	return out
}

func compute(t *testing.T, ds round.Dataset) *Report {
	t.Helper()
	rep, err := Compute(testRound, ds)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return rep
}

// muni returns the named kommun's tables.
func muni(t *testing.T, rep *Report, name string) Municipality {
	t.Helper()
	for _, m := range rep.Municipalities {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no municipality %q in report", name)
	return Municipality{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func nearCosts(a, b Costs) bool {
	if (a.PerInvanare == nil) != (b.PerInvanare == nil) ||
		a.PerInvanare != nil && !near(*a.PerInvanare, *b.PerInvanare) {
		return false
	}
	return near(a.Lon, b.Lon) && near(a.Konsult, b.Konsult) && near(a.Material, b.Material) &&
		near(a.Ovrigt, b.Ovrigt) && near(a.Total, b.Total) && a.WithCost == b.WithCost &&
		near(a.EjUppdelat, b.EjUppdelat) && a.TotalOnly == b.TotalOnly && a.WithoutCost == b.WithoutCost &&
		near(a.Timmar, b.Timmar) && a.WithTimmar == b.WithTimmar
}

func nearShares(a, b UsageShares) bool {
	for _, k := range UsageKeys {
		if !near(a.Get(k), b.Get(k)) {
			return false
		}
	}
	return true
}

func fp(f float64) *float64 { return &f }
