package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// outColumn is one column of the utvarderingar sheet as written.
type outColumn struct {
	name   string
	field  *form.Field // nil for kommun and enhet
	option string      // set for a per-option column of a multi field
}

// evaluationLayout lists the written utvarderingar columns: kommun, enhet,
// then each field of the definition in form order, a multi field as one
// "code/option" column per option.
func evaluationLayout(def *form.Definition) []outColumn {
	cols := []outColumn{{name: colKommun}, {name: colEnhet}}
	for _, f := range def.Fields {
		if f.Type == form.TypeMulti {
			for _, o := range f.Options {
				cols = append(cols, outColumn{name: f.Code + OptionSeparator + o.Code, field: f, option: o.Code})
			}
			continue
		}
		cols = append(cols, outColumn{name: f.Code, field: f})
	}
	return cols
}

// EvaluationHeader is the header row WriteXLSX and WriteCSV write for
// utvarderingar.
func EvaluationHeader(def *form.Definition) []string {
	cols := evaluationLayout(def)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return names
}

// multiCell is the written value of one option of a multi field: "ja" when
// chosen, blank otherwise. Blank reads as "nej", and a multi answer that
// chooses nothing is no answer, so nothing is lost; the sheet stays lean
// (a national round has some 600 000 unchosen options) and =ANTAL.OM(…;"ja")
// counts as expected.
func multiCell(a form.Answers, code, option string) string {
	if a.HasOption(code, option) {
		return "ja"
	}
	return ""
}

// evaluationKommun is the kommun written for a unit's evaluations: its first
// member (any member is valid on import).
func evaluationKommun(u round.Unit) string {
	if len(u.Kommuner) == 0 {
		return ""
	}
	return u.Kommuner[0]
}

// WriteXLSX writes ds as a workbook with the sheets kommuner, enheter and
// utvarderingar. Text is written as text cells, never as formulas, so a
// value such as "=SUM(A1)" shows and re-reads literally; timmar and the
// kronor fields are number cells with a number format. Only complete
// evaluations are written (drafts are not part of the interchange format).
// The header rows are bold and frozen.
func WriteXLSX(w io.Writer, def *form.Definition, ds round.Dataset) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	first := f.GetSheetName(0)
	if err := WriteInto(f, def, ds, Into{}); err != nil {
		return err
	}
	if err := f.DeleteSheet(first); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if idx, err := f.GetSheetIndex(SheetUtvarderingar); err == nil {
		f.SetActiveSheet(idx)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

// Into is how WriteInto writes into a workbook it does not own.
type Into struct {
	// Setup, when set, is called with each sheet's name once the sheet is
	// added and before its rows are written: the sheets are streamed, and
	// excelize cannot change a streamed sheet once it is written (print
	// setup, say, must come first).
	Setup func(sheet string) error
	// IDs and Answers write evaluations the dataset does not carry (a
	// report holds the facts of a round's evaluations, not their answers):
	// IDs[i] lists the evaluations of the dataset's unit i to write, in
	// order, in place of the unit's Evaluations, and Answers reads their
	// answers by ID, calling yield once for each of ids with its index in
	// ids, in any order. WriteInto asks for answersBatch at a time, so
	// the round's answers are never held at once, and the caller holds 8
	// bytes an evaluation.
	IDs     [][]int64
	Answers func(ids []int64, yield func(i int, a form.Answers) error) error
}

// answersBatch is how many evaluations WriteInto asks Into.Answers for at
// a time.
const answersBatch = 1000

// WriteInto adds the interchange sheets (kommuner, enheter, utvarderingar)
// to an open workbook, such as the XLSX report, whose raw evaluations must
// re-import to the same report. Every sheet is streamed (excelize spills a
// large one to a temporary file), so its cells are not held in memory.
func WriteInto(f *excelize.File, def *form.Definition, ds round.Dataset, into Into) error {
	if into.IDs != nil && len(into.IDs) != len(ds.Units) {
		return fmt.Errorf("sheet: %d units, IDs for %d", len(ds.Units), len(into.IDs))
	}
	for _, name := range []string{SheetKommuner, SheetEnheter, SheetUtvarderingar} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		if into.Setup != nil {
			if err := into.Setup(name); err != nil {
				return err
			}
		}
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := writeKommuner(f, st, ds); err != nil {
		return err
	}
	if err := writeEnheter(f, st, ds); err != nil {
		return err
	}
	return writeUtvarderingar(f, st, def, ds, into)
}

type styles struct {
	header, hours, kronor int
}

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "top"},
	}); err != nil {
		return st, fmt.Errorf("sheet: style: %w", err)
	}
	if st.hours, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return st, fmt.Errorf("sheet: style: %w", err)
	}
	if st.kronor, err = f.NewStyle(&excelize.Style{NumFmt: 3}); err != nil { // #,##0
		return st, fmt.Errorf("sheet: style: %w", err)
	}
	return st, nil
}

