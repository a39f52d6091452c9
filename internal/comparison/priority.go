package comparison

import (
	"context"
	"fmt"
	"runtime"

	"github.com/inventera/inventera/internal/pace"
)

// buildNicer is how much lower than the process's the scheduling priority
// of a thread building a report is: the operating system then runs the
// threads that answer requests first, and the report takes the rest of
// the machine. Not all the way down: at 10 (a tenth of a request
// thread's share of the processor) a report through the web took 5.8 × its
// idle time while three instances took forms; at 5 (a third) 2.5 ×, with
// the submitters' p99 no worse, since the web's request gate already
// bounds how many requests compete (3 instances, 50 clients, PostgreSQL).
const buildNicer = 5

// atLowPriority runs fn on an operating-system thread of its own whose
// scheduling priority is lowered by buildNicer (where the platform allows;
// see lowerThreadPriority), and waits for it. The thread ends with fn, and
// its priority with it: an unprivileged process could not raise it again.
// fn gets ctx carrying its paced work (package pace): it gives way to
// requests queued at the web's gate, which the lower priority alone does
// not make it do. A panic in fn is raised again in the caller.
func (s *Service) atLowPriority(ctx context.Context, fn func(ctx context.Context)) {
	s.startAtLowPriority(ctx, fn)()
}

// startAtLowPriority is atLowPriority without the wait: it returns the
// function that waits for fn, and raises fn's panic, if any, in its caller.
func (s *Service) startAtLowPriority(ctx context.Context, fn func(ctx context.Context)) (wait func()) {
	var (
		done     = make(chan struct{})
		panicked any
	)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked = fmt.Errorf("comparison: report build panicked: %v", p)
			}
		}()
		lowerThreadPriority(buildNicer)
		fn(pace.Start(ctx, s.demand, pace.DefaultPolicy()))
	}()
	return func() {
		<-done
		if panicked != nil {
			panic(panicked)
		}
	}
}
