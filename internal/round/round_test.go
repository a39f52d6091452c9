package round

import (
	"math"
	"testing"
	"time"
)

func ptr(n int64) *int64 { return &n }

func TestFordelning(t *testing.T) {
	members := []string{"Borlänge", "Falun", "Säter"}
	pop := map[string]*int64{"Borlänge": ptr(50000), "Falun": ptr(40000), "Säter": ptr(10000)}
	tests := []struct {
		spec    string
		want    map[string]float64
		ok      bool
		invalid bool
	}{
		{"", map[string]float64{"Borlänge": 0.5, "Falun": 0.4, "Säter": 0.1}, true, false},
		{"invanare", map[string]float64{"Borlänge": 0.5, "Falun": 0.4, "Säter": 0.1}, true, false},
		{"lika", map[string]float64{"Borlänge": 1.0 / 3, "Falun": 1.0 / 3, "Säter": 1.0 / 3}, true, false},
		{"Borlänge=0,5;Falun=0,3;Säter=0,2", map[string]float64{"Borlänge": 0.5, "Falun": 0.3, "Säter": 0.2}, true, false},
		{"borlänge=0.5; falun=0.3; säter=0.2", map[string]float64{"Borlänge": 0.5, "Falun": 0.3, "Säter": 0.2}, true, false},
		{"Borlänge=0,5;Falun=0,3", nil, false, true},              // Säter missing
		{"Borlänge=0,5;Falun=0,3;Säter=0,3", nil, false, true},    // sums to 1.1
		{"Borlänge=0,5;Falun=0,3;Mora=0,2", nil, false, true},     // not a member
		{"Borlänge=x;Falun=0,3;Säter=0,2", nil, false, true},      // not a number
		{"Borlänge=0,5;Borlänge=0,3;Säter=0,2", nil, false, true}, // twice
	}
	for _, tt := range tests {
		f, err := ParseFordelning(tt.spec, members)
		if (err != nil) != tt.invalid {
			t.Errorf("ParseFordelning(%q) error = %v, want invalid=%v", tt.spec, err, tt.invalid)
			continue
		}
		if tt.invalid {
			continue
		}
		got, ok := f.Split(members, pop)
		if ok != tt.ok {
			t.Errorf("%q: ok = %v", tt.spec, ok)
		}
		for m, w := range tt.want {
			if math.Abs(got[m]-w) > 1e-12 {
				t.Errorf("%q: share of %s = %v, want %v", tt.spec, m, got[m], w)
			}
		}
		// What String writes, ParseFordelning reads back to the same split.
		back, err := ParseFordelning(f.String(members), members)
		if err != nil {
			t.Errorf("%q: String %q does not parse back: %v", tt.spec, f.String(members), err)
			continue
		}
		again, _ := back.Split(members, pop)
		for m := range got {
			if math.Abs(again[m]-got[m]) > 1e-9 {
				t.Errorf("%q: round trip changes %s from %v to %v", tt.spec, m, got[m], again[m])
			}
		}
	}
	// Population unknown: equal split, reported.
	f, _ := ParseFordelning("", members)
	got, ok := f.Split(members, map[string]*int64{"Borlänge": ptr(1)})
	if ok || math.Abs(got["Säter"]-1.0/3) > 1e-12 {
		t.Errorf("unknown population: %v ok=%v, want equal split and ok=false", got, ok)
	}
	// Awkward shares survive String → Parse.
	odd, err := ParseFordelning("Borlänge=0,999999;Falun=0,000001;Säter=0", members)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFordelning(odd.String(members), members); err != nil {
		t.Errorf("String of odd shares %q does not parse: %v", odd.String(members), err)
	}
}

func TestProgressOf(t *testing.T) {
	at := time.Date(2009, 9, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		unit Unit
		n    int
		want Progress
	}{
		{Unit{}, 0, NotInvited},
		{Unit{InvitedAt: &at}, 0, Invited},
		{Unit{InvitedAt: &at, OpenedAt: &at}, 0, Opened},
		{Unit{OpenedAt: &at}, 2, Draft},
		{Unit{Response: Submitted}, 2, ProgressSubmitted},
		{Unit{Response: NoEvaluations}, 0, ProgressNone},
		{Unit{Response: Declined, Reason: "x"}, 0, ProgressDeclined},
	}
	for _, tt := range tests {
		if got := ProgressOf(tt.unit, tt.n); got != tt.want {
			t.Errorf("ProgressOf(%+v, %d) = %s, want %s", tt.unit, tt.n, got, tt.want)
		}
	}
}

func TestLinkTokens(t *testing.T) {
	k := LinkKey("0123456789abcdef0123456789abcdef")
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		nonce, token, hash, err := k.NewLink()
		if err != nil {
			t.Fatal(err)
		}
		if !PlausibleToken(token) || seen[token] {
			t.Fatalf("token %q implausible or repeated", token)
		}
		seen[token] = true
		if k.Token(nonce) != token || HashToken(token) != hash {
			t.Fatal("token not derivable from its nonce")
		}
		if LinkKey("another-key-another-key-another-k").Token(nonce) == token {
			t.Fatal("token does not depend on the key")
		}
	}
}
