package comparison

import (
	"strings"
	"syscall"
	"testing"
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
	var inside int
	atLowPriority(func() { inside = threadNice(t) })
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
	atLowPriority(func() { panic("boom") })
}
