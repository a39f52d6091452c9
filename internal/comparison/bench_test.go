package comparison_test

import (
	"context"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store/storetest"
)

// BenchmarkNationalReport: the JSON report of a national round (290
// kommuner, 29 000 evaluations) on its own and compared with its
// predecessor (the same network a round earlier, published, linked as
// carried forward, so its evaluations recur by unit and name). The issue's
// target: compared at most 1.5 × alone. "compared" is the steady state,
// where the service has read the published predecessor before;
// "compared-cold" is a new service (a new process) each time, which reads
// the predecessor's basis kept in the database. Then the XLSX report,
// alone and compared.
func BenchmarkNationalReport(b *testing.B) {
	st := storetest.MustOpen(b)
	now := func() time.Time { return time.Date(2010, 12, 1, 9, 0, 0, 0, time.UTC) }
	m := &manage.Service{Store: st, Keys: round.LinkKey("bench-key-bench-key-bench-key-bench-key"), Now: now}
	svc, err := comparison.NewService(m, form.MustEvaluation(), now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(svc.Settle) // before the database closes
	ctx := context.Background()
	sys := manage.System("bench")
	first, err := m.ImportDataset(ctx, sys, "Nationell 2009", round.DefaultHourlyRate, natgen.Generate(natgen.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	second, err := m.ImportDataset(ctx, sys, "Nationell 2010", round.DefaultHourlyRate, natgen.Generate(natgen.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Q(ctx).SetPreviousRound(second.ID, first.ID); err != nil {
		b.Fatal(err)
	}
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := m.SetState(ctx, sys, first.ID, s); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := svc.LoadCompared(ctx, sys, second.ID, first.ID); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name     string
		format   string
		compared bool
		cold     bool // a new service each time, which reads the predecessor's kept basis
	}{
		{"json/alone", comparison.JSON, false, false},
		{"json/compared", comparison.JSON, true, false},
		{"json/compared-cold", comparison.JSON, true, true},
		{"html/alone", comparison.HTML, false, false},
		{"html/compared", comparison.HTML, true, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := svc
				if bc.cold {
					b.StopTimer()
					if s, err = comparison.NewService(m, form.MustEvaluation(), now); err != nil {
						b.Fatal(err)
					}
					b.Cleanup(s.Settle)
					b.StartTimer()
				}
				var rep comparison.Report
				if bc.compared {
					rep, err = s.LoadCompared(ctx, sys, second.ID, first.ID)
				} else {
					rep, err = s.Load(ctx, sys, second.ID)
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Write(io.Discard, rep, bc.format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The XLSX report, whose raw sheets carry every evaluation's answers:
	// besides the bytes allocated, the largest live heap while it is built
	// (peak-live-B), which is what the memory it needs grows with; it must
	// not hold the round's answers at once.
	for _, bc := range []struct {
		name       string
		previousID int64
	}{{"xlsx/alone", 0}, {"xlsx/compared", first.ID}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var w countingWriter
			var peak uint64
			for b.Loop() {
				w.n = 0
				peak = max(peak, peakLive(func() {
					if _, err := svc.Build(ctx, sys, second.ID, bc.previousID, comparison.XLSX, &w); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak), "peak-live-B")
			b.ReportMetric(float64(w.n), "out-bytes")
		})
	}
}

// peakLive runs fn and returns the largest live heap a garbage collection
// found meanwhile (runtime/metrics /gc/heap/live:bytes, sampled).
func peakLive(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	read()
	return peak.Load()
}

// countingWriter counts the bytes written.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
