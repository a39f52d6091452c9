package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

// t0 is the tests' clock: whole seconds, UTC, so values read back compare
// equal on both databases (PostgreSQL keeps microseconds, SQLite
// nanoseconds).
var t0 = time.Date(2009, 9, 1, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// wantCode fails unless err carries the apperror code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got none", code)
	}
	if got := apperror.Code(err); got != code {
		t.Fatalf("want a %s error, got %s: %v", code, got, err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sameTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil, want %v", what, want)
	}
	if !got.Equal(want) {
		t.Fatalf("%s: %v, want %v", what, *got, want)
	}
	if got.Location() != time.UTC {
		t.Fatalf("%s: read back in %v, want UTC", what, got.Location())
	}
}

// network is a round with kommuner, in the order given.
func network(t *testing.T, q *store.Queries, kommuner ...string) round.Round {
	t.Helper()
	r := must[round.Round](t)(q.CreateRound(round.Round{Name: "Resultatstyrning 2009", HourlyRate: 280, Deadline: "2009-12-18", CreatedAt: t0}))
	for _, k := range kommuner {
		must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k, Population: ptr(int64(47000))}))
	}
	return r
}

func TestRoundsKommunerUnits(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Säter", "Åre", "Borlänge", "Örebro", "Ludvika", "Älvdalen")

		_, err := q.CreateRound(round.Round{Name: "Resultatstyrning 2009", HourlyRate: 300, CreatedAt: t0})
		wantCode(t, err, apperror.Conflict)
		_, err = q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Säter"})
		wantCode(t, err, apperror.Conflict)

		got := must[round.Round](t)(q.RoundByName("Resultatstyrning 2009"))
		if got.ID != r.ID || got.HourlyRate != 280 || got.Deadline != "2009-12-18" || got.State != round.Open {
			t.Fatalf("round read back as %+v", got)
		}
		sameTime(t, "round created_at", &got.CreatedAt, t0)
		_, err = q.RoundByName("Resultatstyrning 2010")
		wantCode(t, err, apperror.NotFound)
		r2 := must[round.Round](t)(q.CreateRound(round.Round{Name: "Resultatstyrning 2010", HourlyRate: 300, CreatedAt: t0}))
		rounds := must[[]round.Round](t)(q.Rounds())
		if len(rounds) != 2 || rounds[0].ID != r2.ID || rounds[1].ID != r.ID {
			t.Fatalf("rounds newest first (ties by ID): %+v", rounds)
		}
		check(t, q.SetRoundState(r2.ID, round.Closed))
		if got := must[round.Round](t)(q.Round(r2.ID)); got.State != round.Closed {
			t.Fatalf("state %q after SetRoundState", got.State)
		}
		wantCode(t, q.SetRoundState(9999, round.Closed), apperror.NotFound)

		// Kommuner by code point (Ä U+00C4 before Å U+00C5), whatever the
		// PostgreSQL database's collation: Swedish order would put Åre
		// first, English among the A's.
		var names []string
		for _, k := range must[[]round.Kommun](t)(q.Kommuner(r.ID)) {
			names = append(names, k.Name)
			if k.Population == nil || *k.Population != 47000 {
				t.Fatalf("%s: population %v", k.Name, k.Population)
			}
		}
		if want := []string{"Borlänge", "Ludvika", "Säter", "Älvdalen", "Åre", "Örebro"}; !slices.Equal(names, want) {
			t.Fatalf("kommuner %v, want %v", names, want)
		}

		units := []struct {
			name     string
			kommuner []string
			code     string // "" when it must succeed
		}{
			{"Socialnämnden", []string{"Borlänge"}, ""},
			{"Socialnämnden", []string{"Säter"}, ""},
			{"Gymnasienämnden Borlänge–Säter", []string{"Säter", "Borlänge"}, ""},
			{"Räddningstjänsten Dala Mitt", []string{"Borlänge", "Säter", "Älvdalen"}, ""},
			{"Socialnämnden", []string{"Ludvika", "Säter"}, apperror.Conflict}, // overlaps Säter's
			{"Socialnämnden", []string{"Borlänge"}, apperror.Conflict},
			{"Gymnasienämnden Borlänge–Säter", []string{"Borlänge"}, apperror.Conflict},
			{"Miljönämnden", []string{"Falun"}, apperror.Invalid}, // not in the round
			{"Miljönämnden", nil, apperror.Invalid},
			{"Socialnämnden", []string{"Ludvika"}, ""},
			{"Åkeriet", []string{"Örebro"}, ""},
			{"Zoo", []string{"Örebro"}, ""},
			{"Älvdalens nämnd", []string{"Åre"}, ""},
		}
		ids := map[string][]int64{}
		for _, c := range units {
			u, err := q.CreateUnit(round.Unit{RoundID: r.ID, Name: c.name, Kommuner: c.kommuner, ChefName: "Åsa Öberg",
				ChefEmail: "asa@example.se", Fordelning: "lika", UpdatedAt: t0})
			if c.code != "" {
				wantCode(t, err, c.code)
				continue
			}
			check(t, err)
			if u.ID == 0 || !slices.Equal(u.Kommuner, c.kommuner) {
				t.Fatalf("created %+v", u)
			}
			ids[c.name] = append(ids[c.name], u.ID)
		}

		list := must[[]round.Unit](t)(q.Units(r.ID))
		var order []string
		for _, u := range list {
			order = append(order, fmt.Sprintf("%s %v", u.Name, u.Kommuner))
		}
		want := []string{
			"Gymnasienämnden Borlänge–Säter [Säter Borlänge]",
			"Räddningstjänsten Dala Mitt [Borlänge Säter Älvdalen]",
			"Socialnämnden [Borlänge]", "Socialnämnden [Säter]", "Socialnämnden [Ludvika]",
			"Zoo [Örebro]", "Älvdalens nämnd [Åre]", "Åkeriet [Örebro]",
		}
		if !slices.Equal(order, want) {
			t.Fatalf("units\n got %q\nwant %q", order, want)
		}

		id := ids["Räddningstjänsten Dala Mitt"][0]
		u := must[round.Unit](t)(q.Unit(id))
		if u.ChefName != "Åsa Öberg" || u.Fordelning != "lika" || u.OpenedAt != nil || u.Response != round.NoResponse ||
			!slices.Equal(u.Kommuner, []string{"Borlänge", "Säter", "Älvdalen"}) {
			t.Fatalf("unit read back as %+v", u)
		}
		_, err = q.Unit(9999)
		wantCode(t, err, apperror.NotFound)

		check(t, q.MarkInvited(id, t0.Add(time.Hour)))
		check(t, q.TouchUnit(id, t0.Add(2*time.Hour), true))
		check(t, q.TouchUnit(id, t0.Add(3*time.Hour), true)) // opened once: the first time stays
		check(t, q.TouchUnit(id, t0.Add(4*time.Hour), false))
		check(t, q.SetUnitResponse(id, round.Declined, "Ingen tid i år", t0.Add(5*time.Hour)))
		u = must[round.Unit](t)(q.Unit(id))
		sameTime(t, "invited_at", u.InvitedAt, t0.Add(time.Hour))
		sameTime(t, "opened_at", u.OpenedAt, t0.Add(2*time.Hour))
		sameTime(t, "responded_at", u.RespondedAt, t0.Add(5*time.Hour))
		sameTime(t, "updated_at", &u.UpdatedAt, t0.Add(5*time.Hour))
		if u.Response != round.Declined || u.Reason != "Ingen tid i år" {
			t.Fatalf("response %q %q", u.Response, u.Reason)
		}
		check(t, q.SetUnitResponse(id, round.NoResponse, "", t0.Add(6*time.Hour)))
		if u = must[round.Unit](t)(q.Unit(id)); u.RespondedAt != nil || u.Response != round.NoResponse {
			t.Fatalf("after reopening: %+v", u)
		}
	})
}

