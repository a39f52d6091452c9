package sheet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// ReadUnits reads a projektledare's list of units: the enheter table of the
// interchange format (design §4) from a workbook (the sheet enheter, or the
// only sheet) or a CSV file, told apart by the file name's extension (by the
// content when the extension is neither). The rows follow the enheter rules
// of ReadXLSX — members separated by ";", fordelning, status and orsak,
// e-mail shape, a unit name at most once per kommun — except that kommuner
// are not listed here: every kommun a row names is taken as it is written
// (the caller checks it against the round), and a shared unit split by
// population (fordelning blank or invanare) is accepted, since populations
// belong to the round's kommuner.
//
// Reading is all-or-nothing: the units, or Problems (sheet enheter) naming
// every bad cell, or an *apperror.Error when the file cannot be read at all.
// def is the form definition; the enheter table does not use it today. A
// workbook is checked against lim before it is read, as by ReadXLSX, and
// the read stops with an error when ctx ends.
func ReadUnits(ctx context.Context, r io.Reader, filename string, def *form.Definition, lim Limits) ([]round.Unit, error) {
	lim = lim.withDefaults()
	if def == nil {
		def = &form.Definition{}
	}
	b := newBuilder(def, lim)
	var t *table
	switch kind, br, err := uploadKind(r, filename); {
	case err != nil:
		return nil, err
	case kind == kindXLSX:
		f, done, err := openWorkbook(ctx, br, lim, func(name string) bool { return normName(name) == SheetEnheter })
		if err != nil {
			return nil, err
		}
		defer done()
		sheet, err := unitsSheet(f)
		if err != nil {
			return nil, err
		}
		rows, err := openRows(f, sheet)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		t = &table{name: SheetEnheter, src: &xlsxSource{ctx: ctx, rows: rows, sheet: SheetEnheter}, xlsx: true}
	default:
		budget := lim.MaxBytes
		src, err := newCSVSource(ctx, SheetEnheter, &budgetReader{r: br, left: &budget}, lim.MaxBytes)
		if err != nil {
			return nil, err
		}
		t = &table{name: SheetEnheter, src: src, strict: true}
	}
	t.src = &populationUnknown{source: t.src, b: b}
	if err := b.readEnheter(t); err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if len(b.probs) == 0 && len(b.units) == 0 {
		b.add(SheetEnheter, 0, "", "Filen innehåller inga enheter. Skriv en enhet per rad under rubrikraden (enhet, kommun, …).")
	}
	if err := b.problems(); err != nil {
		return nil, err
	}
	units := make([]round.Unit, len(b.units))
	for i, u := range b.units {
		units[i] = u.Unit
	}
	return units, nil
}

type uploadFormat int

const (
	kindCSV uploadFormat = iota
	kindXLSX
)

// uploadKind tells a workbook from a CSV file by the file name's extension,
// or by the content when the extension says neither.
func uploadKind(r io.Reader, filename string) (uploadFormat, io.Reader, error) {
	switch strings.ToLower(filepath.Ext(strings.TrimSpace(filename))) {
	case ".xlsx", ".xlsm":
		return kindXLSX, r, nil
	case ".csv", ".txt":
		return kindCSV, r, nil
	case ".xls", ".ods", ".numbers":
		return 0, nil, apperror.New(apperror.Invalid, "Filen ska vara en Excel-arbetsbok (.xlsx) eller en CSV-fil (.csv). Spara den i ett av de formaten och försök igen.")
	}
	br := bufio.NewReader(r)
	head, _ := br.Peek(4)
	if bytes.Equal(head, []byte("PK\x03\x04")) {
		return kindXLSX, br, nil
	}
	return kindCSV, br, nil
}

// unitsSheet finds the sheet enheter, or the workbook's only sheet.
func unitsSheet(f *excelize.File) (string, error) {
	names, err := sheetList(f)
	if err != nil {
		return "", err
	}
	found := ""
	for _, n := range names {
		if normName(n) != SheetEnheter {
			continue
		}
		if found != "" {
			return "", Problems{{Sheet: SheetEnheter, Message: "Arbetsboken har två blad som heter enheter. Ta bort det ena."}}
		}
		found = n
	}
	switch {
	case found != "":
		return found, nil
	case len(names) == 1:
		return names[0], nil
	}
	return "", Problems{{Message: "Arbetsboken har inget blad som heter enheter. Döp bladet med enheterna till enheter, eller ladda upp en arbetsbok med bara det bladet."}}
}

// populationUnknown passes the rows of a units upload through and, before
// each data row, enters the kommuner it names into the builder with a
// placeholder population. readEnheter refuses a shared unit split by
// population when a member's population is unknown, which is right for an
// import that lists the kommuner, but a units upload never does: the
// populations belong to the round. The placeholders are never returned.
type populationUnknown struct {
	source
	b      *builder
	col    int // the kommun column; -1 when the header has none
	header bool
}

func (s *populationUnknown) next() (int, []string, error) {
	row, cells, err := s.source.next()
	if err != nil {
		return row, cells, err
	}
	if !s.header {
		// The first row read is the header (scan takes it so).
		s.header = true
		s.col = -1
		for i, c := range cells {
			if normName(c) == colKommun {
				s.col = i
				break
			}
		}
		return row, cells, nil
	}
	if s.col < 0 || s.col >= len(cells) {
		return row, cells, nil
	}
	for _, part := range strings.Split(cells[s.col], ";") {
		m := cleanName(part)
		if m == "" || !utf8.ValidString(m) || utf8.RuneCountInString(m) > maxNameLen {
			continue // readEnheter reports it
		}
		key := nameKey(m)
		if _, ok := s.b.kommunIdx[key]; ok {
			continue
		}
		placeholder := int64(1)
		s.b.kommunIdx[key] = len(s.b.kommuner)
		s.b.kommuner = append(s.b.kommuner, round.Kommun{Name: m, Population: &placeholder})
	}
	return row, cells, nil
}

