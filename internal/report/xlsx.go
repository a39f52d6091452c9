package report

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/pace"
)

// Sheet names of the XLSX report, in order.
const (
	SheetSummary        = "Sammanfattning"
	SheetFindings       = "Iakttagelser"
	SheetTable1         = "Tabell 1"
	SheetCosts          = "Tabell 2 kostnader"
	SheetUsage          = "Användning"
	SheetInitiator      = "Uppdragsgivare"
	SheetResponsibility = "Resultatansvar"
	SheetSurveys        = "Brukarundersökningar"
	SheetUnused         = "Ej använda"
	SheetNonResponding  = "Ej svarat"
	SheetChartData      = "Diagramdata"
	SheetComparison     = "Jämförelse"   // only when the report is compared
	SheetRecurrence     = "Återkommande" // only when compared with what recurs
)

// Rows of a report sheet: its caption, its source, then the table's header
// and its rows. The first three repeat on every printed page.
const (
	captionRow = 1
	sourceRow  = 2
	headerRow  = 3
	firstRow   = headerRow + 1
)

// XLSX writes the report as a workbook with one sheet per table, for people
// who print it or work on in it: every sheet has a caption and its source,
// prints landscape, fit to the page's width, with its title rows repeated;
// usage and costs come with native Excel charts a user can restyle.
// Numbers are number cells with Swedish formats ("9 073 287 kr",
// "4,3 %"); text is always a text cell, never a formula, so a unit named
// "=SUM(A1)" stays text.
//
// raw, when not nil, is called last to add the raw evaluations (the
// interchange sheets, whose header stays in row 1 so that they re-import).
// They get the same print setup: raw calls setup with each sheet it adds
// before it writes the sheet's rows, as a sheet written with excelize's
// StreamWriter cannot be changed once flushed (excelize would write the
// change nowhere). A sheet raw adds without calling setup is set up
// afterwards, which only works for a sheet not streamed.
//
// Every sheet is streamed (excelize.StreamWriter), so the workbook's cells
// are never held in memory as excelize's cell structures; excelize spills
// a large sheet to a temporary file. The workbook is complete before the
// first byte goes to w (excelize builds the ZIP in memory, see
// excelize.File.WriteTo), so w gets nothing on error.
//
// Its rows are points where a report build gives way to queued requests
// (package pace); ctx carries that build.
func (r *Renderer) XLSX(ctx context.Context, w io.Writer, rep *aggregate.Report, raw func(f *excelize.File, setup func(sheet string) error) error) (err error) {
	if rep == nil {
		return fmt.Errorf("report: no report")
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("report: XLSX: %w", cerr)
		}
	}()
	// The workbook is compressed at the end, in one go: its compressed
	// bytes are points where the build gives way too.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return zipWriter(pace.Writer(ctx, w)) })
	st, err := newXStyles(f)
	if err != nil {
		return fmt.Errorf("report: XLSX styles: %w", err)
	}
	title := rep.Round.Name + " – jämförande rapport"
	if rep.Round.Name == "" {
		title = "Jämförande rapport"
	}
	source := "Källa: " + title + ", sammanställd av inventera ur kommunernas inrapporterade utvärderingar."
	reportSheets := map[string]bool{}
	setUp := map[string]bool{}
	for i, s := range r.sheets(rep) {
		if err := writeSheet(ctx, f, st, s, source, title, i == 0); err != nil {
			return fmt.Errorf("report: XLSX sheet %q: %w", s.name, err)
		}
		reportSheets[s.name] = true
		setUp[s.name] = true
	}
	if raw != nil {
		setup := func(sheet string) error {
			if err := pageSetup(f, sheet, title); err != nil {
				return fmt.Errorf("report: XLSX print setup of %q: %w", sheet, err)
			}
			setUp[sheet] = true
			return nil
		}
		if err := raw(f, setup); err != nil {
			return fmt.Errorf("report: XLSX raw evaluations: %w", err)
		}
	}
	// The print titles are the workbook's defined names, not the sheets':
	// they can be set once every sheet is written.
	for _, name := range f.GetSheetList() {
		if !setUp[name] {
			if err := pageSetup(f, name, title); err != nil {
				return fmt.Errorf("report: XLSX print setup of %q: %w", name, err)
			}
		}
		titleRows := headerRow
		if !reportSheets[name] {
			titleRows = 1 // the interchange format's header
		}
		if err := printTitles(f, name, titleRows); err != nil {
			return fmt.Errorf("report: XLSX print titles of %q: %w", name, err)
		}
	}
	// The first sheet is the active one as excelize.NewFile made it; the
	// sheets added since are not selected. (f.SetActiveSheet would read
	// every streamed sheet back into memory to unselect it.)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    title,
		Creator:  "inventera",
		Language: "sv-SE",
	}); err != nil {
		return fmt.Errorf("report: XLSX: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: XLSX: %w", err)
	}
	return nil
}