func TestLinks(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		a := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "A", Kommuner: []string{"Borlänge"}}))
		b := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "B", Kommuner: []string{"Borlänge"}}))
		check(t, q.CreateLink(a.ID, "hash-a1", "nonce-a1", t0))
		check(t, q.CreateLink(b.ID, "hash-b1", "nonce-b1", t0))
		if err := q.CreateLink(b.ID, "hash-a1", "nonce-x", t0); err == nil {
			t.Fatal("a second link with the same hash was stored")
		}

		l := must[store.Link](t)(q.LinkByHash("hash-a1"))
		if l.UnitID != a.ID || l.Nonce != "nonce-a1" || l.RevokedAt != nil {
			t.Fatalf("link %+v", l)
		}
		sameTime(t, "link created_at", &l.CreatedAt, t0)
		_, err := q.LinkByHash("hash-unknown")
		wantCode(t, err, apperror.NotFound)

		check(t, q.RevokeLinks(a.ID, t0.Add(time.Minute)))
		check(t, q.CreateLink(a.ID, "hash-a2", "nonce-a2", t0.Add(time.Minute)))
		old := must[store.Link](t)(q.LinkByHash("hash-a1"))
		sameTime(t, "revoked_at", old.RevokedAt, t0.Add(time.Minute))

		active := must[map[int64]store.Link](t)(q.ActiveLinks(r.ID))
		if len(active) != 2 || active[a.ID].Nonce != "nonce-a2" || active[b.ID].Nonce != "nonce-b1" {
			t.Fatalf("active links %+v", active)
		}
		check(t, q.RevokeLinks(b.ID, t0.Add(2*time.Minute)))
		if active = must[map[int64]store.Link](t)(q.ActiveLinks(r.ID)); len(active) != 1 {
			t.Fatalf("active links after revoking B's: %+v", active)
		}
	})
}

