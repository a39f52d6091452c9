package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// The unit's Excel form: the workbook a verksamhetschef downloads from the
// personal link page, fills in offline and uploads again. Its layout:
//
//   - "Instruktioner": what the form is, how to fill it in, and one line per
//     question, generated from the form definition.
//   - "Utvärderingar": row 1 the technical column names (id, then every field
//     code, a multi field as one "code/option" column per option, last the
//     version), row 2 the Swedish question for each column, one evaluation
//     per row from row 3.
//   - "Listor" (hidden, only when needed): dropdown lists too long for a cell
//     validation's 255 characters.
const (
	SheetInstructions = "Instruktioner"
	SheetUnitForm     = "Utvärderingar"
	SheetLists        = "Listor"
)

// colID names the column that ties a row of the unit form to a stored
// evaluation, and colVersion the one that says which version of it the row
// was downloaded with (round.Evaluation.Version), so that an upload of an
// old file is merged with, or refused over, what was changed since.
const (
	colID      = "id"
	colVersion = "version"
)

// Layout of the Utvärderingar sheet.
const (
	unitFormHeaderRow = 1 // technical column names
	unitFormLabelRow  = 2 // the Swedish questions
	unitFormFirstRow  = 3 // first evaluation
	// unitFormEmptyRows is how many rows below the header carry dropdowns
	// and number checks at least (design: rows 3..1002).
	unitFormEmptyRows = 1000
	// maxListFormula is Excel's limit on a typed-in dropdown list,
	// separators included.
	maxListFormula = 255
)

// idLabel and versionLabel are the row-2 labels of the id and version
// columns.
const (
	idLabel      = "Id (ändra inte; tomt på nya rader)"
	versionLabel = "Version (ändra inte; tomt på nya rader)"
)

// UnitFormInfo is what the unit form says about itself on its instructions
// sheet.
type UnitFormInfo struct {
	RoundName  string
	UnitName   string
	Kommuner   []string
	Deadline   string // YYYY-MM-DD; blank when the round has none
	HourlyRate int64  // kr per hour of own time; 0 leaves the line out
}

// unitFormLayout lists the columns of the Utvärderingar sheet: id, then each
// field in form order, a multi field as one "code/option" column per option,
// and last the version (out of the way: nobody types in it).
func unitFormLayout(def *form.Definition) []outColumn {
	cols := []outColumn{{name: colID}}
	for _, f := range def.Fields {
		if f.Type == form.TypeMulti {
			for _, o := range f.Options {
				cols = append(cols, outColumn{name: f.Code + OptionSeparator + o.Code, field: f, option: o.Code})
			}
			continue
		}
		cols = append(cols, outColumn{name: f.Code, field: f})
	}
	return append(cols, outColumn{name: colVersion})
}

// unitFormLabel is the Swedish row-2 label of a column.
func unitFormLabel(c outColumn) string {
	switch {
	case c.name == colVersion && c.field == nil:
		return versionLabel
	case c.field == nil:
		return idLabel
	case c.option != "":
		return c.field.Label + ": " + c.field.OptionLabel(c.option)
	}
	return c.field.Label
}

// UnitFormHeader is row 1 of the unit form's Utvärderingar sheet.
func UnitFormHeader(def *form.Definition) []string {
	cols := unitFormLayout(def)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// WriteUnitForm writes the unit's Excel form with evs pre-filled, one row
// each (id and answers; a choice as its option's label, a multi field as
// "ja" in each chosen option's column, numbers as number cells). Every text
// is a text cell, so nothing a respondent or the definition wrote can become
// a formula. Drafts are written as they are; a value that is not canonical
// is kept as text.
func WriteUnitForm(w io.Writer, def *form.Definition, info UnitFormInfo, evs []round.Evaluation) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), SheetInstructions); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if _, err := f.NewSheet(SheetUnitForm); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := writeUnitInstructions(f, def, info); err != nil {
		return err
	}
	if err := writeUnitFormSheet(f, def, evs); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

// unitFormStyles are the cell styles of the Utvärderingar sheet.
type unitFormStyles struct {
	names, labels, id, text, hours, kronor int
}

func newUnitFormStyles(f *excelize.File) (unitFormStyles, error) {
	var st unitFormStyles
	top := func(wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Vertical: "top", WrapText: wrap}
	}
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&st.names, excelize.Style{Font: &excelize.Font{Color: "595959", Size: 9}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}, Alignment: top(false), NumFmt: 49}},
		{&st.labels, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: top(true), NumFmt: 49}},
		{&st.id, excelize.Style{Font: &excelize.Font{Color: "595959"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}, Alignment: top(false), NumFmt: 1}},
		{&st.text, excelize.Style{Alignment: top(true), NumFmt: 49}},   // "@": typed text stays text, "=…" too
		{&st.hours, excelize.Style{Alignment: top(false), NumFmt: 4}},  // #,##0.00
		{&st.kronor, excelize.Style{Alignment: top(false), NumFmt: 3}}, // #,##0
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return st, fmt.Errorf("sheet: style: %w", err)
		}
		*d.id = id
	}
	return st, nil
}