// unitsColumnHelp explains each enheter column on the template's
// instructions sheet; every name of enheterColumns has an entry.
var unitsColumnHelp = map[string][2]string{
	colEnhet:           {"Ja", "Enhetens namn: förvaltning, nämnd, bolag eller kommunalförbund. Samma namn får bara finnas en gång per kommun."},
	colKommun:          {"Ja", "Kommunen. En enhet som flera kommuner driver tillsammans skrivs på en rad med alla kommunerna åtskilda av semikolon: Borlänge;Falun;Säter."},
	colOmrade:          {"Nej", "Område för jämförelser mellan kommunerna, till exempel Vård och omsorg eller Skola."},
	colFordelning:      {"Nej", "Bara för en delad enhet: hur kostnaderna fördelas mellan kommunerna. invanare (efter invånarantal; gäller om tomt), lika, eller andelar som summerar till 1: Borlänge=0,5;Falun=0,3;Säter=0,2."},
	colStatus:          {"Nej", "Lämna tomt för enheter som ska svara. avbojt om enheten har avböjt att delta (skriv orsaken i orsak), inga_utvarderingar om enheten inte har några utvärderingar att redovisa."},
	colOrsak:           {"Nej", "Varför enheten har avböjt. Bara när status är avbojt, och då måste den fyllas i."},
	colVerksamhetschef: {"Nej", "Namnet på den som ska fylla i enhetens utvärderingar och få den personliga länken."},
	colEpost:           {"Nej", "Verksamhetschefens e-postadress, dit länken skickas. Utan adress kan du kopiera länken och skicka den själv."},
}

// unitsExample is the example row of the template's instructions.
var unitsExample = map[string]string{
	colEnhet:           "Räddningstjänsten Dala Mitt",
	colKommun:          "Borlänge;Falun;Säter",
	colOmrade:          "Räddningstjänst",
	colFordelning:      "Borlänge=0,5;Falun=0,3;Säter=0,2",
	colVerksamhetschef: "Anna Andersson",
	colEpost:           "anna.andersson@example.se",
}

// WriteUnitsTemplate writes an empty enheter workbook for a projektledare:
// the sheet Instruktioner, in Swedish, explaining every column with an
// example row, and the sheet enheter with the header only (the example is
// kept off it so that it is never uploaded as a unit). ReadUnits reads it
// back once filled in.
func WriteUnitsTemplate(w io.Writer) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), SheetInstructions); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if _, err := f.NewSheet(SheetEnheter); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := writeUnitsInstructions(f); err != nil {
		return err
	}
	if err := writeUnitsSheet(f); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

func writeUnitsInstructions(f *excelize.File) error {
	st, err := newInstructionStyles(f)
	if err != nil {
		return err
	}
	in, err := newInstructions(f, SheetInstructions, st, []float64{20, 16, 90, 4})
	if err != nil {
		return err
	}
	in.line(st.title, "Enheter")
	in.blank()
	for i, step := range []string{
		fmt.Sprintf("Skriv en rad för varje enhet på bladet %s, från rad 2. Rad 1 har kolumnernas namn: ändra inte i den.", SheetEnheter),
		"Varje enhet får en personlig länk. Verksamhetschefen öppnar den och fyller i enhetens utvärderingar, ett formulär per utvärdering.",
		"En enhet som flera kommuner driver tillsammans registreras en gång, med alla kommunerna i kolumnen kommun.",
		"Spara som Excel-arbetsbok (.xlsx) eller som CSV (semikolon- eller kommaavgränsad, UTF-8) och ladda upp filen. Innehåller den fel sparas ingenting: du får en lista med rad, kolumn och vad som ska rättas.",
	} {
		in.keyed(fmt.Sprintf("%d.", i+1), step)
	}
	in.blank()
	in.line(st.heading, "Kolumnerna")
	in.line(st.tableHead, "Kolumn", "Måste fyllas i", "Förklaring")
	for _, c := range enheterColumns {
		h := unitsColumnHelp[c]
		in.line(st.text, c, h[0], h[1])
	}
	in.blank()
	in.line(st.heading, "Exempel")
	in.para(fmt.Sprintf("Så här ser en rad ut för en enhet som tre kommuner driver tillsammans. Skriv dina egna enheter på bladet %s.", SheetEnheter))
	in.line(st.tableHead, "Kolumn", "", "Exempel")
	for _, c := range enheterColumns {
		if v := unitsExample[c]; v != "" {
			in.line(st.text, c, "", v)
		}
	}
	return in.err
}

func writeUnitsSheet(f *excelize.File) error {
	const sh = SheetEnheter
	const rows = 1000
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
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
	widths := map[string]float64{colEnhet: 36, colKommun: 28, colOmrade: 22, colFordelning: 32, colStatus: 20, colOrsak: 30, colVerksamhetschef: 26, colEpost: 32}
	for i, c := range enheterColumns {
		letter := columnLetter(i)
		if err := f.SetColWidth(sh, letter, letter, widths[c]); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		// Text cells: "0,5" in fordelning or a name like "=…" stays as typed.
		if err := f.SetColStyle(sh, letter, text); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		if err := setStr(f, sh, i, 1, c, head); err != nil {
			return err
		}
		if c == colStatus {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", letter, letter, rows+1)
			if err := dv.SetDropList([]string{string(round.Declined), string(round.NoEvaluations)}); err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Välj i listan", "Lämna tomt, eller välj avbojt eller inga_utvarderingar.")
			if err := f.AddDataValidation(sh, dv); err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	return nil
}
