package manage_test

import (
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
)

// batchSource is an ImportSource of n evaluations per unit, made as they
// are asked for.
type batchSource struct {
	units []round.UnitData
	n     int
}

func (s batchSource) Content() round.Dataset {
	return round.Dataset{Kommuner: []round.Kommun{{Name: "Heby"}, {Name: "Falun"}}, Units: s.units}
}

func (s batchSource) Evaluations(i int) (int, iter.Seq[round.Evaluation]) {
	if s.units[i].Response != round.Submitted {
		return 0, slices.Values([]round.Evaluation(nil))
	}
	return s.n, func(yield func(round.Evaluation) bool) {
		for j := range s.n {
			if !yield(round.Evaluation{Complete: true, Answers: natgen.Answers(uint64(i*s.n+j), j, form.ModeImport)}) {
				return
			}
		}
	}
}

// TestImportInBatches: an import of more evaluations than one batch is
// stored whole, or, when a unit after the first batches is refused, not at
// all: neither the evaluations already handed to the store nor the round.
func TestImportInBatches(t *testing.T) {
	unit := func(name, kommun, email string, r round.Response) round.UnitData {
		return round.UnitData{Unit: round.Unit{Name: name, Kommuner: []string{kommun}, ChefEmail: email, Response: r}}
	}
	tests := []struct {
		name     string
		units    []round.UnitData
		wantCode string // "" for stored
		want     int    // evaluations stored
	}{
		{"stored whole", []round.UnitData{unit("Skolan", "Heby", "", round.Submitted), unit("Vården", "Falun", "", round.Submitted), unit("Kulturen", "Falun", "", round.NoEvaluations)}, "", 2 * 1300},
		{"refused after two batches", []round.UnitData{unit("Skolan", "Heby", "", round.Submitted), unit("Vården", "Falun", "", round.Submitted), unit("Kulturen", "Falun", "ingen adress", round.NoEvaluations)}, apperror.Invalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			name := "Stor import " + tt.name
			r, err := f.m.Import(ctx, f.system, name, 280, batchSource{units: tt.units, n: 1300})
			if tt.wantCode == "" && err != nil {
				t.Fatalf("error %v, want stored", err)
			}
			if tt.wantCode != "" {
				if got := apperror.Code(err); got != tt.wantCode || !strings.Contains(apperror.Message(err), "Kulturen") {
					t.Fatalf("error %v (%s), want %s naming Kulturen", err, got, tt.wantCode)
				}
				if _, err := f.m.RoundByName(ctx, f.system, name); apperror.Code(err) != apperror.NotFound {
					t.Errorf("the refused import left its round: %v", err)
				}
				return
			}
			counts, err := f.st.Q(ctx).EvaluationCounts(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored := 0
			for _, n := range counts {
				stored += n
			}
			if stored != tt.want {
				t.Errorf("%d evaluations stored, want %d", stored, tt.want)
			}
			units, err := f.st.Q(ctx).Units(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range units {
				if want := map[string]int{"Skolan": 1300, "Vården": 1300}[u.Name]; counts[u.ID] != want {
					t.Errorf("%s: %d evaluations, want %d", u.Name, counts[u.ID], want)
				}
			}
		})
	}
}
