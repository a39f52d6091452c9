package sheet

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
)

// instructionStyles are the cell styles of an instructions sheet.
type instructionStyles struct {
	title, heading, key, text, tableHead int
}

func newInstructionStyles(f *excelize.File) (instructionStyles, error) {
	var st instructionStyles
	wrap := &excelize.Alignment{Vertical: "top", WrapText: true}
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 49}},
		{&st.heading, excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}, Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 49}},
		{&st.key, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrap, NumFmt: 49}},
		{&st.text, excelize.Style{Alignment: wrap, NumFmt: 49}},
		{&st.tableHead, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: wrap, NumFmt: 49}},
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

// instructions writes an instructions sheet row by row. Every cell is a
// text cell.
type instructions struct {
	f      *excelize.File
	sheet  string
	st     instructionStyles
	widths []float64 // column widths, in characters
	row    int
	err    error
}

// newInstructions sets the sheet's column widths and print layout.
func newInstructions(f *excelize.File, sheet string, st instructionStyles, widths []float64) (*instructions, error) {
	for i, w := range widths {
		col := columnLetter(i)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, fmt.Errorf("sheet: %w", err)
		}
	}
	if err := printable(f, sheet); err != nil {
		return nil, err
	}
	return &instructions{f: f, sheet: sheet, st: st, widths: widths}, nil
}

// line writes cells from column A with one style; blank cells are skipped.
func (in *instructions) line(style int, cells ...string) {
	in.row++
	lines := 1
	for i, c := range cells {
		if in.err != nil || c == "" {
			continue
		}
		in.err = setStr(in.f, in.sheet, i, in.row, c, style)
		if i < len(in.widths) {
			lines = max(lines, wrappedLines(c, in.widths[i]))
		}
	}
	in.height(lines)
}

// wrappedLines estimates how many lines text takes in a column of the
// width (in characters) when wrapped.
func wrappedLines(text string, width float64) int {
	per := max(1, int(width)) // a width unit is one digit; most letters are narrower
	n := 0
	for _, l := range strings.Split(text, "\n") {
		n += max(1, (len([]rune(l))+per-1)/per)
	}
	return n
}

// height gives the current row room for lines of text: spreadsheet
// programs do not grow a row for wrapped text they did not lay out
// themselves.
func (in *instructions) height(lines int) {
	if in.err == nil && lines > 1 {
		in.err = in.f.SetRowHeight(in.sheet, in.row, float64(15*lines))
	}
}

// pair writes a bold key and a value.
func (in *instructions) pair(key, value string) { in.keyed(key, value) }

// para writes a paragraph over columns B–D (A holds keys and headings).
func (in *instructions) para(text string) { in.keyed("", text) }

// keyed writes a bold key in column A (unless blank) and a paragraph over
// columns B–D.
func (in *instructions) keyed(key, text string) {
	in.row++
	if in.err != nil {
		return
	}
	if key != "" {
		in.err = setStr(in.f, in.sheet, 0, in.row, key, in.st.key)
	}
	if in.err == nil {
		in.err = setStr(in.f, in.sheet, 1, in.row, text, in.st.text)
	}
	if in.err == nil {
		from, _ := excelize.CoordinatesToCellName(2, in.row)
		to, _ := excelize.CoordinatesToCellName(4, in.row)
		in.err = in.f.MergeCell(in.sheet, from, to)
	}
	width := 0.0
	for _, w := range in.widths[1:min(4, len(in.widths))] {
		width += w
	}
	in.height(wrappedLines(text, width))
}

func (in *instructions) blank() { in.row++ }

// printable sets an instructions sheet to print landscape, one page wide.
func printable(f *excelize.File, sheet string) error {
	landscape, one, any := "landscape", 1, 0
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &any}); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	return nil
}