// zipLevel is the deflate level of the workbook's parts: 5 packs the XML
// of a national round's raw sheets within 1 % of the default (6) in two
// thirds of the time (at ten times a national round, 26 MB in 2.1 s rather
// than 3.1 s).
const zipLevel = 5

// zipWriter is the workbook's ZIP writer: excelize's (archive/zip) with
// zipLevel, one deflater serving every part in turn (zip.Writer closes a
// part before it starts the next).
func zipWriter(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	var fw *flate.Writer
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw == nil {
			var err error
			if fw, err = flate.NewWriter(out, zipLevel); err != nil {
				return nil, err
			}
			return fw, nil
		}
		fw.Reset(out)
		return fw, nil
	})
	return zw
}

// pageSetup makes a sheet print landscape on A4, fit to the page's width,
// with the report's title, the sheet's name and the page number in the
// margins. A streamed sheet must get it before its StreamWriter is made.
func pageSetup(f *excelize.File, sheet, title string) error {
	landscape, a4, wide, tall := "landscape", 9, 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	return f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L" + esc(title) + "&R&A",
		OddFooter: "&LKälla: inventera&RSida &P av &N",
	})
}

// printTitles repeats a sheet's first titleRows rows on every printed page.
func printTitles(f *excelize.File, sheet string, titleRows int) error {
	return f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: "'" + strings.ReplaceAll(sheet, "'", "''") + "'!$1:$" + strconv.Itoa(titleRows),
		Scope:    sheet,
	})
}

// kind is how a column's numbers are formatted.
type kind int

const (
	kText     kind = iota
	kCount         // integer, thousands grouped
	kKronor        // whole kronor, thousands grouped, "kr"
	kShare         // a fraction shown as a percentage with one decimal
	kLong          // long text, wrapped in a wide column
	kChange        // a change of a count, with its sign: "+15", "−3"
	kChangeKr      // a change in kronor, with its sign: "+12 000 kr"
	kPoints        // a change of a share in percentage points (the value is points): "−3,0 p.e."
	nKinds
)

// Swedish number formats: Excel groups thousands with the reader's
// separator (a space in Swedish Excel and LibreOffice).
const (
	fmtCount  = "#,##0"
	fmtKronor = `#,##0" kr"`
	fmtShare  = `0.0" "%`
	// Changes carry their sign; the minus is U+2212, as in the text.
	fmtChange   = `"+"#,##0;"−"#,##0;"±"0`
	fmtChangeKr = `"+"#,##0" kr";"−"#,##0" kr";"±"0" kr"`
	fmtPoints   = `"+"0.0" p.e.";"−"0.0" p.e.";"±"0.0" p.e."`
)

// xsheet is one sheet: its caption, columns, rows and charts.
type xsheet struct {
	name    string
	caption string
	cols    []xcol
	rows    []xrow
	notes   []string // below the table
	charts  []xchart
}

type xcol struct {
	head string
	kind kind
}

// xrow is one row; a cell is a string (text), an int or a float64 (number)
// or nil (blank). A cell of type xcell overrides the column's kind.
type xrow struct {
	cells []any
	bold  bool // a total row
}

type xcell struct {
	v any
	k kind
}

// cell is the value of row's cell ci and its kind (the column's, unless
// an xcell overrides it); ok is false for a blank cell or one beyond the
// sheet's columns.
func (s xsheet) cell(row xrow, ci int) (v any, k kind, ok bool) {
	if ci >= len(s.cols) || ci >= len(row.cells) || row.cells[ci] == nil {
		return nil, 0, false
	}
	v, k = row.cells[ci], s.cols[ci].kind
	if c, isCell := v.(xcell); isCell {
		v, k = c.v, c.k
	}
	return v, k, true
}

// xchart is a native Excel chart of some of a sheet's columns over its
// first len(rows)-skipLast rows, placed below the table.
type xchart struct {
	title    string
	typ      excelize.ChartType
	columns  []int // 0-based columns holding the series
	fills    []string
	skipLast int // total rows at the end that are not charted
	percent  bool
}

// xstyles are the style ids: per kind, plain and bold; the header, the
// caption, the source and the notes.
type xstyles struct {
	plain, bold                              [nKinds]int
	header, headerNum, caption, source, note int
}

func newXStyles(f *excelize.File) (*xstyles, error) {
	var s xstyles
	for k := range nKinds {
		for _, bold := range []bool{false, true} {
			style := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}
			if bold {
				style.Font = &excelize.Font{Bold: true}
				style.Border = []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
			}
			var custom string
			switch k {
			case kText, kLong:
				style.Alignment.WrapText = true
			case kCount:
				custom = fmtCount
			case kKronor:
				custom = fmtKronor
			case kShare:
				custom = fmtShare
			case kChange:
				custom = fmtChange
			case kChangeKr:
				custom = fmtChangeKr
			case kPoints:
				custom = fmtPoints
			}
			if custom != "" {
				style.CustomNumFmt = &custom
			}
			id, err := f.NewStyle(style)
			if err != nil {
				return nil, err
			}
			if bold {
				s.bold[k] = id
			} else {
				s.plain[k] = id
			}
		}
	}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom"},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 2}},
	}); err != nil {
		return nil, err
	}
	if s.headerNum, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom", Horizontal: "right"},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 2}},
	}); err != nil {
		return nil, err
	}
	if s.caption, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}); err != nil {
		return nil, err
	}
	if s.source, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "4D4D4D"}}); err != nil {
		return nil, err
	}
	if s.note, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "4D4D4D"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return nil, err
	}
	return &s, nil
}

// maxCellChars is Excel's limit on the characters of one cell.
const maxCellChars = 32767

// Column widths in characters.
const (
	minWidth  = 9.0
	maxWidth  = 60.0
	longWidth = 100.0
)

// writeSheet writes one report sheet, through a StreamWriter unless it has
// a chart (see rowWriter). What the StreamWriter takes from the sheet as it
// is when made — column widths, the frozen panes, the autofilter, the
// charts' drawing and the print setup — is set first, on the empty sheet,
// with the widths and row heights worked out from the rows beforehand;
// then the rows are written in order.
func writeSheet(ctx context.Context, f *excelize.File, st *xstyles, s xsheet, source, title string, first bool) error {
	if first {
		if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	last := len(s.cols)
	lastCol, err := excelize.ColumnNumberToName(last)
	if err != nil {
		return err
	}

	widths := make([]float64, last)
	for i, c := range s.cols {
		// Heads wrap at 18 characters, but a word is never split.
		widths[i] = float64(min(utf8.RuneCountInString(c.head), 18))
		for _, w := range strings.Fields(c.head) {
			widths[i] = max(widths[i], float64(utf8.RuneCountInString(w)))
		}
	}
	heights := make([]float64, len(s.rows)) // 0: the default
	for ri, row := range s.rows {
		lines := 1
		for ci := range row.cells {
			v, k, ok := s.cell(row, ci)
			if !ok {
				continue
			}
			var w int
			switch v := v.(type) {
			case string:
				v = cellText(v)
				w = utf8.RuneCountInString(v)
				if k == kLong {
					lines = max(lines, wrappedLines(v, longWidth))
				}
			case int:
				w = len(integer(v)) + 1
			case float64:
				w = numberWidth(v, k)
			default:
				ref, _ := excelize.CoordinatesToCellName(ci+1, firstRow+ri)
				return fmt.Errorf("cell %s: unsupported value %T", ref, v)
			}
			if k != kLong {
				widths[ci] = max(widths[ci], float64(w))
			}
		}
		for ci, c := range s.cols {
			if c.kind == kText && ci < len(row.cells) {
				if v, ok := row.cells[ci].(string); ok && utf8.RuneCountInString(v) > int(maxWidth) {
					lines = max(lines, wrappedLines(v, maxWidth))
				}
			}
		}
		if lines > 1 {
			// LibreOffice does not grow a row for wrapped text on its
			// own; without a height, long findings overlap.
			heights[ri] = math.Min(409, 15*float64(lines))
		}
	}
	headLines := 1
	tableWidth := 0.0 // notes span the table's width, wrapped
	for i, c := range s.cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w := min(max(widths[i]+2, minWidth), maxWidth)
		if c.kind == kLong {
			w = longWidth
		}
		if err := f.SetColWidth(s.name, col, col, w); err != nil {
			return err
		}
		headLines = max(headLines, wrappedLines(c.head, w-2))
		tableWidth += w
	}
	end := firstRow + len(s.rows) // the row after the table
	if len(s.rows) > 0 {
		ref := fmt.Sprintf("A%d:%s%d", headerRow, lastCol, end-1)
		if err := f.AutoFilter(s.name, ref, nil); err != nil {
			return err
		}
	}
	// A chart's anchor is worked out from the column widths, set above.
	at := end + len(s.notes) + 2
	for _, c := range s.charts {
		h, err := addChart(f, s, c, at)
		if err != nil {
			return fmt.Errorf("chart %q: %w", c.title, err)
		}
		at += h
	}
	// After the autofilter, which replaces the sheet's properties.
	if err := pageSetup(f, s.name, title); err != nil {
		return err
	}
	if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: "A" + strconv.Itoa(firstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	out, err := newRowWriter(ctx, f, s.name, len(s.charts) == 0)
	if err != nil {
		return err
	}
	if err := out.row(captionRow, []any{excelize.Cell{StyleID: st.caption, Value: s.caption}}, 0); err != nil {
		return err
	}
	if err := out.row(sourceRow, []any{excelize.Cell{StyleID: st.source, Value: source}}, 0); err != nil {
		return err
	}
	cells := make([]any, last)
	for i, c := range s.cols {
		style := st.header
		if c.kind != kText && c.kind != kLong {
			style = st.headerNum
		}
		cells[i] = excelize.Cell{StyleID: style, Value: c.head}
	}
	// LibreOffice does not grow the header row for its wrapped heads.
	headHeight := 0.0
	if headLines > 1 {
		headHeight = math.Min(409, 15*float64(headLines))
	}
	if err := out.row(headerRow, cells, headHeight); err != nil {
		return err
	}
	for ri, row := range s.rows {
		clear(cells)
		for ci := range row.cells {
			v, k, ok := s.cell(row, ci)
			if !ok {
				continue
			}
			style := st.plain[k]
			if row.bold {
				style = st.bold[k]
			}
			if t, ok := v.(string); ok {
				v = cellText(t)
			}
			cells[ci] = excelize.Cell{StyleID: style, Value: v}
		}
		if err := out.row(firstRow+ri, cells, heights[ri]); err != nil {
			return err
		}
	}
	for i, n := range s.notes {
		r := end + 1 + i
		clear(cells)
		cells[0] = excelize.Cell{StyleID: st.note, Value: n}
		for ci := 1; ci < last; ci++ {
			cells[ci] = excelize.Cell{StyleID: st.note}
		}
		if err := out.row(r, cells, math.Min(409, 15*float64(wrappedLines(n, tableWidth)))); err != nil {
			return err
		}
		if last > 1 {
			if err := out.merge("A"+strconv.Itoa(r), lastCol+strconv.Itoa(r)); err != nil {
				return err
			}
		}
	}
	return out.flush()
}

// rowWriter writes a sheet's rows in order, each cell an excelize.Cell (or
// nil for none), through a StreamWriter or, for a sheet with a chart, cell
// by cell: excelize's StreamWriter writes the sheet's drawing reference
// with a namespace prefix of its own (relationships:id, not r:id), which
// excelize itself rewrites for a sheet it writes whole, as some readers
// insist on r:id. A sheet with a chart has a row per kommun, so holding its
// cells costs little.
type rowWriter struct {
	ctx   context.Context // the build, paced every pacedRows rows
	f     *excelize.File
	sheet string
	sw    *excelize.StreamWriter // nil: cell by cell
	rows  int
}

// pacedRows is how many rows a sheet gets between points where the build
// gives way to queued requests (package pace).
const pacedRows = 256

func newRowWriter(ctx context.Context, f *excelize.File, sheet string, stream bool) (*rowWriter, error) {
	w := &rowWriter{ctx: ctx, f: f, sheet: sheet}
	if stream {
		var err error
		if w.sw, err = f.NewStreamWriter(sheet); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// row writes row r; a height of 0 leaves the default.
func (w *rowWriter) row(r int, cells []any, height float64) error {
	if w.rows++; w.rows%pacedRows == 0 {
		pace.Point(w.ctx)
	}
	if w.sw != nil {
		var opts []excelize.RowOpts
		if height > 0 {
			opts = append(opts, excelize.RowOpts{Height: height})
		}
		return w.sw.SetRow("A"+strconv.Itoa(r), cells, opts...)
	}
	for i, v := range cells {
		c, ok := v.(excelize.Cell)
		if !ok {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(i+1, r)
		if err != nil {
			return err
		}
		if c.Value != nil {
			if err := w.f.SetCellValue(w.sheet, ref, c.Value); err != nil {
				return err
			}
		}
		if err := w.f.SetCellStyle(w.sheet, ref, ref, c.StyleID); err != nil {
			return err
		}
	}
	if height > 0 {
		return w.f.SetRowHeight(w.sheet, r, height)
	}
	return nil
}

func (w *rowWriter) merge(from, to string) error {
	if w.sw != nil {
		return w.sw.MergeCell(from, to)
	}
	return w.f.MergeCell(w.sheet, from, to)
}

func (w *rowWriter) flush() error {
	if w.sw != nil {
		return w.sw.Flush()
	}
	return nil
}

// cellText is a text as a cell holds it: Excel's limit is maxCellChars.
func cellText(v string) string {
	if utf8.RuneCountInString(v) > maxCellChars {
		return string([]rune(v)[:maxCellChars-1]) + "…"
	}
	return v
}

// wrappedLines estimates the lines text takes in a column width characters
// wide.
func wrappedLines(s string, width float64) int {
	n := 0
	for _, para := range strings.Split(s, "\n") {
		n += max(1, int(math.Ceil(float64(utf8.RuneCountInString(para))/(width*1.05))))
	}
	return n
}

// addChart places a native chart of the sheet's columns at the row and
// returns how many rows it covers.
func addChart(f *excelize.File, s xsheet, c xchart, at int) (int, error) {
	n := len(s.rows) - c.skipLast
	if n <= 0 {
		return 0, nil
	}
	quoted := "'" + strings.ReplaceAll(s.name, "'", "''") + "'"
	cats := fmt.Sprintf("%s!$A$%d:$A$%d", quoted, firstRow, firstRow+n-1)
	ch := &excelize.Chart{
		Type:   c.typ,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title}}},
		Legend: excelize.ChartLegend{Position: "top"},
		XAxis:  excelize.ChartAxis{ReverseOrder: true}, // the first kommun on top, as in the table
		YAxis:  excelize.ChartAxis{MajorGridLines: true},
	}
	if c.percent {
		max1 := 1.0
		ch.YAxis.Maximum = &max1
		ch.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "0%"}
	} else {
		ch.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: fmtCount}
	}
	for i, col := range c.columns {
		name, err := excelize.ColumnNumberToName(col + 1)
		if err != nil {
			return 0, err
		}
		ch.Series = append(ch.Series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", quoted, name, headerRow),
			Categories: cats,
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", quoted, name, firstRow, name, firstRow+n-1),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.fills[i%len(c.fills)]}},
		})
	}
	// A bar per kommun and series, tall enough to read.
	perKommun := 16 * len(c.columns)
	if c.typ == excelize.BarStacked {
		perKommun = 24
	}
	height := min(max(320, 90+n*perKommun), 4000)
	ch.Dimension = excelize.ChartDimension{Width: 900, Height: uint(height)}
	if err := f.AddChart(s.name, "A"+strconv.Itoa(at), ch); err != nil {
		return 0, err
	}
	return height/20 + 2, nil
}

