package store_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// wantFacts checks RoundFacts against the answers each evaluation was
// last saved with: the complete ones, in order, each with the facts
// facts.From reads of its answers, or (unreadable answers) with the
// answers themselves.
func wantFacts(t *testing.T, q *store.Queries, roundID int64, want map[int64]form.Answers, complete map[int64]bool) {
	t.Helper()
	all := must[[]round.Evaluation](t)(q.RoundFacts(roundID))
	var got []round.Evaluation
	drafts := 0
	for _, e := range all {
		if !e.Complete {
			drafts++
			// A draft comes without facts and answers: the report only
			// counts it as not sent in.
			if e.Facts != nil || e.Answers != nil || complete[e.ID] {
				t.Fatalf("RoundFacts: draft %+v", e)
			}
			continue
		}
		got = append(got, e)
	}
	n := 0
	for id := range want {
		if complete[id] {
			n++
		}
	}
	if len(got) != n || drafts != len(want)-n {
		t.Fatalf("RoundFacts: %d evaluations and %d drafts, want %d and %d", len(got), drafts, n, len(want)-n)
	}
	for i, e := range got {
		if i > 0 && (got[i-1].UnitID > e.UnitID || got[i-1].UnitID == e.UnitID && got[i-1].ID >= e.ID) {
			t.Fatalf("RoundFacts not unit by unit, in order of ID, at %d", i)
		}
		a, ok := want[e.ID]
		if !ok || !complete[e.ID] || !e.Complete || e.RoundID != roundID {
			t.Fatalf("RoundFacts: evaluation %+v is not one of the round's complete ones", e)
		}
		f, err := facts.From(a)
		switch {
		case err != nil:
			if e.Facts != nil || !mapsEqual(e.Answers, a) {
				t.Fatalf("evaluation %d with unreadable answers: facts %+v, answers %v; want its answers", e.ID, e.Facts, e.Answers)
			}
		case e.Facts == nil:
			t.Fatalf("evaluation %d: no facts", e.ID)
		case !reflect.DeepEqual(*e.Facts, f):
			t.Fatalf("evaluation %d: facts\n got  %+v\n want %+v (from %v)", e.ID, *e.Facts, f, a)
		case e.Answers != nil:
			t.Fatalf("evaluation %d: answers loaded with its facts", e.ID)
		}
	}
}