// stream starts a sheet: column widths, frozen bold header.
func stream(f *excelize.File, st styles, sheet string, header []string, widths []float64) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, fmt.Errorf("sheet: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	return sw, nil
}

func setRow(sw *excelize.StreamWriter, row int, values []any) error {
	if err := sw.SetRow("A"+strconv.Itoa(row), values); err != nil {
		return fmt.Errorf("sheet: row %d: %w", row, err)
	}
	return nil
}

// text is a string cell, or nothing for a blank.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeKommuner(f *excelize.File, st styles, ds round.Dataset) error {
	sw, err := stream(f, st, SheetKommuner, []string{colKommun, colInvanare, colKommunkod}, []float64{24, 12, 12})
	if err != nil {
		return err
	}
	for i, k := range ds.Kommuner {
		var pop any
		if k.Population != nil {
			pop = excelize.Cell{StyleID: st.kronor, Value: *k.Population}
		}
		// The code is text, so that Stockholm's 0114 keeps its zero.
		if err := setRow(sw, i+2, []any{text(k.Name), pop, text(k.Kommunkod)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeEnheter(f *excelize.File, st styles, ds round.Dataset) error {
	sw, err := stream(f, st, SheetEnheter, enheterColumns, []float64{36, 28, 22, 30, 18, 30, 24, 30})
	if err != nil {
		return err
	}
	for i, u := range ds.Units {
		if err := setRow(sw, i+2, []any{
			text(u.Name),
			text(strings.Join(u.Kommuner, ";")),
			text(u.Omrade),
			text(fordelning(u.Unit)),
			text(status(u.Response)),
			text(reason(u.Unit)),
			text(u.ChefName),
			text(u.ChefEmail),
		}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// fordelning writes a unit's cost split canonically.
func fordelning(u round.Unit) string {
	if strings.TrimSpace(u.Fordelning) == "" {
		return ""
	}
	fd, err := round.ParseFordelning(u.Fordelning, u.Kommuner)
	if err != nil {
		return u.Fordelning // keep what is stored; the import will say what is wrong
	}
	return fd.String(u.Kommuner)
}

// status writes the answers an import can carry; submitted follows from the
// evaluations.
func status(r round.Response) string {
	switch r {
	case round.Declined, round.NoEvaluations:
		return string(r)
	}
	return ""
}

func reason(u round.Unit) string {
	if u.Response == round.Declined {
		return u.Reason
	}
	return ""
}

func writeUtvarderingar(f *excelize.File, st styles, def *form.Definition, ds round.Dataset, into Into) error {
	cols := evaluationLayout(def)
	header := make([]string, len(cols))
	widths := make([]float64, len(cols))
	for i, c := range cols {
		header[i] = c.name
		widths[i] = columnWidth(c)
	}
	sw, err := stream(f, st, SheetUtvarderingar, header, widths)
	if err != nil {
		return err
	}
	row := 2
	values := make([]any, len(cols))
	// The rows go out a batch at a time: the evaluations of whole units in
	// order, with the answers of those given by ID read for the batch.
	type pending struct {
		unit    int
		id      int64
		answers form.Answers // nil: to read
	}
	var (
		batch   []pending
		ids     []int64
		missing []int // index in batch of each of ids
	)
	flush := func() error {
		ids, missing = ids[:0], missing[:0]
		for i, p := range batch {
			if p.answers == nil {
				ids = append(ids, p.id)
				missing = append(missing, i)
			}
		}
		if len(ids) > 0 {
			if into.Answers == nil {
				return fmt.Errorf("sheet: evaluation %d given by ID, and no Answers to read it", ids[0])
			}
			if err := into.Answers(ids, func(i int, a form.Answers) error {
				batch[missing[i]].answers = a
				return nil
			}); err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
		}
		for _, p := range batch {
			if p.answers == nil {
				return fmt.Errorf("sheet: evaluation %d: no answers", p.id)
			}
			u := ds.Units[p.unit]
			xlsxRow(st, cols, evaluationKommun(u.Unit), u.Name, p.answers, values)
			if err := setRow(sw, row, values); err != nil {
				return err
			}
			row++
		}
		clear(batch)
		batch = batch[:0]
		return nil
	}
	for ui, u := range ds.Units {
		if into.IDs != nil {
			for _, id := range into.IDs[ui] {
				batch = append(batch, pending{unit: ui, id: id})
			}
		} else {
			for _, e := range u.Evaluations {
				if !e.Complete {
					continue
				}
				a := e.Answers
				if a == nil {
					a = form.Answers{} // none: a row of blanks
				}
				batch = append(batch, pending{unit: ui, id: e.ID, answers: a})
			}
		}
		if len(batch) >= answersBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return sw.Flush()
}

func columnWidth(c outColumn) float64 {
	switch {
	case c.field == nil:
		return 24
	case c.option != "":
		return float64(max(10, min(len(c.name)*3/4, 30)))
	case c.field.IsText():
		return 36
	}
	return float64(max(10, min(len(c.name)+2, 24)))
}

// xlsxRow sets values to the cells of an evaluation row (xlsxValue); the
// option columns of a multi field are as multiCell writes them, the
// answer split once for all of them rather than once for each (ten times a
// national round has 290 000 rows of them).
func xlsxRow(st styles, cols []outColumn, kommun, enhet string, a form.Answers, values []any) {
	var chosen []string // the options of the multi field of the column before
	for i, c := range cols {
		if c.option == "" {
			values[i] = xlsxValue(st, c, kommun, enhet, a)
			continue
		}
		if i == 0 || cols[i-1].field != c.field {
			chosen = a.Options(c.field.Code)
		}
		values[i] = nil // blank reads as "nej" (multiCell)
		if slices.Contains(chosen, c.option) {
			values[i] = "ja"
		}
	}
}

// xlsxValue is one cell of an evaluation row, but for the option columns
// of a multi field (xlsxRow).
func xlsxValue(st styles, c outColumn, kommun, enhet string, a form.Answers) any {
	switch {
	case c.field == nil && c.name == colKommun:
		return text(kommun)
	case c.field == nil:
		return text(enhet)
	}
	v := a.Get(c.field.Code)
	if v == "" || !c.field.IsNumber() {
		return text(v)
	}
	n, err := form.ParseNumber(v, c.field.Decimals)
	if err != nil {
		return v // not canonical: keep the text rather than lose it
	}
	if c.field.Type == form.TypeInteger {
		return excelize.Cell{StyleID: st.kronor, Value: n.Units}
	}
	return excelize.Cell{StyleID: st.hours, Value: n.Float()}
}

// WriteCSV writes the utvarderingar table as Swedish Excel reads it: UTF-8
// with BOM, ";" as separator, CRLF line ends, "," as decimal mark. A cell that
// a spreadsheet program would take for a formula (starting with =, +, -, @,
// tab or carriage return) is prefixed with an apostrophe; ReadCSV removes it,
// so the round trip returns exactly what was stored. Only complete
// evaluations are written.
func WriteCSV(w io.Writer, def *form.Definition, ds round.Dataset) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	cols := evaluationLayout(def)
	if err := cw.Write(EvaluationHeader(def)); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	rec := make([]string, len(cols))
	for _, u := range ds.Units {
		kommun := evaluationKommun(u.Unit)
		for _, e := range u.Evaluations {
			if !e.Complete {
				continue
			}
			for i, c := range cols {
				rec[i] = quoteFormula(csvValue(c, kommun, u.Name, e.Answers))
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("sheet: write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sheet: write csv: %w", err)
	}
	return nil
}

func csvValue(c outColumn, kommun, enhet string, a form.Answers) string {
	switch {
	case c.field == nil && c.name == colKommun:
		return kommun
	case c.field == nil:
		return enhet
	case c.option != "":
		return multiCell(a, c.field.Code, c.option)
	}
	v := a.Get(c.field.Code)
	if c.field.Type == form.TypeDecimal {
		// Swedish Excel reads "12,5" as a number and "12.5" as text or a date.
		if _, err := form.ParseNumber(v, c.field.Decimals); err == nil {
			return strings.Replace(v, ".", ",", 1)
		}
	}
	return v
}
