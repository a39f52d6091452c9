package sheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/nearest"
	"github.com/inventera/inventera/internal/round"
)

// Longest accepted names and texts outside the form.
const (
	maxNameLen   = round.MaxUnitTextLen
	maxReasonLen = 2000
)

// source yields the rows of one table.
type source interface {
	// next returns the next row that has a non-blank cell, with its 1-based
	// spreadsheet row number; io.EOF after the last. A *rowProblem is a row
	// that could not be parsed and has been skipped; other errors end the
	// read.
	next() (row int, cells []string, err error)
}

// rowProblem is a row the source could not parse; reading goes on.
type rowProblem struct {
	row int
	msg string
}

func (e *rowProblem) Error() string { return e.msg }

// table is one sheet (or CSV file) to read.
type table struct {
	name   string // canonical sheet name
	src    source
	xlsx   bool // cells come from a workbook: numbers are raw floats
	strict bool // every row must be as wide as the header (CSV)
}

// builder turns tables into a Dataset, collecting problems.
type builder struct {
	def   *form.Definition
	lim   Limits
	probs Problems
	full  bool

	kommuner    []round.Kommun
	kommunIdx   map[string]int
	kommunRow   map[string]int
	kommunSheet bool
	// kommunkodRow is the kommuner sheet's row of each kommunkod.
	kommunkodRow map[string]int

	units     []*unitEntry
	unitsByNm map[string][]int
}

type unitEntry struct {
	round.UnitData
	row    int      // row on the enheter sheet; 0 when created from utvarderingar
	packed []string // the unit's evaluations, packed (packAnswers)
}

func newBuilder(def *form.Definition, lim Limits) *builder {
	return &builder{
		def:       def,
		lim:       lim,
		kommunIdx: map[string]int{},
		kommunRow: map[string]int{},
		unitsByNm: map[string][]int{},

		kommunkodRow: map[string]int{},
	}
}

