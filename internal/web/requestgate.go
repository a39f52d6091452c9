package web

import (
	"context"
	"runtime"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/pace"
)

// DefaultRequestConcurrency is how many requests the gate lets work at
// once by default: twice the cores, 4 on the 2-core machine the figures
// come from. There, with 50 clients posting forms to PostgreSQL, 4 kept the
// 99th percentile at 1.6–2.2 × the median and 8 at 2.2–4 × at about the
// same throughput, where no gate left it at 4–4.7 × (see the README).
func DefaultRequestConcurrency() int { return 2 * runtime.GOMAXPROCS(0) }

// defaultRequestQueueWait is how long a request may queue by default.
const defaultRequestQueueWait = 20 * time.Second

// requestGate lets a fixed number of requests work at once and queues the
// rest in order of arrival. Without it every request goes straight to the
// connection pool, and database/sql hands a freed connection to a random
// waiter (connRequestSet.TakeRandom), several times per request: under 50
// clients on a 20-connection pool some requests lost that lottery again and
// again, and the 99th percentile was four times the median. Behind the
// gate a request that starts finds a connection free, and the wait, if
// any, is first come first served, where it is fair. It also keeps the
// processors' work to what they can do at once instead of switching
// between fifty half-done requests.
//
// A request that waits longer than the queue allows is turned away
// (apperror.Busy, a 503 with Retry-After): the service is overloaded and
// the user had better know than watch a spinner. Static files, reports
// (bounded by their own slots in comparison) and uploads (uploadGate)
// bypass the gate.
//
// While a request queues, demand says so: report builds give way to it
// (package pace).
type requestGate struct {
	slots  chan struct{}
	wait   time.Duration
	demand *pace.Demand
}

func newRequestGate(n int, wait time.Duration, demand *pace.Demand) *requestGate {
	return &requestGate{slots: make(chan struct{}, n), wait: wait, demand: demand}
}

// enter waits for a slot in arrival order (a channel's blocked senders
// are served first in, first out) and returns the function that frees it.
func (g *requestGate) enter(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	defer g.demand.Queue()()
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-timer.C:
		return nil, apperror.New(apperror.Busy, "Tjänsten har just nu fler besökare än den hinner med. Vänta en liten stund och försök igen; det du skickade har inte sparats.")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// bypassesGate: requests that never touch the pool or are bounded by a
// gate of their own.
func bypassesGate(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/favicon.ico" ||
		strings.HasPrefix(path, "/rapporter/") || strings.HasSuffix(path, "/fil")
}

// gateRequests is the middleware that puts a request through the gate.
func (s *Server) gateRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if bypassesGate(c.Request().URL.Path) {
			return next(c)
		}
		leave, err := s.requests.enter(c.Request().Context())
		if err != nil {
			return err
		}
		defer leave()
		return next(c)
	}
}
