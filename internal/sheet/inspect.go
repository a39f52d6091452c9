package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
)

// A workbook is checked part by part before excelize opens it (inspect):
// the zip's declared sizes first, then every part excelize would read is
// streamed through xmlScanner with the limits enforced as it goes, so that
// nothing of a hostile file is held in memory. Only the parts that reading
// needs are then handed to excelize (see openWorkbook): the package and
// workbook relationships, the workbook, the shared strings and the
// worksheets the workbook lists. Styles, themes, drawings, pictures, macros
// and the rest never reach it.

// Bounds of a workbook's structure, for every read.
const (
	// maxParts is the most files a workbook's zip may hold.
	maxParts = 10_000
	// maxStructPart bounds the relationships and workbook parts, which are
	// decoded whole (by us and by excelize). Excel writes a few kilobytes.
	maxStructPart = 1 << 20
	// maxItemMarkup bounds the markup (tags, not text) of one cell or one
	// shared string: a string of 32 767 one-letter rich-text runs each with
	// its own font is well within it.
	maxItemMarkup = 4 << 20
)

// Paths excelize reads without asking the relationships.
const (
	pathRootRels     = "_rels/.rels"
	pathSharedString = "xl/sharedstrings.xml" // compared in lower case
	worksheetPrefix  = "xl/worksheets/sheet"  // streamed from a temporary file by excelize
)

// inspection is what inspect found: the parts to hand to excelize.
type inspection struct {
	keep []*zip.File
}

// inspect checks a workbook against lim and returns the parts reading
// needs: of the worksheets, those the reader reads (wanted tells them by
// name; a workbook's only sheet is always read). Its errors are
// *apperror.Error: TooLarge for a limit, Invalid for a file that is no
// workbook or is damaged.
func inspect(ctx context.Context, zr *zip.Reader, lim Limits, wanted func(sheet string) bool) (*inspection, error) {
	if len(zr.File) > maxParts {
		return nil, apperror.New(apperror.TooLarge, "Arbetsboken består av fler än %s delar. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.", number(maxParts))
	}
	byName := make(map[string]*zip.File, len(zr.File))
	var sst *zip.File
	var total uint64
	for _, zf := range zr.File {
		total = min(total+min(zf.UncompressedSize64, 1<<62), 1<<62)
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		byName[name] = zf
		if strings.ToLower(name) == pathSharedString {
			sst = zf
		}
	}

	if total > uint64(lim.MaxUnzipSize) {
		return nil, apperror.New(apperror.TooLarge, "Filen packas upp till %s; högst %s tillåts uppackad. Dela upp den i flera filer eller ta bort blad som inte ska läsas in.", formatBytes(int64(total)), formatBytes(lim.MaxUnzipSize))
	}

	in := &inspection{}
	rootRels := byName[pathRootRels]
	if rootRels == nil {
		return nil, notWorkbook()
	}
	var root relationships
	if err := readStructPart(ctx, rootRels, &root); err != nil {
		return nil, err
	}
	in.keep = append(in.keep, rootRels)
	wbPath := ""
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = strings.TrimPrefix(r.Target, "/")
			break
		}
	}
	wbPart := byName[wbPath]
	if wbPart == nil {
		return nil, notWorkbook()
	}
	var wb workbookXML
	if err := readStructPart(ctx, wbPart, &wb); err != nil {
		return nil, err
	}
	in.keep = append(in.keep, wbPart)
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	var rels relationships
	if p := byName[relsPath]; p != nil {
		if err := readStructPart(ctx, p, &rels); err != nil {
			return nil, err
		}
		in.keep = append(in.keep, p)
	}

	// The worksheets, by the workbook's sheet list, as excelize finds them.
	type sheetPart struct {
		name string
		zf   *zip.File
	}
	var sheets []sheetPart
	seen := map[*zip.File]bool{}
	for _, s := range wb.Sheets {
		if len(wb.Sheets) > 1 && !wanted(s.Name) {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID != s.ID {
				continue
			}
			p := path.Clean(path.Dir(wbPath) + "/" + r.Target)
			if strings.HasPrefix(r.Target, "/") {
				p = path.Clean(r.Target)
			}
			zf := byName[strings.TrimPrefix(p, "/")]
			if zf == nil || seen[zf] {
				continue
			}
			seen[zf] = true
			// excelize streams worksheets from a temporary file only under
			// their usual name; any other it holds in memory.
			if !strings.HasPrefix(strings.ToLower(zf.Name), worksheetPrefix) && zf.UncompressedSize64 > xmlChunk {
				return nil, apperror.New(apperror.Invalid, "Bladet %s är sparat på ett sätt som inte går att läsa. Spara om arbetsboken i Excel som Excel-arbetsbok (.xlsx) och försök igen.", apperror.Clip(s.Name))
			}
			sheets = append(sheets, sheetPart{name: s.Name, zf: zf})
		}
	}

	c := &checker{ctx: ctx, lim: lim, longString: -1}
	if sst != nil {
		if err := c.checkPartSize(sst, ""); err != nil {
			return nil, err
		}
		if err := c.sharedStrings(sst); err != nil {
			return nil, err
		}
		in.keep = append(in.keep, sst)
	}
	for _, s := range sheets {
		if err := c.checkPartSize(s.zf, s.name); err != nil {
			return nil, err
		}
		if err := c.worksheet(s.zf, s.name); err != nil {
			return nil, err
		}
		in.keep = append(in.keep, s.zf)
	}
	if c.longString >= 0 {
		// A string no cell shows is still read by excelize.
		return nil, apperror.New(apperror.TooLarge, "Arbetsboken har en text (delad text nr %s) med %s tecken; högst %s tillåts i en cell.", number(c.longString+1), number(int64(c.sst[c.longString])), number(MaxCellChars))
	}
	return in, nil
}