func TestEvaluations(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		other := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Miljönämnden", Kommuner: []string{"Borlänge"}}))

		answers := form.Answers{"benamning": "Brukarundersökning i äldreomsorgen – ÅÄÖ åäö é ü “citat” \"rått\" <b>&</b>",
			"anvandning": "handlingsplan;budget_malprocess", "timmar": "1234,5", "tomt": ""}
		e := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Answers: answers,
			CreatedAt: t0, UpdatedAt: t0}))
		if e.ID == 0 {
			t.Fatal("no ID")
		}
		got := must[round.Evaluation](t)(q.Evaluation(u.ID, e.ID))
		if got.Complete || !mapsEqual(got.Answers, answers) || got.RoundID != r.ID {
			t.Fatalf("read back %+v", got)
		}
		sameTime(t, "created_at", &got.CreatedAt, t0)
		_, err := q.Evaluation(other.ID, e.ID)
		wantCode(t, err, apperror.NotFound)

		answers2 := form.Answers{"benamning": "Medarbetarenkät", "atgard": "spara"}
		if v := must[int64](t)(q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: u.ID, Version: 1, Complete: true, Answers: answers2, UpdatedAt: t0.Add(time.Hour)})); v != 2 {
			t.Fatalf("version after update %d, want 2", v)
		}
		_, err = q.UpdateEvaluation(round.Evaluation{ID: e.ID, UnitID: other.ID, Version: 2, Answers: answers2})
		wantCode(t, err, apperror.NotFound)
		got = must[round.Evaluation](t)(q.Evaluation(u.ID, e.ID))
		if !got.Complete || !mapsEqual(got.Answers, answers2) {
			t.Fatalf("after update %+v", got)
		}
		sameTime(t, "updated_at", &got.UpdatedAt, t0.Add(time.Hour))

		nilAnswers := must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, CreatedAt: t0, UpdatedAt: t0}))
		if got := must[round.Evaluation](t)(q.Evaluation(u.ID, nilAnswers.ID)); got.Answers == nil || len(got.Answers) != 0 {
			t.Fatalf("nil answers read back as %#v", got.Answers)
		}

		// An import: more than one batch.
		var many []round.Evaluation
		for i := range 1203 {
			many = append(many, round.Evaluation{RoundID: r.ID, UnitID: other.ID, Complete: i%2 == 0,
				Answers: form.Answers{"benamning": fmt.Sprintf("Utvärdering %d ö", i)}, CreatedAt: t0, UpdatedAt: t0})
		}
		check(t, q.CreateEvaluations(many))
		check(t, q.CreateEvaluations(nil))
		list := must[[]round.Evaluation](t)(q.UnitEvaluations(other.ID))
		if len(list) != 1203 {
			t.Fatalf("%d evaluations", len(list))
		}
		for i, e := range list {
			if want := fmt.Sprintf("Utvärdering %d ö", i); e.Answers.Get("benamning") != want || e.Complete != (i%2 == 0) {
				t.Fatalf("evaluation %d: %+v, want %q in order", i, e, want)
			}
		}
		counts := must[map[int64]int](t)(q.EvaluationCounts(r.ID))
		if counts[u.ID] != 2 || counts[other.ID] != 1203 || len(counts) != 2 {
			t.Fatalf("counts %v", counts)
		}
		all := must[[]round.Evaluation](t)(q.RoundEvaluations(r.ID))
		if len(all) != 1205 || all[0].ID != e.ID || !slices.IsSortedFunc(all, func(a, b round.Evaluation) int { return int(a.ID - b.ID) }) {
			t.Fatalf("round evaluations: %d, not in order of ID", len(all))
		}

		wantCode(t, q.DeleteEvaluation(other.ID, e.ID), apperror.NotFound)
		check(t, q.DeleteEvaluation(u.ID, e.ID))
		wantCode(t, q.DeleteEvaluation(u.ID, e.ID), apperror.NotFound)
		if n := len(must[[]round.Evaluation](t)(q.UnitEvaluations(u.ID))); n != 1 {
			t.Fatalf("%d left after delete", n)
		}
	})
}

