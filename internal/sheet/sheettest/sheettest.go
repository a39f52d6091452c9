// Package sheettest builds hostile workbooks for tests and measurements of
// the spreadsheet readers: one string of hundreds of megabytes, whitespace
// between the rows, a shared string referenced a hundred thousand times,
// millions of empty cells. Shapes excelize itself would never write, so the
// parts are written by hand, and streamed into the zip: even a workbook
// that unpacks to half a gigabyte takes no memory to build.
package sheettest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/inventera/inventera/internal/form"
)

// Book is a workbook with one worksheet and, optionally, shared strings.
type Book struct {
	Sheet  string                  // the worksheet's name
	Rows   func(w io.Writer) error // writes the children of <sheetData>
	Shared func(w io.Writer) error // writes the <si> children of <sst>; nil for none
}

const (
	nsMain  = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg   = "http://schemas.openxmlformats.org/package/2006/relationships"
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
)

// Write writes the workbook.
func (b Book) Write(w io.Writer) error {
	zw := zip.NewWriter(w)
	str := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	types := xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := xmlDecl + `<Relationships xmlns="` + nsPkg + `">` +
		`<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>`
	if b.Shared != nil {
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/>`
	}
	types += `</Types>`
	rels += `</Relationships>`
	parts := []struct {
		name string
		body func(io.Writer) error
	}{
		{"[Content_Types].xml", str(types)},
		{"_rels/.rels", str(xmlDecl + `<Relationships xmlns="` + nsPkg + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", str(xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<sheets><sheet name="` + Escape(b.Sheet) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", str(rels)},
		{"xl/worksheets/sheet1.xml", wrap(xmlDecl+`<worksheet xmlns="`+nsMain+`"><sheetData>`, b.Rows, `</sheetData></worksheet>`)},
	}
	if b.Shared != nil {
		parts = append(parts, struct {
			name string
			body func(io.Writer) error
		}{"xl/sharedStrings.xml", wrap(xmlDecl+`<sst xmlns="`+nsMain+`">`, b.Shared, `</sst>`)})
	}
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(pw, 1<<16)
		if err := p.body(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Bytes is the workbook in memory, for small ones.
func (b Book) Bytes() []byte {
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		panic(err) // writing to memory does not fail
	}
	return buf.Bytes()
}

func wrap(open string, body func(io.Writer) error, close string) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, open); err != nil {
			return err
		}
		if err := body(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, close)
		return err
	}
}

// Escape escapes s for XML text or an attribute value.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Repeat writes n copies of c.
func Repeat(w io.Writer, c byte, n int) error {
	chunk := bytes.Repeat([]byte{c}, 1<<16)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Cell writes one cell given its reference, so that a huge one is
// streamed.
type Cell func(w io.Writer, ref string) error

// Inline is a cell holding s as an inline string.
func Inline(s string) Cell {
	return func(w io.Writer, ref string) error {
		_, err := fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, Escape(s))
		return err
	}
}

// InlineRepeat is an inline string of n copies of c.
func InlineRepeat(c byte, n int) Cell {
	return func(w io.Writer, ref string) error {
		if _, err := fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>`, ref); err != nil {
			return err
		}
		if err := Repeat(w, c, n); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</t></is></c>`)
		return err
	}
}

