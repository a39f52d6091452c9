package web

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet/sheettest"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

func TestUploadGate(t *testing.T) {
	g := newUploadGate(2, time.Minute)
	entered := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	for range 2 {
		go func() {
			done <- g.run(context.Background(), func(ctx context.Context) error {
				if d, ok := ctx.Deadline(); !ok || time.Until(d) > time.Minute {
					return errors.New("no deadline")
				}
				entered <- struct{}{}
				<-release
				return nil
			})
		}()
		<-entered
	}
	err := g.run(context.Background(), func(context.Context) error { t.Error("third read admitted"); return nil })
	if apperror.Code(err) != apperror.Busy {
		t.Fatalf("third read: %v, want busy", err)
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	ran := false
	if err := g.run(context.Background(), func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("after release: %v, ran %v", err, ran)
	}
}

// gateEnv is a server with one unit and its personal link, on the real
// store.
type gateEnv struct {
	srv   *Server
	http  *httptest.Server
	store *store.Store
	unit  round.Unit
	token string
}

func newGateEnv(t *testing.T, cfg Config) *gateEnv {
	t.Helper()
	st := storetest.MustOpen(t)
	now := func() time.Time { return time.Now().UTC() }
	def := form.MustEvaluation()
	m := &manage.Service{Store: st, Keys: round.LinkKey("test-key-test-key-test-key-test-key"), Now: now}
	reports, err := comparison.NewService(m, def, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reports.Settle) // before the database closes
	s, err := New(cfg, Deps{Form: def, Respond: &respond.Service{Store: st, Form: def, Now: now}, Manage: m,
		Staff: &staff.Service{Store: st, Now: now}, Reports: reports, Guard: &guard.Guard{Store: st, Policy: guard.DefaultPolicy(), Now: now}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	m.BaseURL = ts.URL
	ctx := context.Background()
	r, err := m.CreateRound(ctx, manage.System("test"), manage.RoundInput{Name: "Resultatstyrning 2009", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddKommun(ctx, manage.System("test"), r.ID, "Borlänge", "47 000"); err != nil {
		t.Fatal(err)
	}
	u, link, err := m.AddUnit(ctx, manage.System("test"), r.ID, manage.UnitInput{Name: "Socialnämnden", Kommuner: []string{"Borlänge"}})
	if err != nil {
		t.Fatal(err)
	}
	return &gateEnv{srv: s, http: ts, store: st, unit: u, token: link[strings.LastIndex(link, "/")+1:]}
}

func (e *gateEnv) upload(t *testing.T, data []byte) (int, http.Header, string) {
	t.Helper()
	status, h, page, err := e.post(data)
	if err != nil {
		t.Fatal(err)
	}
	return status, h, page
}

func (e *gateEnv) post(data []byte) (int, http.Header, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("fil", "formular.xlsx")
	fw.Write(data)
	mw.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Post(e.http.URL+"/l/"+e.token+"/excel/fil", mw.FormDataContentType(), &body)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, html.UnescapeString(string(b)), err
}

func (e *gateEnv) stored(t *testing.T) int {
	t.Helper()
	evs, err := e.store.Q(context.Background()).UnitEvaluations(e.unit.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func (e *gateEnv) home(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(e.http.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// TestUploadWhileGateFull: while every slot is taken by an upload being
// read, another upload gets 503 with Retry-After and a Swedish page and
// stores nothing, and other pages are served.
func TestUploadWhileGateFull(t *testing.T) {
	e := newGateEnv(t, Config{UploadConcurrency: 1})
	valid := sheettest.SharedRefs(sheettest.Upload, e.srv.form, 2).Bytes()

	e.srv.uploads.slots <- struct{}{} // an upload being read
	status, h, page := e.upload(t, valid)
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") != retryAfterBusy {
		t.Errorf("upload while busy: %d, Retry-After %q; want 503, %s", status, h.Get("Retry-After"), retryAfterBusy)
	}
	for _, want := range []string{"Upptaget just nu", "Just nu läses många filer in", "ingenting har sparats"} {
		if !strings.Contains(page, want) {
			t.Errorf("busy page lacks %q", want)
		}
	}
	if n := e.stored(t); n != 0 {
		t.Errorf("busy upload stored %d evaluations", n)
	}
	if status, _ := e.home(t); status != http.StatusOK {
		t.Errorf("GET / while an upload is read: %d", status)
	}
	<-e.srv.uploads.slots

	if status, _, page := e.upload(t, valid); status != http.StatusSeeOther {
		t.Fatalf("upload after the gate freed: %d %.300s", status, page)
	}
	if n := e.stored(t); n != 2 {
		t.Errorf("stored %d evaluations, want 2", n)
	}
}

// TestServedDuringHostileUpload: while a real upload is being read (the
// heaviest the upload limits admit: a million cells), the home page is
// served, and a second upload is turned away at once.
func TestServedDuringHostileUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a heavy upload")
	}
	// A generous deadline: under the race detector on a busy machine the
	// read takes far longer than in production.
	e := newGateEnv(t, Config{UploadConcurrency: 1, UploadTimeout: 5 * time.Minute})
	heavy := sheettest.EmptyCells(sheettest.Upload, 62, 16_000).Bytes() // 992 000 cells
	done := make(chan int)
	go func() {
		status, _, _, err := e.post(heavy)
		if err != nil {
			t.Error(err)
		}
		done <- status
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.srv.uploads.slots) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upload never started")
		}
		time.Sleep(time.Millisecond)
	}
	status, took := e.home(t)
	inProgress := len(e.srv.uploads.slots) == 1
	if status != http.StatusOK {
		t.Errorf("GET / during the upload: %d", status)
	}
	busy, _, _ := e.upload(t, heavy)
	if status := <-done; status != http.StatusSeeOther {
		t.Errorf("heavy upload: %d", status)
	}
	if !inProgress {
		t.Skipf("the upload ended before GET / did (%v); nothing shown", took)
	}
	if busy != http.StatusServiceUnavailable {
		t.Errorf("second upload during the first: %d, want 503", busy)
	}
	t.Logf("GET / took %v during the upload", took)
}

// TestUploadDeadline: the gate's deadline reaches the reader, which stops
// with a message; nothing is stored and no temporary file remains.
func TestUploadDeadline(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newGateEnv(t, Config{UploadTimeout: time.Nanosecond})
	status, _, page := e.upload(t, sheettest.SharedRefs(sheettest.Upload, e.srv.form, 2).Bytes())
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "Filen tog för lång tid att läsa") {
		t.Errorf("upload past the deadline: %d %.300s", status, page)
	}
	if n := e.stored(t); n != 0 {
		t.Errorf("stored %d evaluations", n)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "inventera-xlsx-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
