package sheet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/round"
)

// benchSize is a national round's evaluations.
const benchSize = 30_000

func BenchmarkWriteXLSX(b *testing.B) {
	ds := bigDataset(b, benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, def, ds); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadXLSX(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, def, bigDataset(b, benchSize)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		ds, err := ReadXLSX(context.Background(), bytes.NewReader(data), def, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if n := ds.EvaluationCount(); n != benchSize {
			b.Fatalf("%d evaluations", n)
		}
	}
	b.ReportMetric(float64(len(data)), "file-bytes")
}

func BenchmarkWriteCSV(b *testing.B) {
	ds := bigDataset(b, benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, def, ds); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSV(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, def, bigDataset(b, benchSize)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadCSV(context.Background(), bytes.NewReader(data), def, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "file-bytes")
}

// BenchmarkReadImport is the read of `inventera import` (ReadImportXLSX,
// ReadImportCSV) of a national round and of four and ten of them (natgen):
// the time per read should grow with the rows, no faster, and kept-B/eval
// (the packed answers kept per evaluation, which is what memory grows by)
// should stay flat. Run the larger sizes with -benchtime=1x.
func BenchmarkReadImport(b *testing.B) {
	for _, scale := range []int{1, 4, 10} {
		ds := natgen.Generate(natgen.Options{EvaluationsPerKommun: scale * natgen.DefaultEvaluationsPerKommun})
		want := ds.EvaluationCount()
		for _, format := range []struct {
			name  string
			write func(io.Writer, *form.Definition, round.Dataset) error
			read  func(context.Context, io.Reader, *form.Definition, Limits) (*Import, error)
		}{{"xlsx", WriteXLSX, ReadImportXLSX}, {"csv", WriteCSV, ReadImportCSV}} {
			b.Run(fmt.Sprintf("%s/%d", format.name, want), func(b *testing.B) {
				var buf bytes.Buffer
				if err := format.write(&buf, def, ds); err != nil {
					b.Fatal(err)
				}
				data := buf.Bytes()
				b.ReportAllocs()
				var im *Import
				for b.Loop() {
					var err error
					if im, err = format.read(context.Background(), bytes.NewReader(data), def, DefaultLimits()); err != nil {
						b.Fatal(err)
					}
				}
				if n := im.EvaluationCount(); n != want {
					b.Fatalf("%d evaluations, want %d", n, want)
				}
				kept := 0
				for _, unit := range im.packed {
					for _, p := range unit {
						kept += len(p)
					}
				}
				b.ReportMetric(float64(kept)/float64(want), "kept-B/eval")
				b.ReportMetric(float64(len(data)), "file-bytes")
			})
		}
	}
}