func mapsEqual(a, b form.Answers) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestThrottle(t *testing.T) {
	const window, lock = 10 * time.Minute, 15 * time.Minute
	type step struct {
		at       time.Duration // after t0
		hits     int           // the count Hit returns
		lockedTo time.Duration // after t0; 0 when not locked
	}
	cases := []struct {
		name  string
		limit int
		steps []step
	}{
		{"locks at the limit", 3, []step{{0, 1, 0}, {time.Minute, 2, 0}, {2 * time.Minute, 3, 2*time.Minute + lock}, {3 * time.Minute, 4, 2*time.Minute + lock}}},
		{"a new window starts over", 3, []step{{0, 1, 0}, {time.Minute, 2, 0}, {window, 1, 0}, {window + time.Minute, 2, 0}}},
		{"a limit of one locks at once", 1, []step{{0, 1, lock}}},
		{"the lock outlasts the window", 2, []step{{0, 1, 0}, {time.Second, 2, time.Second + lock}, {window + time.Minute, 1, time.Second + lock}, {time.Second + lock, 2, time.Second + 2*lock}}},
	}
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := "lank:" + c.name
				for i, s := range c.steps {
					now := t0.Add(s.at)
					var (
						hits  int
						until time.Time
					)
					check(t, st.InTx(ctx, func(q *store.Queries) (err error) {
						hits, until, err = q.Hit(key, now, window, c.limit, lock)
						return err
					}))
					want := time.Time{}
					if s.lockedTo != 0 {
						want = t0.Add(s.lockedTo)
					}
					if hits != s.hits || !until.Equal(want) {
						t.Fatalf("step %d: hits %d locked until %v, want %d, %v", i, hits, until, s.hits, want)
					}
					if got := must[time.Time](t)(st.Q(ctx).LockedUntil(key, now)); !got.Equal(want) {
						t.Fatalf("step %d: LockedUntil %v, want %v", i, got, want)
					}
				}
				check(t, st.Q(ctx).ClearThrottle(key))
				if got := must[time.Time](t)(st.Q(ctx).LockedUntil(key, t0)); !got.IsZero() {
					t.Fatalf("locked until %v after clearing", got)
				}
			})
		}
		if got := must[time.Time](t)(st.Q(ctx).LockedUntil("never-hit", t0)); !got.IsZero() {
			t.Fatalf("an unknown key is locked until %v", got)
		}
	})
}

