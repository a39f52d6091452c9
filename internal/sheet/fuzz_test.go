package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet/sheettest"
)

// fuzzLimits keep each input cheap.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 500, MaxUnzipSize: 8 << 20}

// checkRead holds for every read: an error is Problems or an
// *apperror.Error, and a dataset is complete, canonical and re-validates.
func checkRead(t *testing.T, ds round.Dataset, err error) {
	t.Helper()
	if err != nil {
		var ps Problems
		if errors.As(err, &ps) {
			if len(ps) == 0 || len(ps) > MaxProblems+1 {
				t.Fatalf("%d problems", len(ps))
			}
			for _, p := range ps {
				if p.Message == "" {
					t.Fatalf("problem without message: %+v", p)
				}
			}
			return
		}
		var ae *apperror.Error
		if !errors.As(err, &ae) || ae.Message == "" {
			t.Fatalf("error %v (%T) is neither Problems nor *apperror.Error", err, err)
		}
		return
	}
	if len(ds.Kommuner) == 0 {
		t.Fatal("read succeeded with no kommuner")
	}
	known := map[string]bool{}
	for _, k := range ds.Kommuner {
		known[k.Name] = true
	}
	for _, u := range ds.Units {
		if u.Name == "" || len(u.Kommuner) == 0 {
			t.Fatalf("unit %+v without name or kommun", u.Unit)
		}
		for _, k := range u.Kommuner {
			if !known[k] {
				t.Fatalf("unit %s names unknown kommun %q", u.Name, k)
			}
		}
		for _, e := range u.Evaluations {
			again, errs := def.Validate(e.Answers, form.ModeImport)
			if !e.Complete || len(errs) > 0 || !reflect.DeepEqual(again, e.Answers) {
				t.Fatalf("evaluation not canonical: %v → %v, %v", e.Answers, again, errs)
			}
		}
	}
}

// withoutCR is what a CSV round trip keeps of a dataset: encoding/csv turns
// a quoted CRLF into LF (and csv.Writer with UseCRLF drops a lone CR).
func withoutCR(ds round.Dataset) round.Dataset {
	out := round.Dataset{Kommuner: ds.Kommuner}
	for _, u := range ds.Units {
		c := round.UnitData{Unit: u.Unit}
		for _, e := range u.Evaluations {
			a := form.Answers{}
			for k, v := range e.Answers {
				a[k] = strings.ReplaceAll(v, "\r", "")
			}
			c.Evaluations = append(c.Evaluations, round.Evaluation{Complete: e.Complete, Answers: a})
		}
		out.Units = append(out.Units, c)
	}
	return out
}

