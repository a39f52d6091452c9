package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/staff"
)

type loadResult struct {
	ok, errors int
	elapsed    time.Duration
	latencies  []time.Duration
	timedOut   bool
	samples    []string // the first few errors
	warmDone   int      // requests finished when the warm-up hook returned; 0 = not called
	// afterWarm are the latencies of the requests sent after the warm-up
	// hook returned, sorted: the load without a fresh server's first
	// requests (shown beside the whole load's, which the targets hold).
	afterWarm []time.Duration
}

// warmup is called once, by the client whose request is the after-th to
// finish, while the others go on posting.
type warmup struct {
	after int
	fn    func()
}

// submitLoad posts complete evaluation forms from one concurrent client
// per token, each with its own keep-alive connection and its own unit;
// client c posts to bases[c mod len(bases)], so that several servers share
// the clients round-robin. Each post carries its own idempotency key, as a
// browser's post of a rendered form does. It stops after o.Submissions
// requests or o.Timeout, whichever comes first.
func submitLoad(ctx context.Context, bases []string, tokens []string, def *form.Definition, o Options, warm warmup) loadResult {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var (
		next    atomic.Int64
		mu      sync.Mutex
		res     loadResult
		wg      sync.WaitGroup
		perConn = make([][]time.Duration, len(tokens))
		done    atomic.Int64
		start   time.Time
		warmAt  atomic.Int64 // when the warm-up hook returned, as time since start; 0 = not yet
		// afterWarm[c] are client c's latencies of requests sent after it.
		afterWarm = make([][]time.Duration, len(tokens))
	)
	finished := func() {
		if n := done.Add(1); warm.fn != nil && n == int64(warm.after) {
			warm.fn()
			warmAt.Store(int64(max(time.Since(start), 1)))
			mu.Lock()
			res.warmDone = int(done.Load())
			mu.Unlock()
		}
	}
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		res.errors++
		if len(res.samples) < 3 {
			res.samples = append(res.samples, msg)
		}
	}
	start = time.Now()
	for c, token := range tokens {
		wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: submitRequestWait,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			path := bases[c%len(bases)] + "/l/" + token + "/ny"
			for {
				n := next.Add(1) - 1
				if n >= int64(o.Submissions) || ctx.Err() != nil {
					return
				}
				vals := url.Values(natgen.Fields(def, natgen.Answers(o.Seed+1, int(n), form.ModeForm)))
				vals.Set("atgard", "spara")
				vals.Set("idem", staff.RandomToken(18))
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(vals.Encode()))
				if err != nil {
					fail(err.Error())
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				t0 := time.Now()
				warmed := warmAt.Load() != 0
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						return // the time is up; not the server's error
					}
					fail(err.Error())
					finished()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				perConn[c] = append(perConn[c], d)
				if warmed {
					afterWarm[c] = append(afterWarm[c], d)
				}
				if resp.StatusCode != http.StatusSeeOther {
					fail(fmt.Sprintf("status %d", resp.StatusCode))
					finished()
					continue
				}
				mu.Lock()
				res.ok++
				mu.Unlock()
				finished()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.timedOut = ctx.Err() != nil && res.ok+res.errors < o.Submissions
	for c, l := range perConn {
		res.latencies = append(res.latencies, l...)
		res.afterWarm = append(res.afterWarm, afterWarm[c]...)
	}
	slices.Sort(res.latencies)
	slices.Sort(res.afterWarm)
	return res
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// reportLoad is staff members building reports through the web server,
// each one report after the other, until stopped.
type reportLoad struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	res    reportResult
}

type reportResult struct {
	built, errors    int
	fastest, slowest time.Duration
	formats          []string
	samples          []string
}

const benchPassword = "bench-lösenord-som-är-långt-nog"

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// startReports logs n samordnare in and starts each building reports of
// the round: client i cycles through HTML, XLSX and JSON, starting at the
// i-th, so that all three are built at once. Each report follows a write
// to the round, so that it is built, not served from a kept copy.
func startReports(ctx context.Context, a *App, base string, roundID int64, n int) (*reportLoad, error) {
	formats := []string{comparison.HTML, comparison.XLSX, comparison.JSON}
	clients := make([]*http.Client, n)
	for i := range clients {
		email := fmt.Sprintf("rapport%d@bench.example", i+1)
		if _, _, err := a.Staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: email, Name: fmt.Sprintf("Rapportläsare %d", i+1), Role: staff.Samordnare, Password: benchPassword}); err != nil {
			return nil, err
		}
		c, err := login(ctx, base, email)
		if err != nil {
			return nil, err
		}
		clients[i] = c
	}
	ctx, cancel := context.WithCancel(ctx)
	rl := &reportLoad{cancel: cancel}
	for i, c := range clients {
		rl.wg.Go(func() {
			for k := i; ctx.Err() == nil; k++ {
				f := formats[k%len(formats)]
				// Built, not served from the copy kept of the last one:
				// the round is written to first, untimed.
				if err := touchRound(ctx, a, roundID); err != nil {
					if ctx.Err() == nil {
						rl.done(f, 0, err)
					}
					continue
				}
				t0 := time.Now()
				err := getReport(ctx, c, fmt.Sprintf("%s/rapporter/%d/fil/%s", base, roundID, f))
				d := time.Since(t0)
				if ctx.Err() != nil {
					return // stopped mid-build: not a failure
				}
				rl.done(f, d, err)
			}
		})
	}
	return rl, nil
}

func (rl *reportLoad) done(format string, d time.Duration, err error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	r := &rl.res
	if err != nil {
		r.errors++
		if len(r.samples) < 3 {
			r.samples = append(r.samples, err.Error())
		}
		return
	}
	if r.built == 0 || d < r.fastest {
		r.fastest = d
	}
	r.slowest = max(r.slowest, d)
	r.built++
	if !slices.Contains(r.formats, format) {
		r.formats = append(r.formats, format)
	}
}

// stop ends the report builds and returns what was built.
func (rl *reportLoad) stop() reportResult {
	rl.cancel()
	rl.wg.Wait()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.res
}

// login signs a samordnare in through the login form and returns a client
// that carries the session.
func login(ctx context.Context, base, email string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: reportRequestWait,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := fetch(ctx, c, http.MethodGet, base+"/logga-in", nil)
	if err != nil {
		return nil, fmt.Errorf("login page: %w", err)
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return nil, errors.New("login page: no csrf field")
	}
	form := url.Values{"csrf": {string(m[1])}, "epost": {email}, "losenord": {benchPassword}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/logga-in", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login as %s: status %d", email, resp.StatusCode)
	}
	return c, nil
}

func getReport(ctx context.Context, c *http.Client, u string) error {
	_, err := fetch(ctx, c, http.MethodGet, u, nil)
	return err
}

// fetch does a request and returns the body of a 200 response.
func fetch(ctx context.Context, c *http.Client, method, u string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %d", method, u, resp.StatusCode)
	}
	return b, nil
}