// Shared is a cell showing shared string i.
func Shared(i int) Cell {
	return func(w io.Writer, ref string) error {
		_, err := fmt.Fprintf(w, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
		return err
	}
}

// Row writes row r with cells from column A on; a nil cell is left out.
func Row(w io.Writer, r int, cells ...Cell) error {
	if _, err := fmt.Fprintf(w, `<row r="%d">`, r); err != nil {
		return err
	}
	for i, c := range cells {
		if c == nil {
			continue
		}
		if err := c(w, Column(i+1)+strconv.Itoa(r)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `</row>`)
	return err
}

// Column is the letters of the 1-based column n: 1 is A, 27 is AA.
func Column(n int) string {
	s := ""
	for ; n > 0; n = (n - 1) / 26 {
		s = string(rune('A'+(n-1)%26)) + s
	}
	return s
}

// Inlines is a row of inline strings.
func Inlines(ss []string) []Cell {
	out := make([]Cell, len(ss))
	for i, s := range ss {
		out[i] = Inline(s)
	}
	return out
}

// Sheet is what a reader reads: the sheet's name, its header and one
// valid row, and which column holds a long text.
type Sheet struct {
	Name   string
	Header []string
	Values []string
	Text   int // 0-based column of syfte (of omrade for Units)
}

// The sheets the readers read, each with one valid row: an import's
// utvarderingar (sheet.ReadXLSX), a unit form's Utvärderingar
// (sheet.ReadUnitForm) and a units list's enheter (sheet.ReadUnits).
var (
	Import = Sheet{Name: "utvarderingar",
		Header: []string{"kommun", "enhet", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning", "kommentar"},
		Values: []string{"Falun", "Skolan", "Nationella prov", "arligen", "Betyg", "namnd", "handlingsplan", "Inget att tillägga"},
		Text:   4}
	Upload = Sheet{Name: "Utvärderingar",
		Header: []string{"id", "benamning", "periodicitet", "syfte", "resultatansvarig", "anvandning", "uppdragsgivare_typ", "kommentar"},
		Values: []string{"", "Nationella prov", "arligen", "Betyg", "namnd", "handlingsplan", "verksamhet", "Inget att tillägga"},
		Text:   3}
	Units = Sheet{Name: "enheter",
		Header: []string{"enhet", "kommun", "omrade"},
		Values: []string{"Socialnämnden", "Borlänge", "Vård och omsorg"},
		Text:   2}
)

// With is the sheet's valid row with column i replaced by c.
func (s Sheet) With(i int, c Cell) []Cell {
	cells := Inlines(s.Values)
	cells[i] = c
	return cells
}

// Last is the reference of the header's last cell.
func (s Sheet) Last() string { return Column(len(s.Header)) + "1" }

// BigSharedString: one shared string of n characters, shown in the text
// column of row 2.
func BigSharedString(s Sheet, n int) Book {
	return Book{Sheet: s.Name,
		Shared: func(w io.Writer) error {
			return wrap(`<si><t>`, func(w io.Writer) error { return Repeat(w, 'a', n) }, `</t></si>`)(w)
		},
		Rows: func(w io.Writer) error {
			if err := Row(w, 1, Inlines(s.Header)...); err != nil {
				return err
			}
			return Row(w, 2, s.With(s.Text, Shared(0))...)
		}}
}

// UnusedSharedString: a shared string of n characters that no cell shows.
func UnusedSharedString(s Sheet, n int) Book {
	b := BigSharedString(s, n)
	b.Rows = func(w io.Writer) error {
		if err := Row(w, 1, Inlines(s.Header)...); err != nil {
			return err
		}
		return Row(w, 2, Inlines(s.Values)...)
	}
	return b
}

// BigInlineCell: the text column of row 2 holds n characters.
func BigInlineCell(s Sheet, n int) Book {
	return Book{Sheet: s.Name, Rows: func(w io.Writer) error {
		if err := Row(w, 1, Inlines(s.Header)...); err != nil {
			return err
		}
		return Row(w, 2, s.With(s.Text, InlineRepeat('a', n))...)
	}}
}

// Whitespace: a valid sheet with n spaces between its two rows.
func Whitespace(s Sheet, n int) Book {
	return Book{Sheet: s.Name, Rows: func(w io.Writer) error {
		if err := Row(w, 1, Inlines(s.Header)...); err != nil {
			return err
		}
		if err := Repeat(w, ' ', n); err != nil {
			return err
		}
		return Row(w, 2, Inlines(s.Values)...)
	}}
}

// SharedRefs is the shared-string bomb by reference: rows valid rows of an
// Import or Upload sheet whose syfte and kommentar are shared strings of
// the longest length the form allows, so that every row is accepted and
// each cell is a copy of a long text.
func SharedRefs(s Sheet, def *form.Definition, rows int) Book {
	lengths := []int{def.Field("syfte").MaxLength, def.Field("kommentar").MaxLength}
	return Book{Sheet: s.Name,
		Shared: func(w io.Writer) error {
			for _, n := range lengths {
				if err := wrap(`<si><t>`, func(w io.Writer) error { return Repeat(w, 'a', n) }, `</t></si>`)(w); err != nil {
					return err
				}
			}
			return nil
		},
		Rows: func(w io.Writer) error {
			if err := Row(w, 1, Inlines(s.Header)...); err != nil {
				return err
			}
			cells := s.With(s.Text, Shared(0))
			cells[len(cells)-1] = Shared(1)
			for r := 2; r < rows+2; r++ {
				if err := Row(w, r, cells...); err != nil {
					return err
				}
			}
			return nil
		}}
}

// TinyStrings is the shared-string bomb by count: n one-letter strings,
// the last shown in the text column of row 2.
func TinyStrings(s Sheet, n int) Book {
	return Book{Sheet: s.Name,
		Shared: func(w io.Writer) error {
			for i := 0; i < n; i++ {
				if _, err := io.WriteString(w, `<si><t>x</t></si>`); err != nil {
					return err
				}
			}
			return nil
		},
		Rows: func(w io.Writer) error {
			if err := Row(w, 1, Inlines(s.Header)...); err != nil {
				return err
			}
			return Row(w, 2, s.With(s.Text, Shared(n-1))...)
		}}
}

// EmptyCells: a valid sheet followed by rows of perRow empty cells, which
// hold no text, but still cost a reader time to parse.
func EmptyCells(s Sheet, rows, perRow int) Book {
	return Book{Sheet: s.Name, Rows: func(w io.Writer) error {
		if err := Row(w, 1, Inlines(s.Header)...); err != nil {
			return err
		}
		if err := Row(w, 2, Inlines(s.Values)...); err != nil {
			return err
		}
		cells := bytes.Repeat([]byte("<c/>"), perRow)
		for r := 3; r < rows+3; r++ {
			if err := wrap(fmt.Sprintf(`<row r="%d">`, r), func(w io.Writer) error { _, err := w.Write(cells); return err }, `</row>`)(w); err != nil {
				return err
			}
		}
		return nil
	}}
}

// Raw is a workbook whose sheetData holds xml as it is.
func Raw(s Sheet, xml string) Book {
	return Book{Sheet: s.Name, Rows: func(w io.Writer) error {
		if err := Row(w, 1, Inlines(s.Header)...); err != nil {
			return err
		}
		_, err := io.WriteString(w, xml)
		return err
	}}
}

// HeaderOnlyCSV is a CSV file whose header line has, after kommun and
// enhet, one column name of n characters.
func HeaderOnlyCSV(n int) []byte {
	return []byte("kommun;enhet;" + strings.Repeat("x", n) + "\n")
}
