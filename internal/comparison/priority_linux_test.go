package comparison

import (
	"bytes"
	"context"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/inventera/inventera/internal/pace"
)

func threadNice(t *testing.T) int {
	t.Helper()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	return 20 - prio
}

// TestAtLowPriority: the build runs on a thread buildNicer nicer than the
// caller's (or at 19, the most there is), and the caller's is unchanged.
func TestAtLowPriority(t *testing.T) {
	before := threadNice(t)
	var (
		s      Service
		inside int
	)
	s.atLowPriority(context.Background(), func(context.Context) { inside = threadNice(t) })
	if want := min(before+buildNicer, 19); inside != want {
		t.Errorf("nice %d inside the build, want %d (caller's is %d)", inside, want, before)
	}
	if after := threadNice(t); after != before {
		t.Errorf("the caller's nice went from %d to %d", before, after)
	}
}

func TestAtLowPriorityPanics(t *testing.T) {
	defer func() {
		p := recover()
		if err, ok := p.(error); !ok || !strings.Contains(err.Error(), "boom") {
			t.Errorf("recovered %v, want the build's panic", p)
		}
	}()
	var s Service
	s.atLowPriority(context.Background(), func(context.Context) { panic("boom") })
}

// TestAtLowPriorityPaces: a build gives way to the demand the service was
// given (its context carries paced work), and runs unpaced without one.
func TestAtLowPriorityPaces(t *testing.T) {
	for _, tc := range []struct {
		name   string
		demand *pace.Demand
		paced  bool
	}{{"no demand", nil, false}, {"demand", &pace.Demand{}, true}} {
		var s Service
		if tc.demand != nil {
			s.GiveWayTo(tc.demand)
		}
		var buf bytes.Buffer
		var paced bool
		s.atLowPriority(context.Background(), func(ctx context.Context) { paced = pace.Writer(ctx, &buf) != io.Writer(&buf) })
		if paced != tc.paced {
			t.Errorf("%s: paced %v, want %v", tc.name, paced, tc.paced)
		}
	}
}