// TestFactsFollowWrites: every write of an evaluation keeps its facts in
// step with its answers, whichever writer it is.
func TestFactsFollowWrites(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		want := map[int64]form.Answers{}
		complete := map[int64]bool{}
		save := func(e round.Evaluation) round.Evaluation {
			t.Helper()
			if e.ID == 0 {
				e = must[round.Evaluation](t)(q.CreateEvaluation(e))
			} else {
				e.Version = must[int64](t)(q.UpdateEvaluation(e))
			}
			want[e.ID], complete[e.ID] = e.Answers, e.Complete
			return e
		}
		a1 := natgen.Answers(1, 1, form.ModeForm)
		e1 := save(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: true, Answers: a1, CreatedAt: t0, UpdatedAt: t0})
		draft := save(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Answers: form.Answers{"benamning": "Utkast", "timmar": "mycket"}, CreatedAt: t0, UpdatedAt: t0})
		wantFacts(t, q, r.ID, want, complete)
		if b := must[[]byte](t)(store.FactsColumn(q, draft.ID)); b != nil {
			t.Fatalf("a draft has facts %x", b)
		}

		// The draft is completed; the complete one changes, then goes back
		// to being a draft.
		draft.Complete, draft.Answers = true, natgen.Answers(1, 2, form.ModeForm)
		draft = save(draft)
		e1.Answers = natgen.Answers(1, 3, form.ModeForm)
		e1.Answers["anvandning"] = "inte_alls"
		e1.Answers["brukarundersokning"], e1.Answers["malgrupp"], e1.Answers["metod"] = "ja", "Elever  i år 9", "intervju;enkat_webb"
		e1 = save(e1)
		wantFacts(t, q, r.ID, want, complete)
		e1.Complete = false
		e1 = save(e1)
		wantFacts(t, q, r.ID, want, complete)
		if b := must[[]byte](t)(store.FactsColumn(q, e1.ID)); b != nil {
			t.Fatalf("an evaluation back to draft keeps facts %x", b)
		}

		// A complete evaluation whose answers facts cannot read: the
		// report gets its answers, and will say what is wrong.
		save(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: true, Answers: form.Answers{"benamning": "Trasig", "uppdragsgivare_typ": "kungen"}, CreatedAt: t0, UpdatedAt: t0})

		// An import (CreateEvaluations), more than one batch.
		var many []round.Evaluation
		for i := range 1203 {
			many = append(many, round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: i%3 != 0,
				Answers: natgen.Answers(2, i, form.ModeImport), CreatedAt: t0, UpdatedAt: t0})
		}
		check(t, q.CreateEvaluations(many))
		for _, e := range must[[]round.Evaluation](t)(q.UnitEvaluations(u.ID)) {
			if _, ok := want[e.ID]; !ok {
				want[e.ID], complete[e.ID] = e.Answers, e.Complete
			}
		}
		if len(want) != 1206 {
			t.Fatalf("%d evaluations stored, want 1206", len(want))
		}
		wantFacts(t, q, r.ID, want, complete)

		// More units, their evaluations' IDs interleaved, titles with
		// bytes a text column would end at, and a unit with drafts only:
		// RoundFacts reads the round unit by unit.
		u2 := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Kulturnämnden", Kommuner: []string{"Borlänge"}}))
		u3 := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Tekniska nämnden", Kommuner: []string{"Borlänge"}}))
		for i := range 7 {
			for _, unit := range []int64{u2.ID, u.ID} {
				a := natgen.Answers(3, i, form.ModeForm)
				a["benamning"] = fmt.Sprintf("Namn\x00%d,;\x00", i)
				save(round.Evaluation{RoundID: r.ID, UnitID: unit, Complete: i != 4, Answers: a, CreatedAt: t0, UpdatedAt: t0})
			}
			save(round.Evaluation{RoundID: r.ID, UnitID: u3.ID, Answers: form.Answers{"benamning": "Utkast"}, CreatedAt: t0, UpdatedAt: t0})
		}
		wantFacts(t, q, r.ID, want, complete)
		if n := must[int](t)(store.StaleFacts(q)); n != 0 {
			t.Fatalf("%d evaluations written without current facts", n)
		}

		// The review excludes one: it comes with its answers as well, as
		// the report lists it by name.
		check(t, q.Exclude(r.ID, draft.ID, round.Exclusion{Reason: "Löpande statistik", By: "Granskare", At: t0}))
		found := false
		for _, e := range must[[]round.Evaluation](t)(q.RoundFacts(r.ID)) {
			if e.ID != draft.ID {
				continue
			}
			found = true
			if e.Facts == nil || !mapsEqual(e.Answers, want[draft.ID]) {
				t.Errorf("excluded evaluation: facts %v, answers %v; want both", e.Facts, e.Answers)
			}
			if e.Excluded == nil || e.Excluded.Reason != "Löpande statistik" {
				t.Errorf("excluded evaluation: exclusion %+v, want the review's", e.Excluded)
			}
		}
		if !found {
			t.Error("RoundFacts left out the excluded evaluation")
		}
		for _, e := range must[[]round.Evaluation](t)(q.RoundAnswers(r.ID)) {
			if (e.ID == draft.ID) != (e.Excluded != nil) {
				t.Errorf("RoundAnswers: evaluation %d has exclusion %+v; only %d is excluded", e.ID, e.Excluded, draft.ID)
			}
		}
	})
}

