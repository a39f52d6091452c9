package web

import (
	"context"
	"time"

	"github.com/inventera/inventera/internal/apperror"
)

// Defaults of the upload gate (Config.UploadConcurrency, UploadTimeout).
const (
	defaultUploadConcurrency = 2
	defaultUploadTimeout     = 15 * time.Second
	// retryAfterBusy is the Retry-After of a 503 for a busy gate, in
	// seconds: most files are read within it.
	retryAfterBusy = "5"
)

// uploadGate reads uploaded files a few at a time, each under a deadline, so
// that however heavy the files, the rest of the service keeps its share of
// the processors and memory. An upload that finds every slot taken is turned
// away at once (apperror.Busy, a 503 with Retry-After) rather than queued:
// a queue would hold the memory of every waiting file.
type uploadGate struct {
	slots   chan struct{}
	timeout time.Duration
}

func newUploadGate(n int, timeout time.Duration) *uploadGate {
	return &uploadGate{slots: make(chan struct{}, n), timeout: timeout}
}

// run calls work in a free slot, passing it a context that ends after the
// gate's timeout, for reading the file (the reader checks it as it goes).
// Storing what was read happens in the same slot, so that at most a few
// uploads at a time hold their rows, but under the request's own context:
// a write is not cut short half-way.
func (g *uploadGate) run(ctx context.Context, work func(readCtx context.Context) error) error {
	select {
	case g.slots <- struct{}{}:
	default:
		return apperror.New(apperror.Busy, "Just nu läses många filer in. Vänta en liten stund och ladda upp filen igen; ingenting har sparats.")
	}
	defer func() { <-g.slots }()
	readCtx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	return work(readCtx)
}
