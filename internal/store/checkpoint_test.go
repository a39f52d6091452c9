package store_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// TestCheckpointsInTheBackground (SQLite): without the background
// checkpoint the log keeps every page of 600 commits (the writer's
// connections do not checkpoint; before they were told not to, SQLite's
// automatic checkpoint left the same 5 622 pages here, it never got to
// start the log afresh); with it the log is copied meanwhile, and the next
// commit starts it afresh.
func TestCheckpointsInTheBackground(t *testing.T) {
	for _, tt := range []struct {
		name     string
		every    time.Duration
		wantLong bool // the log still holds the pages of the writes
	}{
		{"background checkpoint off", -1, true},
		{"background checkpoint every 10 ms", 10 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// SQLite whatever the environment: the log is SQLite's.
			st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "test.db"), CheckpointEvery: tt.every})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			q := st.Q(ctx)
			r := must[round.Round](t)(q.CreateRound(round.Round{Name: "R", HourlyRate: 280, CreatedAt: t0}))
			must[round.Kommun](t)(q.CreateKommun(round.Kommun{RoundID: r.ID, Name: "Falun"}))
			u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Falun"}, UpdatedAt: t0}))
			long := strings.Repeat("Uppföljning av hemtjänstens kvalitet. ", 100) // 4 kB: a page of its own
			for i := range 600 {
				must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID,
					Answers: form.Answers{"benamning": long, "syfte": strings.Repeat("x", i)}, CreatedAt: t0, UpdatedAt: t0}))
			}
			time.Sleep(500 * time.Millisecond) // the background checkpoint's turns
			// One more commit: after a complete checkpoint it writes the log from its start.
			must[round.Evaluation](t)(q.CreateEvaluation(round.Evaluation{RoundID: r.ID, UnitID: u.ID, Answers: form.Answers{"benamning": "B"}, CreatedAt: t0, UpdatedAt: t0}))
			logged, moved, err := st.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := logged > 1000; got != tt.wantLong {
				t.Errorf("the log holds %d pages after 600 commits of a page or more each; want more than 1000: %v", logged, tt.wantLong)
			}
			if moved != logged {
				t.Errorf("Checkpoint moved %d of %d pages with no reader open", moved, logged)
			}
		})
	}
}