func (b *builder) add(sheet string, row int, col, format string, args ...any) {
	if len(b.probs) >= MaxProblems {
		b.full = true
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	b.probs = append(b.probs, Problem{Sheet: apperror.Clip(sheet), Row: row, Column: apperror.Clip(col), Message: msg})
}

// run reads the tables present in dependency order and returns the import
// or the problems.
func (b *builder) run(tables map[string]*table) (*Import, error) {
	steps := []struct {
		name string
		read func(*table) error
	}{
		{SheetKommuner, b.readKommuner},
		{SheetEnheter, b.readEnheter},
		{SheetUtvarderingar, b.readUtvarderingar},
	}
	for _, s := range steps {
		t := tables[s.name]
		if t == nil {
			continue
		}
		if err := s.read(t); err != nil {
			if errors.Is(err, errStop) {
				break
			}
			return nil, err
		}
		if b.full {
			break
		}
	}
	if len(b.probs) == 0 && len(b.kommuner) == 0 {
		b.add("", 0, "", "Filen innehåller inga rader att importera.")
	}
	if len(b.probs) > 0 {
		b.probs.sort()
		if b.full {
			b.probs = append(b.probs, Problem{Message: fmt.Sprintf("Importen har fler än %d fel; bara de första visas. Rätta dem och försök igen.", MaxProblems)})
		}
		return nil, b.probs
	}
	im := &Import{def: b.def, content: round.Dataset{Kommuner: b.kommuner}}
	if len(b.units) > 0 {
		im.content.Units = make([]round.UnitData, 0, len(b.units))
		im.packed = make([][]string, 0, len(b.units))
	}
	for _, u := range b.units {
		if len(u.packed) > 0 && u.Response == round.NoResponse {
			u.Response = round.Submitted
		}
		im.content.Units = append(im.content.Units, u.UnitData)
		im.packed = append(im.packed, u.packed)
		im.count += len(u.packed)
	}
	return im, nil
}

// column is one header cell resolved.
type column struct {
	kind   colKind
	name   string // canonical name; for a blank header the column letter
	field  *form.Field
	option string
}

type colKind int

const (
	colBlank colKind = iota // no header
	colIgnored
	colNamed // kommuner/enheter column, or kommun/enhet in utvarderingar
	colField
	colOption
)

// scan reads the header with onHeader, then hands every data row to onRow.
// onHeader returns false when the sheet's rows cannot be read (a required
// column is missing).
func (b *builder) scan(t *table, onHeader func(row int, cells []string) ([]column, bool), onRow func(row int, cells []string)) error {
	var cols []column
	headerDone := false
	rows := 0
	reportedBlank := map[int]bool{}
	for {
		row, cells, err := t.src.next()
		if err == io.EOF {
			return nil
		}
		if rp := (*rowProblem)(nil); errors.As(err, &rp) {
			b.add(t.name, rp.row, "", "%s", rp.msg)
			if b.full {
				return errStop
			}
			continue
		}
		if err != nil {
			return err
		}
		if !headerDone {
			headerDone = true
			if len(cells) > MaxColumns {
				b.add(t.name, row, "", "Rubrikraden har %d kolumner; högst %d går att läsa. Ta bort tomma eller onödiga kolumner.", len(cells), MaxColumns)
				return nil
			}
			var ok bool
			if cols, ok = onHeader(row, cells); !ok {
				return nil
			}
			continue
		}
		rows++
		if b.lim.MaxRows > 0 && rows > b.lim.MaxRows {
			b.add(t.name, row, "", "Bladet har fler än %d rader. Dela upp importen i flera filer.", b.lim.MaxRows)
			return errStop
		}
		if t.strict && len(cells) != len(cols) {
			b.add(t.name, row, "", "Raden har %d fält men rubrikraden har %d. Kontrollera avgränsare (; eller ,) och citattecken.", len(cells), len(cols))
			continue
		}
		for i, c := range cells {
			if (i >= len(cols) || cols[i].kind == colBlank) && !reportedBlank[i] && strings.TrimSpace(c) != "" {
				reportedBlank[i] = true
				b.add(t.name, row, columnLetter(i), "Kolumnen har värden men ingen rubrik. Ge den en rubrik eller ta bort värdena.")
			}
		}
		onRow(row, cells)
		if b.full {
			return errStop
		}
	}
}

// namedColumns resolves a kommuner or enheter header against its allowed
// names; the required names must be present.
func (b *builder) namedColumns(sheet string, row int, cells []string, allowed, required []string) ([]column, bool) {
	cols := make([]column, len(cells))
	seen := map[string]bool{}
	for i, c := range cells {
		h := normName(c)
		if h == "" {
			cols[i] = column{kind: colBlank, name: columnLetter(i)}
			continue
		}
		if !contains(allowed, h) {
			b.add(sheet, row, strings.TrimSpace(c), "Okänd kolumn.%s Bladet %s har kolumnerna %s.", suggest(h, allowed, nil), sheet, strings.Join(allowed, ", "))
			cols[i] = column{kind: colIgnored, name: h}
			continue
		}
		if seen[h] {
			b.add(sheet, row, h, "Kolumnen förekommer två gånger.")
			cols[i] = column{kind: colIgnored, name: h}
			continue
		}
		seen[h] = true
		cols[i] = column{kind: colNamed, name: h}
	}
	ok := true
	for _, r := range required {
		if !seen[r] {
			b.add(sheet, row, r, "Kolumnen %s saknas.", r)
			ok = false
		}
	}
	return cols, ok
}

// values maps a row of a named-column sheet to column name → cell text.
func values(cols []column, cells []string) map[string]string {
	m := make(map[string]string, len(cols))
	for i, c := range cells {
		if i < len(cols) && cols[i].kind == colNamed {
			m[cols[i].name] = c
		}
	}
	return m
}

func (b *builder) readKommuner(t *table) error {
	var cols []column
	return b.scan(t, func(row int, cells []string) ([]column, bool) {
		// An empty sheet is no list of kommuner; one with a header is.
		b.kommunSheet = true
		var ok bool
		cols, ok = b.namedColumns(t.name, row, cells, []string{colKommun, colInvanare, colKommunkod}, []string{colKommun})
		return cols, ok
	}, func(row int, cells []string) {
		v := values(cols, cells)
		name := cleanName(v[colKommun])
		if !b.checkName(t.name, row, colKommun, name, "Kommunens namn") {
			return
		}
		if strings.Contains(name, ";") {
			b.add(t.name, row, colKommun, "Kommunens namn får inte innehålla semikolon (;).")
			return
		}
		k := round.Kommun{Name: name}
		if raw := strings.TrimSpace(v[colInvanare]); raw != "" {
			if t.xlsx {
				raw = normalizeFloat(raw, 0)
			}
			n, err := form.ParseNumber(raw, 0)
			switch {
			case err == nil:
				p := n.Units
				k.Population = &p
			case n.Units < 0:
				b.add(t.name, row, colInvanare, "Invånarantalet får inte vara negativt.")
			default:
				b.add(t.name, row, colInvanare, "”%s” är inget invånarantal. Skriv ett heltal, till exempel 23 456, eller lämna tomt.", apperror.Clip(raw))
			}
		}
		if raw := strings.TrimSpace(v[colKommunkod]); raw != "" {
			if t.xlsx {
				raw = normalizeFloat(raw, 0)
			}
			code, err := round.ParseKommunkod(raw)
			if err != nil {
				b.add(t.name, row, colKommunkod, "%s", apperror.Message(err))
				return
			}
			if first, dup := b.kommunkodRow[code]; dup {
				b.add(t.name, row, colKommunkod, "Kommunkoden %s finns redan på rad %d.", code, first)
				return
			}
			b.kommunkodRow[code] = row
			k.Kommunkod = code
		}
		key := nameKey(name)
		if first, dup := b.kommunRow[key]; dup {
			b.add(t.name, row, colKommun, "Kommunen %s finns redan på rad %d.", apperror.Clip(name), first)
			return
		}
		b.kommunRow[key] = row
		b.kommunIdx[key] = len(b.kommuner)
		b.kommuner = append(b.kommuner, k)
	})
}

// checkName reports a blank or overlong name; ok tells whether it is usable.
func (b *builder) checkName(sheet string, row int, col, name, what string) bool {
	switch {
	case name == "":
		b.add(sheet, row, col, "%s saknas.", what)
		return false
	case !utf8.ValidString(name):
		b.add(sheet, row, col, "%s innehåller ogiltiga tecken.", what)
		return false
	case utf8.RuneCountInString(name) > maxNameLen:
		b.add(sheet, row, col, "%s är för långt: högst %d tecken.", what, maxNameLen)
		return false
	}
	return true
}

// kommun returns the canonical name of a kommun, creating it when there is
// no kommuner sheet; ok is false (and a problem reported) when the kommuner
// sheet does not list it.
func (b *builder) kommun(sheet string, row int, col, name string) (string, bool) {
	key := nameKey(name)
	if i, ok := b.kommunIdx[key]; ok {
		return b.kommuner[i].Name, true
	}
	if b.kommunSheet {
		hint := ""
		if strings.Contains(name, ",") {
			hint = " Skilj en delad enhets kommuner åt med semikolon (;)."
		}
		b.add(sheet, row, col, "Kommunen %s finns inte på bladet kommuner.%s", apperror.Clip(name), hint)
		return "", false
	}
	b.kommunIdx[key] = len(b.kommuner)
	b.kommuner = append(b.kommuner, round.Kommun{Name: name})
	return name, true
}

var enheterColumns = []string{colEnhet, colKommun, colOmrade, colFordelning, colStatus, colOrsak, colVerksamhetschef, colEpost}

func (b *builder) readEnheter(t *table) error {
	var cols []column
	return b.scan(t, func(row int, cells []string) ([]column, bool) {
		var ok bool
		cols, ok = b.namedColumns(t.name, row, cells, enheterColumns, []string{colEnhet, colKommun})
		return cols, ok
	}, func(row int, cells []string) {
		v := values(cols, cells)
		before := len(b.probs)

		// Members: each must be a kommun of the workbook (or is created,
		// when it has no kommuner sheet).
		var members []string
		membersOK := true
		for _, part := range strings.Split(v[colKommun], ";") {
			m := cleanName(part)
			if m == "" {
				continue
			}
			if !b.checkName(t.name, row, colKommun, m, "Kommunens namn") {
				membersOK = false
				continue
			}
			canon, ok := b.kommun(t.name, row, colKommun, m)
			if !ok {
				membersOK = false
				continue
			}
			members = append(members, canon)
		}

		// The rules for a valid unit are round.NormalizeUnit's, as for the
		// web form; their problems land in the columns they name. Where a
		// member was refused above, the members (and so the cost split)
		// are not judged again.
		u, err := round.NormalizeUnit(round.Unit{Name: v[colEnhet], Kommuner: members, Omrade: v[colOmrade],
			Fordelning: v[colFordelning], ChefName: v[colVerksamhetschef], ChefEmail: v[colEpost]}, members)
		var ps round.UnitProblems
		if err != nil && !errors.As(err, &ps) {
			b.add(t.name, row, "", "%s", apperror.Message(err))
			return
		}
		for _, p := range ps {
			if !membersOK && (p.Field == round.UnitFieldKommun || p.Field == round.UnitFieldFordelning) {
				continue
			}
			if p.Field == round.UnitFieldKommun {
				membersOK = false
			}
			b.add(t.name, row, p.Field, "%s", p.Message)
		}
		nameOK := ps.For(round.UnitFieldName) == ""

		// A unit name may recur in other kommuner, not within one.
		if nameOK && membersOK {
			for _, i := range b.unitsByNm[nameKey(u.Name)] {
				other := b.units[i]
				if m := overlap(other.Kommuner, u.Kommuner); m != "" {
					b.add(t.name, row, colEnhet, "Enheten %s i %s finns redan på rad %d.", apperror.Clip(u.Name), apperror.Clip(m), other.row)
					break
				}
			}
		}

		// A shared unit split by population needs every member's.
		if membersOK && ps.For(round.UnitFieldFordelning) == "" && len(u.Kommuner) > 1 {
			if fd, err := round.ParseFordelning(u.Fordelning, u.Kommuner); err == nil && fd.Kind == round.SplitByPopulation {
				var unknown []string
				for _, m := range u.Kommuner {
					if p := b.kommuner[b.kommunIdx[nameKey(m)]].Population; p == nil || *p <= 0 {
						unknown = append(unknown, m)
					}
				}
				if len(unknown) > 0 {
					b.add(t.name, row, colFordelning, "Kostnaderna fördelas efter invånarantal, men invånarantalet saknas för %s. Fyll i invanare på bladet kommuner, eller skriv lika eller andelar (Kommun=0,5;Kommun=0,5) i fordelning.", apperror.Clip(strings.Join(unknown, ", ")))
				}
			}
		}

		// Status.
		reason := strings.TrimSpace(v[colOrsak])
		status := normStatus(v[colStatus])
		switch status {
		case "":
		case string(round.Declined):
			u.Response = round.Declined
			if reason == "" {
				b.add(t.name, row, colOrsak, "Ange orsaken när status är avbojt.")
			}
		case string(round.NoEvaluations):
			u.Response = round.NoEvaluations
		default:
			b.add(t.name, row, colStatus, "”%s” är ingen giltig status. Lämna tomt eller skriv avbojt eller inga_utvarderingar.", apperror.Clip(strings.TrimSpace(v[colStatus])))
		}
		switch {
		case reason == "":
		case status == "":
			b.add(t.name, row, colOrsak, "Orsak anges bara när status är avbojt.")
		case utf8.RuneCountInString(reason) > maxReasonLen:
			b.add(t.name, row, colOrsak, "Orsaken är för lång: högst %d tecken.", maxReasonLen)
		case u.Response == round.Declined:
			u.Reason = reason
		}
		if len(b.probs) != before || err != nil || !membersOK {
			return
		}
		b.addUnit(&unitEntry{UnitData: round.UnitData{Unit: u}, row: row})
	})
}

func (b *builder) addUnit(u *unitEntry) *unitEntry {
	key := nameKey(u.Name)
	b.unitsByNm[key] = append(b.unitsByNm[key], len(b.units))
	b.units = append(b.units, u)
	return u
}

func (b *builder) readUtvarderingar(t *table) error {
	var cols []column
	missing := map[string]bool{} // required fields without a column: reported once
	return b.scan(t, func(row int, cells []string) ([]column, bool) {
		var ok bool
		cols, ok = b.evaluationColumns(t.name, row, cells, missing)
		return cols, ok
	}, func(row int, cells []string) {
		b.evaluationRow(t, cols, missing, row, cells)
	})
}

// evaluationColumns resolves the utvarderingar header.
func (b *builder) evaluationColumns(sheet string, row int, cells []string, missing map[string]bool) ([]column, bool) {
	cols := make([]column, len(cells))
	seen := map[string]bool{}
	single := map[string]bool{} // multi fields with a single column
	perOption := map[string]int{}
	for i, c := range cells {
		h := normName(c)
		if h == "" {
			cols[i] = column{kind: colBlank, name: columnLetter(i)}
			continue
		}
		var col column
		code, opt, isOpt := strings.Cut(h, OptionSeparator)
		code, opt = strings.TrimSpace(code), strings.TrimSpace(opt)
		switch f := b.def.Field(code); {
		case !isOpt && (h == colKommun || h == colEnhet):
			col = column{kind: colNamed, name: h}
		case !isOpt && f != nil:
			col = column{kind: colField, name: h, field: f}
		case isOpt && f != nil && f.Type == form.TypeMulti:
			o := matchOption(f, opt)
			if o == "" {
				b.add(sheet, row, strings.TrimSpace(c), "Fältet %s har inget alternativ ”%s”. Alternativen är: %s.", code, apperror.Clip(opt), optionCodes(f))
				cols[i] = column{kind: colIgnored, name: h}
				continue
			}
			col = column{kind: colOption, name: code + OptionSeparator + o, field: f, option: o}
		default:
			if hint := suggest(h, b.evaluationNames(), b.def); hint != "" {
				b.add(sheet, row, strings.TrimSpace(c), "Okänd kolumn.%s", hint)
			} else {
				b.add(sheet, row, strings.TrimSpace(c), "Okänd kolumn. Kolumnerna heter kommun, enhet och formulärets fältkoder, till exempel %s.", strings.Join(b.def.Codes()[:min(3, len(b.def.Fields))], ", "))
			}
			cols[i] = column{kind: colIgnored, name: h}
			continue
		}
		if seen[col.name] {
			b.add(sheet, row, col.name, "Kolumnen förekommer två gånger.")
			cols[i] = column{kind: colIgnored, name: col.name}
			continue
		}
		seen[col.name] = true
		cols[i] = col
		switch {
		case col.kind == colOption:
			perOption[code]++
		case col.kind == colField && col.field.Type == form.TypeMulti:
			single[code] = true
		}
	}
	for code := range single {
		if perOption[code] > 0 {
			b.add(sheet, row, code, "Fältet %s har både en kolumn %s och kolumner per alternativ (%s/…). Använd det ena eller det andra.", code, code, code)
		}
	}
	ok := true
	for _, r := range []string{colKommun, colEnhet} {
		if !seen[r] {
			b.add(sheet, row, r, "Kolumnen %s saknas.", r)
			ok = false
		}
	}
	for _, f := range b.def.Fields {
		if !f.Required || f.BlankInImport != "" || seen[f.Code] || perOption[f.Code] > 0 {
			continue
		}
		missing[f.Code] = true
		if f.Type == form.TypeMulti {
			b.add(sheet, row, f.Code, "Kolumnen %s saknas (eller kolumner %s/alternativ). Fältet ”%s” måste fyllas i.", f.Code, f.Code, f.Label)
		} else {
			b.add(sheet, row, f.Code, "Kolumnen %s saknas. Fältet ”%s” måste fyllas i.", f.Code, f.Label)
		}
	}
	return cols, ok
}

// evaluationNames lists every column name utvarderingar accepts, for
// suggestions.
func (b *builder) evaluationNames() []string {
	names := []string{colKommun, colEnhet}
	for _, f := range b.def.Fields {
		names = append(names, f.Code)
		if f.Type == form.TypeMulti {
			for _, o := range f.Options {
				names = append(names, f.Code+OptionSeparator+o.Code)
			}
		}
	}
	return names
}

func (b *builder) evaluationRow(t *table, cols []column, missing map[string]bool, row int, cells []string) {
	var kommunRaw, enhetRaw string
	answers := make(form.Answers, len(b.def.Fields))
	var reported map[string]bool
	for i, c := range cells {
		if i >= len(cols) {
			break
		}
		col := cols[i]
		switch col.kind {
		case colNamed:
			if col.name == colKommun {
				kommunRaw = c
			} else {
				enhetRaw = c
			}
		case colField:
			if t.xlsx && col.field.IsNumber() {
				c = normalizeFloat(c, col.field.Decimals)
			}
			answers[col.field.Code] = c
		case colOption:
			if strings.TrimSpace(c) == "" {
				continue
			}
			yes, ok := form.ParseYesNo(c)
			if !ok {
				b.add(t.name, row, col.name, "”%s” är inget giltigt svar: skriv ja eller nej (eller lämna tomt för nej).", apperror.Clip(strings.TrimSpace(c)))
				if reported == nil {
					reported = map[string]bool{}
				}
				reported[col.field.Code] = true
				continue
			}
			if yes {
				if prev := answers[col.field.Code]; prev != "" {
					answers[col.field.Code] = prev + form.MultiSeparator + col.option
				} else {
					answers[col.field.Code] = col.option
				}
			}
		}
	}

	// The row's unit first, so its problems come first.
	var u *unitEntry
	kommunName, enhetName := cleanName(kommunRaw), cleanName(enhetRaw)
	kOK := b.checkName(t.name, row, colKommun, kommunName, "Kommunen")
	eOK := b.checkName(t.name, row, colEnhet, enhetName, "Enheten")
	if kOK && eOK {
		if kommun, ok := b.kommun(t.name, row, colKommun, kommunName); ok {
			u = b.unitFor(t.name, row, enhetName, kommun)
		}
	}
	if u != nil {
		switch u.Response {
		case round.NoEvaluations:
			b.add(t.name, row, colEnhet, "Enheten %s har status inga_utvarderingar på bladet enheter men har utvärderingar här. Ta bort statusen eller raden.", apperror.Clip(u.Name))
		case round.Declined:
			b.add(t.name, row, colEnhet, "Enheten %s har status avbojt på bladet enheter men har utvärderingar här. Ta bort statusen eller raden.", apperror.Clip(u.Name))
		}
	}

	canon, errs := b.def.Validate(answers, form.ModeImport)
	for _, e := range errs {
		if reported[e.Code] || missing[e.Code] {
			continue
		}
		b.add(t.name, row, e.Code, "%s", e.Message)
	}
	// A refused import keeps nothing: once there is a problem, evaluations
	// are checked but no longer kept.
	if u == nil || len(b.probs) > 0 {
		return
	}
	u.packed = append(u.packed, packAnswers(b.def, canon))
}

// unitFor finds the unit named so that kommun belongs to, or creates it with
// kommun as its sole member. A shared unit of that name that kommun does not
// belong to is a problem: the row most likely names the wrong kommun.
func (b *builder) unitFor(sheet string, row int, name, kommun string) *unitEntry {
	var shared *unitEntry
	for _, i := range b.unitsByNm[nameKey(name)] {
		u := b.units[i]
		if contains(u.Kommuner, kommun) {
			return u
		}
		if u.Shared() && shared == nil {
			shared = u
		}
	}
	if shared != nil {
		b.add(sheet, row, colKommun, "Enheten %s delas av %s; %s är inte en av dem. Ange en av enhetens kommuner.", apperror.Clip(shared.Name), apperror.Clip(strings.Join(shared.Kommuner, ", ")), apperror.Clip(kommun))
		return nil
	}
	return b.addUnit(&unitEntry{UnitData: round.UnitData{Unit: round.Unit{Name: name, Kommuner: []string{kommun}}}})
}

// --- small helpers ---

// cleanName trims a name and collapses inner white space.
func cleanName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// nameKey compares kommun and unit names regardless of letter case.
func nameKey(s string) string { return strings.ToLower(s) }

// normName normalises a sheet or column name: trimmed, lower case, with å,
// ä, ö (and é, ü) written without their marks, so "Utvärderingar" and
// "Invånare" are recognised.
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case 'å', 'ä', 'á', 'à':
			return 'a'
		case 'ö', 'ó', 'ø':
			return 'o'
		case 'é', 'è':
			return 'e'
		case 'ü':
			return 'u'
		case '\u00a0':
			return ' '
		}
		return r
	}, s)
}

