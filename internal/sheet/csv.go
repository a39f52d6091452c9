package sheet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// ReadCSV reads the utvarderingar table from CSV: ";" or "," as separator
// (whichever the header line uses outside quotes), UTF-8 with or without
// BOM, RFC 4180 quoting. Kommuner and units are created as the rows name
// them, with unknown population. A cell written as "'=…" (also "'+", "'-",
// "'@", "'" before a tab or carriage return) is read without the apostrophe
// that WriteCSV adds against formula injection. A field longer than
// MaxCellChars refuses the file; a control character (other than tab and
// line breaks) is a problem of its row. The read stops with an error when
// ctx ends.
func ReadCSV(ctx context.Context, r io.Reader, def *form.Definition, lim Limits) (round.Dataset, error) {
	return ReadTables(ctx, map[string]io.Reader{SheetUtvarderingar: r}, def, lim)
}

// ReadImportCSV reads the utvarderingar table from CSV as ReadCSV does,
// keeping its evaluations packed (Import, see ReadImportXLSX).
func ReadImportCSV(ctx context.Context, r io.Reader, def *form.Definition, lim Limits) (*Import, error) {
	return ReadImportTables(ctx, map[string]io.Reader{SheetUtvarderingar: r}, def, lim)
}

// ReadTables reads CSV files named by the sheet they stand for: "kommuner",
// "enheter", "utvarderingar" (letter case, a ".csv" suffix and å, ä, ö do not
// matter). Together they are read like a workbook with those sheets. lim.MaxBytes
// bounds all the tables together.
func ReadTables(ctx context.Context, tables map[string]io.Reader, def *form.Definition, lim Limits) (round.Dataset, error) {
	im, err := ReadImportTables(ctx, tables, def, lim)
	if err != nil {
		return round.Dataset{}, err
	}
	return im.Dataset(), nil
}

// ReadImportTables reads CSV tables as ReadTables does, keeping their
// evaluations packed (Import, see ReadImportXLSX).
func ReadImportTables(ctx context.Context, tables map[string]io.Reader, def *form.Definition, lim Limits) (*Import, error) {
	lim = lim.withDefaults()
	b := newBuilder(def, lim)
	budget := lim.MaxBytes
	keys := make([]string, 0, len(tables))
	for k := range tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ts := map[string]*table{}
	for _, k := range keys {
		name := strings.TrimSuffix(normName(k), ".csv")
		if name != SheetKommuner && name != SheetEnheter && name != SheetUtvarderingar {
			b.add(k, 0, "", "Okänd tabell. Tabellerna heter %s, %s och %s.", SheetKommuner, SheetEnheter, SheetUtvarderingar)
			continue
		}
		if ts[name] != nil {
			b.add(name, 0, "", "Tabellen %s finns två gånger.", name)
			continue
		}
		src, err := newCSVSource(ctx, name, &budgetReader{r: tables[k], left: &budget}, lim.MaxBytes)
		if err != nil {
			return nil, err
		}
		ts[name] = &table{name: name, src: src, strict: true}
	}
	if len(b.probs) > 0 {
		b.probs.sort()
		return nil, b.probs
	}
	return b.run(ts)
}

var errBudget = errors.New("sheet: byte budget exceeded")

// budgetReader fails once more than *left bytes have been read through all
// the readers sharing left.
type budgetReader struct {
	r    io.Reader
	left *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.left <= 0 {
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, errBudget
		}
		return 0, err
	}
	if int64(len(p)) > *b.left {
		p = p[:*b.left]
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	return n, err
}

// csvSource reads records and numbers them as a spreadsheet shows them:
// a blank line is a row, a quoted line break is not.
type csvSource struct {
	ctx     context.Context
	table   string // canonical name, for messages
	cr      *csv.Reader
	limit   int64
	row     int // row number of the last record
	lastEnd int // line the last record ended on
}

// peekSize is how much of the file is inspected to find the separator.
const peekSize = 64 << 10

func newCSVSource(ctx context.Context, table string, r io.Reader, limit int64) (*csvSource, error) {
	br := bufio.NewReaderSize(r, peekSize)
	head, err := br.Peek(peekSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, csvReadError(err, limit)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, apperror.New(apperror.Invalid, "Filen är en Excel-arbetsbok (.xlsx), inte en CSV-fil. Ladda upp den som arbetsbok.")
	case looksUTF16(head):
		return nil, apperror.New(apperror.Invalid, "Filen är sparad som UTF-16 (Unicode-text). Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” och försök igen.")
	}
	cr := csv.NewReader(br)
	cr.Comma = detectSeparator(head)
	cr.LazyQuotes = false
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSource{ctx: ctx, table: table, cr: cr, limit: limit}, nil
}

