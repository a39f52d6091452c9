package store_test

import (
	"bytes"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestKeptReportsForgottenOnWrite: a kept report is served until any write
// to what a report reads, through whichever store method, and then is
// gone; a write to another round leaves it. The triggers do it, so the
// test goes through every kind of write rather than trusting a list in Go.
func TestKeptReportsForgottenOnWrite(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := must[round.Round](t)(q.CreateRound(round.Round{Name: "R", HourlyRate: 280, CreatedAt: t0}))
		other := must[round.Round](t)(q.CreateRound(round.Round{Name: "Annan", HourlyRate: 280, CreatedAt: t0}))
		falun := must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Falun"}))
		must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Borlänge"}))
		must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: other.ID, Name: "Falun"}))
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
		ou := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: other.ID, Name: "Socialnämnden", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Complete: true,
			Answers: form.Answers{"benamning": "A"}, CreatedAt: t0, UpdatedAt: t0}))
		key := store.ReportKey{RoundID: r.ID, Format: "json", Build: "test"}
		version := e.Version

		for _, step := range []struct {
			name   string
			write  func() error
			forget bool
		}{
			{"a new evaluation", func() error {
				_, err := q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Answers: form.Answers{"benamning": "B"}, CreatedAt: t0, UpdatedAt: t0})
				return err
			}, true},
			{"an evaluation saved", func() error {
				v, err := q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: u.ID, Version: version, Complete: true, Answers: form.Answers{"benamning": "A2"}, UpdatedAt: t0})
				version = v
				return err
			}, true},
			{"an evaluation excluded by the review", func() error {
				return q.Exclude(r.ID, e.ID, round.Exclusion{Reason: "Statistik", By: "x", At: t0})
			}, true},
			{"an evaluation included again", func() error { return q.Include(e.ID) }, true},
			{"the unit's answer", func() error { return q.SetUnitResponse(u.ID, round.Submitted, "", t0) }, true},
			{"the unit's kommuner", func() error {
				return q.UpdateUnit(round.Unit{ID: u.ID, RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Falun", "Borlänge"}, UpdatedAt: t0})
			}, true},
			{"a kommunkod", func() error { return q.SetKommunkod(falun.ID, "2080") }, true},
			{"a report text", func() error {
				_, err := q.SetReportText(r.ID, nil, "Inledning", "x", t0)
				return err
			}, true},
			{"the round's state", func() error { return q.SetRoundState(r.ID, round.Closed) }, true},
			{"the population source", func() error { return q.SetPopulationSource(r.ID, "SCB 2009") }, true},
			{"another round's unit", func() error {
				return q.SetUnitResponse(ou.ID, round.Submitted, "", t0)
			}, false},
			{"another round's evaluation", func() error {
				_, err := q.CreateEvaluation(round.Evaluation{RoundID: other.ID, UnitID: ou.ID, Answers: form.Answers{"benamning": "C"}, CreatedAt: t0, UpdatedAt: t0})
				return err
			}, false},
			{"an evaluation deleted", func() error { return q.DeleteEvaluation(u.ID, e.ID) }, true},
			{"the unit deleted", func() error { return q.DeleteUnit(u.ID) }, true},
		} {
			body := []byte(`{"step":"` + step.name + `"}`)
			token := must[string](t)(st.ReserveReport(ctx, key, t0))
			if !must[bool](t)(st.KeepReport(ctx, key, token, body)) {
				t.Fatalf("%s: the report was not kept", step.name)
			}
			if got, ok := must2(t)(q.StoredReport(key)); !ok || !bytes.Equal(got, body) {
				t.Fatalf("%s: kept report = %q %v, want %q", step.name, got, ok, body)
			}
			check(t, step.write())
			_, ok := must2(t)(q.StoredReport(key))
			if ok == step.forget {
				t.Errorf("after %s: report kept %v, want %v", step.name, ok, !step.forget)
			}
		}
	})
}

// TestReportReservationLostToAWrite: a build whose round was written to
// after it reserved its place keeps nothing, and another build that
// reserved since takes the place over.
func TestReportReservationLostToAWrite(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := must[round.Round](t)(q.CreateRound(round.Round{Name: "R", HourlyRate: 280, CreatedAt: t0}))
		key := store.ReportKey{RoundID: r.ID, Format: "json", Build: "test"}

		token := must[string](t)(st.ReserveReport(ctx, key, t0))
		check(t, q.SetPopulationSource(r.ID, "SCB")) // a write while the build reads
		if must[bool](t)(st.KeepReport(ctx, key, token, []byte("stale"))) {
			t.Error("a report built across a write was kept")
		}
		if _, ok := must2(t)(q.StoredReport(key)); ok {
			t.Error("a stale report is served")
		}

		first := must[string](t)(st.ReserveReport(ctx, key, t0))
		second := must[string](t)(st.ReserveReport(ctx, key, t0))
		if must[bool](t)(st.KeepReport(ctx, key, first, []byte("first"))) {
			t.Error("a reservation taken over was kept")
		}
		if !must[bool](t)(st.KeepReport(ctx, key, second, []byte("second"))) {
			t.Error("the current reservation was not kept")
		}
		if got, _ := must2(t)(q.StoredReport(key)); string(got) != "second" {
			t.Errorf("kept %q, want second", got)
		}
		// Another binary, or another variant, renders anew.
		if _, ok := must2(t)(q.StoredReport(store.ReportKey{RoundID: r.ID, Format: "json", Build: "other"})); ok {
			t.Error("another build's report is served")
		}
		if _, ok := must2(t)(q.StoredReport(store.ReportKey{RoundID: r.ID, Format: "json", Variant: "2010-01-15", Build: "test"})); ok {
			t.Error("another variant's report is served")
		}
		// A new variant takes the place over: one kept report per format.
		v2 := store.ReportKey{RoundID: r.ID, Format: "json", Variant: "2010-01-15", Build: "test"}
		if !must[bool](t)(st.KeepReport(ctx, v2, must[string](t)(st.ReserveReport(ctx, v2, t0)), []byte("next day"))) {
			t.Error("the new variant was not kept")
		}
		if _, ok := must2(t)(q.StoredReport(key)); ok {
			t.Error("the old variant is still served")
		}
	})
}

func must2(t *testing.T) func([]byte, bool, error) ([]byte, bool) {
	return func(b []byte, ok bool, err error) ([]byte, bool) {
		t.Helper()
		check(t, err)
		return b, ok
	}
}
