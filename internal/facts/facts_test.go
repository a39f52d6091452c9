package facts_test

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
)

func TestFrom(t *testing.T) {
	for _, c := range []struct {
		name    string
		answers form.Answers
		want    facts.Facts
		wantErr string
	}{
		{name: "blank", answers: form.Answers{}, want: facts.Facts{Initiator: facts.EjAngiven}},
		{
			name: "canonical, unused and a survey",
			answers: form.Answers{"benamning": "Brukarenkät", "uppdragsgivare_typ": "politisk",
				"anvandning": "inte_alls", "resultatansvarig": "ks;namnd", "uppdragsgivare_ar_resultatansvarig": "ja",
				"brukarundersokning": "ja", "malgrupp": "  Äldre   i hemtjänst ", "metod": "intervju;enkat_webb;intervju",
				"timmar": "12.5", "konsult_kr": "0", "kostnad_totalt_kr": "900"},
			want: facts.Facts{Initiator: facts.Politisk, Usage: [facts.NUsage]bool{facts.InteAlls: true},
				Survey: true, InitiatorIsOwner: true, MultipleOwners: true,
				Timmar: facts.Amount{Units: 1250, Given: true}, Konsult: facts.Amount{Given: true},
				Totalt: facts.Amount{Units: 900, Given: true},
				Title:  "Brukarenkät", Malgrupp: "Äldre i hemtjänst", Metod: []string{"enkat_webb", "intervju"}},
		},
		{
			name: "loose spellings",
			answers: form.Answers{"uppdragsgivare_typ": " extern ", "anvandning": "handlingsplan, annat",
				"resultatansvarig": "ingen", "brukarundersokning": "Ja", "uppdragsgivare_ar_resultatansvarig": "x",
				"timmar": "1 234,5", "material_kr": "1 000"},
			want: facts.Facts{Initiator: facts.Extern, Usage: [facts.NUsage]bool{facts.Handlingsplan: true, facts.Annat: true},
				NoOwner: true, Survey: true, InitiatorIsOwner: true,
				Timmar: facts.Amount{Units: 123450, Given: true}, Material: facts.Amount{Units: 1000, Given: true}},
		},
		{name: "one owner twice", answers: form.Answers{"resultatansvarig": "ks;ks", "uppdragsgivare_typ": "ej_angiven"},
			want: facts.Facts{Initiator: facts.EjAngiven}},
		{name: "unknown initiator", answers: form.Answers{"uppdragsgivare_typ": "kungen"}, wantErr: `uppdragsgivare_typ "kungen"`},
		{name: "unknown usage", answers: form.Answers{"anvandning": "arkivet"}, wantErr: `anvandning "arkivet"`},
		{name: "bad number", answers: form.Answers{"konsult_kr": "mycket"}, wantErr: `konsult_kr "mycket"`},
		{name: "too many decimals", answers: form.Answers{"timmar": "1.234"}, wantErr: `timmar "1.234"`},
		{name: "too many owners", answers: form.Answers{"resultatansvarig": "a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q"}, wantErr: "more than 16 owners"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := facts.From(c.answers)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestCosts(t *testing.T) {
	for _, c := range []struct {
		name string
		f    facts.Facts
		want facts.Costs
	}{
		{"nothing given", facts.Facts{}, facts.Costs{}},
		{"zero is given", facts.Facts{Konsult: facts.Amount{Given: true}}, facts.Costs{Given: true}},
		{"parts", facts.Facts{Timmar: facts.Amount{Units: 150, Given: true}, Konsult: facts.Amount{Units: 10, Given: true},
			Ovrigt: facts.Amount{Units: 2, Given: true}, Totalt: facts.Amount{Units: 999, Given: true}},
			facts.Costs{Lon: 150 * 280, Konsult: 1000, Ovrigt: 200, Total: 150*280 + 1200, Given: true}},
		{"total only", facts.Facts{Totalt: facts.Amount{Units: 5000, Given: true}}, facts.Costs{Total: 500000, Unsplit: 500000, Given: true}},
	} {
		if got := c.f.Costs(280); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestEncodeRoundTrip encodes the facts of every evaluation of a generated
// round and of hand-made edge cases, and decodes them back unchanged.
func TestEncodeRoundTrip(t *testing.T) {
	var all []facts.Facts
	for i := range 3000 {
		f, err := facts.From(natgen.Answers(7, i, form.ModeImport))
		if err != nil {
			t.Fatalf("answers %d: %v", i, err)
		}
		all = append(all, f)
	}
	all = append(all,
		facts.Facts{},
		facts.Facts{Initiator: facts.EjAngiven, Usage: [facts.NUsage]bool{true, true, true, true, true},
			Survey: true, InitiatorIsOwner: true, NoOwner: true, MultipleOwners: true,
			Timmar: facts.Amount{Units: -5, Given: true}, Konsult: facts.Amount{Units: 1 << 50, Given: true},
			Material: facts.Amount{Given: true}, Ovrigt: facts.Amount{Units: 1, Given: true}, Totalt: facts.Amount{Units: 7, Given: true},
			Title: "", Malgrupp: strings.Repeat("å", 300), Metod: []string{"", "x"}},
		facts.Facts{Usage: [facts.NUsage]bool{facts.InteAlls: true}, Title: "\x00;\"\n"},
	)
	var surveys, unused int
	for i, f := range all {
		b := facts.Encode(nil, &f)
		got, err := facts.Decode(b)
		if err != nil {
			t.Fatalf("%d: decode %x: %v", i, b, err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Fatalf("%d: round trip\n got  %+v\n want %+v", i, got, f)
		}
		if got, err := facts.DecodeString(string(b)); err != nil || !reflect.DeepEqual(got, f) {
			t.Fatalf("%d: DecodeString = %+v, %v\n want %+v", i, got, err, f)
		}
		surveys += b2i(f.Survey)
		unused += b2i(f.Usage[facts.InteAlls])
	}
	if surveys == 0 || unused == 0 {
		t.Errorf("the generated answers have %d surveys and %d unused evaluations; the test wants some of each", surveys, unused)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := facts.Encode(nil, &facts.Facts{Usage: [facts.NUsage]bool{facts.InteAlls: true}, Title: "Namn",
		Survey: true, Malgrupp: "Elever", Metod: []string{"intervju"}, Konsult: facts.Amount{Units: 300, Given: true}})
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"other version", append([]byte{facts.Version + 1}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing bytes", append(bytes.Clone(good), 0)},
		{"string longer than the rest", []byte{facts.Version, 1 << (2 + facts.InteAlls), 0, 0x7f}},
		{"more methods than bytes", []byte{facts.Version, 0, 1, 0, 0x7f}},
		{"bad varint", []byte{facts.Version, 0, 1 << 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	} {
		if f, err := facts.Decode(c.b); err == nil {
			t.Errorf("%s: Decode(%x) = %+v, want an error", c.name, c.b, f)
		}
		if f, err := facts.DecodeString(string(c.b)); err == nil {
			t.Errorf("%s: DecodeString(%x) = %+v, want an error", c.name, c.b, f)
		}
	}
}

// FuzzDecode: Decode never panics, DecodeString reads the same as Decode
// (and binary.Varint's reading of the amounts), and what Decode accepts
// encodes to facts that decode the same.
func FuzzDecode(f *testing.F) {
	f.Add(facts.Encode(nil, &facts.Facts{}))
	f.Add(facts.Encode(nil, &facts.Facts{Usage: [facts.NUsage]bool{facts.InteAlls: true}, Title: "x", Survey: true,
		Malgrupp: "m", Metod: []string{"a", "b"}, Timmar: facts.Amount{Units: 12, Given: true}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := facts.Decode(b)
		ds, errs := facts.DecodeString(string(b))
		if (err == nil) != (errs == nil) || !reflect.DeepEqual(d, ds) {
			t.Fatalf("Decode(%x) = %+v, %v; DecodeString = %+v, %v", b, d, err, ds, errs)
		}
		if len(b) > 3 {
			// The first amount, as the standard library reads it.
			v, n := binary.Varint(b[3:])
			if err == nil && b[2]&(1<<4) != 0 && (n <= 0 || v != d.Timmar.Units) {
				t.Fatalf("Decode(%x): timmar %d; binary.Varint reads %d (%d bytes)", b, d.Timmar.Units, v, n)
			}
		}
		if err != nil {
			return
		}
		again, err := facts.Decode(facts.Encode(nil, &d))
		if err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("re-encoded %+v decodes to %+v, %v", d, again, err)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