// looksUTF16 tells UTF-16 text by its byte order mark, or by NUL bytes at
// most of the even or of the odd positions (the high bytes of Latin text).
// A NUL elsewhere is a control character, reported as such.
func looksUTF16(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	n := min(len(head), 512)
	if n < 4 {
		return false
	}
	var zeros [2]int
	for i, c := range head[:n] {
		if c == 0 {
			zeros[i%2]++
		}
	}
	return zeros[0] > n/4 || zeros[1] > n/4
}

// controlChar finds a C0 control character other than tab and line breaks:
// text files do not hold them, and they cannot be stored.
func controlChar(s string) (rune, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return rune(c), true
		}
	}
	return 0, false
}

// controlName names a control character for the user: U+0000 (NUL).
func controlName(r rune) string {
	name := ""
	switch r {
	case 0:
		name = "NUL, ett nolltecken"
	case 0x07:
		name = "BEL"
	case 0x08:
		name = "backsteg"
	case 0x0B:
		name = "vertikal tabb"
	case 0x0C:
		name = "sidmatning"
	case 0x1B:
		name = "ESC"
	}
	if name == "" {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("U+%04X (%s)", r, name)
}

// detectSeparator counts ";" and "," outside quotes on the header line.
func detectSeparator(head []byte) rune {
	semi, comma := 0, 0
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n' || c == '\r':
			if comma > semi {
				return ','
			}
			return ';'
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

func (s *csvSource) next() (int, []string, error) {
	for {
		if err := s.ctx.Err(); err != nil {
			return 0, nil, ctxError(s.ctx)
		}
		rec, err := s.cr.Read()
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, errBudget) {
			s.row += 1 + max(0, pe.StartLine-s.lastEnd-1)
			s.lastEnd = pe.Line
			return 0, nil, &rowProblem{row: s.row, msg: csvProblem(pe)}
		}
		if err != nil {
			return 0, nil, csvReadError(err, s.limit)
		}
		start, _ := s.cr.FieldPos(0)
		last, _ := s.cr.FieldPos(len(rec) - 1)
		s.row += 1 + max(0, start-s.lastEnd-1)
		s.lastEnd = last + strings.Count(rec[len(rec)-1], "\n")
		var control *rowProblem
		for i, c := range rec {
			if !utf8.ValidString(c) {
				return 0, nil, apperror.New(apperror.Invalid, "Filen är inte sparad som UTF-8 (rad %d har tecken som inte kan läsas). Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” och försök igen.", s.row)
			}
			if n := utf8.RuneCountInString(c); n > MaxCellChars {
				return 0, nil, apperror.New(apperror.TooLarge, "%s rad %d, kolumn %s: fältet har %s tecken; högst %s tillåts.", s.table, s.row, columnLetter(i), number(n), number(MaxCellChars))
			}
			if r, ok := controlChar(c); ok && control == nil {
				control = &rowProblem{row: s.row, msg: fmt.Sprintf("Kolumn %s innehåller styrtecknet %s, som inte hör hemma i en textfil. Ta bort tecknet och försök igen.", columnLetter(i), controlName(r))}
			}
			rec[i] = unquoteFormula(dropControls(c))
		}
		if control != nil {
			return 0, nil, control
		}
		if blank(rec) {
			continue
		}
		return s.row, rec, nil
	}
}

func csvProblem(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return "Raden har ett citattecken (\") som inte är avslutat eller dubblerat. Ett citattecken inuti ett citerat fält skrivs \"\"."
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "Raden har ett citattecken (\") mitt i ett fält som inte är citerat. Citera hela fältet och skriv citattecknet som \"\"."
	}
	return "Raden kunde inte läsas som CSV."
}

func csvReadError(err error, limit int64) error {
	if errors.Is(err, errBudget) {
		return tooLarge(limit)
	}
	return apperror.New(apperror.Invalid, "Filen kunde inte läsas: %v", err)
}

// formulaLead tells whether a cell starting with c could be taken for a
// formula (or formula-like control) by a spreadsheet program.
func formulaLead(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quoteFormula prefixes an apostrophe to a cell a spreadsheet program would
// take for a formula. Cells that already start with apostrophes before such a
// character get one more, so unquoteFormula restores every value exactly.
func quoteFormula(s string) string {
	t := strings.TrimLeft(s, "'")
	if t != "" && formulaLead(t[0]) {
		return "'" + s
	}
	return s
}

// unquoteFormula undoes quoteFormula.
func unquoteFormula(s string) string {
	if !strings.HasPrefix(s, "'") {
		return s
	}
	t := strings.TrimLeft(s, "'")
	if t != "" && formulaLead(t[0]) {
		return s[1:]
	}
	return s
}
