package sheet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/natgen"
	"github.com/inventera/inventera/internal/sheet/sheettest"
)

// reader is one of the workbook readers, as the import, the unit form
// upload and the units upload call them.
type reader struct {
	name  string
	sheet sheettest.Sheet
	lim   Limits
	read  func(ctx context.Context, data []byte, lim Limits) error
}

var readers = []reader{
	{"import", sheettest.Import, DefaultLimits(), func(ctx context.Context, data []byte, lim Limits) error {
		_, err := ReadXLSX(ctx, bytes.NewReader(data), def, lim)
		return err
	}},
	{"unit form", sheettest.Upload, UploadLimits(), func(ctx context.Context, data []byte, lim Limits) error {
		_, err := ReadUnitForm(ctx, bytes.NewReader(data), def, lim)
		return err
	}},
	{"units", sheettest.Units, UploadLimits(), func(ctx context.Context, data []byte, lim Limits) error {
		_, err := ReadUnits(ctx, bytes.NewReader(data), "enheter.xlsx", def, lim)
		return err
	}},
}

// privateTemp points the temporary directory at an empty one of the test,
// so that what a read leaves behind can be seen.
func privateTemp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func leftovers(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestHostileWorkbooks builds each hostile shape, small but over the limit
// it tests, and reads it as every reader does: the file is refused with a
// message naming what was too big, and no temporary file remains.
func TestHostileWorkbooks(t *testing.T) {
	small := func(l Limits) func(Limits) Limits {
		return func(base Limits) Limits {
			if l.MaxUnzipSize != 0 {
				base.MaxUnzipSize = l.MaxUnzipSize
			}
			if l.MaxPartSize != 0 {
				base.MaxPartSize = l.MaxPartSize
			}
			if l.MaxSharedStrings != 0 {
				base.MaxSharedStrings = l.MaxSharedStrings
			}
			if l.MaxText != 0 {
				base.MaxText = l.MaxText
			}
			if l.MaxCells != 0 {
				base.MaxCells = l.MaxCells
			}
			return base
		}
	}
	same := func(l Limits) Limits { return l }
	tests := []struct {
		name string
		book func(s sheettest.Sheet) sheettest.Book
		lim  func(Limits) Limits
		code string
		want func(s sheettest.Sheet) string // the whole message, or a part of it after "…"
	}{
		{"shared string too long", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigSharedString(s, 40_000) }, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Cellen %s2 på bladet %s har 40\u00a0000 tecken; högst 32\u00a0767 tillåts.", sheettest.Column(s.Text+1), s.Name)
			}},
		{"unused shared string too long", func(s sheettest.Sheet) sheettest.Book { return sheettest.UnusedSharedString(s, 40_000) }, same, apperror.TooLarge,
			func(sheettest.Sheet) string {
				return "Arbetsboken har en text (delad text nr 1) med 40\u00a0000 tecken; högst 32\u00a0767 tillåts i en cell."
			}},
		{"inline cell too long", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigInlineCell(s, 40_000) }, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Cellen %s2 på bladet %s har 40\u00a0000 tecken; högst 32\u00a0767 tillåts.", sheettest.Column(s.Text+1), s.Name)
			}},
		{"whitespace between rows", func(s sheettest.Sheet) sheettest.Book { return sheettest.Whitespace(s, 40_000) }, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Bladet %s har 40\u00a0000 tecken i följd utanför cellerna (efter cell %s), till exempel blanksteg; högst 32\u00a0767 tillåts. Spara om arbetsboken i Excel och försök igen.", s.Name, s.Last())
			}},
		{"worksheet unpacks too large", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigInlineCell(s, 20_000) },
			small(Limits{MaxPartSize: 16 << 10}), apperror.TooLarge,
			func(s sheettest.Sheet) string { return "…högst 16 kB tillåts. Dela upp filen i flera filer." }},
		{"shared strings unpack too large", func(s sheettest.Sheet) sheettest.Book { return sheettest.BigSharedString(s, 20_000) },
			small(Limits{MaxPartSize: 16 << 10}), apperror.TooLarge,
			func(sheettest.Sheet) string {
				return "…Arbetsbokens delade texter (xl/sharedStrings.xml) packas upp till 19 kB; högst 16 kB tillåts."
			}},
		{"file unpacks too large", func(s sheettest.Sheet) sheettest.Book { return sheettest.Whitespace(s, 30_000) },
			small(Limits{MaxUnzipSize: 16 << 10, MaxPartSize: 16 << 10}), apperror.TooLarge,
			func(sheettest.Sheet) string { return "…högst 16 kB tillåts uppackad." }},
		{"too many shared strings", func(s sheettest.Sheet) sheettest.Book { return sheettest.TinyStrings(s, 101) },
			small(Limits{MaxSharedStrings: 100}), apperror.TooLarge,
			func(sheettest.Sheet) string {
				return "Arbetsboken har fler än 100 delade texter; högst 100 tillåts. Dela upp den i flera filer."
			}},
		{"shared string bomb", func(s sheettest.Sheet) sheettest.Book { return sheettest.SharedRefs(s, def, 20) },
			small(Limits{MaxText: 50_000}), apperror.TooLarge,
			func(sheettest.Sheet) string {
				return "Arbetsbokens celler har tillsammans mer än 50\u00a0000 tecken; högst 50\u00a0000 tillåts. Dela upp den i flera filer."
			}},
		{"too many cells", func(s sheettest.Sheet) sheettest.Book { return sheettest.EmptyCells(s, 2, 100) },
			small(Limits{MaxCells: 150}), apperror.TooLarge,
			func(sheettest.Sheet) string {
				return "Arbetsboken har fler än 150 celler; högst 150 går att läsa. Ta bort tomma rader och kolumner eller dela upp den i flera filer."
			}},
		{"row wider than Excel", func(s sheettest.Sheet) sheettest.Book { return sheettest.EmptyCells(s, 1, 16_385) }, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Rad 3 på bladet %s har fler än 16\u00a0384 celler, fler än Excel tillåter. Spara om arbetsboken i Excel och försök igen.", s.Name)
			}},
		{"value beyond the last column", func(s sheettest.Sheet) sheettest.Book {
			return sheettest.Raw(s, `<row r="2"><c r="ALM2" t="inlineStr"><is><t>x</t></is></c></row>`)
		}, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Bladet %s har ett värde i cell ALM2, i kolumn 1\u00a0001; högst 1\u00a0000 kolumner går att läsa. Ta bort kolumnerna till höger om de som ska läsas in.", s.Name)
			}},
		{"row beyond Excel's last", func(s sheettest.Sheet) sheettest.Book { return sheettest.Raw(s, `<row r="1048577"/>`) }, same, apperror.TooLarge,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Bladet %s har fler än 1\u00a0048\u00a0576 rader, fler än Excel tillåter. Spara om arbetsboken i Excel och försök igen.", s.Name)
			}},
		{"deep nesting", func(s sheettest.Sheet) sheettest.Book {
			return sheettest.Raw(s, strings.Repeat("<x>", 100)+strings.Repeat("</x>", 100))
		}, same, apperror.Invalid,
			func(s sheettest.Sheet) string {
				return fmt.Sprintf("Bladet %s kunde inte läsas; arbetsboken verkar vara skadad. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.", s.Name)
			}},
		{"huge tag", func(s sheettest.Sheet) sheettest.Book {
			return sheettest.Raw(s, `<row r="2" x="`+strings.Repeat("a", 300<<10)+`"/>`)
		}, same, apperror.Invalid, func(sheettest.Sheet) string { return "…kunde inte läsas; arbetsboken verkar vara skadad." }},
		{"huge comment", func(s sheettest.Sheet) sheettest.Book {
			return sheettest.Raw(s, `<!--`+strings.Repeat("a", 300<<10)+`-->`)
		}, same, apperror.Invalid, func(sheettest.Sheet) string { return "…kunde inte läsas; arbetsboken verkar vara skadad." }},
		{"document type", func(s sheettest.Sheet) sheettest.Book {
			return sheettest.Raw(s, `<!DOCTYPE x [<!ENTITY a "aaaa">]>`)
		}, same, apperror.Invalid, func(sheettest.Sheet) string { return "…kunde inte läsas; arbetsboken verkar vara skadad." }},
	}
	for _, r := range readers {
		for _, tc := range tests {
			t.Run(r.name+"/"+tc.name, func(t *testing.T) {
				dir := privateTemp(t)
				err := r.read(context.Background(), tc.book(r.sheet).Bytes(), tc.lim(r.lim))
				ae := appErrorOf(t, err)
				want := tc.want(r.sheet)
				if part, ok := strings.CutPrefix(want, "…"); ok {
					if !strings.Contains(ae.Message, part) {
						t.Errorf("message = %q, want it to contain %q", ae.Message, part)
					}
				} else if ae.Message != want {
					t.Errorf("message\n got %q\nwant %q", ae.Message, want)
				}
				if ae.Code != tc.code {
					t.Errorf("code = %s, want %s", ae.Code, tc.code)
				}
				leftovers(t, dir)
			})
		}
	}
}