func (st unitFormStyles) column(c outColumn) int {
	switch {
	case c.field == nil:
		return st.id
	case c.option != "" || !c.field.IsNumber():
		return st.text
	case c.field.Type == form.TypeInteger:
		return st.kronor
	}
	return st.hours
}

func unitFormWidth(c outColumn) float64 {
	switch {
	case c.field == nil:
		return 9
	case c.option != "":
		return 16
	case c.field.Type == form.TypeTextarea:
		return 44
	case c.field.Type == form.TypeText:
		return 32
	case c.field.Type == form.TypeChoice:
		return 28
	case c.field.IsNumber():
		return 16
	}
	return 14
}

func writeUnitFormSheet(f *excelize.File, def *form.Definition, evs []round.Evaluation) error {
	const sh = SheetUnitForm
	st, err := newUnitFormStyles(f)
	if err != nil {
		return err
	}
	cols := unitFormLayout(def)
	last := unitFormFirstRow - 1 + max(unitFormEmptyRows, len(evs)+unitFormEmptyRows/5)
	for i, c := range cols {
		name := columnLetter(i)
		if err := f.SetColWidth(sh, name, name, unitFormWidth(c)); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		if err := f.SetColStyle(sh, name, st.column(c)); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	for i, c := range cols {
		if err := setStr(f, sh, i, unitFormHeaderRow, c.name, st.names); err != nil {
			return err
		}
		if err := setStr(f, sh, i, unitFormLabelRow, unitFormLabel(c), st.labels); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sh, unitFormLabelRow, 60); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := f.SetPanes(sh, &excelize.Panes{
		Freeze: true, XSplit: 2, YSplit: 2, TopLeftCell: "C3", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "C3", ActiveCell: "C3", Pane: "bottomRight"}},
	}); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	for n, e := range evs {
		row := unitFormFirstRow + n
		for i, c := range cols {
			if err := writeUnitFormCell(f, i, row, c, e); err != nil {
				return err
			}
		}
	}
	return addUnitFormValidations(f, cols, last)
}