func writeUnitInstructions(f *excelize.File, def *form.Definition, info UnitFormInfo) error {
	st, err := newInstructionStyles(f)
	if err != nil {
		return err
	}
	in, err := newInstructions(f, SheetInstructions, st, []float64{34, 26, 60, 48})
	if err != nil {
		return err
	}

	title := "Utvärderingar"
	if info.UnitName != "" {
		title += " – " + info.UnitName
	}
	in.line(st.title, title)
	in.blank()
	if info.RoundName != "" {
		in.pair("Omgång", info.RoundName)
	}
	if info.UnitName != "" {
		in.pair("Enhet", info.UnitName)
	}
	switch len(info.Kommuner) {
	case 0:
	case 1:
		in.pair("Kommun", info.Kommuner[0])
	default:
		in.pair("Kommuner", strings.Join(info.Kommuner, ", ")+" (enheten drivs gemensamt)")
	}
	if info.Deadline != "" {
		in.pair("Sista dag att lämna svar", info.Deadline)
	}
	if info.HourlyRate > 0 {
		in.pair("Timkostnad", rateText(info.HourlyRate))
	}
	in.blank()
	if def.Intro != "" {
		in.para(def.Intro)
		in.blank()
	}

	in.line(st.heading, "Så fyller du i formuläret")
	for i, step := range unitFormSteps(def, info) {
		in.keyed(fmt.Sprintf("%d.", i+1), step)
	}
	in.blank()

	in.line(st.heading, "Frågorna")
	in.para(fmt.Sprintf("Varje fråga är en kolumn på bladet %s. Rad 1 där har kolumnens namn (i tabellen nedan under Kolumn), rad 2 frågan.", SheetUnitForm))
	in.line(st.tableHead, "Fråga", "Kolumn", "Förklaring", "Tillåtna svar")
	for _, s := range def.Sections {
		fields := def.SectionFields(s.Code)
		if len(fields) == 0 {
			continue
		}
		in.blank()
		in.line(st.key, s.Title)
		if s.Intro != "" {
			in.para(s.Intro)
		}
		for _, fd := range fields {
			in.line(st.text, fd.Label, fieldColumn(fd), fieldExplanation(def, fd), allowedAnswers(fd))
		}
	}
	return in.err
}

// rateText is "280 kr per timme".
func rateText(rate int64) string {
	return form.FormatNumber(float64(rate), 0) + " kr per timme"
}

// unitFormSteps is the numbered how-to of the instructions sheet.
func unitFormSteps(def *form.Definition, info UnitFormInfo) []string {
	steps := []string{
		fmt.Sprintf("Skriv en rad för varje utvärdering på bladet %s, från rad %d och nedåt. Rad 1 har kolumnernas namn och rad 2 frågorna: ändra inte i dem.", SheetUnitForm, unitFormFirstRow),
		"Låt kolumnen id stå som den är. En rad med id ändrar den utvärderingen som redan finns; en ny rad lämnar du utan id, så får den ett när filen laddas upp. Kopiera aldrig ett id till en annan rad.",
		"Låt också kolumnen version (längst till höger) stå som den är. Den visar vilken version av utvärderingen raden bygger på. Har någon annan ändrat utvärderingen efter att du laddade ner filen behålls deras ändringar i de frågor du inte har ändrat; har ni ändrat samma fråga sparas ingenting och du får veta vilka rader och frågor det gäller.",
		"Använd listorna i cellerna (klicka på cellen och på pilen) för ja/nej-frågor och frågor med svarsalternativ. Skriver du själv spelar stora och små bokstäver ingen roll.",
		"Frågor där flera svar kan stämma har en kolumn per alternativ (till exempel anvandning/handlingsplan). Skriv ja i varje kolumn som stämmer och lämna de andra tomma eller skriv nej.",
		"Tal skriver du med siffror, utan kr eller timmar. Både svenskt och engelskt skrivsätt går bra: 1 234,5 eller 1234.5. Komma eller punkt är decimaltecken; mellanslag får skilja tusental.",
	}
	if cost := costStep(def, info); cost != "" {
		steps = append(steps, cost)
	}
	steps = append(steps,
		"Spara filen som Excel-arbetsbok (.xlsx) och ladda upp den på din personliga sida. Innehåller filen fel sparas ingenting: du får en lista med rad, kolumn och vad som ska rättas, och laddar sedan upp filen igen.",
		"Att ta bort en rad här tar inte bort utvärderingen. Vill du ta bort en utvärdering gör du det på din personliga sida.",
	)
	return steps
}

