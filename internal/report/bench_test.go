package report

import (
	"io"
	"sync"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
)

// nationalReport is a national round (290 kommuner × 5 units, 30 000
// evaluations), aggregated once.
var nationalReport = sync.OnceValues(func() (*aggregate.Report, error) {
	return aggregate.Compute(testRound, nationalDataset(290, 5, 30000))
})

func national(b *testing.B) *aggregate.Report {
	b.Helper()
	rep, err := nationalReport()
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// countingWriter counts the bytes written, for the output size metric.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func BenchmarkHTML(b *testing.B) {
	rep := national(b)
	r := newRenderer(b)
	var w countingWriter
	b.ReportAllocs()
	for b.Loop() {
		w.n = 0
		if err := r.HTML(&w, rep, HTMLOptions{GeneratedOn: "2009-12-18"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n), "out-bytes")
}

func BenchmarkXLSX(b *testing.B) {
	rep := national(b)
	r := newRenderer(b)
	var w countingWriter
	b.ReportAllocs()
	for b.Loop() {
		w.n = 0
		if err := r.XLSX(b.Context(), &w, rep, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n), "out-bytes")
}

func BenchmarkJSON(b *testing.B) {
	rep := national(b)
	var w countingWriter
	b.ReportAllocs()
	for b.Loop() {
		w.n = 0
		if err := JSON(&w, rep); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n), "out-bytes")
}

var _ io.Writer = (*countingWriter)(nil)
