package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestEvaluationVersions: every write of an evaluation advances its version
// by one, and a write that names a version other than the stored one is
// refused and writes nothing.
func TestEvaluationVersions(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Version: 7,
			Answers: form.Answers{"benamning": "Brukarenkät"}, CreatedAt: t0, UpdatedAt: t0}))
		if e.Version != 1 {
			t.Fatalf("created at version %d, want 1 whatever the caller says", e.Version)
		}
		stored := func() round.Evaluation {
			t.Helper()
			return must[round.Evaluation](t)(q.Evaluation(u.ID, e.ID))
		}
		if got := stored().Version; got != 1 {
			t.Fatalf("read back at version %d, want 1", got)
		}

		steps := []struct {
			name        string
			from        int64 // the version the write says it replaces
			benamning   string
			wantVersion int64 // after the write
			wantCode    string
		}{
			{"first save", 1, "Brukarenkät 2009", 2, ""},
			{"second save", 2, "Brukarenkät hemtjänst", 3, ""},
			{"same answers again still counts", 3, "Brukarenkät hemtjänst", 4, ""},
			{"stale: from a version already replaced", 2, "Gammal flik", 4, apperror.Conflict},
			{"from a version that never was", 9, "Framtid", 4, apperror.Conflict},
			{"no version", 0, "Utan version", 4, apperror.Conflict},
			{"current again", 4, "Brukarenkät hemtjänst 2009", 5, ""},
		}
		want := "Brukarenkät"
		for _, s := range steps {
			v, err := q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: u.ID, Version: s.from, Complete: true,
				Answers: form.Answers{"benamning": s.benamning}, UpdatedAt: t0.Add(time.Hour)})
			if s.wantCode != "" {
				wantCode(t, err, s.wantCode)
			} else {
				check(t, err)
				want = s.benamning
				if v != s.wantVersion {
					t.Errorf("%s: UpdateEvaluation returned version %d, want %d", s.name, v, s.wantVersion)
				}
			}
			got := stored()
			if got.Version != s.wantVersion || got.Answers.Get("benamning") != want {
				t.Errorf("%s: stored version %d %q, want %d %q", s.name, got.Version, got.Answers.Get("benamning"), s.wantVersion, want)
			}
		}

		// Another unit's evaluation is not found, whatever the version.
		other := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Miljönämnden", Kommuner: []string{"Borlänge"}}))
		_, err := q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: other.ID, Version: 5})
		wantCode(t, err, apperror.NotFound)

		// An import starts every evaluation at version 1.
		check(t, q.CreateEvaluations([]round.Evaluation{
			{RoundID: r.ID, UnitID: other.ID, Answers: form.Answers{"benamning": "A"}, CreatedAt: t0, UpdatedAt: t0},
			{RoundID: r.ID, UnitID: other.ID, Answers: form.Answers{"benamning": "B"}, CreatedAt: t0, UpdatedAt: t0, Version: 3},
		}))
		for _, ev := range must[[]round.Evaluation](t)(q.UnitEvaluations(other.ID)) {
			if ev.Version != 1 {
				t.Errorf("imported %q at version %d, want 1", ev.Title(), ev.Version)
			}
		}
		// Every listing reads the version.
		for _, ev := range must[[]round.Evaluation](t)(q.RoundEvaluations(r.ID)) {
			if ev.ID == e.ID && ev.Version != 5 {
				t.Errorf("RoundEvaluations: version %d, want 5", ev.Version)
			}
		}
		byID := must[map[int64]round.Evaluation](t)(q.EvaluationsByID(r.ID, []int64{e.ID}))
		if byID[e.ID].Version != 5 {
			t.Errorf("EvaluationsByID: version %d, want 5", byID[e.ID].Version)
		}
	})
}

// TestConcurrentStaleWrites: two writers that both read version 1 and
// write at once: exactly one wins, the other is refused, and the stored
// answers are the winner's.
func TestConcurrentStaleWrites(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID,
			Answers: form.Answers{"benamning": "Start"}, CreatedAt: t0, UpdatedAt: t0}))
		names := []string{"Flik A", "Flik B"}
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.InTx(ctx, func(q *store.Queries) error {
					_, err := q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: u.ID, Version: 1,
						Answers: form.Answers{"benamning": name}, UpdatedAt: t0})
					return err
				})
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatal("both stale writers won")
				}
				winner = i
			case apperror.Code(err) != apperror.Conflict:
				t.Fatalf("%s: %v, want a conflict", names[i], err)
			}
		}
		if winner < 0 {
			t.Fatal("neither writer won")
		}
		got := must[round.Evaluation](t)(q.Evaluation(u.ID, e.ID))
		if got.Version != 2 || got.Answers.Get("benamning") != names[winner] {
			t.Fatalf("stored version %d %q, want 2 %q", got.Version, got.Answers.Get("benamning"), names[winner])
		}
	})
}

