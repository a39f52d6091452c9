package sheet

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/xuri/excelize/v2"
)

// SheetLinks is the only sheet of the links list.
const SheetLinks = "Länkar"

// LinkRow is one unit's personal link, for a projektledare who mails the
// links from their own mail client.
type LinkRow struct {
	Kommun          string
	Enhet           string
	Verksamhetschef string
	Epost           string
	Status          string // the unit's progress, in Swedish
	Lank            string // the personal link
}

var linkHeader = []string{"Kommun", "Enhet", "Verksamhetschef", "E-post", "Status", "Personlig länk"}

// Excel refuses hyperlink targets longer than this.
const maxHyperlinkLen = 2079

// WriteLinks writes the links list: one sheet Länkar with a Swedish header
// and one row per unit. Every value is a text cell (a name like "=…" shows
// as written); the link is shown as text and, when it is an http(s) address
// Excel can hold, is also a clickable hyperlink.
func WriteLinks(w io.Writer, rows []LinkRow) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	const sh = SheetLinks
	if err := f.SetSheetName(f.GetSheetName(0), sh); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "top"},
		NumFmt:    49,
	})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	link, err := f.NewStyle(&excelize.Style{
		NumFmt:    49,
		Font:      &excelize.Font{Color: "0563C1", Underline: "single"},
		Alignment: &excelize.Alignment{Vertical: "top"},
	})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	for i, wd := range []float64{18, 36, 26, 32, 22, 70} {
		col := columnLetter(i)
		if err := f.SetColWidth(sh, col, col, wd); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	for i, h := range linkHeader {
		if err := setStr(f, sh, i, 1, h, head); err != nil {
			return err
		}
	}
	for n, r := range rows {
		row := n + 2
		for i, v := range []string{r.Kommun, r.Enhet, r.Verksamhetschef, r.Epost, r.Status} {
			if v == "" {
				continue
			}
			if err := setStr(f, sh, i, row, dropControls(v), text); err != nil {
				return err
			}
		}
		if r.Lank == "" {
			continue
		}
		style := text
		if webLink(r.Lank) {
			style = link
		}
		if err := setStr(f, sh, 5, row, dropControls(r.Lank), style); err != nil {
			return err
		}
		if style == link {
			cell, _ := excelize.CoordinatesToCellName(6, row)
			tip := "Öppna länken"
			if err := f.SetCellHyperLink(sh, cell, r.Lank, "External", excelize.HyperlinkOpts{Tooltip: &tip}); err != nil {
				return fmt.Errorf("sheet: hyperlink row %d: %w", row, err)
			}
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if len(rows) > 0 {
		ref := fmt.Sprintf("A1:%s%d", columnLetter(len(linkHeader)-1), len(rows)+1)
		if err := f.AutoFilter(sh, ref, nil); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

// webLink tells whether s is an absolute http or https address that can be
// a hyperlink; anything else (javascript:, file:, a relative path) is
// written as text only.
func webLink(s string) bool {
	if len(s) > maxHyperlinkLen || strings.ContainsAny(s, " \t\r\n\"<>") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "https" || scheme == "http"
}
