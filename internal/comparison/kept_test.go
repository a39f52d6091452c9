package comparison

import (
	"bytes"
	"io"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// TestKeptJSONReport: the JSON report of an unchanged round is served from
// its kept copy, byte for byte the report built; a write through the
// services takes the copy away and the next report shows the write; a
// reader who may not read the round's report is refused, kept copy or not.
func TestKeptJSONReport(t *testing.T) {
	svc, m, r, _ := newService(t)
	actor := manage.System("test")
	build := func() ([]byte, Report) {
		t.Helper()
		svc.Settle() // the last report built is kept
		var b bytes.Buffer
		rep, err := svc.Build(ctx, actor, r.ID, 0, JSON, &b)
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes(), rep
	}
	fresh := func() []byte {
		t.Helper()
		rr, ds, err := m.ReportData(ctx, actor, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return jsonOf(t, rr, ds)
	}
	key := store.ReportKey{RoundID: r.ID, Format: JSON, Build: svc.binary}

	kept := func() ([]byte, bool) {
		t.Helper()
		svc.Settle()
		_, body, ok, err := m.StoredReport(ctx, actor, key)
		if err != nil {
			t.Fatal(err)
		}
		if ok && (len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b) {
			t.Errorf("the kept copy is not compressed: it begins %q", body[:min(len(body), 8)])
		}
		var unpacked bytes.Buffer
		if err := unpack(&unpacked, body); err != nil {
			t.Fatal(err)
		}
		return unpacked.Bytes(), ok
	}

	first, rep := build()
	if rep.Aggregate == nil {
		t.Fatal("the first report was not built")
	}
	if body, ok := kept(); !ok || !bytes.Equal(body, first) {
		t.Fatalf("kept copy %v, equal to the report %v", ok, bytes.Equal(body, first))
	}
	second, rep := build()
	if rep.Aggregate != nil || rep.Round.ID != r.ID {
		t.Errorf("the second report was built again (or lost its round %+v), want the kept copy", rep.Round)
	}
	if !bytes.Equal(second, first) {
		t.Error("the kept copy differs from the report built")
	}

	// A review excludes an evaluation: the copy goes, the report shows it.
	_, ds, err := m.ReportData(ctx, actor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, u := range ds.Units {
		if len(u.Evaluations) > 0 && u.Evaluations[0].Complete {
			id = u.Evaluations[0].ID
			break
		}
	}
	if err := m.Exclude(ctx, actor, r.ID, id, "Löpande statistik"); err != nil {
		t.Fatal(err)
	}
	if _, ok := kept(); ok {
		t.Fatal("the kept copy outlived a write to the round")
	}
	third, _ := build()
	if bytes.Equal(third, first) {
		t.Fatal("the report after the exclusion is the one before it")
	}
	if want := fresh(); !bytes.Equal(third, want) {
		t.Error("the report after the exclusion differs from one built from the data")
	}

	// HTML is kept for its day and its chart links.
	page := func(base string) ([]byte, Report) {
		t.Helper()
		svc.Settle()
		var b bytes.Buffer
		rep, err := svc.BuildPage(ctx, actor, r.ID, 0, func(k chart.Kind, f chart.Format) string { return base + string(k) }, &b)
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes(), rep
	}
	h1, rep := page("/a/")
	h2, rep2 := page("/a/")
	if rep.Aggregate == nil || rep2.Aggregate != nil || !bytes.Equal(h1, h2) {
		t.Errorf("HTML: first built %v, second kept %v, equal %v; want built, kept, equal", rep.Aggregate != nil, rep2.Aggregate == nil, bytes.Equal(h1, h2))
	}
	if h3, rep3 := page("/b/"); rep3.Aggregate == nil || !bytes.Contains(h3, []byte("/b/")) {
		t.Error("HTML with other chart links was served from the kept copy")
	}

	// The round is not published: a projektledare may not read its
	// report, kept or not.
	if _, ok := kept(); !ok {
		t.Fatal("the rebuilt report was not kept")
	}
	pl := manage.Actor{Email: "pl@example.se", Role: staff.Projektledare, Kommun: "Kommun 1"}
	var b bytes.Buffer
	if _, err := svc.Build(ctx, pl, r.ID, 0, JSON, &b); apperror.Code(err) != apperror.NotFound || b.Len() > 0 {
		t.Errorf("a projektledare before publication: err %v, %d bytes, want NotFound and nothing", err, b.Len())
	}
}

// TestUnpack: a kept report comes back as it was rendered, whether it was
// kept compressed or, by an earlier build, whole; a damaged one is an
// error, not a half-written report passed off as whole.
func TestUnpack(t *testing.T) {
	report := []byte("{\n  \"round\": {\"name\": \"Omgång 2026\"}\n}\n")
	packed, err := pack(func(w io.Writer) error { _, err := w.Write(report); return err })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		body    []byte
		want    []byte
		wantErr bool
	}{
		{"packed", packed, report, false},
		{"kept whole", report, report, false},
		{"empty", nil, nil, false},
		{"damaged", packed[:len(packed)/2], nil, true},
	} {
		var got bytes.Buffer
		err := unpack(&got, tc.body)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v, want an error %v", tc.name, err, tc.wantErr)
		}
		if !tc.wantErr && !bytes.Equal(got.Bytes(), tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got.Bytes(), tc.want)
		}
	}
}

// TestBlocks: a report held in blocks is written out as it was written
// in, whatever the sizes of the writes and however they fall across the
// blocks.
func TestBlocks(t *testing.T) {
	var (
		b    blocks
		want []byte
	)
	for i, size := range []int{0, 1, blockSize - 2, 5, blockSize, 3 * blockSize, 7} {
		p := bytes.Repeat([]byte{byte('a' + i)}, size)
		if n, err := b.Write(p); n != size || err != nil {
			t.Fatalf("Write of %d bytes: %d, %v", size, n, err)
		}
		want = append(want, p...)
	}
	var got bytes.Buffer
	if n, err := b.WriteTo(&got); err != nil || n != int64(len(want)) {
		t.Fatalf("WriteTo: %d, %v; want %d bytes", n, err, len(want))
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Error("the blocks give other bytes than were written")
	}
}
