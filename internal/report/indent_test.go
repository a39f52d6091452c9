package report

import (
	"bytes"
	"encoding/json"
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
