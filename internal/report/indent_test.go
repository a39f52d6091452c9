package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
)

// TestIndentIsMarshalIndent: indent gives json.MarshalIndent's bytes, for
// reports (the national one, the small one of the golden tests) and for
// JSON with every kind of value and escape.
func TestIndentIsMarshalIndent(t *testing.T) {
	rep, err := nationalReport()
	if err != nil {
		t.Fatal(err)
	}
	values := []any{
		rep, &aggregate.Report{}, nil, []int{}, map[string]any{}, "",
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "x", nil, true, false, 1.5e-7, map[string]any{"d": []any{[]any{}}}}},
		deep(40), // deeper than the indentation newline keeps ready
		[]string{`"`, `\`, `\"`, "\\\\\"", "<&>", "\u2028\u2029", "\x00\x1f", "å{[,:]}ä", `{"a":[1,2]}`, "😀"},
	}
	for i, v := range values {
		want, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := indent(nil, compact); !bytes.Equal(got, want) {
			t.Errorf("value %d: indent gives\n%s\nwant\n%s", i, got, want)
		}
	}
}

// deep is n arrays, one inside the other, around a number.
func deep(n int) any {
	var v any = 1
	for range n {
		v = []any{v, true}
	}
	return v
}

// FuzzIndent: for any valid JSON, indent of its compact form is what
// json.Indent makes of it.
func FuzzIndent(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,{"b":"c\"}"}],"d":{}}`, `"\\"`, `[[],[{}],""]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, in); err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indent(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("indent(%q) = %q, want %q", compact.Bytes(), got, want.Bytes())
		}
	})
}

func BenchmarkMarshalIndent(b *testing.B) {
	rep := national(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.MarshalIndent(rep, "", "  "); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONIsMarshalIndent: JSON, which writes the report kommun by
// kommun, writes json.MarshalIndent's bytes and a newline: for the
// national report, compared with itself and alone, and for reports with
// one kommun, none and no list at all; and a writer's error stops it.
func TestJSONIsMarshalIndent(t *testing.T) {
	rep, err := nationalReport()
	if err != nil {
		t.Fatal(err)
	}
	one := *rep
	one.Municipalities = one.Municipalities[:1]
	none := *rep
	none.Municipalities = []aggregate.Municipality{}
	null := *rep
	null.Municipalities = nil
	reports := map[string]*aggregate.Report{
		"national": rep, "compared": aggregate.Compare(rep, aggregate.BasisOf(rep)),
		"one kommun": &one, "no kommun": &none, "no list": &null, "empty": {},
	}
	for name, r := range reports {
		want, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		var got bytes.Buffer
		if err := JSON(&got, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			i := 0
			for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
				i++
			}
			t.Errorf("%s: JSON differs from MarshalIndent at byte %d: got …%.80q…, want …%.80q…", name, i, got.Bytes()[max(0, i-20):], want[max(0, i-20):])
		}
	}
	if err := JSON(failingWriter{}, rep); err == nil {
		t.Error("JSON to a writer that fails: no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }
