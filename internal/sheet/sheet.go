// Package sheet reads and writes the interchange format of design §4 — XLSX
// workbooks with the sheets kommuner, enheter and utvarderingar, and CSV files
// carrying the utvarderingar table alone.
//
// The columns of utvarderingar come from the form definition (form.Definition):
// kommun, enhet, then every field code in form order. A multi-choice field is
// read from one column of option codes or labels separated by ";" or ",", or
// from XLSForm-style columns "code/option" holding ja/nej (blank is nej); it
// is written in the per-option form, "ja" for a chosen option and blank for
// the others.
//
// Reading is all-or-nothing: either a complete round.Dataset, or Problems
// naming every bad cell by sheet, row and column with a Swedish message, or a
// plain *apperror.Error when the file cannot be read at all. The import's
// readers (ReadImportXLSX, ReadImportCSV) return an Import instead, whose
// evaluations are kept packed so that a round of any number of rows fits.
//
// Reading takes bounded memory and time, whatever the file. A workbook is
// checked before excelize opens it (inspect.go): the sizes its zip
// declares, then each part that reading needs, streamed and scanned with
// the limits enforced as it goes (Limits, MaxCellChars, MaxColumns); a file
// over a limit is refused with apperror.TooLarge and a message naming what
// was too big. Only those parts reach excelize, which reads the rows as a
// stream. Every read takes a context and stops when it ends; its temporary
// files are removed when it returns, and RemoveStaleTemp removes those of a
// killed process. Text the user wrote is quoted in messages through
// apperror.Clip.
package sheet

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
)

// Sheet (and CSV table) names of the interchange format.
const (
	SheetKommuner      = "kommuner"
	SheetEnheter       = "enheter"
	SheetUtvarderingar = "utvarderingar"
)

// Column names outside the form's field codes.
const (
	colKommun          = "kommun"
	colInvanare        = "invanare"
	colKommunkod       = "kommunkod"
	colEnhet           = "enhet"
	colOmrade          = "omrade"
	colFordelning      = "fordelning"
	colStatus          = "status"
	colOrsak           = "orsak"
	colVerksamhetschef = "verksamhetschef"
	colEpost           = "epost"
)

// OptionSeparator joins a multi-choice field's code and an option code in an
// XLSForm-style column name: "anvandning/handlingsplan".
const OptionSeparator = "/"

// MaxProblems is how many problems a read reports before it gives up.
const MaxProblems = 1000

// Problem is one bad cell, row or column of an import.
type Problem struct {
	Sheet   string // kommuner, enheter, utvarderingar; "" for the file as a whole
	Row     int    // 1-based spreadsheet row (the header is row 1); 0 for the sheet as a whole
	Column  string // column name (a field code for answers), or a column letter when the column has no name
	Message string // Swedish, for the user
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Sheet)
	if p.Row > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "rad %d", p.Row)
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "kolumn %s", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem of a refused import, in sheet order (kommuner,
// enheter, utvarderingar) and then row order. It is the error ReadXLSX,
// ReadCSV and ReadTables return for bad content.
//
// Problems also answers errors.As for *apperror.Error with code
// apperror.Invalid and a one-line summary, so layers that only know apperror
// report it as the user's mistake.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Summary is a one-line Swedish description of the refused import.
func (ps Problems) Summary() string {
	n := len(ps)
	if n > MaxProblems {
		return fmt.Sprintf("Importen har fler än %d fel och har inte sparats. Rätta dem och försök igen.", MaxProblems)
	}
	if n == 1 {
		return "Importen har ett fel och har inte sparats: " + ps[0].String()
	}
	return fmt.Sprintf("Importen har %d fel och har inte sparats. Rätta dem och försök igen.", n)
}

// As lets errors.As find an *apperror.Error in Problems.
func (ps Problems) As(target any) bool {
	if t, ok := target.(**apperror.Error); ok {
		*t = apperror.New(apperror.Invalid, "%s", ps.Summary())
		return true
	}
	return false
}

// sheetRank orders problems: the file first, then the sheets in the order
// they are read.
func sheetRank(s string) int {
	switch s {
	case "":
		return 0
	case SheetKommuner:
		return 1
	case SheetEnheter:
		return 2
	case SheetUtvarderingar:
		return 3
	}
	return 4
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if ra, rb := sheetRank(a.Sheet), sheetRank(b.Sheet); ra != rb {
			return ra < rb
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		return a.Row < b.Row
	})
}

