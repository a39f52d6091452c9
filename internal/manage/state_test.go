package manage_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

// TestNothingSavedAfterClose closes a round while units keep saving: once
// SetState has returned, no save may commit into the round, and every save
// that was acknowledged is stored. Runs on PostgreSQL when
// INVENTERA_TEST_DATABASE_URL is set (where saves run side by side), on
// SQLite otherwise.
func TestNothingSavedAfterClose(t *testing.T) {
	for attempt := 0; attempt < 3; attempt++ {
		f := newFixture(t)
		var (
			acked   atomic.Int64
			stop    = make(chan struct{})
			wg      sync.WaitGroup
			refused atomic.Int64
		)
		answers := form.Answers{"benamning": "Brukarenkät", "syfte": "Följa upp"}
		for key, link := range f.links {
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						_, err := f.resp.Save(ctx, f.byLink(link), respond.Edit{Answers: answers, Draft: true})
						switch {
						case err == nil:
							acked.Add(1)
						case apperror.Code(err) == apperror.Conflict:
							refused.Add(1)
						default:
							t.Errorf("%s: save: %v", key, err)
							return
						}
					}
				}()
			}
		}
		time.Sleep(40 * time.Millisecond)
		ch, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed)
		if err != nil {
			t.Fatal(err)
		}
		atClose := countEvaluations(t, f)
		time.Sleep(60 * time.Millisecond)
		close(stop)
		wg.Wait()
		after := countEvaluations(t, f)
		if after != atClose {
			t.Fatalf("attempt %d: %d evaluations when SetState returned, %d later: saves committed into a closed round", attempt, atClose, after)
		}
		if int64(after) != acked.Load() {
			t.Fatalf("attempt %d: %d saves acknowledged, %d stored", attempt, acked.Load(), after)
		}
		if refused.Load() == 0 {
			t.Fatalf("attempt %d: no save was refused after the close; the test did not overlap the close", attempt)
		}
		if len(ch.Unsubmitted) == 0 || ch.Evaluations == 0 {
			t.Errorf("attempt %d: closing with drafts reported %+v, want the units with drafts", attempt, ch)
		}
	}
}

func countEvaluations(t *testing.T, f *fixture) int {
	t.Helper()
	counts, err := f.st.Q(ctx).EvaluationCounts(f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func TestStateChanges(t *testing.T) {
	f := newFixture(t)
	// Publishing an open round is refused: it must be closed first.
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Published); apperror.Code(err) != apperror.Conflict {
		t.Fatalf("publish an open round: got %v, want conflict", err)
	}
	// One unit has a draft, one a submitted list.
	if _, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Heby"]), respond.Edit{Answers: form.Answers{"benamning": "Utkast"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	preview, err := f.m.PreviewState(ctx, f.system, f.round.ID, round.Closed)
	if err != nil {
		t.Fatal(err)
	}
	if !preview.Warns() || len(preview.Unsubmitted) != 1 || preview.Unsubmitted[0].Unit.Name != "Socialnämnden" || preview.Evaluations != 1 {
		t.Fatalf("preview of closing: got %+v, want Socialnämnden with 1 evaluation", preview)
	}
	for _, step := range []struct {
		to   round.State
		want string
	}{
		{round.Closed, ""}, {round.Closed, apperror.Conflict}, {round.Open, ""}, {round.Closed, ""},
		{round.Published, ""}, {round.Open, apperror.Conflict}, {round.Closed, apperror.Conflict},
	} {
		_, err := f.m.SetState(ctx, f.system, f.round.ID, step.to)
		if got := codeOf(err); got != step.want {
			t.Fatalf("→ %s: got %q (%v), want %q", step.to, got, err, step.want)
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return apperror.Code(err)
}