// setStr writes a text cell (never a formula) with a style.
func setStr(f *excelize.File, sheet string, col, row int, s string, style int) error {
	cell, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := f.SetCellStr(sheet, cell, s); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if style != 0 {
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	return nil
}

// writeUnitFormCell pre-fills one cell of an existing evaluation.
func writeUnitFormCell(f *excelize.File, col, row int, c outColumn, e round.Evaluation) error {
	cell, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	var v any
	switch {
	case c.name == colVersion && c.field == nil:
		if e.ID > 0 && e.Version > 0 {
			v = e.Version
		}
	case c.field == nil:
		if e.ID > 0 {
			v = e.ID
		}
	case c.option != "":
		if e.Answers.HasOption(c.field.Code, c.option) {
			v = "ja"
		}
	default:
		v = unitFormValue(c.field, e.Answers.Get(c.field.Code))
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		err = f.SetCellStr(SheetUnitForm, cell, dropControls(x))
	default:
		err = f.SetCellValue(SheetUnitForm, cell, x)
	}
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	return nil
}

// unitFormValue is a field's pre-filled cell: a number for a canonical
// number, an option's label for a choice (the dropdowns list labels), the
// stored text otherwise.
func unitFormValue(f *form.Field, v string) any {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	switch {
	case f.IsNumber():
		n, err := form.ParseNumber(v, f.Decimals)
		if err != nil {
			return v
		}
		if f.Type == form.TypeInteger {
			return n.Units
		}
		return n.Float()
	case f.Type == form.TypeChoice:
		if o := f.Option(v); o != nil {
			return o.Label
		}
	}
	return v
}

// dropdownValues are the values offered in a column's dropdown, nil when the
// column has none.
func dropdownValues(c outColumn) []string {
	switch {
	case c.field == nil:
		return nil
	case c.option != "", c.field.Type == form.TypeYesNo:
		return []string{"ja", "nej"}
	case c.field.Type == form.TypeChoice:
		labels := make([]string, len(c.field.Options))
		for i, o := range c.field.Options {
			labels[i] = o.Label
		}
		return labels
	}
	return nil
}

// inlineList tells whether values fit a typed-in dropdown list: at most 255
// characters with separators, and no item holding the separator or a quote.
func inlineList(values []string) bool {
	n := len(values) - 1
	for _, v := range values {
		if strings.ContainsAny(v, `,"`) {
			return false
		}
		n += len([]rune(v))
	}
	return n <= maxListFormula
}

// addUnitFormValidations adds the dropdowns and number checks over rows
// 3..last. Lists that cannot be typed in go to the hidden sheet Listor, one
// column each, and the dropdown refers to that range.
func addUnitFormValidations(f *excelize.File, cols []outColumn, last int) error {
	const sh = SheetUnitForm
	listCol := 0
	lists := map[string]string{} // joined values → range on Listor, shared by equal lists
	for i, c := range cols {
		letter := columnLetter(i)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", letter, unitFormFirstRow, letter, last)
		switch values := dropdownValues(c); {
		case values != nil:
			if inlineList(values) {
				if err := dv.SetDropList(values); err != nil {
					return fmt.Errorf("sheet: dropdown %s: %w", c.name, err)
				}
			} else {
				key := strings.Join(values, "\x00")
				ref, ok := lists[key]
				if !ok {
					var err error
					if ref, err = writeList(f, listCol, values); err != nil {
						return err
					}
					listCol++
					lists[key] = ref
				}
				dv.SetSqrefDropList(ref)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Välj i listan", listMessage(c))
		case c.name == colVersion && c.field == nil:
			if err := dv.SetRange(1, "", excelize.DataValidationTypeWhole, excelize.DataValidationOperatorGreaterThanOrEqual); err != nil {
				return fmt.Errorf("sheet: validation %s: %w", c.name, err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Ändra inte version",
				"Låt version stå som den är: den visar vilken version av utvärderingen raden bygger på, så att ändringar som någon annan gjort under tiden inte skrivs över. Lämna den tom på nya rader.")
		case c.field == nil:
			if err := dv.SetRange(1, "", excelize.DataValidationTypeWhole, excelize.DataValidationOperatorGreaterThanOrEqual); err != nil {
				return fmt.Errorf("sheet: validation %s: %w", c.name, err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Ändra inte id",
				"Låt id stå som det är: det visar vilken utvärdering raden gäller. Lämna id tomt på nya rader.")
		case c.field.IsNumber():
			if err := numberValidation(dv, c.field); err != nil {
				return err
			}
		default:
			continue
		}
		if err := f.AddDataValidation(sh, dv); err != nil {
			return fmt.Errorf("sheet: validation %s: %w", c.name, err)
		}
	}
	return nil
}

func listMessage(c outColumn) string {
	if c.field.Type == form.TypeChoice {
		return clipMessage(fmt.Sprintf("Välj ett av alternativen i listan för ”%s”.", c.field.Label))
	}
	return "Skriv ja eller nej, eller välj i listan."
}

// clipMessage keeps a validation message within Excel's 255 characters.
func clipMessage(s string) string {
	if r := []rune(s); len(r) > 255 {
		return string(r[:254]) + "…"
	}
	return s
}

// numberValidation allows numbers from the field's minimum (0 when it has
// none) up to its maximum, whole numbers for an integer field.
func numberValidation(dv *excelize.DataValidation, f *form.Field) error {
	lo := 0.0
	if f.Min != nil {
		lo = *f.Min
	}
	typ, example, what := excelize.DataValidationTypeDecimal, "12,5", "ett tal"
	if f.Type == form.TypeInteger {
		typ, example, what = excelize.DataValidationTypeWhole, "15000", "ett heltal"
	}
	var err error
	msg := fmt.Sprintf("”%s”: skriv %s som är %s eller större, utan enhet, till exempel %s. Lämna tomt om du inte vet.",
		f.Label, what, form.FormatNumber(lo, 0), example)
	if f.Max != nil {
		err = dv.SetRange(lo, *f.Max, typ, excelize.DataValidationOperatorBetween)
		msg = fmt.Sprintf("”%s”: skriv %s mellan %s och %s, utan enhet, till exempel %s. Lämna tomt om du inte vet.",
			f.Label, what, form.FormatNumber(lo, 0), form.FormatNumber(*f.Max, 0), example)
	} else {
		err = dv.SetRange(lo, "", typ, excelize.DataValidationOperatorGreaterThanOrEqual)
	}
	if err != nil {
		return fmt.Errorf("sheet: validation %s: %w", f.Code, err)
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Ogiltigt tal", clipMessage(msg))
	return nil
}

// writeList puts a dropdown's values in column col of the hidden sheet
// Listor and returns the absolute range a validation refers to.
func writeList(f *excelize.File, col int, values []string) (string, error) {
	if col == 0 {
		if _, err := f.NewSheet(SheetLists); err != nil {
			return "", fmt.Errorf("sheet: %w", err)
		}
		if err := f.SetSheetVisible(SheetLists, false); err != nil {
			return "", fmt.Errorf("sheet: %w", err)
		}
	}
	for i, v := range values {
		if err := setStr(f, SheetLists, col, i+1, v, 0); err != nil {
			return "", err
		}
	}
	letter := columnLetter(col)
	return fmt.Sprintf("%s!$%s$1:$%s$%d", SheetLists, letter, letter, len(values)), nil
}