// normStatus reads a unit status in its code or its written form.
func normStatus(s string) string {
	n := strings.Join(strings.FieldsFunc(normName(s), func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), "_")
	switch n {
	case "":
		return ""
	case "avbojt", "avbojd", "declined":
		return string(round.Declined)
	case "inga_utvarderingar", "inga":
		return string(round.NoEvaluations)
	}
	return n
}

// normalizeFloat cleans a number a workbook stores as a binary float:
// 12.499999999999998 (a computed cell) or 12.4999999999999 (cut to 15
// digits) reads as 12.5 when that is within floating-point noise of a value
// with the field's decimals, and exponents are written out (1E-3 → 0.001).
// Real extra decimals (12.499) are kept, for validation to refuse. Anything
// that is not a plain float is returned as it is.
func normalizeFloat(s string, decimals int) string {
	t := strings.TrimSpace(s)
	if t == "" || !strings.ContainsAny(t, ".eE") {
		return s
	}
	digits := false
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == '.' || r == 'e' || r == 'E' || r == '+' || r == '-':
		default:
			return s
		}
	}
	if !digits {
		return s
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) >= 1e15 {
		return s
	}
	scale := math.Pow10(decimals)
	if r := math.Round(v*scale) / scale; math.Abs(v-r) <= 1e-9*math.Max(1, math.Abs(v)) {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// matchOption finds an option by its code or label, in any letter case.
func matchOption(f *form.Field, s string) string {
	s = strings.TrimSpace(s)
	n := normName(s)
	for _, o := range f.Options {
		if strings.EqualFold(s, o.Code) || strings.EqualFold(s, o.Label) || n == normName(o.Label) {
			return o.Code
		}
	}
	return ""
}

func optionCodes(f *form.Field) string {
	codes := make([]string, len(f.Options))
	for i, o := range f.Options {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}

func overlap(a, b []string) string {
	for _, x := range a {
		if contains(b, x) {
			return x
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func columnLetter(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return name
}

// suggest proposes the column the user probably meant: a field whose label
// was written instead of its code, or a name a typo away.
func suggest(h string, names []string, def *form.Definition) string {
	if def != nil {
		for _, f := range def.Fields {
			if h == normName(f.Label) {
				return fmt.Sprintf(" Rubriken är fältets namn; kolumnen ska heta %s.", f.Code)
			}
		}
	}
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := nearest.Distance(h, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= max(1, utf8.RuneCountInString(best)/4) {
		return fmt.Sprintf(" Menade du %s?", best)
	}
	return ""
}

// dropControls removes the characters a workbook cannot hold (XML 1.0 has no
// C0 controls other than tab and line breaks, nor U+FFFE and U+FFFF), so
// what is read can be written back unchanged.
func dropControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c == 0xEF && strings.HasPrefix(s[i:], "\uFFFE")) || (c == 0xEF && strings.HasPrefix(s[i:], "\uFFFF")) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