// TestFactsMigration opens a database of the schema version before the
// facts column, with evaluations in it written as that version wrote them,
// and checks that opening it with this version derives every
// evaluation's facts from its answers, on both databases.
func TestFactsMigration(t *testing.T) {
	storetest.BothEmpty(t, func(t *testing.T, opt store.Options) {
		old, err := store.OpenAt(ctx, opt, store.FactsMigration()-1)
		check(t, err)
		if v := must[int](t)(old.SchemaVersion(ctx)); v != store.FactsMigration()-1 {
			t.Fatalf("old database at version %d", v)
		}
		want := map[int64]form.Answers{}
		complete := map[int64]bool{}
		var roundID int64
		check(t, old.InTx(ctx, func(q *store.Queries) error {
			// The tables of schema version 1, as the old version wrote them.
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO rounds (id, name, hourly_rate, state, created_at) VALUES (?, ?, ?, ?, ?)`, []any{7, "Resultatstyrning 2009", 280, "oppen", t0}},
				{`INSERT INTO kommuner (id, round_id, name, population) VALUES (?, ?, ?, ?)`, []any{3, 7, "Falun", 58000}},
				{`INSERT INTO units (id, round_id, name, response, updated_at) VALUES (?, ?, ?, ?, ?)`, []any{5, 7, "Socialnämnden", "inskickad", t0}},
				{`INSERT INTO unit_kommuner (unit_id, kommun_id, position) VALUES (?, ?, ?)`, []any{5, 3, 0}},
			} {
				if err := store.Exec(q, s.sql, s.args...); err != nil {
					return err
				}
			}
			roundID = 7
			for i := range 1100 { // more than two batches of deriveMissingFacts
				a := natgen.Answers(9, i, form.ModeImport)
				done := i%10 != 0
				switch i {
				case 17:
					a["uppdragsgivare_typ"] = "kungen" // unreadable: the report will say so
				case 18:
					a["timmar"] = "12,5" // a looser spelling, read the same
				}
				js, err := encodeAnswersJSON(a)
				if err != nil {
					return err
				}
				id := int64(100 + i)
				if err := store.Exec(q, `INSERT INTO evaluations (id, round_id, unit_id, complete, answers, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					id, 7, 5, done, js, t0, t0); err != nil {
					return err
				}
				want[id], complete[id] = a, done
			}
			return nil
		}))
		check(t, old.Close())

		st, err := store.Open(ctx, opt)
		check(t, err)
		defer st.Close()
		if v := must[int](t)(st.SchemaVersion(ctx)); v != store.MigrationCount() {
			t.Fatalf("schema version %d after opening, want %d", v, store.MigrationCount())
		}
		q := st.Q(ctx)
		if n := must[int](t)(store.StaleFacts(q)); n != 0 {
			t.Fatalf("%d evaluations left without facts", n)
		}
		wantFacts(t, q, roundID, want, complete)
		// The old rows are otherwise as they were, and new writes work.
		if got := must[round.Evaluation](t)(q.Evaluation(5, 118)); got.Answers.Get("timmar") != "12,5" || !got.Complete {
			t.Fatalf("evaluation 118 read back as %+v", got)
		}
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: 7, UnitID: 5, Complete: true,
			Answers: natgen.Answers(9, 2000, form.ModeForm), CreatedAt: t0, UpdatedAt: t0}))
		want[e.ID], complete[e.ID] = e.Answers, true
		wantFacts(t, q, roundID, want, complete)
	})
}

// encodeAnswersJSON writes answers as the store has always stored them.
func encodeAnswersJSON(a form.Answers) (string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("encode answers: %w", err)
	}
	return string(b), nil
}

// TestReportReadsTheIndex: on SQLite a report reads its evaluations, and
// their lineage, from the index that holds what it reads (migration 13),
// not from the rows with their answers.
func TestReportReadsTheIndex(t *testing.T) {
	st := storetest.OpenSQLite(t)
	q := st.Q(ctx)
	r := network(t, q, "Borlänge")
	plans := must[map[string][]string](t)(store.ReportQueryPlans(q, r.ID))
	for _, name := range []string{"RoundFacts", "EvaluationLineage"} {
		if !slices.ContainsFunc(plans[name], func(step string) bool {
			return strings.Contains(step, "COVERING INDEX evaluations_round_facts")
		}) {
			t.Errorf("%s: plan %q does not read the covering index evaluations_round_facts alone", name, plans[name])
		}
		if slices.ContainsFunc(plans[name], func(step string) bool { return strings.Contains(step, "TEMP B-TREE") }) {
			t.Errorf("%s: plan %q sorts, instead of reading the index in its order", name, plans[name])
		}
	}
}