func TestThrottleBackoff(t *testing.T) {
	const free, base, maxDelay, quiet = 3, time.Minute, 5 * time.Minute, time.Hour
	type step struct {
		at       time.Duration // after t0
		hits     int           // the count Backoff returns
		delay    time.Duration // the lock this failure set
		lockedTo time.Duration // after t0; 0 when not locked
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"free failures, then a doubling delay up to the cap", []step{
			{0, 1, 0, 0}, {time.Minute, 2, 0, 0},
			{2 * time.Minute, 3, time.Minute, 3 * time.Minute},
			{3 * time.Minute, 4, 2 * time.Minute, 5 * time.Minute},
			{5 * time.Minute, 5, 4 * time.Minute, 9 * time.Minute},
			{9 * time.Minute, 6, maxDelay, 14 * time.Minute},
			{14 * time.Minute, 7, maxDelay, 19 * time.Minute}}},
		{"waiting out a lock does not start over", []step{
			{0, 1, 0, 0}, {0, 2, 0, 0}, {0, 3, time.Minute, time.Minute},
			{time.Minute, 4, 2 * time.Minute, 3 * time.Minute},
			{3 * time.Minute, 5, 4 * time.Minute, 7 * time.Minute},
			{7 * time.Minute, 6, maxDelay, 12 * time.Minute}}},
		{"a quiet hour after the lock ends starts over", []step{
			{0, 1, 0, 0}, {time.Minute, 2, 0, 0}, {2 * time.Minute, 3, time.Minute, 3 * time.Minute},
			{2*time.Minute + quiet, 4, 2 * time.Minute, 4*time.Minute + quiet}, // an hour after the failure, not after the lock
			{9*time.Minute + 2*quiet, 1, 0, 0}, {9*time.Minute + 2*quiet, 2, 0, 0}}},
	}
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := "konto:" + c.name
				for i, s := range c.steps {
					now := t0.Add(s.at)
					var (
						hits  int
						until time.Time
						delay time.Duration
					)
					check(t, st.InTx(ctx, func(q *store.Queries) (err error) {
						hits, until, delay, err = q.Backoff(key, now, free, base, maxDelay, quiet)
						return err
					}))
					want := time.Time{}
					if s.lockedTo != 0 {
						want = t0.Add(s.lockedTo)
					}
					if hits != s.hits || delay != s.delay || !until.Equal(want) {
						t.Fatalf("step %d: hits %d, delay %v, locked until %v; want %d, %v, %v", i, hits, delay, until, s.hits, s.delay, want)
					}
					if got := must[time.Time](t)(st.Q(ctx).LockedUntil(key, now)); !got.Equal(want) {
						t.Fatalf("step %d: LockedUntil %v, want %v", i, got, want)
					}
				}
				check(t, st.Q(ctx).ClearThrottle(key))
				var hits int
				check(t, st.InTx(ctx, func(q *store.Queries) (err error) {
					hits, _, _, err = q.Backoff(key, t0, free, base, maxDelay, quiet)
					return err
				}))
				if hits != 1 {
					t.Fatalf("after clearing: %d failures, want 1", hits)
				}
			})
		}
	})
}

// TestConcurrentHits counts hits from many connections at once, as several
// instances do: none may be lost.
func TestConcurrentHits(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				errs <- st.InTx(ctx, func(q *store.Queries) error {
					_, _, err := q.Hit("klient:127.0.0.1", t0, time.Hour, 1000, time.Hour)
					return err
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			check(t, err)
		}
		var hits int
		check(t, st.InTx(ctx, func(q *store.Queries) (err error) {
			hits, _, err = q.Hit("klient:127.0.0.1", t0, time.Hour, 1000, time.Hour)
			return err
		}))
		if hits != n+1 {
			t.Fatalf("%d hits counted, want %d", hits, n+1)
		}
	})
}

// TestConcurrentUnitNames registers the same unit from many connections at
// once: exactly one may succeed.
func TestConcurrentUnitNames(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		r := network(t, st.Q(ctx), "Borlänge", "Säter")
		const n = 8
		// On PostgreSQL every transaction starts and reads before any goes
		// on to register the unit, so the checks overlap. (On SQLite the
		// transactions cannot overlap: each holds the write lock.)
		var started sync.WaitGroup
		started.Add(n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				kommuner := []string{"Borlänge"}
				if i%2 == 1 {
					kommuner = []string{"Säter", "Borlänge"}
				}
				errs <- st.InTx(ctx, func(q *store.Queries) error {
					if _, err := q.Round(r.ID); err != nil {
						return err
					}
					if st.Dialect() == "postgres" {
						started.Done()
						started.Wait()
					}
					_, err := q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: kommuner})
					return err
				})
			})
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, err, apperror.Conflict)
			}
		}
		if units := must[[]round.Unit](t)(st.Q(ctx).Units(r.ID)); ok != 1 || len(units) != 1 {
			t.Fatalf("%d succeeded, %d units stored; want 1", ok, len(units))
		}
	})
}

