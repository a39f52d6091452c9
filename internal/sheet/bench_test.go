package sheet

import (
	"bytes"
	"context"
	"io"
	"testing"
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
