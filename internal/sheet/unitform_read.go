package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
)

// UnitFormRow is one evaluation read from an uploaded unit form.
type UnitFormRow struct {
	Row int   // spreadsheet row on the Utvärderingar sheet
	ID  int64 // the evaluation the row updates; 0 for a new one
	// Version is the version of the evaluation the row was downloaded with
	// (the version column); 0 for a new row, and for a file without the
	// column (downloaded before it was added) or a blank cell.
	Version int64
	Answers form.Answers // canonical, valid in form.ModeForm
}

// ReadUnitForm reads an uploaded unit form (see WriteUnitForm): the sheet
// Utvärderingar, row 1 the column names, row 2 the questions (skipped when it
// is the question row), one evaluation per non-blank row after that. Columns
// are id, the field codes and, for a multi field, either per-option columns
// "code/option" holding ja/nej (blank is nej) or a single column of options
// separated by ";" or ","; their order does not matter. Choices may be given
// by option code or label. Every row is validated as the web form validates
// a submission (form.ModeForm).
//
// Reading is all-or-nothing: the rows, or Problems naming every bad cell by
// sheet (Utvärderingar), row and column (the field code, also for a per-option
// column) with a Swedish message. The file as a whole is refused with an
// *apperror.Error (apperror.Invalid, apperror.TooLarge) when it is no
// readable workbook or exceeds lim.
//
// An id is a positive whole number, at most once in the file. ReadUnitForm
// cannot know which evaluations the unit has: the caller must check that
// every id is one of the unit's evaluations before it stores anything. A
// version is a positive whole number or blank; the column may be missing
// (a file from before it existed), and a new row's version is ignored.
//
// The workbook is checked against lim before it is read, as by ReadXLSX,
// and the read stops with an error when ctx ends.
func ReadUnitForm(ctx context.Context, r io.Reader, def *form.Definition, lim Limits) ([]UnitFormRow, error) {
	lim = lim.withDefaults()
	f, done, err := openWorkbook(ctx, r, lim, func(name string) bool { return normName(name) == normName(SheetUnitForm) })
	if err != nil {
		return nil, err
	}
	defer done()
	names, err := sheetList(f)
	if err != nil {
		return nil, err
	}
	sheet := ""
	for _, n := range names {
		if normName(n) != normName(SheetUnitForm) {
			continue
		}
		if sheet != "" {
			return nil, Problems{{Message: fmt.Sprintf("Arbetsboken har två blad som heter %s. Ta bort det ena.", SheetUnitForm)}}
		}
		sheet = n
	}
	if sheet == "" {
		return nil, Problems{{Message: fmt.Sprintf("Arbetsboken har inget blad som heter %s. Ladda upp enhetens formulär, som du laddar ner från din personliga sida, med utvärderingarna ifyllda på bladet %s.", SheetUnitForm, SheetUnitForm)}}
	}
	rows, err := openRows(f, sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	u := &unitFormReader{b: newBuilder(def, lim), def: def, ids: map[int64]int{}, missing: map[string]bool{}}
	t := &table{name: SheetUnitForm, src: &xlsxSource{ctx: ctx, rows: rows, sheet: SheetUnitForm}, xlsx: true}
	if err := u.b.scan(t, u.header, u.row); err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if len(u.b.probs) == 0 && len(u.out) == 0 {
		u.b.add(SheetUnitForm, 0, "", "Bladet %s har inga ifyllda rader. Skriv en rad för varje utvärdering, från rad %d.", SheetUnitForm, unitFormFirstRow)
	}
	if err := u.b.problems(); err != nil {
		return nil, err
	}
	return u.out, nil
}

// problems returns the collected problems sorted, with a closing note when
// reading stopped at MaxProblems; nil when there are none.
func (b *builder) problems() error {
	if len(b.probs) == 0 {
		return nil
	}
	b.probs.sort()
	if b.full {
		b.probs = append(b.probs, Problem{Message: fmt.Sprintf("Importen har fler än %d fel; bara de första visas. Rätta dem och försök igen.", MaxProblems)})
	}
	return b.probs
}

// unitFormReader turns the rows of an uploaded unit form into UnitFormRows.
type unitFormReader struct {
	b       *builder
	def     *form.Definition
	cols    []column
	idCol   int
	verCol  int
	labels  map[string]string // column name → the row-2 label WriteUnitForm writes
	missing map[string]bool   // required fields without a column: reported once
	ids     map[int64]int     // id → row
	out     []UnitFormRow
}

// header resolves row 1. A header that is the question row means row 1 was
// deleted; that is said once instead of calling every column unknown.
func (u *unitFormReader) header(row int, cells []string) ([]column, bool) {
	const sh = SheetUnitForm
	u.labels = map[string]string{}
	for _, c := range unitFormLayout(u.def) {
		u.labels[c.name] = unitFormLabel(c)
	}
	if u.isLabelRow(cells) {
		u.b.add(sh, row, "", "Rad 1 med kolumnernas namn (id, %s …) saknas; bladet börjar med frågorna. Ladda ner formuläret på nytt och klistra in dina rader från rad %d.", strings.Join(u.def.Codes()[:min(2, len(u.def.Fields))], ", "), unitFormFirstRow)
		return nil, false
	}

	cols := make([]column, len(cells))
	seen := map[string]bool{}
	single := map[string]bool{}   // multi fields read from one column
	perOption := map[string]int{} // multi fields read from per-option columns
	u.idCol, u.verCol = -1, -1
	for i, c := range cells {
		h := normName(c)
		if h == "" {
			cols[i] = column{kind: colBlank, name: columnLetter(i)}
			continue
		}
		var col column
		code, opt, isOpt := strings.Cut(h, OptionSeparator)
		code, opt = strings.TrimSpace(code), strings.TrimSpace(opt)
		switch f := u.def.Field(code); {
		case !isOpt && h == colID:
			col = column{kind: colNamed, name: colID}
		case !isOpt && h == colVersion:
			col = column{kind: colNamed, name: colVersion}
		case !isOpt && f != nil:
			col = column{kind: colField, name: h, field: f}
		case isOpt && f != nil && f.Type == form.TypeMulti:
			o := matchOption(f, opt)
			if o == "" {
				u.b.add(sh, row, strings.TrimSpace(c), "Frågan ”%s” har inget alternativ ”%s”. Kolumnerna för den heter %s.", f.Label, apperror.Clip(opt), optionColumns(f))
				cols[i] = column{kind: colIgnored, name: h}
				continue
			}
			col = column{kind: colOption, name: code + OptionSeparator + o, field: f, option: o}
		default:
			hint := suggest(h, u.columnNames(), u.def)
			if hint == "" {
				hint = " Rad 1 ska ha kolumnnamnen som formuläret hade när du laddade ner det (id, " + strings.Join(u.def.Codes()[:min(2, len(u.def.Fields))], ", ") + " …). Ta bort kolumnen eller ladda ner formuläret på nytt."
			}
			u.b.add(sh, row, strings.TrimSpace(c), "Okänd kolumn.%s", hint)
			cols[i] = column{kind: colIgnored, name: h}
			continue
		}
		if seen[col.name] {
			u.b.add(sh, row, col.name, "Kolumnen förekommer två gånger.")
			cols[i] = column{kind: colIgnored, name: col.name}
			continue
		}
		seen[col.name] = true
		cols[i] = col
		switch {
		case col.kind == colNamed && col.name == colVersion:
			u.verCol = i
		case col.kind == colNamed:
			u.idCol = i
		case col.kind == colOption:
			perOption[code]++
		case col.field.Type == form.TypeMulti:
			single[code] = true
		}
	}
	for _, f := range u.def.Fields {
		if single[f.Code] && perOption[f.Code] > 0 {
			u.b.add(sh, row, f.Code, "Frågan ”%s” har både en kolumn %s och kolumner per alternativ (%s/…). Använd kolumnerna per alternativ.", f.Label, f.Code, f.Code)
		}
	}
	ok := true
	if u.idCol < 0 {
		u.b.add(sh, row, colID, "Kolumnen id saknas. Den visar vilka rader som är utvärderingar som redan finns; ladda ner formuläret på nytt och klistra in dina rader där.")
		ok = false
	}
	for _, f := range u.def.Fields {
		if !f.Required || seen[f.Code] || perOption[f.Code] > 0 {
			continue
		}
		u.missing[f.Code] = true
		u.b.add(sh, row, f.Code, "Kolumnen %s för frågan ”%s” saknas. Ladda ner formuläret på nytt och klistra in dina rader där.", f.Code, f.Label)
	}
	u.cols = cols
	return cols, ok
}

// columnNames lists every column name the unit form accepts, for
// suggestions.
func (u *unitFormReader) columnNames() []string {
	return UnitFormHeader(u.def)
}

// isLabelRow tells whether cells are the question row WriteUnitForm writes
// as row 2: at least half of its non-blank cells are their column's question
// (by position when the columns are not known yet), and at least two.
func (u *unitFormReader) isLabelRow(cells []string) bool {
	want := map[string]bool{}
	for _, l := range u.labels {
		want[normName(l)] = true
	}
	filled, match := 0, 0
	for i, c := range cells {
		n := normName(c)
		if n == "" {
			continue
		}
		filled++
		switch {
		case u.cols != nil && i < len(u.cols) && u.cols[i].kind != colBlank && u.cols[i].kind != colIgnored:
			if n == normName(u.labels[u.cols[i].name]) {
				match++
			}
		case want[n]:
			match++
		}
	}
	return match >= 2 && 2*match >= filled
}

// row reads one evaluation.
func (u *unitFormReader) row(row int, cells []string) {
	const sh = SheetUnitForm
	if row == unitFormLabelRow && u.isLabelRow(cells) {
		return
	}
	before := len(u.b.probs)
	answers := make(form.Answers, len(u.def.Fields))
	var reported map[string]bool
	filled := false
	rawID, rawVersion := "", ""
	for i, c := range cells {
		if i >= len(u.cols) {
			break
		}
		col := u.cols[i]
		switch col.kind {
		case colNamed:
			if col.name == colVersion {
				rawVersion = strings.TrimSpace(c)
			} else {
				rawID = strings.TrimSpace(c)
			}
			continue
		case colField:
			if col.field.IsNumber() {
				c = normalizeFloat(c, col.field.Decimals)
			}
			answers[col.field.Code] = c
		case colOption:
			if strings.TrimSpace(c) == "" {
				continue
			}
			yes, ok := form.ParseYesNo(c)
			if !ok {
				u.b.add(sh, row, col.field.Code, "”%s” är inget giltigt svar i kolumnen %s (”%s: %s”): skriv ja eller nej, eller lämna tomt för nej.",
					apperror.Clip(strings.TrimSpace(c)), col.name, col.field.Label, col.field.OptionLabel(col.option))
				if reported == nil {
					reported = map[string]bool{}
				}
				reported[col.field.Code] = true
				filled = true
				continue
			}
			if yes {
				if prev := answers[col.field.Code]; prev != "" {
					answers[col.field.Code] = prev + form.MultiSeparator + col.option
				} else {
					answers[col.field.Code] = col.option
				}
			}
		default:
			continue
		}
		if strings.TrimSpace(c) != "" {
			filled = true
		}
	}

	id := u.readID(row, rawID)
	var version int64
	if id != 0 {
		version = u.readVersion(row, rawVersion)
	}
	if !filled {
		if rawID != "" {
			u.b.add(sh, row, colID, "Raden har ett id men inga svar. Att tömma en rad tar inte bort utvärderingen: fyll i raden igen, eller ta bort utvärderingen på din personliga sida och raden här.")
		}
		return
	}
	canon, errs := u.def.Validate(answers, form.ModeForm)
	for _, e := range errs {
		if reported[e.Code] || u.missing[e.Code] {
			continue
		}
		u.b.add(sh, row, e.Code, "%s", e.Message)
	}
	if len(u.b.probs) != before {
		return
	}
	u.out = append(u.out, UnitFormRow{Row: row, ID: id, Version: version, Answers: canon})
}

// readVersion reads the version cell of a row with an id: blank (0: not
// known) or a positive whole number.
func (u *unitFormReader) readVersion(row int, raw string) int64 {
	if raw == "" {
		return 0
	}
	n, err := form.ParseNumber(normalizeFloat(raw, 0), 0)
	if err != nil || n.Units <= 0 {
		u.b.add(SheetUnitForm, row, colVersion, "”%s” är ingen giltig version. Låt version stå som den var i formuläret du laddade ner.", apperror.Clip(raw))
		return 0
	}
	return n.Units
}

// readID reads the id cell: blank (0) or a positive whole number that no
// earlier row has.
func (u *unitFormReader) readID(row int, raw string) int64 {
	if raw == "" {
		return 0
	}
	n, err := form.ParseNumber(normalizeFloat(raw, 0), 0)
	if err != nil || n.Units <= 0 {
		u.b.add(SheetUnitForm, row, colID, "”%s” är inget giltigt id. Låt id stå som det var i formuläret du laddade ner, och lämna det tomt på nya rader.", apperror.Clip(raw))
		return 0
	}
	if first, dup := u.ids[n.Units]; dup {
		u.b.add(SheetUnitForm, row, colID, "Id %d står redan på rad %d. Varje utvärdering har en rad; lämna id tomt på nya rader.", n.Units, first)
		return 0
	}
	u.ids[n.Units] = row
	return n.Units
}