// relationships is a _rels part.
type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// workbookXML is the sheet list of xl/workbook.xml.
type workbookXML struct {
	Sheets []struct {
		Name string `xml:"name,attr"`
		ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
	} `xml:"sheets>sheet"`
}

// readStructPart decodes a small structural part into v, after checking
// that it is small and well within the scanner's bounds.
func readStructPart(ctx context.Context, zf *zip.File, v any) error {
	if zf.UncompressedSize64 > maxStructPart {
		return apperror.New(apperror.TooLarge, "Delen %s i arbetsboken packas upp till %s; högst %s tillåts. Spara om arbetsboken i Excel och försök igen.", apperror.Clip(zf.Name), formatBytes(int64(zf.UncompressedSize64)), formatBytes(maxStructPart))
	}
	rc, err := zf.Open()
	if err != nil {
		return damaged("")
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(&ctxReader{ctx: ctx, r: rc}, maxStructPart+1))
	if err != nil {
		return readError(ctx, err, "")
	}
	sc := newXMLScanner(bytes.NewReader(data))
	for {
		tok, err := sc.next()
		if err != nil {
			return damaged("")
		}
		if tok == xmlText && sc.chars > MaxCellChars {
			return damaged("")
		}
		if tok == xmlEOF {
			break
		}
	}
	// Strict OOXML names the relationships namespace differently.
	data = bytes.ReplaceAll(data, []byte("http://purl.oclc.org/ooxml/officeDocument/relationships"), []byte("http://schemas.openxmlformats.org/officeDocument/2006/relationships"))
	if err := xml.Unmarshal(data, v); err != nil {
		return damaged("")
	}
	return nil
}

// ctxReader fails once its context is done, so that a long unzip stops at
// the deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// checker checks the shared strings and then each worksheet.
type checker struct {
	ctx        context.Context
	lim        Limits
	sst        []int32 // length in characters of each shared string
	longString int     // the first shared string over MaxCellChars; -1 for none
	text       int64   // characters in all cells so far
	cells      int     // cells so far
}

func (c *checker) checkPartSize(zf *zip.File, sheet string) error {
	if size := int64(zf.UncompressedSize64); size > c.lim.MaxPartSize {
		if sheet == "" {
			return apperror.New(apperror.TooLarge, "Arbetsbokens delade texter (%s) packas upp till %s; högst %s tillåts. Dela upp filen i flera filer.", apperror.Clip(zf.Name), formatBytes(size), formatBytes(c.lim.MaxPartSize))
		}
		return apperror.New(apperror.TooLarge, "Bladet %s packas upp till %s; högst %s tillåts. Dela upp filen i flera filer.", apperror.Clip(sheet), formatBytes(size), formatBytes(c.lim.MaxPartSize))
	}
	return nil
}

func (c *checker) open(zf *zip.File) (*xmlScanner, io.Closer, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, nil, err
	}
	return newXMLScanner(&ctxReader{ctx: c.ctx, r: rc}), rc, nil
}

// sharedStrings records the length of every shared string and checks
// their count, their markup and the text between them.
func (c *checker) sharedStrings(zf *zip.File) error {

	sc, rc, err := c.open(zf)
	if err != nil {
		return damaged("")
	}
	defer rc.Close()
	var (
		inItem bool
		depth  int   // of the current string's content
		chars  int64 // of the current string
		markup int   // of the current string
		run    int64 // text outside the strings
	)
	for {
		tok, err := sc.next()
		if err != nil {
			return readError(c.ctx, err, "")
		}
		switch tok {
		case xmlEOF:
			return nil
		case xmlText:
			if inItem {
				chars += int64(sc.chars)
				continue
			}
			if run += int64(sc.chars); run > MaxCellChars {
				return apperror.New(apperror.TooLarge, "Arbetsbokens delade texter har mer än %s tecken i följd mellan texterna; högst %s tillåts. Spara om arbetsboken i Excel och försök igen.", number(MaxCellChars), number(MaxCellChars))
			}
			continue
		case xmlStart:
			if string(sc.name) == "si" && !inItem {
				if len(c.sst) >= c.lim.MaxSharedStrings {
					return apperror.New(apperror.TooLarge, "Arbetsboken har fler än %s delade texter; högst %s tillåts. Dela upp den i flera filer.", number(c.lim.MaxSharedStrings), number(c.lim.MaxSharedStrings))
				}
				inItem, chars, markup, depth = !sc.selfClosing, 0, 0, sc.depth
				if sc.selfClosing {
					c.sst = append(c.sst, 0)
				}
			}
		case xmlEnd:
			if string(sc.name) == "si" && inItem && sc.depth == depth-1 {
				inItem = false
				if chars > MaxCellChars && c.longString < 0 {
					c.longString = len(c.sst)
				}
				c.sst = append(c.sst, int32(min(chars, 1<<31-1)))
			}
		}
		run = 0
		if inItem {
			if markup += sc.tagBytes; markup > maxItemMarkup {
				return apperror.New(apperror.TooLarge, "Den delade texten nr %s i arbetsboken har mer än %s formatering; högst %s tillåts. Spara om arbetsboken i Excel och försök igen.", number(len(c.sst)+1), formatBytes(maxItemMarkup), formatBytes(maxItemMarkup))
			}
		}
	}
}

// worksheet checks one worksheet: the length of each cell, the number of
// rows, the columns with values, the text of all cells together and the
// text between the cells.
func (c *checker) worksheet(zf *zip.File, sheet string) error {
	sc, rc, err := c.open(zf)
	if err != nil {
		return damaged(sheet)
	}
	defer rc.Close()
	var (
		row, col   int  // current row and column (1-based)
		rows       int  // row elements
		cellsInRow int  // cell elements in the current row
		inCell     bool // inside <c>
		cellDepth  int  // depth of the cell's content
		inV        bool // inside <c><v>
		cellType   []byte
		cellRef    string
		chars      int64 // all text in the cell
		vChars     int64 // text in <v>
		formula    bool
		markup     int
		v          []byte // the start of <v>, for a shared string's index
		run        int64  // text outside cells
		lastCell   string // for messages about text between cells
		scratch    [16]byte
		cellTypeBf [16]byte
	)
	for {
		tok, err := sc.next()
		if err != nil {
			if inCell && chars > MaxCellChars {
				return cellTooLong(sheet, cellRef, chars, false)
			}
			if !inCell && run > MaxCellChars {
				return c.padding(sheet, lastCell, run, false)
			}
			return readError(c.ctx, err, sheet)
		}
		if tok == xmlText {
			if inCell {
				chars += int64(sc.chars)
				if inV {
					vChars += int64(sc.chars)
					if len(v) < len(scratch) {
						v = append(v, sc.text[:min(len(sc.text), len(scratch)-len(v))]...)
					}
				}
			} else {
				run += int64(sc.chars)
			}
			continue
		}
		if tok == xmlEOF {
			return nil
		}
		// A tag ends any text between cells.
		if run > MaxCellChars {
			return c.padding(sheet, lastCell, run, true)
		}
		run = 0
		if inCell {
			if markup += sc.tagBytes; markup > maxItemMarkup {
				return apperror.New(apperror.TooLarge, "Cellen %s på bladet %s har mer än %s formatering; högst %s tillåts. Spara om arbetsboken i Excel och försök igen.", cellRef, apperror.Clip(sheet), formatBytes(maxItemMarkup), formatBytes(maxItemMarkup))
			}
		}
		name := string(sc.name)
		switch {
		case tok == xmlStart && name == "row" && !inCell:
			// Rows with values are counted by the reader, which stops at
			// lim.MaxRows; here only rows beyond Excel's last are refused,
			// so that empty rows cannot keep excelize busy.
			row++
			if r, err := strconv.Atoi(string(sc.attr("r"))); err == nil && r > 0 {
				row = r
			}
			if rows++; rows > excelize.TotalRows || row > excelize.TotalRows {
				return apperror.New(apperror.TooLarge, "Bladet %s har fler än %s rader, fler än Excel tillåter. Spara om arbetsboken i Excel och försök igen.", apperror.Clip(sheet), number(excelize.TotalRows))
			}
			col, cellsInRow = 0, 0
		case tok == xmlStart && name == "c" && !inCell:
			if c.cells++; c.cells > c.lim.MaxCells {
				return apperror.New(apperror.TooLarge, "Arbetsboken har fler än %s celler; högst %s går att läsa. Ta bort tomma rader och kolumner eller dela upp den i flera filer.", number(c.lim.MaxCells), number(c.lim.MaxCells))
			}
			if cellsInRow++; cellsInRow > excelize.MaxColumns {
				return apperror.New(apperror.TooLarge, "Rad %s på bladet %s har fler än %s celler, fler än Excel tillåter. Spara om arbetsboken i Excel och försök igen.", number(max(row, 1)), apperror.Clip(sheet), number(excelize.MaxColumns))
			}
			col++
			if r := sc.attr("r"); r != nil {
				n, ok := refColumn(r)
				if !ok {
					return damaged(sheet)
				}
				col = n
			}
			cellRef = columnLetter(col-1) + strconv.Itoa(max(row, 1))
			cellType = append(cellTypeBf[:0], sc.attr("t")...)
			chars, vChars, formula, markup, v = 0, 0, false, sc.tagBytes, scratch[:0]
			inCell, cellDepth = !sc.selfClosing, sc.depth
		case tok == xmlStart && name == "v" && inCell:
			inV = !sc.selfClosing
		case tok == xmlEnd && name == "v" && inCell:
			inV = false
		case tok == xmlStart && name == "f" && inCell:
			formula = true
		case tok == xmlEnd && name == "c" && inCell && sc.depth == cellDepth-1:
			inCell, inV = false, false
			lastCell = cellRef
			if chars > MaxCellChars {
				return cellTooLong(sheet, cellRef, chars, true)
			}
			length := chars
			if string(cellType) == "s" && vChars > 0 {
				i, err := strconv.Atoi(strings.TrimSpace(string(v)))
				if err != nil || i < 0 || i >= len(c.sst) {
					return damaged(sheet)
				}
				length = chars - vChars + int64(c.sst[i])
				if c.sst[i] > MaxCellChars {
					return cellTooLong(sheet, cellRef, int64(c.sst[i]), true)
				}
			}
			if length == 0 && !formula {
				continue
			}
			if col > MaxColumns {
				return apperror.New(apperror.TooLarge, "Bladet %s har ett värde i cell %s, i kolumn %s; högst %s kolumner går att läsa. Ta bort kolumnerna till höger om de som ska läsas in.", apperror.Clip(sheet), cellRef, number(col), number(MaxColumns))
			}
			if c.text += length; c.text > c.lim.MaxText {
				return apperror.New(apperror.TooLarge, "Arbetsbokens celler har tillsammans mer än %s tecken; högst %s tillåts. Dela upp den i flera filer.", number(c.lim.MaxText), number(c.lim.MaxText))
			}
		}
	}
}