// Bounds of every read, whatever its Limits.
const (
	// MaxCellChars is the most characters one cell (or shared string) may
	// hold: Excel's own limit. The form's longest field is far shorter, so
	// a longer text would be refused anyway; this bound is checked before
	// anything is read into memory. Whitespace counts, and so does text
	// between the cells of a worksheet.
	MaxCellChars = excelize.TotalCellChars
	// MaxColumns is the widest sheet read: a header with more columns, or
	// a value further to the right, is refused.
	MaxColumns = 1000
	// MaxUploadRows is how many data rows a file uploaded through the web
	// may have: a unit's form (a unit has at most a few hundred
	// evaluations) or a round's units (a national round has 1 500).
	MaxUploadRows = 5_000
)

// Limits bound what a read accepts. A zero field takes its default.
type Limits struct {
	MaxBytes     int64 // size of the uploaded file (all tables together for ReadTables)
	MaxRows      int   // data rows per sheet, header not counted; 0 for no bound (DefaultLimits)
	MaxUnzipSize int64 // XLSX: total unzipped size of the workbook's parts
	MaxPartSize  int64 // XLSX: unzipped size of one worksheet, or of the shared strings
	// MaxSharedStrings bounds the number of shared strings (XLSX).
	MaxSharedStrings int
	// MaxText bounds the characters of all cells together (XLSX): a
	// shared string is counted in every cell that shows it.
	MaxText int64
	// MaxCells bounds the cells of the sheets read, empty ones included
	// (XLSX): each costs excelize time to parse.
	MaxCells int
}

// DefaultLimits are those of an import (inventera import). They bound no
// rows, so that a country-wide round or several years of rounds import in
// one file: ten times a national round (290 000 evaluations) is well
// within them.
//
// Rows are read one at a time, and memory holds only the evaluations kept,
// packed (Import): about as many bytes as the text of their cells. So
// MaxText is what bounds memory: 100 million characters, a national round
// fifteen times over (one has some 6,5 million), and at most about 300 MB
// of memory even when every row is filled with the longest texts the form
// allows. The unpacked sizes and the cells cost temporary disk and time,
// not memory; they are sized for as much text in the most verbose
// workbook. The bounds of every read (MaxCellChars, MaxColumns, the
// structure inspect checks) hold as for uploads.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 512 << 20, MaxRows: 0, MaxUnzipSize: 2 << 30, MaxPartSize: 1 << 30,
		MaxSharedStrings: 1_000_000, MaxText: 100_000_000, MaxCells: 32_000_000}
}

// UploadLimits are those of a file uploaded through the web: smaller, so
// that reading one takes seconds and well under 100 MB of memory.
func UploadLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxRows: MaxUploadRows, MaxUnzipSize: 128 << 20, MaxPartSize: 64 << 20,
		MaxSharedStrings: 200_000, MaxText: 20_000_000, MaxCells: 1_000_000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxUnzipSize <= 0 {
		l.MaxUnzipSize = d.MaxUnzipSize
	}
	if l.MaxPartSize <= 0 {
		l.MaxPartSize = min(d.MaxPartSize, l.MaxUnzipSize)
	}
	if l.MaxSharedStrings <= 0 {
		l.MaxSharedStrings = d.MaxSharedStrings
	}
	if l.MaxText <= 0 {
		l.MaxText = d.MaxText
	}
	if l.MaxCells <= 0 {
		l.MaxCells = d.MaxCells
	}
	return l
}

// errStop ends a read early: too many rows or too many problems.
var errStop = errors.New("sheet: stop reading")

func tooLarge(limit int64) error {
	return apperror.New(apperror.TooLarge, "Filen är för stor: högst %s. Dela upp den i flera filer.", formatBytes(limit))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return form.FormatNumber(float64(n)/(1<<20), 1) + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}
