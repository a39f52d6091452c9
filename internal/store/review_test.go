package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestReviewTables: exclusions and questions are stored and read back the
// same on both databases; a second exclusion, an include of an included
// evaluation, an answer to or a close of a closed question are refused;
// deleting an evaluation takes its review with it.
func TestReviewTables(t *testing.T) {
	st := storetest.MustOpen(t)
	q := st.Q(ctx)
	r := must[round.Round](t)(q.CreateRound(round.Round{Name: "R", HourlyRate: 280, CreatedAt: t0}))
	must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Falun", Kommunkod: "2080"}))
	u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
	var ids []int64
	for _, name := range []string{"A", "B"} {
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: true,
			Answers: form.Answers{"benamning": name}, CreatedAt: t0, UpdatedAt: t0}))
		ids = append(ids, e.ID)
	}

	x := round.Exclusion{Reason: "Löpande statistik", By: "Anna Lind (anna@example.se)", At: t0}
	check(t, q.Exclude(r.ID, ids[0], x))
	wantCode(t, q.Exclude(r.ID, ids[0], x), apperror.Conflict)
	got := must[map[int64]round.Exclusion](t)(q.Exclusions(r.ID))
	if !reflect.DeepEqual(got, map[int64]round.Exclusion{ids[0]: x}) {
		t.Errorf("exclusions = %+v", got)
	}
	if one := must[*round.Exclusion](t)(q.Exclusion(ids[0])); one == nil || *one != x {
		t.Errorf("exclusion of A = %+v", one)
	}
	if none := must[*round.Exclusion](t)(q.Exclusion(ids[1])); none != nil {
		t.Errorf("exclusion of B = %+v, want none", none)
	}
	check(t, q.Include(ids[0]))
	wantCode(t, q.Include(ids[0]), apperror.Conflict)

	qu := must[round.Question](t)(q.CreateQuestion(round.Question{RoundID: r.ID, UnitID: u.ID, EvaluationID: ids[1],
		AskedBy: "Anna Lind (anna@example.se)", Text: "Stämmer kostnaden?", AskedAt: t0}))
	must[round.Question](t)(q.CreateQuestion(round.Question{RoundID: r.ID, UnitID: u.ID, EvaluationID: ids[0], AskedBy: "x", Text: "?", AskedAt: t0}))
	check(t, q.AnswerQuestion(qu.ID, "Ja", "Verksamhetschef via personlig länk", t0.Add(time.Second)))
	if us := must[[]store.UnitProgress](t)(q.QueryUnits(store.UnitQuery{RoundID: r.ID})); len(us) != 1 || us[0].OpenQuestions != 2 {
		t.Errorf("units with open questions = %+v, want the unit with 2", us)
	}
	if ks := must[[]store.KommunQuestionCount](t)(q.KommunOpenQuestions(r.ID)); len(ks) != 1 || ks[0].Questions != 2 || ks[0].First != 2 {
		t.Errorf("kommuner's open questions = %+v, want 2 in the unit's one kommun", ks)
	}
	check(t, q.CloseQuestion(qu.ID, "Anna Lind (anna@example.se)", t0.Add(2*time.Second)))
	wantCode(t, q.CloseQuestion(qu.ID, "x", t0), apperror.Conflict)
	wantCode(t, q.AnswerQuestion(qu.ID, "Nej", "x", t0), apperror.Conflict)
	back := must[round.Question](t)(q.Question(qu.ID))
	if back.Answer != "Ja" || back.AnsweredBy != "Verksamhetschef via personlig länk" || back.Open() || back.ClosedBy != "Anna Lind (anna@example.se)" {
		t.Errorf("question read back = %+v", back)
	}
	sameTime(t, "closed_at", back.ClosedAt, t0.Add(2*time.Second))
	if us := must[[]store.UnitProgress](t)(q.QueryUnits(store.UnitQuery{RoundID: r.ID})); len(us) != 1 || us[0].OpenQuestions != 1 {
		t.Errorf("units with open questions after closing = %+v, want the unit with 1", us)
	}
	if qs := must[[]round.Question](t)(q.UnitQuestions(u.ID)); len(qs) != 2 || qs[0].ID != qu.ID {
		t.Errorf("unit questions = %+v", qs)
	}
	wantCode(t, func() error { _, err := q.Question(999999); return err }(), apperror.NotFound)

	// An evaluation's review goes with it.
	check(t, q.Exclude(r.ID, ids[1], x))
	check(t, q.DeleteEvaluation(u.ID, ids[1]))
	if qs := must[[]round.Question](t)(q.EvaluationQuestions(ids[1])); len(qs) != 0 {
		t.Errorf("questions of a deleted evaluation: %+v", qs)
	}
	if xs := must[map[int64]round.Exclusion](t)(q.Exclusions(r.ID)); len(xs) != 0 {
		t.Errorf("exclusions of a deleted evaluation: %+v", xs)
	}
}