// TestUnitHeldByTransaction: what a transaction read about a unit stays
// true until it commits. A second transaction that reads the unit in the
// meantime waits and sees what the first wrote (a submission racing a
// save of a new evaluation cannot both pass their checks).
func TestUnitHeldByTransaction(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		r := network(t, st.Q(ctx), "Borlänge")
		u := must[round.Unit](t)(st.Q(ctx).CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		read := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- st.InTx(ctx, func(q *store.Queries) error {
				if _, err := q.Unit(u.ID); err != nil {
					return err
				}
				close(read)
				time.Sleep(300 * time.Millisecond)
				return q.SetUnitResponse(u.ID, round.Submitted, "", t0)
			})
		}()
		select {
		case <-read:
		case err := <-done:
			t.Fatalf("first transaction ended early: %v", err)
		}
		var seen round.Response
		check(t, st.InTx(ctx, func(q *store.Queries) error {
			got, err := q.Unit(u.ID)
			seen = got.Response
			return err
		}))
		check(t, <-done)
		if seen != round.Submitted {
			t.Fatalf("the second transaction saw response %q, want the first's %q", seen, round.Submitted)
		}
	})
}

func TestTransactions(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		boom := errors.New("boom")
		err := st.InTx(ctx, func(q *store.Queries) error {
			if _, err := q.CreateRound(round.Round{Name: "Halvfärdig", HourlyRate: 280, CreatedAt: t0}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		_, err = st.Q(ctx).RoundByName("Halvfärdig")
		wantCode(t, err, apperror.NotFound)

		// A unique violation inside a transaction is a Conflict, and the
		// transaction's earlier writes go with it.
		network(t, st.Q(ctx), "Borlänge")
		err = st.InTx(ctx, func(q *store.Queries) error {
			if _, err := q.CreateRound(round.Round{Name: "Ny", HourlyRate: 280, CreatedAt: t0}); err != nil {
				return err
			}
			_, err := q.CreateRound(round.Round{Name: "Resultatstyrning 2009", HourlyRate: 280, CreatedAt: t0})
			return err
		})
		wantCode(t, err, apperror.Conflict)
		if rounds := must[[]round.Round](t)(st.Q(ctx).Rounds()); len(rounds) != 1 {
			t.Fatalf("%d rounds after the failed transaction", len(rounds))
		}
	})
}

func TestUsersAndSessions(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		users := []store.User{
			{Email: "zoe@falun.example", Role: "projektledare", Kommun: "Falun"},
			{Email: "åsa@borlange.example", Role: "projektledare", Kommun: "Borlänge"},
			{Email: "ärla@are.example", Role: "projektledare", Kommun: "Åre"},
			{Email: "anna@borlange.example", Role: "projektledare", Kommun: "Borlänge"},
			{Email: "sam@natverk.example", Role: "samordnare"},
		}
		for i := range users {
			users[i].PasswordHash, users[i].CreatedAt = "hash", t0
			users[i] = must[store.User](t)(q.CreateUser(users[i]))
		}
		_, err := q.CreateUser(store.User{Email: "anna@borlange.example", Role: "styrgrupp", CreatedAt: t0})
		wantCode(t, err, apperror.Conflict)

		var emails []string
		for _, u := range must[[]store.User](t)(q.UsersByRole("projektledare")) {
			emails = append(emails, u.Email)
		}
		if want := []string{"anna@borlange.example", "zoe@falun.example", "ärla@are.example", "åsa@borlange.example"}; !slices.Equal(emails, want) {
			t.Fatalf("projektledare %v, want %v", emails, want)
		}

		anna := must[store.User](t)(q.UserByEmail("anna@borlange.example"))
		check(t, q.SetPassword(anna.ID, "new-hash", true))
		if got := must[store.User](t)(q.UserByEmail("anna@borlange.example")); got.PasswordHash != "new-hash" || got.Kommun != "Borlänge" || !got.MustChangePassword {
			t.Fatalf("user %+v", got)
		}
		check(t, q.SetPassword(anna.ID, "newer-hash", false))
		check(t, q.SetUserDisabled(anna.ID, &t0))
		check(t, q.RecordLogin(anna.ID, t0.Add(time.Minute)))
		got := must[store.User](t)(q.UserByID(anna.ID))
		if got.MustChangePassword || got.DisabledAt == nil || got.LastLoginAt == nil || got.Name != "" {
			t.Fatalf("user %+v", got)
		}
		sameTime(t, "disabled_at", got.DisabledAt, t0)
		sameTime(t, "last_login_at", got.LastLoginAt, t0.Add(time.Minute))
		check(t, q.SetUserDisabled(anna.ID, nil))
		if got := must[store.User](t)(q.UserByID(anna.ID)); got.DisabledAt != nil {
			t.Fatalf("enabled user %+v", got)
		}
		_, err = q.UserByID(9999)
		wantCode(t, err, apperror.NotFound)
		var all []string
		for _, u := range must[[]store.User](t)(q.Users()) {
			all = append(all, u.Email)
		}
		if want := []string{"anna@borlange.example", "sam@natverk.example", "zoe@falun.example", "ärla@are.example", "åsa@borlange.example"}; !slices.Equal(all, want) {
			t.Fatalf("users %v, want %v", all, want)
		}
		_, err = q.UserByEmail("nobody@example.se")
		wantCode(t, err, apperror.NotFound)

		s1 := must[store.Session](t)(q.CreateSession(store.Session{TokenHash: "s1", UserID: anna.ID, CSRFToken: "csrf1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		must[store.Session](t)(q.CreateSession(store.Session{TokenHash: "s2", UserID: anna.ID, CSRFToken: "csrf2", CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}))
		if s1.ID == 0 {
			t.Fatal("session without ID")
		}
		sess, u, err := q.SessionUser("s1", t0.Add(59*time.Minute))
		check(t, err)
		if u.ID != anna.ID || sess.CSRFToken != "csrf1" {
			t.Fatalf("session %+v user %+v", sess, u)
		}
		sameTime(t, "expires_at", &sess.ExpiresAt, t0.Add(time.Hour))
		_, _, err = q.SessionUser("s1", t0.Add(time.Hour)) // expired at its expiry
		wantCode(t, err, apperror.NotFound)
		check(t, q.DeleteExpiredSessions(t0.Add(time.Hour)))
		_, _, err = q.SessionUser("s1", t0)
		wantCode(t, err, apperror.NotFound)
		_, _, err = q.SessionUser("s2", t0.Add(time.Hour))
		check(t, err)
		check(t, q.DeleteSession("s2"))
		_, _, err = q.SessionUser("s2", t0)
		wantCode(t, err, apperror.NotFound)

		// Ending an account's sessions keeps the one asked for, and no
		// other account's.
		sam := must[store.User](t)(q.UserByEmail("sam@natverk.example"))
		keep := must[store.Session](t)(q.CreateSession(store.Session{TokenHash: "k", UserID: anna.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		must[store.Session](t)(q.CreateSession(store.Session{TokenHash: "o", UserID: anna.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		must[store.Session](t)(q.CreateSession(store.Session{TokenHash: "sam", UserID: sam.ID, CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		check(t, q.DeleteUserSessions(anna.ID, keep.ID))
		for token, want := range map[string]bool{"k": true, "o": false, "sam": true} {
			if _, _, err := q.SessionUser(token, t0); (err == nil) != want {
				t.Errorf("session %s alive %v, want %v", token, err == nil, want)
			}
		}
		check(t, q.DeleteUserSessions(anna.ID, 0))
		_, _, err = q.SessionUser("k", t0)
		wantCode(t, err, apperror.NotFound)
	})
}

func TestKommunNames(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		if names := must[[]string](t)(q.KommunNames()); len(names) != 0 {
			t.Fatalf("names in an empty database: %v", names)
		}
		network(t, q, "Säter", "Borlänge")
		r := must[round.Round](t)(q.CreateRound(round.Round{Name: "Resultatstyrning 2010", HourlyRate: 280, State: round.Open, CreatedAt: t0}))
		for _, k := range []string{"Borlänge", "Älvdalen", "Avesta"} {
			must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: k}))
		}
		if got, want := must[[]string](t)(q.KommunNames()), []string{"Avesta", "Borlänge", "Säter", "Älvdalen"}; !slices.Equal(got, want) {
			t.Fatalf("kommun names %v, want %v", got, want)
		}
	})
}

func TestAuditAndLogs(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}}))
		check(t, q.Audit())
		var events []store.AuditEvent
		for i := range 250 { // more than one batch
			events = append(events, store.AuditEvent{At: t0, Actor: "Åsa Öberg", RoundID: &r.ID, Action: "svar_andrat",
				Field: "timmar", OldValue: fmt.Sprint(i), NewValue: fmt.Sprint(i + 1)})
		}
		events[249].UnitID, events[249].EvaluationID = &u.ID, ptr(int64(42))
		check(t, q.Audit(events...))
		check(t, q.Audit(store.AuditEvent{At: t0, Actor: "system", Action: "utan_omgang"}))
		trail := must[[]store.AuditEvent](t)(q.AuditTrail(r.ID, 3))
		if len(trail) != 3 || trail[0].OldValue != "249" || trail[2].OldValue != "247" {
			t.Fatalf("trail %+v", trail)
		}
		if trail[0].UnitID == nil || *trail[0].UnitID != u.ID || *trail[0].EvaluationID != 42 || trail[1].UnitID != nil ||
			trail[0].Actor != "Åsa Öberg" {
			t.Fatalf("newest event %+v", trail[0])
		}
		sameTime(t, "audit at", &trail[0].At, t0)

		for i, kind := range []string{"inloggning", "lank_okand", "lank_strypt"} {
			check(t, q.LogSecurity(store.SecurityEvent{At: t0.Add(time.Duration(i) * time.Second), Kind: kind, Client: "127.0.0.1"}))
		}
		sec := must[[]store.SecurityEvent](t)(q.SecurityEvents(2))
		if len(sec) != 2 || sec[0].Kind != "lank_strypt" || sec[1].Kind != "lank_okand" {
			t.Fatalf("security events %+v", sec)
		}

		check(t, q.LogMail(store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: t0, Kind: "inbjudan", Recipient: "a@b.se", SentBy: "sam", OK: true}))
		check(t, q.LogMail(store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: t0, Kind: "paminnelse", Recipient: "a@b.se", SentBy: "sam", Error: "550 nej"}))
		log := must[[]store.MailLogEntry](t)(q.MailLog(r.ID))
		if len(log) != 2 || log[0].Kind != "paminnelse" || log[0].OK || log[0].Error != "550 nej" || !log[1].OK {
			t.Fatalf("mail log %+v", log)
		}
	})
}

