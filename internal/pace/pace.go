// Package pace lets work that holds a processor for long in the
// background — building a report of a national round — give way to the
// requests people are waiting for, without stopping it.
//
// A lower operating-system priority alone does not do that in a Go
// server: the runtime runs goroutines on GOMAXPROCS threads, one per
// core, so a report's goroutine holding one of them competes with the
// requests in the runtime's own round robin, and the kernel's priorities
// only act when more threads than cores want to run. Paced work therefore
// looks, at points it passes often (every thousand rows it reads, every
// few kilobytes it writes), at whether requests are queued (Demand, which
// the web's request gate raises); if they are, it sleeps long enough to
// have used no more than its share of one processor since it last
// looked. While nobody queues it runs at full speed.
package pace

import (
	"context"
	"io"
	"sync/atomic"
	"time"
)

// Demand counts the requests queued for a slot to be served in. The zero
// value is ready to use; a nil *Demand is never waiting.
type Demand struct{ waiting atomic.Int64 }

// Queue marks one request as queued until the returned function is called.
func (d *Demand) Queue() (served func()) {
	if d == nil {
		return func() {}
	}
	d.waiting.Add(1)
	return func() { d.waiting.Add(-1) }
}

// Waiting tells whether any request is queued.
func (d *Demand) Waiting() bool { return d != nil && d.waiting.Load() > 0 }

// Policy is how paced work gives way.
type Policy struct {
	// Share is the part of one processor paced work keeps while requests
	// are queued, above 0 and at most 1.
	Share float64
	// Slice is how much processor time the work uses between looks at
	// the demand.
	Slice time.Duration
	// MaxPause bounds one pause, so that a long slice (a large JSON
	// report encodes in one go) does not stop the work for long at once.
	MaxPause time.Duration
}

// DefaultPolicy keeps 40 % of a processor for a report while forms queue.
// On the 2-core machine the figures come from, 50 clients posting forms
// while 4 reports were built back to back had a p99 of 251–376 ms
// unpaced, against 102–134 ms without the reports; paced, the submitters
// lose at most a fifth of the machine, and a report takes at most
// 1 ÷ 0.4 = 2.5 × its processor time.
func DefaultPolicy() Policy {
	return Policy{Share: 0.4, Slice: 5 * time.Millisecond, MaxPause: 100 * time.Millisecond}
}

type runKey struct{}

// run is one goroutine's paced work.
type run struct {
	demand *Demand
	policy Policy
	cpu    func() time.Duration // the processor time the work has used
	sleep  func(time.Duration)
	now    func() time.Time
	mark   time.Duration // cpu() at the last look
	since  time.Time     // now() at the last look
}

// Start returns ctx carrying paced work for the calling goroutine, which
// must be locked to its operating-system thread (runtime.LockOSThread):
// the thread's processor time is what the work used. Only that goroutine
// may pass ctx to Point and Writer. With d nil, ctx comes back as it is
// and the work is not paced.
func Start(ctx context.Context, d *Demand, p Policy) context.Context {
	if d == nil || p.Share <= 0 || p.Share > 1 {
		return ctx
	}
	return context.WithValue(ctx, runKey{}, newRun(d, p, threadCPUTime, time.Sleep, time.Now))
}

func newRun(d *Demand, p Policy, cpu func() time.Duration, sleep func(time.Duration), now func() time.Time) *run {
	return &run{demand: d, policy: p, cpu: cpu, sleep: sleep, now: now, mark: cpu(), since: now()}
}

// Point gives way if the work in ctx has used a slice since it last
// looked and requests are queued. Outside paced work it does nothing.
func Point(ctx context.Context) {
	if ctx == nil {
		return
	}
	if r, ok := ctx.Value(runKey{}).(*run); ok {
		r.point()
	}
}

func (r *run) point() {
	used := r.cpu() - r.mark
	if used < r.policy.Slice {
		return
	}
	if r.demand.Waiting() {
		// Used ÷ Share is the time the work may take for what it used;
		// what it took already counts.
		pause := time.Duration(float64(used)/r.policy.Share) - r.now().Sub(r.since)
		if pause > 0 {
			r.sleep(min(pause, r.policy.MaxPause))
		}
	}
	r.mark, r.since = r.cpu(), r.now()
}

// writerEvery is how many bytes a paced writer lets through between points.
const writerEvery = 32 << 10

// Writer returns w with a point after every writerEvery bytes written to
// it, for renderers that write as they go (HTML templates, workbooks).
// Outside paced work it returns w.
func Writer(ctx context.Context, w io.Writer) io.Writer {
	if ctx == nil {
		return w
	}
	r, ok := ctx.Value(runKey{}).(*run)
	if !ok {
		return w
	}
	return &writer{w: w, r: r}
}

type writer struct {
	w       io.Writer
	r       *run
	written int
}

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if w.written += n; w.written >= writerEvery {
		w.written = 0
		w.r.point()
	}
	return n, err
}
