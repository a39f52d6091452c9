package sheet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/form"
)

func TestPackAnswers(t *testing.T) {
	tests := []struct {
		name string
		in   form.Answers
	}{
		{"empty", form.Answers{}},
		{"one field", form.Answers{"benamning": "Brukarenkät"}},
		{"blank value kept", form.Answers{"benamning": "x", "kommentar": ""}},
		{"canonical answers", canon(t, base("timmar", "12.5", "anvandning", "politiskt_beslut;budget_malprocess"))},
		{"letters and line breaks", form.Answers{"syfte": "Åtgärder för äldre\r\nrad två\t✓", "malgrupp": "\x00"}},
		{"long value", form.Answers{"kommentar": strings.Repeat("ö", 4000)}},
		{"code outside the form", form.Answers{"benamning": "x", "borttaget_falt": "ja", "": "tom kod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := packAnswers(def, tt.in)
			got, err := decodeAnswers(def, p)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !maps.Equal(got, tt.in) {
				t.Errorf("got %v, want %v", got, tt.in)
			}
		})
	}

	// Packed answers are smaller than their JSON (what the store writes):
	// no codes, no quotes.
	a := canon(t, base("timmar", "12.5", "kommentar", "En kommentar."))
	js, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if p := len(packAnswers(def, a)); p*2 > len(js) {
		t.Errorf("packed %d bytes, JSON %d", p, len(js))
	}
}

func TestDecodeDamagedAnswers(t *testing.T) {
	good := packAnswers(def, form.Answers{"benamning": "abc", "x": "y"})
	tests := []struct {
		name string
		in   string
	}{
		{"index beyond the fields", string([]byte{byte(len(def.Fields) + 1), 1, 'a'})},
		{"length beyond the end", string([]byte{0, 5, 'a'})},
		{"cut in a varint", "\x80"},
		{"varint too long", strings.Repeat("\xff", 11)},
		{"truncated", good[:len(good)-1]},
		{"code without value", string([]byte{byte(len(def.Fields)), 1, 'x'})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := decodeAnswers(def, tt.in); err == nil {
				t.Errorf("decoded %v, want an error", a)
			}
		})
	}
}

// FuzzPackedAnswers: any answers pack and unpack unchanged, and no input
// makes decodeAnswers panic.
func FuzzPackedAnswers(f *testing.F) {
	f.Add("benamning", "Brukarenkät", "okänd", "ja", []byte(packAnswers(def, form.Answers{"timmar": "12.5"})))
	f.Add("", "", "", "", []byte{0x80, 0x80})
	f.Fuzz(func(t *testing.T, code1, v1, code2, v2 string, raw []byte) {
		a := form.Answers{code1: v1, code2: v2, "syfte": v1 + v2}
		got, err := decodeAnswers(def, packAnswers(def, a))
		if err != nil || !maps.Equal(got, a) {
			t.Fatalf("round trip of %q: %v, %v", a, got, err)
		}
		_, _ = decodeAnswers(def, string(raw))
	})
}

// TestImportHasNoRowCap reads more rows than the former cap (100 000) with
// the import's limits, and the same file with a faulty last row, which is
// refused whole with that row named. Uploads keep their bound.
func TestImportHasNoRowCap(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 001 rows")
	}
	const n = 100_001
	var buf bytes.Buffer
	if err := WriteCSV(&buf, def, bigDataset(t, n)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()

	im, err := ReadImportCSV(context.Background(), bytes.NewReader(good), def, DefaultLimits())
	if err != nil {
		t.Fatalf("%d rows: %.300v", n, err)
	}
	if got := im.EvaluationCount(); got != n {
		t.Errorf("%d evaluations, want %d", got, n)
	}
	units, total := im.Content().Units, 0
	for i := range units {
		c, evs := im.Evaluations(i)
		seen := 0
		for e := range evs {
			if !e.Complete || e.Answers.Get("benamning") == "" {
				t.Fatalf("unit %d: evaluation %+v", i, e)
			}
			seen++
		}
		if seen != c {
			t.Fatalf("unit %d: yields %d evaluations, says %d", i, seen, c)
		}
		total += c
	}
	if total != n {
		t.Errorf("units hold %d evaluations, want %d", total, n)
	}

	// The last line again, with hours that are no number.
	lines := strings.Split(strings.TrimRight(string(good), "\r\n"), "\r\n")
	header := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	for i, h := range header {
		if h == "timmar" {
			last[i] = "tio"
		}
	}
	bad := append(append([]byte{}, good...), []byte(strings.Join(last, ";")+"\r\n")...)
	im, err = ReadImportCSV(context.Background(), bytes.NewReader(bad), def, DefaultLimits())
	if im != nil {
		t.Errorf("faulty file read: %d evaluations", im.EvaluationCount())
	}
	ps := problemsOf(t, err)
	if want := []where{{SheetUtvarderingar, n + 2, "timmar"}}; !reflect.DeepEqual(wheres(ps), want) {
		t.Errorf("problems at %v, want %v", wheres(ps), want)
	}

	// An upload keeps its bound.
	_, err = ReadCSV(context.Background(), bytes.NewReader(good), def, UploadLimits())
	if ps := problemsOf(t, err); len(ps) != 1 || !strings.Contains(ps[0].Message, fmt.Sprintf("fler än %d rader", MaxUploadRows)) {
		t.Errorf("upload of %d rows: %v", n, ps)
	}
}

// TestImportMatchesDataset: Import and the Dataset the other readers
// return hold the same, the population source included.
func TestImportMatchesDataset(t *testing.T) {
	want := sampleDataset(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, def, want); err != nil {
		t.Fatal(err)
	}
	im, err := ReadImportXLSX(context.Background(), bytes.NewReader(buf.Bytes()), def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	im.PopulationSource = "SCB 2009-12-31"
	want.PopulationSource = im.PopulationSource
	if got := im.Dataset(); !reflect.DeepEqual(got, want) {
		t.Errorf("Dataset:\n got %+v\nwant %+v", got, want)
	}
	content := im.Content()
	for i, u := range content.Units {
		if u.Evaluations != nil {
			t.Errorf("Content unit %s carries its evaluations", u.Name)
		}
		n, _ := im.Evaluations(i)
		if n != len(want.Units[i].Evaluations) {
			t.Errorf("unit %s: %d evaluations, want %d", u.Name, n, len(want.Units[i].Evaluations))
		}
	}
	if im.EvaluationCount() != want.EvaluationCount() {
		t.Errorf("EvaluationCount %d, want %d", im.EvaluationCount(), want.EvaluationCount())
	}
}