// TestHostileShapesWithinLimits: the same shapes, small enough, are read
// (the units reader is left out: its sheet has no long text).
func TestHostileShapesWithinLimits(t *testing.T) {
	for _, r := range readers[:2] {
		for name, book := range map[string]sheettest.Book{
			"shared strings": sheettest.SharedRefs(r.sheet, def, 3),
			"whitespace":     sheettest.Whitespace(r.sheet, 1000),
			"tiny strings":   sheettest.TinyStrings(r.sheet, 1000),
		} {
			t.Run(r.name+"/"+name, func(t *testing.T) {
				dir := privateTemp(t)
				if err := r.read(context.Background(), book.Bytes(), r.lim); err != nil {
					t.Fatalf("refused: %v", err)
				}
				leftovers(t, dir)
			})
		}
	}
}

// TestReadAfterDeadline: a read whose context has ended stops with a
// message, and removes its files.
func TestReadAfterDeadline(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			dir := privateTemp(t)
			err := r.read(ctx, sheettest.EmptyCells(r.sheet, 10, 10).Bytes(), r.lim)
			ae := appErrorOf(t, err)
			if want := "Filen tog för lång tid att läsa och lästes inte in. Dela upp den i mindre filer och försök igen."; ae.Code != apperror.TooLarge || ae.Message != want {
				t.Errorf("error = %s %q, want %q", ae.Code, ae.Message, want)
			}
			leftovers(t, dir)
		})
	}
	_, err := ReadCSV(ctx, strings.NewReader(csvLines(strings.Join(reqHeader, ";"), strings.Join(reqValues, ";"))), def, Limits{})
	if ae := appErrorOf(t, err); ae.Code != apperror.TooLarge || !strings.Contains(ae.Message, "för lång tid") {
		t.Errorf("CSV after deadline: %v", err)
	}
}