// TestLineageAndKommunkod: lineage read back per round and per unit, the
// round's predecessor, and the kommunkod unique within a round only.
func TestLineageAndKommunkod(t *testing.T) {
	st := storetest.MustOpen(t)
	q := st.Q(ctx)
	r1 := must[round.Round](t)(q.CreateRound(round.Round{Name: "2009", HourlyRate: 280, CreatedAt: t0}))
	r2 := must[round.Round](t)(q.CreateRound(round.Round{Name: "2010", HourlyRate: 280, CreatedAt: t0}))
	for _, r := range []round.Round{r1, r2} {
		must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Falun", Kommunkod: "2080"}))
	}
	_, err := q.CreateKommun(round.Kommun{RoundID: r2.ID, Name: "Falu kommun", Kommunkod: "2080"})
	wantCode(t, err, apperror.Conflict)
	must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r2.ID, Name: "Heby"}))
	must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r2.ID, Name: "Säter"})) // several without a code
	if ks := must[[]round.Kommun](t)(q.Kommuner(r1.ID)); len(ks) != 1 || ks[0].Kommunkod != "2080" {
		t.Errorf("kommuner = %+v", ks)
	}

	u1 := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r1.ID, Name: "S", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
	u2 := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r2.ID, Name: "S", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
	u3 := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r2.ID, Name: "T", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
	check(t, q.SetPreviousRound(r2.ID, r1.ID))
	check(t, q.SetUnitLineage(map[int64]int64{u2.ID: u1.ID}))
	prev, prevU2 := map[int64]int64{}, map[int64]int64{}
	for i := range 3 {
		e1 := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r1.ID, UnitID: u1.ID, Complete: true, Answers: form.Answers{}, CreatedAt: t0, UpdatedAt: t0}))
		e2 := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r2.ID, UnitID: u2.ID, Answers: form.Answers{}, CreatedAt: t0, UpdatedAt: t0}))
		if i < 2 {
			prev[e2.ID], prevU2[e2.ID] = e1.ID, e1.ID
		}
		if i != 1 {
			// A second unit of the round continues some of them too
			// (EvaluationLineage reads unit by unit).
			e3 := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r2.ID, UnitID: u3.ID, Answers: form.Answers{}, CreatedAt: t0, UpdatedAt: t0}))
			prev[e3.ID] = e1.ID
		}
	}
	check(t, q.SetEvaluationLineage(prev))
	if got := must[int64](t)(q.PreviousRoundID(r2.ID)); got != r1.ID {
		t.Errorf("previous round = %d, want %d", got, r1.ID)
	}
	if got := must[int64](t)(q.PreviousRoundID(r1.ID)); got != 0 {
		t.Errorf("previous of the first round = %d, want 0", got)
	}
	wantCode(t, func() error { _, err := q.PreviousRoundID(999999); return err }(), apperror.NotFound)
	if got := must[map[int64]int64](t)(q.UnitLineage(r2.ID)); !reflect.DeepEqual(got, map[int64]int64{u2.ID: u1.ID}) {
		t.Errorf("unit lineage = %v", got)
	}
	if got := must[int64](t)(q.PreviousUnitID(u2.ID)); got != u1.ID {
		t.Errorf("previous unit = %d", got)
	}
	if got := must[map[int64]int64](t)(q.EvaluationLineage(r2.ID)); !reflect.DeepEqual(got, prev) {
		t.Errorf("evaluation lineage = %v, want %v", got, prev)
	}
	if got := must[map[int64]int64](t)(q.UnitEvaluationLineage(u2.ID)); !reflect.DeepEqual(got, prevU2) {
		t.Errorf("unit's evaluation lineage = %v, want %v", got, prevU2)
	}
	if got := must[map[int64]int64](t)(q.EvaluationLineage(r1.ID)); len(got) != 0 {
		t.Errorf("the first round has lineage: %v", got)
	}
}