func TestSchemaVersion(t *testing.T) {
	storetest.BothEmpty(t, func(t *testing.T, opt store.Options) {
		st, err := store.Open(ctx, opt)
		check(t, err)
		defer st.Close()
		if v := must[int](t)(st.SchemaVersion(ctx)); v != store.MigrationCount() {
			t.Fatalf("schema version %d, want %d", v, store.MigrationCount())
		}
		// Migrating again, or opening again, changes nothing.
		q := st.Q(ctx)
		r := network(t, q, "Borlänge")
		check(t, st.Migrate(ctx))
		again, err := store.Open(ctx, opt)
		check(t, err)
		defer again.Close()
		if v := must[int](t)(again.SchemaVersion(ctx)); v != store.MigrationCount() {
			t.Fatalf("schema version %d after reopening", v)
		}
		if got := must[round.Round](t)(again.Q(ctx).Round(r.ID)); got.Name != r.Name {
			t.Fatalf("round %+v after reopening", got)
		}
		if ok := must[string](t)(st.IntegrityCheck(ctx)); ok != "ok" {
			t.Fatalf("integrity check: %s", ok)
		}
	})
}

// TestConcurrentOpen starts instances on one new database at once: each
// migration is applied once and every Open succeeds.
func TestConcurrentOpen(t *testing.T) {
	storetest.BothEmpty(t, func(t *testing.T, opt store.Options) {
		const n = 4
		stores := make([]*store.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = store.Open(ctx, opt) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			defer stores[i].Close()
		}
		for i, st := range stores {
			if v := must[int](t)(st.SchemaVersion(ctx)); v != store.MigrationCount() {
				t.Fatalf("store %d: schema version %d", i, v)
			}
		}
		// Each version recorded once: a second instance that applied a
		// migration again would have failed, or left a second row.
		var rows int
		check(t, st0Count(stores[0], &rows))
		if rows != store.MigrationCount() {
			t.Fatalf("%d schema_version rows, want %d", rows, store.MigrationCount())
		}
	})
}

func st0Count(st *store.Store, n *int) error {
	return st.InTx(ctx, func(q *store.Queries) error { return store.CountRows(q, "schema_version", n) })
}

// TestRefreshStatistics: after a bulk load the planner's statistics are
// refreshed (ANALYZE on PostgreSQL; nothing on SQLite) without an error,
// on tables the store really has.
func TestRefreshStatistics(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		s := open(t)
		network(t, s.Q(ctx), "Säter", "Borlänge")
		if err := s.RefreshStatistics(ctx); err != nil {
			t.Fatalf("RefreshStatistics: %v", err)
		}
	})
}