func TestRemoveStaleTemp(t *testing.T) {
	dir := privateTemp(t)
	old := filepath.Join(dir, tempPrefix+"old")
	fresh := filepath.Join(dir, tempPrefix+"fresh")
	other := filepath.Join(dir, "other-old")
	for _, d := range []string{old, fresh, other} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sub", "excelize-1"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Hour)
	for _, d := range []string{old, other} {
		if err := os.Chtimes(d, past, past); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveStaleTemp(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}

// TestCSVControlCharacters: a NUL or another control character in a UTF-8
// file is named as what it is; UTF-16 is still told as UTF-16.
func TestCSVControlCharacters(t *testing.T) {
	header := strings.Join(reqHeader, ";")
	row := func(enhet string) string {
		v := append([]string{}, reqValues...)
		v[1] = enhet
		return strings.Join(v, ";")
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"NUL", csvLines(header, row("Sko\x00lan")), "utvarderingar rad 2: Kolumn B innehåller styrtecknet U+0000 (NUL, ett nolltecken), som inte hör hemma i en textfil. Ta bort tecknet och försök igen."},
		{"BEL", csvLines(header, row("Sko\alan")), "utvarderingar rad 2: Kolumn B innehåller styrtecknet U+0007 (BEL), som inte hör hemma i en textfil. Ta bort tecknet och försök igen."},
		{"unnamed", csvLines(header, row("Sko\x1flan")), "utvarderingar rad 2: Kolumn B innehåller styrtecknet U+001F, som inte hör hemma i en textfil. Ta bort tecknet och försök igen."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(context.Background(), strings.NewReader(tc.data), def, Limits{})
			ps := problemsOf(t, err)
			if len(ps) != 1 || ps[0].String() != tc.want {
				t.Errorf("problems\n got %v\nwant %s", ps, tc.want)
			}
		})
	}
	utf16 := string([]byte{'k', 0, 'o', 0, 'm', 0, 'm', 0, 'u', 0, 'n', 0, ';', 0, 'e', 0})
	_, err := ReadCSV(context.Background(), strings.NewReader(utf16), def, Limits{})
	if ae := appErrorOf(t, err); !strings.Contains(ae.Message, "UTF-16") {
		t.Errorf("UTF-16 without byte order mark: %q", ae.Message)
	}
}