// numberWidth estimates the displayed width of a number cell.
func numberWidth(v float64, k kind) int {
	switch k {
	case kShare:
		return 8
	case kKronor, kChangeKr:
		return len(kr(v)) + 1
	case kPoints:
		return 12
	}
	return len(numfmt.Number(v, 0)) + 1
}

// costHeads are the column heads of the cost kinds of aggregate.Costs.Parts.
var costHeads = [5]string{"Lön (kr)", "Konsult (kr)", "Material o dyl (kr)", "Övrigt (kr)", "Ej uppdelat (kr)"}

// Chart colours: the Okabe–Ito palette of the report's charts.
var (
	usageChartFills = []string{"0072B2", "009E73", "56B4E9", "CC79A7", "D55E00"}
	costChartFills  = []string{"0072B2", "E69F00", "009E73", "D55E00", "BFBFBF"}
)

// sheets lays out every table of the report.
func (r *Renderer) sheets(rep *aggregate.Report) []xsheet {
	lb := r.labels
	nw := rep.Network
	ms := rep.Municipalities

	summary := xsheet{name: SheetSummary, caption: "Sammanfattning – " + rep.Round.Name,
		cols: []xcol{{"Uppgift", kText}, {"Värde", kLong}}}
	sum := buildSummary(rep, lb)
	for i, l := range sum.Lead {
		head := ""
		if i == 0 {
			head = "Det viktigaste"
		}
		summary.rows = append(summary.rows, xrow{cells: []any{head, l}})
	}
	summary.rows = append(summary.rows,
		xrow{cells: []any{"Kommuner", xcell{len(ms), kCount}}},
		xrow{cells: []any{"Utvärderingar (varje utvärdering räknad en gång)", xcell{nw.Evaluations, kCount}}},
		xrow{cells: []any{"Utvärderingar räknat per kommun", xcell{nw.EvaluationsPerKommun, kCount}}},
		xrow{cells: []any{"Kostnad totalt", xcell{nw.Costs.Total, kKronor}}},
	)
	if nw.Costs.PerInvanare != nil {
		summary.rows = append(summary.rows, xrow{cells: []any{"Kostnad per invånare", xcell{*nw.Costs.PerInvanare, kKronor}}})
	}
	summary.rows = append(summary.rows,
		xrow{cells: []any{"Används inte alls (andel av alla utvärderingar)", xcell{nw.UsagePooled.InteAlls, kShare}}},
		xrow{cells: []any{"Svarsfrekvens (andel av enheterna)", xcell{nw.ResponseRate, kShare}}},
		xrow{cells: []any{"Timkostnad för egen tid", xcell{int(rep.Round.HourlyRate), kKronor}}},
	)
	if src := rep.Round.PopulationSource; src != "" {
		summary.rows = append(summary.rows, xrow{cells: []any{"Invånarantal enligt", src}})
	}
	for i, k := range sum.Key {
		head := ""
		if i == 0 {
			head = "Viktigaste iakttagelser"
		}
		summary.rows = append(summary.rows, xrow{cells: []any{head, k}})
	}
	if rep.Reflection != "" {
		summary.rows = append(summary.rows, xrow{cells: []any{"Reflektioner och förslag", rep.Reflection}})
	}
	for _, m := range ms {
		if m.Comment != "" {
			summary.rows = append(summary.rows, xrow{cells: []any{"Kommentar, " + m.Name, m.Comment}})
		}
		for _, sentence := range excludedNote(rep) {
			summary.rows = append(summary.rows, xrow{cells: []any{"Utanför avgränsningen", sentence}})
		}
	}
	for _, u := range rep.EqualSplitUnits {
		summary.rows = append(summary.rows, xrow{cells: []any{"Kostnad fördelad lika (invånarantal saknas)", u}})
	}
	for i, m := range methods(rep) {
		head := ""
		if i == 0 {
			head = "Om metoden"
		}
		summary.rows = append(summary.rows, xrow{cells: []any{head, m}})
	}
	summary.rows = append(summary.rows,
		xrow{cells: []any{"Registrerade men inte inskickade utvärderingar (räknas inte)", xcell{nw.UnsubmittedEvaluations, kCount}}},
		xrow{cells: []any{"Varav utkast", xcell{nw.UnsubmittedDrafts, kCount}}},
	)
	for _, sentence := range methodNote(rep) {
		summary.rows = append(summary.rows, xrow{cells: []any{"Om underlaget", sentence}})
	}

	findings := xsheet{name: SheetFindings, caption: "Iakttagelser framräknade ur uppgifterna",
		cols: []xcol{{"Mått", kText}, {"Riktning", kText}, {"Kommuner", kText}, {"Iakttagelse", kLong}}}
	for _, f := range rep.Findings {
		findings.rows = append(findings.rows, xrow{cells: []any{findingMeasure(f, lb), findingDirection(f),
			numfmt.List(f.Kommuner), f.Text}})
	}
	findings.notes = []string{aggregate.MethodsNote}

	t1 := xsheet{name: SheetTable1, caption: "Tabell 1. Antal utvärderingar och enheternas svar per kommun", cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}, {"Enheter", kCount},
		{"Har lämnat in", kCount}, {"Inga utvärderingar", kCount}, {"Avböjt", kCount}, {"Har inte svarat", kCount},
		{"Registrerade men inte inskickade utvärderingar", kCount}}}
	for _, m := range ms {
		r := m.Response
		t1.rows = append(t1.rows, xrow{cells: []any{m.Name, m.Evaluations, r.Units, r.Submitted, r.IngaUtvarderingar, r.Declined, r.NotResponded,
			m.UnsubmittedEvaluations}})
	}
	t1.rows = append(t1.rows, xrow{bold: true, cells: []any{"Nätverket (varje utvärdering räknad en gång)", nw.Evaluations,
		nil, nil, nil, nil, nil, nw.UnsubmittedEvaluations}})

	costs := xsheet{name: SheetCosts, caption: "Tabell 2. Kommunvis kostnadsfördelning", cols: []xcol{{"Kommun", kText}},
		notes: []string{"Lön är egen insatt tid värderad till " + kr(float64(rep.Round.HourlyRate)) + " per timme. " +
			"Ej uppdelat är totalkostnader som inte har delats upp på kostnadsslag. Utvärderingar med kostnad är de för vilka någon kostnad eller tid har angetts."},
		charts: []xchart{{title: "Kostnader per kommun, fördelade på kostnadsslag", typ: excelize.BarStacked,
			columns: []int{1, 2, 3, 4, 5}, fills: costChartFills, skipLast: 1}}}
	for _, c := range costHeads {
		costs.cols = append(costs.cols, xcol{c, kKronor})
	}
	costs.cols = append(costs.cols, []xcol{{"Totalt (kr)", kKronor},
		{"Utvärderingar", kCount}, {"Utvärderingar med kostnad", kCount}, {"Invånare", kCount}, {"Kostnad per invånare (kr)", kKronor}}...)
	for _, m := range ms {
		p := m.Costs.Parts()
		var inv, per any
		if m.Population != nil {
			inv = int(*m.Population)
		}
		if m.Costs.PerInvanare != nil {
			per = *m.Costs.PerInvanare
		}
		costs.rows = append(costs.rows, xrow{cells: []any{m.Name, p[0], p[1], p[2], p[3], p[4], m.Costs.Total,
			m.Evaluations, m.Costs.WithCost, inv, per}})
	}
	if src := rep.Round.PopulationSource; src != "" {
		costs.notes = append(costs.notes, "Invånarantal: "+src+".")
	}
	nc := nw.Costs
	var netInv, netPer any
	if nw.Population != nil {
		netInv = int(*nw.Population)
	}
	if nc.PerInvanare != nil {
		netPer = *nc.PerInvanare
	}
	costs.rows = append(costs.rows, xrow{bold: true, cells: []any{"Nätverket", nc.Lon, nc.Konsult, nc.Material, nc.Ovrigt, nc.EjUppdelat,
		nc.Total, nw.Evaluations, nc.WithCost, netInv, netPer}})

	usage := xsheet{name: SheetUsage, caption: "Hur resultaten används: andel av kommunens utvärderingar",
		cols:  []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}},
		notes: []string{"En utvärdering kan ha använts på flera sätt, så andelarna summerar inte till 100 %. Genomsnittet är medelvärdet av kommunernas andelar."}}
	for _, k := range aggregate.UsageKeys {
		usage.cols = append(usage.cols, xcol{lb.usageLabel(k) + ", antal", kCount}, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	for _, m := range ms {
		cells := []any{m.Name, m.Evaluations}
		for _, k := range aggregate.UsageKeys {
			var share any
			if m.Evaluations > 0 {
				share = m.Usage.Shares.Get(k)
			}
			cells = append(cells, m.Usage.Counts.Get(k), share)
		}
		usage.rows = append(usage.rows, xrow{cells: cells})
	}
	if nw.KommunerWithEvaluations > 0 {
		mean := []any{"Nätverket, genomsnitt (medelvärde av kommunernas andelar)", nil}
		pooled := []any{"Nätverket, alla utvärderingar", nw.Evaluations}
		for _, k := range aggregate.UsageKeys {
			mean = append(mean, nil, nw.UsageMean.Get(k))
			pooled = append(pooled, nw.UsagePooledCounts.Get(k), nw.UsagePooled.Get(k))
		}
		usage.rows = append(usage.rows, xrow{bold: true, cells: mean}, xrow{bold: true, cells: pooled})
	}

	init := xsheet{name: SheetInitiator, caption: "Uppdragsgivare och hur resultaten används, per kommun", cols: []xcol{{"Kommun", kText}, {"Uppdragsgivare", kText}, {"Antal", kCount}}}
	for _, k := range aggregate.UsageKeys {
		init.cols = append(init.cols, xcol{lb.usageLabel(k) + ", antal", kCount}, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	for _, m := range ms {
		for _, key := range aggregate.InitiatorKeys {
			row := m.ByInitiator.Row(key)
			shares := m.ByInitiatorShares.Row(key)
			cells := []any{m.Name, lb.initiatorLabel(key), row.Count}
			for _, k := range aggregate.UsageKeys {
				var share any
				if row.Count > 0 {
					share = shares.UsageShares.Get(k)
				}
				cells = append(cells, row.UsageCounts.Get(k), share)
			}
			init.rows = append(init.rows, xrow{cells: cells, bold: key == "totalt"})
		}
	}

	resp := xsheet{name: SheetResponsibility, caption: "Resultatansvar per kommun", cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount},
		{"Samma uppdragsgivare som resultatansvarig", kCount}, {"Ingen resultatansvarig", kCount},
		{"Flera resultatansvariga (risk att falla mellan stolarna)", kCount}}}
	for _, m := range ms {
		r := m.Responsibility
		resp.rows = append(resp.rows, xrow{cells: []any{m.Name, m.Evaluations, r.InitiatorIsOwner, r.NoOwner, r.MultipleOwners}})
	}

	surveys := xsheet{name: SheetSurveys, caption: "Medborgar- och brukarundersökningar per kommun och enhet", cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Område", kText},
		{"Målgrupp", kText}, {"Metod", kText}, {"Antal", kCount}}}
	for _, m := range ms {
		for _, s := range m.UserSurveyTable {
			surveys.rows = append(surveys.rows, xrow{cells: []any{m.Name, s.Enhet, s.Omrade, s.Malgrupp, lb.metodLabels(s.Metod), s.Count}})
		}
	}

	unused := xsheet{name: SheetUnused, caption: "Utvärderingar som inte används för att styra och utveckla", cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Utvärdering", kText}, {"Uppdragsgivare", kText}}}
	for _, m := range ms {
		for _, e := range m.Unused {
			unused.rows = append(unused.rows, xrow{cells: []any{m.Name, e.Enhet, e.Benamning, lb.initiatorLabel(e.UppdragsgivareTyp)}})
		}
	}

	nonResp := xsheet{name: SheetNonResponding, caption: "Serviceområden som inte lämnat in några resultat", cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Status", kText}, {"Orsak", kText}}}
	for _, m := range ms {
		for _, n := range m.NonResponding {
			nonResp.rows = append(nonResp.rows, xrow{cells: []any{m.Name, n.Enhet, statusLabel(n.Status), n.Reason}})
		}
	}

	cd := xsheet{name: SheetChartData, caption: "Uppgifterna bakom rapportens diagram", cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}}}
	for _, k := range aggregate.UsageKeys {
		cd.cols = append(cd.cols, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	cd.cols = append(cd.cols, xcol{"Medborgar- eller brukarundersökningar, andel", kShare})
	for _, c := range costHeads {
		cd.cols = append(cd.cols, xcol{c, kKronor})
	}
	cd.cols = append(cd.cols, xcol{"Kostnad totalt (kr)", kKronor}, xcol{"Kostnad per invånare (kr)", kKronor})
	for _, m := range ms {
		cells := []any{m.Name, m.Evaluations}
		for _, k := range aggregate.UsageKeys {
			if m.Evaluations > 0 {
				cells = append(cells, m.Usage.Shares.Get(k))
			} else {
				cells = append(cells, nil)
			}
		}
		if m.Evaluations > 0 {
			cells = append(cells, m.UserSurveyShare)
		} else {
			cells = append(cells, nil)
		}
		for _, v := range m.Costs.Parts() {
			cells = append(cells, v)
		}
		cells = append(cells, m.Costs.Total)
		if m.Costs.PerInvanare != nil {
			cells = append(cells, *m.Costs.PerInvanare)
		}
		cd.rows = append(cd.rows, xrow{cells: cells})
	}
	if nw.KommunerWithEvaluations > 0 {
		mean := []any{"Nätverkets genomsnitt (medelvärde av kommunernas andelar)", nil}
		for _, k := range aggregate.UsageKeys {
			mean = append(mean, nw.UsageMean.Get(k))
		}
		mean = append(mean, nw.UserSurveyMean)
		cd.rows = append(cd.rows, xrow{bold: true, cells: mean})
	}

	// Diagram 1 in Excel: the share columns of the usage sheet.
	var shareCols []int
	for i := range aggregate.UsageKeys {
		shareCols = append(shareCols, 3+2*i)
	}
	usage.charts = []xchart{{title: "Hur resultaten används – andel av kommunens utvärderingar", typ: excelize.Bar,
		columns: shareCols, fills: usageChartFills, skipLast: len(usage.rows) - len(ms), percent: true}}

	return append([]xsheet{summary, findings, t1, costs, usage, init, resp, surveys, unused, nonResp, cd}, append(compareSheets(rep, lb), recurrenceSheet(rep)...)...)
}

// directionLabel is a finding's direction in Swedish.
func directionLabel(d string) string {
	switch d {
	case aggregate.Over:
		return "Över genomsnittet"
	case aggregate.Under:
		return "Under genomsnittet"
	}
	return "Fakta"
}