func FuzzReadCSV(f *testing.F) {
	var sample bytes.Buffer
	if err := WriteCSV(&sample, def, sampleDataset(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(sample.Bytes())
	f.Add([]byte(csvLines(strings.Join(reqHeader, ";"), strings.Join(reqValues, ";"))))
	f.Add([]byte("kommun,enhet,benamning,periodicitet,syfte,resultatansvarig/namnd,anvandning/annat,anvandning_annat,timmar\nFalun,Skolan,\"A \"\"B\"\"\",arligen,x,ja,x,y,\"1 234,5\"\n"))
	f.Add([]byte("\ufeffkommun;enhet\r\n'=1;'+2\r\n\r\n;;\r\n\"a\r\nb\";c;d\r\n"))
	f.Add([]byte("kommun;enhet;timar\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadCSV(context.Background(), bytes.NewReader(data), def, fuzzLimits)
		checkRead(t, ds, err)
		if err != nil {
			return
		}
		// What was read is written and read back unchanged.
		var out bytes.Buffer
		if err := WriteCSV(&out, def, ds); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		again, err := ReadCSV(context.Background(), &out, def, Limits{})
		if err != nil {
			t.Fatalf("re-read of written CSV: %v\n%q", err, out.String())
		}
		if want := withoutCR(ds); !reflect.DeepEqual(again, want) {
			t.Fatalf("CSV round trip:\n got %+v\nwant %+v", again, want)
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	var sample bytes.Buffer
	small := sampleDataset(f)
	if err := WriteXLSX(&sample, def, small); err != nil {
		f.Fatal(err)
	}
	f.Add(sample.Bytes())
	f.Add(workbook(f, sheetData{"Blad1", [][]any{toAny(reqHeader), toAny(reqValues)}}))
	f.Add(workbook(f, sheetData{SheetEnheter, [][]any{{"enhet", "kommun", "fordelning"}, {"R", "A;B", "lika"}}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadXLSX(context.Background(), bytes.NewReader(data), def, fuzzLimits)
		checkRead(t, ds, err)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteXLSX(&out, def, ds); err != nil {
			t.Fatalf("WriteXLSX: %v", err)
		}
		again, err := ReadXLSX(context.Background(), &out, def, Limits{})
		if err != nil {
			t.Fatalf("re-read of written workbook: %v", err)
		}
		if !reflect.DeepEqual(again, ds) {
			t.Fatalf("XLSX round trip:\n got %+v\nwant %+v", again, ds)
		}
	})
}

// FuzzWorksheetXML fuzzes the worksheet XML of utvarderingar inside an
// otherwise valid workbook: mutating a zip mostly breaks its checksums, so
// FuzzReadXLSX alone seldom reaches the row reader.
func FuzzWorksheetXML(f *testing.F) {
	var sample bytes.Buffer
	if err := WriteXLSX(&sample, def, sampleDataset(f)); err != nil {
		f.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(sample.Bytes()), int64(sample.Len()))
	if err != nil {
		f.Fatal(err)
	}
	const target = "xl/worksheets/sheet3.xml"
	parts := map[string][]byte{}
	var names []string
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		parts[zf.Name] = b
		names = append(names, zf.Name)
	}
	if parts[target] == nil {
		f.Fatalf("no %s in %v", target, names)
	}
	f.Add(parts[target])
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kommun</t></is></c><c r="B1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="b"><v>1</v></c></row></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, sheetXML []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range names {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			content := parts[name]
			if name == target {
				content = sheetXML
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		ds, err := ReadXLSX(context.Background(), &buf, def, fuzzLimits)
		checkRead(t, ds, err)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteXLSX(&out, def, ds); err != nil {
			t.Fatalf("WriteXLSX: %v", err)
		}
		again, err := ReadXLSX(context.Background(), &out, def, Limits{})
		if err != nil {
			t.Fatalf("re-read of written workbook: %v", err)
		}
		if !reflect.DeepEqual(again, ds) {
			t.Fatalf("XLSX round trip:\n got %+v\nwant %+v", again, ds)
		}
	})
}

// hostileLimits keep each hostile input cheap while leaving every limit in
// reach of the fuzzer.
var hostileLimits = Limits{MaxBytes: 1 << 20, MaxRows: 200, MaxUnzipSize: 4 << 20, MaxPartSize: 2 << 20,
	MaxSharedStrings: 500, MaxText: 100_000, MaxCells: 5_000}

// FuzzHostileWorkbook builds workbooks with adversarial shared strings,
// cells and dimensions, bounded in size: a shared string repeated up to
// 1 000 times, cells with any reference, type and text, rows with any
// number, padding after the header. Every reader either refuses the file with
// an *apperror.Error or Problems, or returns rows, and never leaves a
// temporary file behind.
func FuzzHostileWorkbook(f *testing.F) {
	dir := f.TempDir()
	f.Setenv("TMPDIR", dir)
	f.Add("Betyg", uint16(1), "Nationella prov", "E2", "s", "2", uint16(0), uint8(1))
	f.Add(strings.Repeat("a", 33), uint16(1000), "x", "XFD1048576", "inlineStr", "1048576", uint16(39_999), uint8(3))
	f.Add("&amp;&#x1F600;", uint16(9000), "<is><t>y</t></is>", "", "", "", uint16(100), uint8(200))
	f.Add("<r><t>a</t></r>", uint16(600), "1e308", "A0", "n", "-1", uint16(1), uint8(255))
	f.Add("]]>", uint16(3), "<f>SUM(A1)</f>", "ALM2", "str", "99999999999999999999", uint16(33_000), uint8(2))
	f.Fuzz(func(t *testing.T, shared string, reps uint16, cell, ref, typ, rowNum string, pad uint16, rows uint8) {
		if len(shared) > 64 || len(cell) > 256 || len(ref) > 16 || len(typ) > 16 || len(rowNum) > 24 {
			t.Skip()
		}
		// One reader per input, each in turn: building and reading a
		// workbook is what an input costs.
		r := readers[int(rows)%len(readers)]
		book := sheettest.Book{Sheet: r.sheet.Name,
			Shared: func(w io.Writer) error {
				_, err := io.WriteString(w, "<si><t>"+strings.Repeat(shared, int(reps)%1_001)+"</t></si><si><t>"+sheettest.Escape(shared)+"</t></si>")
				return err
			},
			Rows: func(w io.Writer) error {
				if err := sheettest.Row(w, 1, sheettest.Inlines(r.sheet.Header)...); err != nil {
					return err
				}
				if err := sheettest.Repeat(w, ' ', int(pad)%40_000); err != nil {
					return err
				}
				for i := 0; i < int(rows); i++ {
					fmt.Fprintf(w, `<row r="%s">`, sheettest.Escape(rowNum))
					for c, v := range r.sheet.Values {
						if c == r.sheet.Text {
							fmt.Fprintf(w, `<c r="%s" t="%s"><v>%d</v>%s</c>`, sheettest.Escape(ref), sheettest.Escape(typ), i%2, cell)
							continue
						}
						if err := sheettest.Inline(v)(w, sheettest.Column(c+1)+strconv.Itoa(i+2)); err != nil {
							return err
						}
					}
					if _, err := io.WriteString(w, "</row>"); err != nil {
						return err
					}
				}
				return nil
			}}
		err := r.read(context.Background(), book.Bytes(), hostileLimits)
		if err != nil {
			var ps Problems
			var ae *apperror.Error
			if !errors.As(err, &ps) && !errors.As(err, &ae) {
				t.Fatalf("%s: error %v (%T) is neither Problems nor *apperror.Error", r.name, err, err)
			}
		}
		if left, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(left) > 0 {
			t.Fatalf("%s: temporary files left behind: %v", r.name, left)
		}
	})
}

// FuzzXMLScanner: the scanner ends on any input, with a token per step, and
// counts no text it was not given.
func FuzzXMLScanner(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><worksheet xmlns:x="u"><x:sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c><is><t>a&amp;b</t></is></c></row></x:sheetData><!-- c --><![CDATA[<x>]]></worksheet>`))
	f.Add([]byte(`<a b='>' c=">"/>&lt;`))
	f.Add([]byte(`<!DOCTYPE a><a>`))
	f.Add([]byte(`<a>` + strings.Repeat("<b>", 70)))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := newXMLScanner(bytes.NewReader(data))
		text := 0
		for steps := 0; ; steps++ {
			if steps > len(data)+1 {
				t.Fatalf("no end after %d tokens of %d bytes", steps, len(data))
			}
			tok, err := sc.next()
			if err != nil || tok == xmlEOF {
				break
			}
			if sc.depth < 0 || sc.depth > maxDepth {
				t.Fatalf("depth %d", sc.depth)
			}
			if tok == xmlText {
				if sc.chars < 0 || sc.chars > len(sc.text) {
					t.Fatalf("%d characters in %d bytes", sc.chars, len(sc.text))
				}
				text += len(sc.text)
			}
		}
		if text > len(data) {
			t.Fatalf("%d bytes of text in %d bytes", text, len(data))
		}
	})
}
