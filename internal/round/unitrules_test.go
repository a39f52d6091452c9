package round_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

func TestNormalizeUnit(t *testing.T) {
	kommuner := []string{"Borlänge", "Falun", "Säter"}
	long := strings.Repeat("x", round.MaxUnitTextLen+1)
	tests := []struct {
		name string
		in   round.Unit
		want round.Unit // when no problems are expected
		// problems: field → a piece of its message
		problems map[string]string
	}{
		{name: "cleaned and canonical",
			in: round.Unit{Name: "  Social\tnämnd \n", Kommuner: []string{" falun ", ""}, Omrade: " Vård  och omsorg ",
				ChefName: " Eva  Ek ", ChefEmail: " eva.ek@falun.se "},
			want: round.Unit{Name: "Social nämnd", Kommuner: []string{"Falun"}, Omrade: "Vård och omsorg",
				ChefName: "Eva Ek", ChefEmail: "eva.ek@falun.se"}},
		{name: "shared with shares",
			in:   round.Unit{Name: "Räddningstjänsten", Kommuner: []string{"Borlänge", "Falun", "Säter"}, Fordelning: "borlänge=0,5; Falun=0.3;Säter=0,2"},
			want: round.Unit{Name: "Räddningstjänsten", Kommuner: []string{"Borlänge", "Falun", "Säter"}, Fordelning: "Borlänge=0,5;Falun=0,3;Säter=0,2"}},
		{name: "split by population is the default",
			in:   round.Unit{Name: "Gymnasiet", Kommuner: []string{"Borlänge", "Säter"}, Fordelning: "Invanare"},
			want: round.Unit{Name: "Gymnasiet", Kommuner: []string{"Borlänge", "Säter"}}},
		{name: "equal split",
			in:   round.Unit{Name: "Gymnasiet", Kommuner: []string{"Borlänge", "Säter"}, Fordelning: " LIKA "},
			want: round.Unit{Name: "Gymnasiet", Kommuner: []string{"Borlänge", "Säter"}, Fordelning: "lika"}},
		{name: "no name", in: round.Unit{Name: " ", Kommuner: []string{"Falun"}},
			problems: map[string]string{"enhet": "Skriv enhetens namn"}},
		{name: "long name", in: round.Unit{Name: long, Kommuner: []string{"Falun"}},
			problems: map[string]string{"enhet": "högst 200 tecken"}},
		{name: "bad bytes", in: round.Unit{Name: "Bad\xff", Kommuner: []string{"Falun"}},
			problems: map[string]string{"enhet": "ogiltiga tecken"}},
		{name: "no kommun", in: round.Unit{Name: "X"},
			problems: map[string]string{"kommun": "Välj minst en kommun"}},
		{name: "unknown kommun, split not checked", in: round.Unit{Name: "X", Kommuner: []string{"Falun", "Mora"}, Fordelning: "Falun=1"},
			problems: map[string]string{"kommun": "Kommunen Mora deltar inte i omgången. Omgångens kommuner är Borlänge, Falun, Säter."}},
		{name: "kommun twice", in: round.Unit{Name: "X", Kommuner: []string{"Falun", "FALUN"}},
			problems: map[string]string{"kommun": "Kommunen Falun står två gånger."}},
		{name: "long område and chef", in: round.Unit{Name: "X", Kommuner: []string{"Falun"}, Omrade: long, ChefName: long},
			problems: map[string]string{"omrade": "Området är för långt", "verksamhetschef": "Verksamhetschefens namn är för långt"}},
		{name: "bad e-mail", in: round.Unit{Name: "X", Kommuner: []string{"Falun"}, ChefEmail: "eva.ek@falun"},
			problems: map[string]string{"epost": "”eva.ek@falun” är ingen giltig e-postadress."}},
		{name: "e-mail with a name", in: round.Unit{Name: "X", Kommuner: []string{"Falun"}, ChefEmail: "Eva <eva@falun.se>"},
			problems: map[string]string{"epost": "ingen giltig e-postadress"}},
		{name: "two addresses", in: round.Unit{Name: "X", Kommuner: []string{"Falun"}, ChefEmail: "eva@falun.se, bo@falun.se"},
			problems: map[string]string{"epost": "ingen giltig e-postadress"}},
		{name: "shares do not sum to 1", in: round.Unit{Name: "X", Kommuner: []string{"Falun", "Säter"}, Fordelning: "Falun=0,5;Säter=0,6"},
			problems: map[string]string{"fordelning": "summerar till 1,1"}},
		{name: "share for a non-member", in: round.Unit{Name: "X", Kommuner: []string{"Falun"}, Fordelning: "Säter=1"},
			problems: map[string]string{"fordelning": "inte är medlem"}},
		{name: "everything at once", in: round.Unit{Name: "", Kommuner: []string{"Falun"}, ChefEmail: "nej", Fordelning: "hälften"},
			problems: map[string]string{"enhet": "Skriv enhetens namn", "epost": "ingen giltig", "fordelning": "ska skrivas"}},
	}
	for _, tt := range tests {
		got, err := round.NormalizeUnit(tt.in, kommuner)
		if tt.problems == nil {
			if err != nil {
				t.Errorf("%s: got %v, want no problems", tt.name, err)
			} else if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
			}
			continue
		}
		var ps round.UnitProblems
		if !errors.As(err, &ps) {
			t.Errorf("%s: got %v, want UnitProblems", tt.name, err)
			continue
		}
		if apperror.Code(err) != apperror.Invalid {
			t.Errorf("%s: code %s, want invalid", tt.name, apperror.Code(err))
		}
		fields := map[string]bool{}
		for _, p := range ps {
			fields[p.Field] = true
		}
		for field, want := range tt.problems {
			if got := ps.For(field); !strings.Contains(got, want) {
				t.Errorf("%s: %s problem = %q, want it to contain %q", tt.name, field, got, want)
			}
			delete(fields, field)
		}
		if len(fields) > 0 {
			t.Errorf("%s: unexpected problems %v", tt.name, ps)
		}
	}
}

func FuzzNormalizeUnit(f *testing.F) {
	f.Add("Socialnämnden", "Falun;Säter", "Falun=0,5;Säter=0,5", "Vård", "Eva", "eva@falun.se")
	f.Add("", "", "", "", "", "")
	f.Add("\xff", "falun;;FALUN", "lika", "", "", "a@b")
	f.Fuzz(func(t *testing.T, name, members, fordelning, omrade, chef, email string) {
		in := round.Unit{Name: name, Kommuner: strings.Split(members, ";"), Fordelning: fordelning, Omrade: omrade, ChefName: chef, ChefEmail: email}
		u, err := round.NormalizeUnit(in, []string{"Falun", "Säter"})
		if err != nil {
			var ps round.UnitProblems
			if !errors.As(err, &ps) || len(ps) == 0 || apperror.Message(err) == "" {
				t.Fatalf("error %v is no list of problems", err)
			}
			return
		}
		// An accepted unit is clean, and cleaning it again changes nothing.
		if u.Name == "" || len(u.Kommuner) == 0 || !utf8.ValidString(u.Name) {
			t.Fatalf("accepted %+v", u)
		}
		again, err := round.NormalizeUnit(u, []string{"Falun", "Säter"})
		if err != nil || !reflect.DeepEqual(again, u) {
			t.Fatalf("normalising %+v again: %+v, %v", u, again, err)
		}
	})
}
