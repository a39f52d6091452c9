package comparison

import (
	"bytes"
	"context"
	"encoding/gob"
	"io"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestComparedFromKeptBasis: the first compared report keeps the
// published earlier round's basis in the database; a new process (a new
// Service) compares from it and renders the same bytes; and it does read
// it — a basis kept with other figures shows in its report.
func TestComparedFromKeptBasis(t *testing.T) {
	st := storetest.MustOpen(t)
	now := func() time.Time { return time.Date(2010, 12, 1, 9, 0, 0, 0, time.UTC) }
	m := &manage.Service{Store: st, Keys: round.LinkKey("test-key-test-key-test-key-test-key"), Now: now}
	newService := func() *Service {
		t.Helper()
		svc, err := NewService(m, form.MustEvaluation(), now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Settle) // before the database closes
		return svc
	}
	ctx := context.Background()
	sys := manage.System("test")
	opt := natgen.Options{Kommuner: 4, UnitsPerKommun: 3, EvaluationsPerKommun: 8}
	first, err := m.ImportDataset(ctx, sys, "Omgång 1", round.DefaultHourlyRate, natgen.Generate(opt))
	if err != nil {
		t.Fatal(err)
	}
	opt.Seed = 7
	second, err := m.ImportDataset(ctx, sys, "Omgång 2", round.DefaultHourlyRate, natgen.Generate(opt))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []round.State{round.Closed, round.Published} {
		if _, err := m.SetState(ctx, sys, first.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	compared := func(svc *Service) []byte {
		t.Helper()
		var buf bytes.Buffer
		if _, err := svc.Build(ctx, sys, second.ID, first.ID, JSON, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	a := newService()
	want := compared(a)
	a.Settle()
	key := store.ReportKey{RoundID: first.ID, Format: basisFormat, Build: a.binary}
	_, body, ok, err := m.StoredReport(ctx, sys, key)
	if err != nil || !ok {
		t.Fatalf("after a compared report, the published round's basis is not kept (found %v, %v)", ok, err)
	}
	if got := compared(newService()); !bytes.Equal(got, want) {
		t.Errorf("compared from the kept basis, the report differs from the one that kept it:\n got %.300s\nwant %.300s", got, want)
	}

	// Kept with other figures, the basis is what a new process compares with.
	f, err := unpackBasis(first, body)
	if err != nil {
		t.Fatal(err)
	}
	f.basis.Network.Evaluations += 1000
	packed, err := pack(func(w io.Writer) error { return encodeBasis(w, f) })
	if err != nil {
		t.Fatal(err)
	}
	token, err := m.ReserveReport(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if kept, err := m.KeepReport(ctx, key, token, packed); err != nil || !kept {
		t.Fatalf("keep the altered basis: %v, %v", kept, err)
	}
	rep, err := newService().LoadCompared(ctx, sys, second.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.Aggregate.Network.Previous.Evaluations, f.basis.Network.Evaluations; got != want {
		t.Errorf("compared in a new process: previous evaluations %d, want %d from the kept basis", got, want)
	}

	// An unreadable basis is read from the round again.
	token, err = m.ReserveReport(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.KeepReport(ctx, key, token, []byte("inte gob")); err != nil {
		t.Fatal(err)
	}
	if got := compared(newService()); !bytes.Equal(got, want) {
		t.Errorf("compared past an unreadable basis, the report differs:\n got %.300s\nwant %.300s", got, want)
	}

	// A basis whose name columns do not fit together is read again too.
	names := namesOf(f.content.Evaluations)
	names.TitleLen[0]++
	packed, err = pack(func(w io.Writer) error {
		return gob.NewEncoder(w).Encode(&keptBasis{Basis: f.basis, Kommuner: f.content.Kommuner, Units: f.content.Units, Evaluations: names})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unpackBasis(first, packed); err == nil {
		t.Error("a basis with a title running past the titles was read")
	}
	token, err = m.ReserveReport(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.KeepReport(ctx, key, token, packed); err != nil {
		t.Fatal(err)
	}
	if got := compared(newService()); !bytes.Equal(got, want) {
		t.Errorf("compared past a basis with wrong name columns, the report differs:\n got %.300s\nwant %.300s", got, want)
	}
}

// TestEvaluationNames: names kept and read back give each evaluation its
// ID, unit, completeness and name; columns that do not fit are refused.
func TestEvaluationNames(t *testing.T) {
	evs := []round.Evaluation{
		{ID: 3, UnitID: 1, Complete: true, Facts: &facts.Facts{Title: "Brukarenkät å"}},
		{ID: 4, UnitID: 1, Answers: form.Answers{"benamning": ""}},
		{ID: 9, UnitID: 2, Complete: true, Answers: form.Answers{"benamning": "Tillsyn\x00"}},
	}
	ev := namesOf(evs)
	if err := ev.check(); err != nil {
		t.Fatal(err)
	}
	c := ev.content(nil, nil)
	for i, e := range c.Evaluations {
		if e.ID != evs[i].ID || e.UnitID != evs[i].UnitID || e.Complete != evs[i].Complete || e.Name() != evs[i].Name() {
			t.Errorf("evaluation %d: got %d/%d/%v %q, want %d/%d/%v %q", i, e.ID, e.UnitID, e.Complete, e.Name(),
				evs[i].ID, evs[i].UnitID, evs[i].Complete, evs[i].Name())
		}
	}
	for name, spoil := range map[string]func(*evaluationNames){
		"a column short":      func(ev *evaluationNames) { ev.Complete = ev.Complete[:2] },
		"titles too short":    func(ev *evaluationNames) { ev.Titles = ev.Titles[:3] },
		"titles too long":     func(ev *evaluationNames) { ev.Titles += "x" },
		"no title lengths":    func(ev *evaluationNames) { ev.TitleLen = nil },
		"lengths past titles": func(ev *evaluationNames) { ev.TitleLen[2] += 5 },
	} {
		bad := namesOf(evs)
		spoil(&bad)
		if err := bad.check(); err == nil {
			t.Errorf("%s: check passed %+v", name, bad)
		}
	}
}