// TestEvaluationChanges: the audit events that carry an evaluation's
// version are listed newest version first, only those after the version
// asked for; other events are left out.
func TestEvaluationChanges(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, CreatedAt: t0, UpdatedAt: t0}))
		ev := func(version int64, field, old string) store.AuditEvent {
			out := store.AuditEvent{At: t0, Actor: "test", RoundID: &r.ID, UnitID: &u.ID, EvaluationID: &e.ID,
				Action: "utvardering_andrad", Field: field, OldValue: old}
			if version > 0 {
				out.EvaluationVersion = &version
			}
			return out
		}
		check(t, q.Audit(ev(1, "benamning", ""), ev(2, "syfte", "a"), ev(2, "benamning", "b"), ev(0, "benamning", "utan version"), ev(3, "", "")))
		for _, tc := range []struct {
			after int64
			want  []int64
		}{{0, []int64{3, 2, 2, 1}}, {1, []int64{3, 2, 2}}, {2, []int64{3}}, {3, nil}} {
			got := must[[]store.AuditEvent](t)(q.EvaluationChanges(e.ID, tc.after))
			var versions []int64
			for _, g := range got {
				versions = append(versions, *g.EvaluationVersion)
			}
			if len(versions) != len(tc.want) {
				t.Errorf("after %d: versions %v, want %v", tc.after, versions, tc.want)
				continue
			}
			for i := range versions {
				if versions[i] != tc.want[i] {
					t.Errorf("after %d: versions %v, want %v", tc.after, versions, tc.want)
					break
				}
			}
		}
	})
}

// TestUnitVersions: a unit starts at version 1; AdvanceUnitVersion is the
// compare-and-set of its editable data; its answer, invitation and activity
// leave the version alone.
func TestUnitVersions(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}, Version: 9}))
		if u.Version != 1 {
			t.Fatalf("created at version %d, want 1", u.Version)
		}
		version := func() int64 {
			t.Helper()
			return must[round.Unit](t)(q.Unit(u.ID)).Version
		}
		steps := []struct {
			name  string
			write func() error
			want  int64
			code  string
		}{
			{"answer", func() error { return q.SetUnitResponse(u.ID, round.Submitted, "", t0) }, 1, ""},
			{"activity", func() error { return q.TouchUnit(u.ID, t0, false) }, 1, ""},
			{"opened", func() error { return q.TouchUnit(u.ID, t0, true) }, 1, ""},
			{"invited", func() error { return q.MarkInvited(u.ID, t0) }, 1, ""},
			{"edit from version 1", func() error { _, err := q.AdvanceUnitVersion(u.ID, 1); return err }, 2, ""},
			{"stale edit from version 1", func() error { _, err := q.AdvanceUnitVersion(u.ID, 1); return err }, 2, apperror.Conflict},
			{"edit from version 2", func() error { _, err := q.AdvanceUnitVersion(u.ID, 2); return err }, 3, ""},
			{"unknown unit", func() error { _, err := q.AdvanceUnitVersion(u.ID+100, 3); return err }, 3, apperror.NotFound},
		}
		for _, s := range steps {
			err := s.write()
			if s.code != "" {
				if apperror.Code(err) != s.code {
					t.Errorf("%s: %v, want %s", s.name, err, s.code)
				}
			} else if err != nil {
				t.Errorf("%s: %v", s.name, err)
			}
			if got := version(); got != s.want {
				t.Errorf("%s: version %d, want %d", s.name, got, s.want)
			}
		}
		if got := must[int64](t)(q.AdvanceUnitVersion(u.ID, 3)); got != 4 {
			t.Errorf("AdvanceUnitVersion returned %d, want 4", got)
		}
		units := must[[]round.Unit](t)(q.Units(r.ID))
		if len(units) != 1 || units[0].Version != 4 {
			t.Errorf("Units lists version %d, want 4", units[0].Version)
		}
	})
}
