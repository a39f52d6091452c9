package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestScaleOutThreeInstances runs three instances of the service on one
// PostgreSQL schema, as behind a load balancer, with 30 respondents each
// posting 20 complete forms through their personal link, spread over the
// instances; every fifth post is sent again to the next instance with the
// same key, as a browser resends a post whose answer it lost. Every
// acknowledged post must be stored once, every resend answered as the
// first, and each instance's pool must stay within its size and, once
// warm, open no new connections (with database/sql's default idle pool of
// 2 it opened dozens).
func TestScaleOutThreeInstances(t *testing.T) {
	const (
		instances = 3
		maxOpen   = 6
		clients   = 30
		posts     = 20
		warmPosts = 2
	)
	stores := storetest.OpenPostgresN(t, instances, store.Options{MaxOpenConns: maxOpen})
	servers := make([]*instance, instances)
	for i, st := range stores {
		servers[i] = newInstance(t, fmt.Sprintf("instans %d", i+1), st)
	}
	ctx := context.Background()
	m := servers[0].manage
	r, err := m.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Resultatstyrning 2009", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddKommun(ctx, manage.System("test"), r.ID, "Borlänge", "47 000"); err != nil {
		t.Fatal(err)
	}
	type respondent struct {
		unitID int64
		base   string // /l/TOKEN
	}
	people := make([]respondent, clients)
	for i := range people {
		u, link, err := m.AddUnit(ctx, manage.System("test"), r.ID, manage.UnitInput{Name: fmt.Sprintf("Enhet %02d", i), Kommuner: []string{"Borlänge"}})
		if err != nil {
			t.Fatal(err)
		}
		people[i] = respondent{unitID: u.ID, base: "/l/" + link[strings.LastIndex(link, "/")+1:]}
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	// post sends client i's n-th form to the server, resending it (same
	// key) after an error, as a browser would; it returns the answer that
	// acknowledged it.
	post := func(c *http.Client, i, n, server int) answer {
		form := with(validForm(), map[string][]string{
			"benamning": {fmt.Sprintf("Utvärdering %02d-%02d", i, n)},
			"idem":      {fmt.Sprintf("skalning-%02d-%02d-nyckel", i, n)},
		})
		for attempt := 0; attempt < 3; attempt++ {
			start := time.Now()
			ans := sendQuiet(c, servers[(server+attempt)%instances].srv.URL+people[i].base+"/ny", form)
			mu.Lock()
			latencies = append(latencies, time.Since(start))
			mu.Unlock()
			if ans.status == http.StatusSeeOther {
				return ans
			}
		}
		fail("client %d post %d: never acknowledged", i, n)
		return answer{}
	}
	run := func(from, to int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				defer c.CloseIdleConnections()
				for n := from; n < to; n++ {
					first := post(c, i, n, i+n)
					if n%5 != 4 || first.status == 0 {
						continue
					}
					form := with(validForm(), map[string][]string{
						"benamning": {fmt.Sprintf("Utvärdering %02d-%02d", i, n)},
						"idem":      {fmt.Sprintf("skalning-%02d-%02d-nyckel", i, n)},
					})
					again := sendQuiet(c, servers[(i+n+1)%instances].srv.URL+people[i].base+"/ny", form)
					if !again.same(first) || !again.replayed {
						fail("client %d post %d resent: %+v, want %+v replayed", i, n, again, first)
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}

	run(0, warmPosts)
	warm := make([]store.Stats, instances)
	for i, st := range stores {
		warm[i] = st.Stats()
	}
	latencies = nil
	elapsed := run(warmPosts, warmPosts+posts)
	for _, f := range failures {
		t.Error(f)
	}

	// Every acknowledged post stored once.
	q := stores[0].Q(ctx)
	for i, p := range people {
		evs, err := q.UnitEvaluations(p.unitID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range evs {
			names = append(names, e.Answers.Get("benamning"))
		}
		slices.Sort(names)
		var want []string
		for n := range warmPosts + posts {
			want = append(want, fmt.Sprintf("Utvärdering %02d-%02d", i, n))
		}
		if !slices.Equal(names, want) {
			t.Errorf("client %d: stored %d evaluations %v, want each of its %d posts once", i, len(names), names, len(want))
		}
	}

	// The pools: within their size, and no connection opened after the
	// warm-up beyond growing to that size.
	for i, st := range stores {
		after := st.Stats()
		opened := after.Opened - warm[i].Opened
		t.Logf("instans %d: %d connections open (max %d), %d opened during the run, %d waits for a connection",
			i+1, after.Open, after.MaxOpen, opened, after.WaitCount-warm[i].WaitCount)
		if after.MaxOpen != maxOpen || after.Open > maxOpen {
			t.Errorf("instans %d: %d connections open, pool size %d; want at most %d", i+1, after.Open, after.MaxOpen, maxOpen)
		}
		if limit := int64(maxOpen - warm[i].Open); opened > limit {
			t.Errorf("instans %d: %d connections opened after the warm-up (%d were open), want at most %d", i+1, opened, warm[i].Open, limit)
		}
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		t.Logf("%d posts in %v (%.0f/s), p50 %v, p99 %v", len(latencies), elapsed.Round(time.Millisecond),
			float64(len(latencies))/elapsed.Seconds(), latencies[len(latencies)/2], latencies[len(latencies)*99/100])
	}
}

// sendQuiet posts a form and returns the answer; a failed request answers
// status 0 (the caller resends it).
func sendQuiet(c *http.Client, target string, form url.Values) answer {
	resp, err := c.PostForm(target, form)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	return answer{status: resp.StatusCode, location: resp.Header.Get("Location"),
		replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}
