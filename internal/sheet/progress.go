package sheet

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
)

// The progress workbook's sheets: one row per unit, and what was selected.
const (
	SheetProgress  = "Framsteg"
	SheetSelection = "Urval"
)

// ProgressRow is one unit's progress in a round.
type ProgressRow struct {
	Kommuner        []string // member kommuner; more than one for a shared unit
	Enhet           string
	Omrade          string
	Verksamhetschef string
	Epost           string
	Status          string // the unit's progress, in Swedish
	LastActivity    time.Time
	Evaluations     int
	DeclineReason   string     // why the unit declined, "" when it has not
	Invited         *time.Time // when its link went out, nil when it has not
	Opened          *time.Time // when its link was first opened
	Answered        *time.Time // when it answered as a whole
}

// ProgressInfo says which round and which units a progress workbook holds.
type ProgressInfo struct {
	Round   string
	Filter  [][2]string // label and value of each filter in use; none for every unit
	Created time.Time
}

// ProgressHeader is the header row of the Framsteg sheet.
var ProgressHeader = []string{"Kommun", "Enhet", "Område", "Verksamhetschef", "E-post", "Status", "Senaste aktivitet",
	"Utvärderingar", "Orsak till avböjande", "Inbjuden", "Öppnade länken", "Svarade"}

// WriteProgress writes the progress workbook: the sheet Framsteg with a
// Swedish header, a filter on it and one row per unit, and the sheet Urval
// saying what round and which units it holds. Text is written as text cells,
// never as formulas, and formatted as text, so a name like "=…" shows as
// written; times are date cells in Swedish time (yyyy-mm-dd hh:mm, dates
// yyyy-mm-dd) and the number of evaluations a number.
func WriteProgress(w io.Writer, info ProgressInfo, rows []ProgressRow) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), SheetProgress); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	st, err := newProgressStyles(f)
	if err != nil {
		return err
	}
	if err := writeProgressRows(f, st, rows); err != nil {
		return err
	}
	if err := writeSelection(f, st, info, len(rows)); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

type progressStyles struct {
	styles
	text, key, dateTime, date int
}

func newProgressStyles(f *excelize.File) (progressStyles, error) {
	base, err := newStyles(f)
	if err != nil {
		return progressStyles{}, err
	}
	st := progressStyles{styles: base}
	dateTime, date := "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
	top := &excelize.Alignment{Vertical: "top"}
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.text, excelize.Style{NumFmt: 49, Alignment: top}}, // "@": typed text stays text, "=…" too
		{&st.key, excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}, Alignment: top}},
		{&st.dateTime, excelize.Style{CustomNumFmt: &dateTime, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}}},
		{&st.date, excelize.Style{CustomNumFmt: &date, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}}},
	} {
		if *s.id, err = f.NewStyle(&s.style); err != nil {
			return st, fmt.Errorf("sheet: style: %w", err)
		}
	}
	return st, nil
}

func writeProgressRows(f *excelize.File, st progressStyles, rows []ProgressRow) error {
	sw, err := stream(f, st.styles, SheetProgress, ProgressHeader, []float64{22, 36, 22, 24, 30, 20, 18, 14, 32, 12, 14, 12})
	if err != nil {
		return err
	}
	for i, r := range rows {
		if err := setRow(sw, i+2, []any{
			st.textCell(strings.Join(r.Kommuner, ", ")),
			st.textCell(r.Enhet),
			st.textCell(r.Omrade),
			st.textCell(r.Verksamhetschef),
			st.textCell(r.Epost),
			st.textCell(r.Status),
			timeCell(st.dateTime, &r.LastActivity),
			excelize.Cell{StyleID: st.kronor, Value: r.Evaluations},
			st.textCell(r.DeclineReason),
			timeCell(st.date, r.Invited),
			timeCell(st.date, r.Opened),
			timeCell(st.date, r.Answered),
		}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if len(rows) > 0 {
		ref := "A1:" + columnLetter(len(ProgressHeader)-1) + strconv.Itoa(len(rows)+1)
		if err := f.AutoFilter(SheetProgress, ref, nil); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	return nil
}

func writeSelection(f *excelize.File, st progressStyles, info ProgressInfo, units int) error {
	if _, err := f.NewSheet(SheetSelection); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	lines := [][2]string{{"Omgång", info.Round}}
	if len(info.Filter) == 0 {
		lines = append(lines, [2]string{"Urval", "Alla enheter du ser i omgången"})
	}
	lines = append(lines, info.Filter...)
	lines = append(lines,
		[2]string{"Antal enheter", numfmt.Int(units)},
		[2]string{"Skapad", round.SwedishTime(info.Created)},
		[2]string{"Tider", "Alla tider är svensk tid. Status och senaste aktivitet gäller när filen skapades."},
	)
	for _, wd := range []struct {
		col string
		w   float64
	}{{"A", 18}, {"B", 70}} {
		if err := f.SetColWidth(SheetSelection, wd.col, wd.col, wd.w); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	for i, l := range lines {
		if err := setStr(f, SheetSelection, 0, i+1, dropControls(l[0]), st.key); err != nil {
			return err
		}
		if err := setStr(f, SheetSelection, 1, i+1, dropControls(l[1]), st.text); err != nil {
			return err
		}
	}
	return nil
}

// textCell is a text cell formatted as text, or nothing for a blank.
func (st progressStyles) textCell(s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: st.text, Value: dropControls(s)}
}

// timeCell is a date cell showing t's Swedish wall-clock time, or nothing
// for none. Spreadsheet dates have no zone: the cell holds the time as
// read in Sweden.
func timeCell(style int, t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	l := t.In(round.Stockholm)
	return excelize.Cell{StyleID: style, Value: time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)}
}
