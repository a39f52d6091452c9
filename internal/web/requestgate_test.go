package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/pace"
)

// TestRequestGateFirstComeFirstServed: requests that queue for a full gate
// are let in in the order they came, not at random as database/sql hands
// out a freed connection.
func TestRequestGateFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		demand := &pace.Demand{}
		g := newRequestGate(1, time.Minute, demand)
		leave, err := g.enter(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		order := make(chan int, 5)
		for i := range 5 {
			go func() {
				l, err := g.enter(context.Background())
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				order <- i
				l()
			}()
			synctest.Wait() // request i queues before request i+1 comes
		}
		if !demand.Waiting() {
			t.Error("5 requests queue, and the demand says none waits")
		}
		leave()
		synctest.Wait()
		if demand.Waiting() {
			t.Error("every request was let in, and the demand says some wait")
		}
		close(order)
		want := 0
		for got := range order {
			if got != want {
				t.Errorf("let in request %d, want %d", got, want)
			}
			want++
		}
		if want != 5 {
			t.Errorf("%d requests let in, want 5", want)
		}
	})
}

// TestRequestGateTurnsAwayAfterWait: a request that waits longer than the
// queue allows gets apperror.Busy, and one whose client has gone stops
// waiting at once.
func TestRequestGateTurnsAwayAfterWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRequestGate(1, 20*time.Second, nil)
		if _, err := g.enter(t.Context()); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := g.enter(t.Context())
		if apperror.Code(err) != apperror.Busy {
			t.Errorf("full gate after the wait: err = %v, want %s", err, apperror.Busy)
		}
		if waited := time.Since(start); waited != 20*time.Second {
			t.Errorf("waited %s, want 20s", waited)
		}
		ctx, cancel := context.WithCancel(t.Context())
		go func() { time.Sleep(time.Second); cancel() }()
		if _, err := g.enter(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("client gone: err = %v, want context.Canceled", err)
		}
	})
}

// TestGateRequestsBypass: static files, reports and uploads do not queue
// behind forms (reports and uploads have gates of their own); everything
// else does.
func TestGateRequestsBypass(t *testing.T) {
	for _, tc := range []struct {
		path  string
		gated bool
	}{
		{"/", true},
		{"/l/abc/ny", true},
		{"/admin/omgangar/1", true},
		{"/static/app.css", false},
		{"/favicon.ico", false},
		{"/rapporter/3/fil/json", false},
		{"/rapporter/3", false},
		{"/l/abc/excel/fil", false},
		{"/admin/omgangar/1/enheter/fil", false},
	} {
		s := &Server{requests: newRequestGate(1, time.Millisecond, nil)}
		leave, _ := s.requests.enter(context.Background()) // the gate is full
		e := echo.New()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, tc.path, nil), httptest.NewRecorder())
		err := s.gateRequests(func(echo.Context) error { return nil })(c)
		if gated := err != nil && apperror.Code(err) == apperror.Busy; gated != tc.gated {
			t.Errorf("%s through a full gate: err = %v, want gated %v", tc.path, err, tc.gated)
		}
		leave()
	}
}