// padding explains text between cells: whitespace padding or junk.
func (c *checker) padding(sheet, after string, n int64, whole bool) error {
	where := "i början av bladet"
	if after != "" {
		where = "efter cell " + after
	}
	more := ""
	if !whole {
		more = "mer än "
	}
	return apperror.New(apperror.TooLarge, "Bladet %s har %s%s tecken i följd utanför cellerna (%s), till exempel blanksteg; högst %s tillåts. Spara om arbetsboken i Excel och försök igen.", apperror.Clip(sheet), more, number(n), where, number(MaxCellChars))
}

// cellTooLong names a cell with more text than a cell may hold; whole tells
// whether n is all of it.
func cellTooLong(sheet, cell string, n int64, whole bool) error {
	more := ""
	if !whole {
		more = "mer än "
	}
	return apperror.New(apperror.TooLarge, "Cellen %s på bladet %s har %s%s tecken; högst %s tillåts.", cell, apperror.Clip(sheet), more, number(n), number(MaxCellChars))
}

// readError explains an error met while reading a part.
func readError(ctx context.Context, err error, sheet string) error {
	if ctx.Err() != nil {
		return ctxError(ctx)
	}
	return damaged(sheet)
}

// ctxError is the error of a read that ran out of time or was cancelled.
func ctxError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return apperror.New(apperror.TooLarge, "Filen tog för lång tid att läsa och lästes inte in. Dela upp den i mindre filer och försök igen.")
	}
	return fmt.Errorf("sheet: read: %w", ctx.Err())
}

// refColumn reads the column of a cell reference such as "AB12".
func refColumn(r []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(r) && i < 4; i++ {
		c := r[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
	}
	if i == 0 || col > 16384 {
		return 0, false
	}
	for _, d := range r[i:] {
		if d < '0' || d > '9' {
			return 0, false
		}
	}
	return col, true
}

// number writes a count the Swedish way: 32 767.
func number[T int | int64](n T) string {
	return form.FormatNumber(float64(n), 0)
}