// costStep explains the cost fields from the definition: the cost section's
// introduction, the hourly rate, and every field that may only be given
// when others are blank (the total cost).
func costStep(def *form.Definition, info UnitFormInfo) string {
	var parts []string
	for _, fd := range def.Fields {
		if len(fd.OnlyWhenBlank) == 0 {
			continue
		}
		for _, s := range def.Sections {
			if s.Code == fd.Section && s.Intro != "" && !containsString(parts, s.Intro) {
				parts = append(parts, s.Intro)
			}
		}
		var others []string
		for _, o := range fd.OnlyWhenBlank {
			if of := def.Field(o); of != nil {
				others = append(others, "”"+of.Label+"”")
			}
		}
		parts = append(parts, fmt.Sprintf("Fyll i ”%s” bara när kostnaden inte kan delas upp; lämna då %s tomma. Har du fyllt i någon av dem ska ”%s” vara tom.",
			fd.Label, joinOr(others, "och"), fd.Label))
	}
	if len(parts) == 0 {
		return ""
	}
	if info.HourlyRate > 0 {
		parts = append(parts, fmt.Sprintf("Timkostnaden är %s.", rateText(info.HourlyRate)))
	}
	parts = append(parts, "0 betyder att kostnaden var noll; tomt betyder att den inte är känd.")
	return "Kostnader: " + strings.Join(parts, " ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// joinOr joins "a", "b", "c" as "a, b och c".
func joinOr(items []string, word string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}

// fieldColumn names a field's column on the Utvärderingar sheet; for a
// multi field the common start of its per-option columns (each option's
// column is listed with the allowed answers).
func fieldColumn(fd *form.Field) string {
	if fd.Type != form.TypeMulti {
		return fd.Code
	}
	return fd.Code + OptionSeparator + "…"
}

// optionColumns lists a multi field's per-option column names.
func optionColumns(fd *form.Field) string {
	names := make([]string, len(fd.Options))
	for i, o := range fd.Options {
		names[i] = fd.Code + OptionSeparator + o.Code
	}
	return strings.Join(names, ", ")
}

// fieldExplanation is the field's help text and when it must be answered.
func fieldExplanation(def *form.Definition, fd *form.Field) string {
	var parts []string
	if fd.Help != "" {
		parts = append(parts, fd.Help)
	}
	switch {
	case fd.Required && fd.Type == form.TypeMulti:
		parts = append(parts, "Markera minst ett alternativ.")
	case fd.Required && fd.Type == form.TypeChoice:
		parts = append(parts, "Välj ett alternativ; måste besvaras.")
	case fd.Required:
		parts = append(parts, "Måste fyllas i.")
	}
	if c := fd.RequiredWhen; c != nil {
		if cf := def.Field(c.Field); cf != nil {
			what := "Måste fyllas i"
			if fd.Type == form.TypeMulti {
				what = "Markera minst ett alternativ"
			}
			if cf.Type == form.TypeMulti {
				parts = append(parts, fmt.Sprintf("%s när ”%s” är markerat under ”%s”.", what, cf.OptionLabel(c.Value), cf.Label))
			} else {
				parts = append(parts, fmt.Sprintf("%s när svaret på ”%s” är %s.", what, cf.Label, cf.OptionLabel(c.Value)))
			}
		}
	}
	if ex := fd.OptionLabel(fd.Exclusive); fd.Exclusive != "" && !strings.Contains(fd.Help, "”"+ex+"”") {
		parts = append(parts, fmt.Sprintf("”%s” kan inte kombineras med andra alternativ.", fd.OptionLabel(fd.Exclusive)))
	}
	return strings.Join(parts, " ")
}

// allowedAnswers describes what a field's cells may hold; options by their
// labels.
func allowedAnswers(fd *form.Field) string {
	switch fd.Type {
	case form.TypeText, form.TypeTextarea:
		s := "Text"
		if fd.MaxLength > 0 {
			s += fmt.Sprintf(", högst %s tecken", form.FormatNumber(float64(fd.MaxLength), 0))
		}
		return s + "."
	case form.TypeYesNo:
		s := "ja eller nej."
		if fd.Default != "" {
			s += fmt.Sprintf(" Tomt räknas som %s.", fd.Default)
		}
		return s
	case form.TypeChoice:
		return "Ett av:\n" + optionLines(fd, false)
	case form.TypeMulti:
		return "ja i kolumnen för varje alternativ som stämmer:\n" + optionLines(fd, true)
	case form.TypeDecimal, form.TypeInteger:
		s := "Tal"
		if fd.Type == form.TypeInteger {
			s = "Heltal"
		} else if fd.Decimals > 0 {
			s += fmt.Sprintf(" med högst %d decimaler", fd.Decimals)
		}
		lo := 0.0
		if fd.Min != nil {
			lo = *fd.Min
		}
		s += ", minst " + form.FormatNumber(lo, 0)
		if fd.Max != nil {
			s += ", högst " + form.FormatNumber(*fd.Max, 0)
		}
		return s + ". Tomt om det inte är känt."
	}
	return ""
}

// optionLines lists options one per line by label, with their help text and
// (for a multi field) their column.
func optionLines(fd *form.Field, columns bool) string {
	lines := make([]string, len(fd.Options))
	for i, o := range fd.Options {
		s := "• " + o.Label
		if o.Help != "" {
			s += " (" + o.Help + ")"
		}
		if columns {
			s += " – kolumn " + fd.Code + OptionSeparator + o.Code
		}
		lines[i] = s
	}
	return strings.Join(lines, "\n")
}