// TestEchoesClipped: input quoted in a message is cut to about 80
// characters, however long it was.
func TestEchoesClipped(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	_, err := ReadCSV(context.Background(), strings.NewReader(csvLines("kommun;enhet;"+long)), def, Limits{})
	for _, p := range problemsOf(t, err) {
		if n := len([]rune(p.String())); n > 400 {
			t.Errorf("problem of %d characters: %.200s…", n, p)
		}
		if p.Column != "" && p.Column != apperror.Clip(p.Column) {
			t.Errorf("column not clipped: %.100s", p.Column)
		}
	}
	if got := apperror.Clip(long); got != strings.Repeat("x", apperror.ClipLen)+"…" {
		t.Errorf("Clip = %q", got)
	}

	// A header of 10 MB is refused in a line.
	_, err = ReadCSV(context.Background(), bytes.NewReader(sheettest.HeaderOnlyCSV(100_000)), def, Limits{})
	ae := appErrorOf(t, err)
	if want := "utvarderingar rad 1, kolumn C: fältet har 100\u00a0000 tecken; högst 32\u00a0767 tillåts."; ae.Message != want || ae.Code != apperror.TooLarge {
		t.Errorf("long header: %s %q, want %q", ae.Code, ae.Message, want)
	}

	// Names and values in XLSX messages too.
	name := strings.Repeat("Å", 150)
	data := workbook(t, sheetData{SheetUtvarderingar, [][]any{toAny(reqHeader), toAny(append([]string{name}, reqValues[1:]...)), toAny(append([]string{"Kommun " + name}, reqValues[1:]...))}},
		sheetData{SheetKommuner, [][]any{{"kommun"}, {name}, {name}}})
	_, err = ReadXLSX(context.Background(), bytes.NewReader(data), def, Limits{})
	for _, p := range problemsOf(t, err) {
		if strings.Contains(p.Message, name[:200]) {
			t.Errorf("message quotes the whole name: %.120s…", p.Message)
		}
	}
}

// TestWriteHostileFiles writes the full-size hostile files the issue
// measured, more at the limits, and national imports, into
// $INVENTERA_HOSTILE_DIR, for measuring `inventera import` and uploads to a
// running server by hand:
//
//	INVENTERA_HOSTILE_DIR=/tmp/hostile go test -run TestWriteHostileFiles -v ./internal/sheet/
//
// Files named *-import.xlsx are for `inventera import`, *-upload.xlsx for
// the unit form upload of a personal link.
func TestWriteHostileFiles(t *testing.T) {
	dir := os.Getenv("INVENTERA_HOSTILE_DIR")
	if dir == "" {
		t.Skip("set INVENTERA_HOSTILE_DIR to write the hostile files")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, w func(f *os.File) error) {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := w(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		t.Logf("%s: %d bytes", path, fi.Size())
	}
	const mb = 1_000_000
	for _, k := range []struct {
		kind string
		s    sheettest.Sheet
		mb   int // within the part limit of lim
		lim  Limits
	}{{"import", sheettest.Import, 200, DefaultLimits()}, {"upload", sheettest.Upload, 50, UploadLimits()}} {
		for name, b := range map[string]sheettest.Book{
			// The shapes the issue measured: over the part limit.
			"sst-480mb":        sheettest.BigSharedString(k.s, 480*mb),
			"cell-400mb":       sheettest.BigInlineCell(k.s, 400*mb),
			"whitespace-500mb": sheettest.Whitespace(k.s, 500*mb),
			"sst-refs-100k":    sheettest.SharedRefs(k.s, def, 100_000),
			"sst-tiny-20m":     sheettest.TinyStrings(k.s, 20_000_000),
			// The same within the part limit, for the checks as they stream.
			fmt.Sprintf("sst-%dmb", k.mb):         sheettest.BigSharedString(k.s, k.mb*mb),
			fmt.Sprintf("cell-%dmb", k.mb):        sheettest.BigInlineCell(k.s, k.mb*mb),
			fmt.Sprintf("whitespace-%dmb", k.mb):  sheettest.Whitespace(k.s, k.mb*mb),
			fmt.Sprintf("sst-tiny-%dm", k.mb/20):  sheettest.TinyStrings(k.s, k.mb/20*mb),
			fmt.Sprintf("empty-cells-%dmb", k.mb): sheettest.EmptyCells(k.s, k.mb*mb/4/16_000, 16_000),
			// Admitted, as heavy as the limits allow.
			"sst-refs-3k":  sheettest.SharedRefs(k.s, def, 3_000),
			"sst-tiny-max": sheettest.TinyStrings(k.s, k.lim.MaxSharedStrings),
		} {
			write(name+"-"+k.kind+".xlsx", func(f *os.File) error { return b.Write(f) })
		}
	}
	write("header-10mb.csv", func(f *os.File) error { _, err := f.Write(sheettest.HeaderOnlyCSV(10 * mb)); return err })
	for _, n := range []int{29_000, 100_000} {
		ds := natgen.Generate(natgen.Options{EvaluationsPerKommun: n / natgen.DefaultKommuner})
		t.Logf("national-%d: %s", n, natgen.Describe(ds))
		write(fmt.Sprintf("national-%d.xlsx", n), func(f *os.File) error { return WriteXLSX(f, def, ds) })
	}
}
