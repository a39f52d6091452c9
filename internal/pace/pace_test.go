package pace

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"
)

// fakeClock is processor and wall time the test advances by hand, and the
// pauses the run took.
type fakeClock struct {
	cpu    time.Duration
	wall   time.Time
	paused []time.Duration
}

func (c *fakeClock) run(d *Demand, p Policy) *run {
	return newRun(d, p, func() time.Duration { return c.cpu }, func(d time.Duration) {
		c.paused = append(c.paused, d)
		c.wall = c.wall.Add(d)
	}, func() time.Time { return c.wall })
}

// TestPoint: paced work pauses only when it has used a slice and requests
// are queued, and then long enough to have used its share of a processor.
func TestPoint(t *testing.T) {
	policy := Policy{Share: 0.4, Slice: 5 * time.Millisecond, MaxPause: 100 * time.Millisecond}
	for _, tc := range []struct {
		name      string
		queued    bool
		used      time.Duration // processor time since the last look
		took      time.Duration // wall time since the last look
		wantPause time.Duration // 0: none
	}{
		{"nobody queued", false, 20 * time.Millisecond, 20 * time.Millisecond, 0},
		{"less than a slice", true, 4 * time.Millisecond, 4 * time.Millisecond, 0},
		// 10 ms of work at 40 % may take 25 ms; it took 10.
		{"queued, ran flat out", true, 10 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond},
		// The machine was busy: 10 ms of work took 20 ms already.
		{"queued, ran slowed", true, 10 * time.Millisecond, 20 * time.Millisecond, 5 * time.Millisecond},
		{"queued, had waited enough", true, 10 * time.Millisecond, 30 * time.Millisecond, 0},
		{"long burst, pause capped", true, 200 * time.Millisecond, 200 * time.Millisecond, 100 * time.Millisecond},
	} {
		d := &Demand{}
		if tc.queued {
			defer d.Queue()()
		}
		c := &fakeClock{wall: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
		r := c.run(d, policy)
		c.cpu += tc.used
		c.wall = c.wall.Add(tc.took)
		r.point()
		var got time.Duration
		if len(c.paused) > 0 {
			got = c.paused[0]
		}
		if got != tc.wantPause || len(c.paused) > 1 {
			t.Errorf("%s: paused %v, want %v", tc.name, c.paused, tc.wantPause)
		}
		// The next slice is measured from this look.
		if tc.used >= policy.Slice && (r.mark != c.cpu || !r.since.Equal(c.wall)) {
			t.Errorf("%s: the look did not move the marks", tc.name)
		}
	}
}

// TestDemand: Waiting follows the requests queued; a nil demand never waits.
func TestDemand(t *testing.T) {
	var d Demand
	first, second := d.Queue(), d.Queue()
	first()
	if !d.Waiting() {
		t.Error("one request still queued, and Waiting is false")
	}
	second()
	if d.Waiting() {
		t.Error("no request queued, and Waiting is true")
	}
	var none *Demand
	none.Queue()()
	if none.Waiting() {
		t.Error("a nil demand waits")
	}
}

// TestWriter: a paced writer writes everything through and looks at the
// demand every writerEvery bytes; outside paced work it is the writer
// itself.
func TestWriter(t *testing.T) {
	var out bytes.Buffer
	if w := Writer(context.Background(), &out); w != &out {
		t.Errorf("outside paced work Writer gave %T, want the writer itself", w)
	}
	d := &Demand{}
	defer d.Queue()()
	c := &fakeClock{wall: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	ctx := context.WithValue(context.Background(), runKey{}, c.run(d, DefaultPolicy()))
	w := Writer(ctx, &out)
	chunk := bytes.Repeat([]byte("x"), 1024)
	for range 3 * writerEvery / len(chunk) {
		c.cpu += 2 * time.Millisecond // 64 ms of work in all, 5 ms a slice
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 3*writerEvery {
		t.Errorf("wrote %d bytes through, want %d", out.Len(), 3*writerEvery)
	}
	if len(c.paused) != 3 {
		t.Errorf("paused %d times, want 3 (once per %d bytes)", len(c.paused), writerEvery)
	}
}

// TestStart: paced work needs a demand and a share; Point outside it, or
// with no context, does nothing.
func TestStart(t *testing.T) {
	ctx := context.Background()
	if got := Start(ctx, nil, DefaultPolicy()); got != ctx {
		t.Error("Start without a demand paced the work")
	}
	if got := Start(ctx, &Demand{}, Policy{}); got != ctx {
		t.Error("Start with no share paced the work")
	}
	if _, ok := Start(ctx, &Demand{}, DefaultPolicy()).Value(runKey{}).(*run); !ok {
		t.Error("Start with a demand did not pace the work")
	}
	Point(ctx)
	Point(nil) //nolint:staticcheck // a Queries made without a context has none
}

// TestThreadCPUTime: the thread's clock advances with the work it does
// and not with its sleep.
func TestThreadCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the thread's processor time is read on Linux only")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPUTime()
	time.Sleep(30 * time.Millisecond)
	slept := threadCPUTime() - start
	x := 0
	for busy := time.Now(); time.Since(busy) < 30*time.Millisecond; {
		x++
	}
	worked := threadCPUTime() - start - slept
	if slept > 10*time.Millisecond {
		t.Errorf("the clock advanced %v while the thread slept 30 ms", slept)
	}
	if worked < 5*time.Millisecond {
		t.Errorf("the clock advanced %v while the thread worked 30 ms (%d)", worked, x)
	}
}
