package report

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/chart"
)

// Sheet names of the XLSX report, in order.
const (
	SheetSummary        = "Sammanfattning"
	SheetTable1         = "Tabell 1"
	SheetCosts          = "Tabell 2 kostnader"
	SheetUsage          = "Användning"
	SheetInitiator      = "Uppdragsgivare"
	SheetResponsibility = "Resultatansvar"
	SheetSurveys        = "Brukarundersökningar"
	SheetUnused         = "Ej använda"
	SheetNonResponding  = "Ej svarat"
	SheetChartData      = "Diagramdata"
)

// XLSX writes the report as a workbook with one sheet per table. Numbers are
// number cells with number formats that Excel shows in the reader's locale
// (Swedish Excel: "9 073 287", "4,3%"); text is always a text cell, never a
// formula, so a unit named "=SUM(A1)" stays text. Each sheet's header row is
// bold and frozen, with a filter. raw, when not nil, is called last to add
// the raw evaluations (the interchange sheets); its sheets are written too.
// The workbook is built in memory, so w gets nothing on error.
func (r *Renderer) XLSX(w io.Writer, rep *aggregate.Report, raw func(f *excelize.File) error) (err error) {
	if rep == nil {
		return fmt.Errorf("report: no report")
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("report: XLSX: %w", cerr)
		}
	}()
	st, err := newXStyles(f)
	if err != nil {
		return fmt.Errorf("report: XLSX styles: %w", err)
	}
	for i, s := range r.sheets(rep) {
		if err := writeSheet(f, st, s, i == 0); err != nil {
			return fmt.Errorf("report: XLSX sheet %q: %w", s.name, err)
		}
	}
	if raw != nil {
		if err := raw(f); err != nil {
			return fmt.Errorf("report: XLSX raw evaluations: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    rep.Round.Name + " – jämförande rapport",
		Creator:  "inventera",
		Language: "sv-SE",
	}); err != nil {
		return fmt.Errorf("report: XLSX: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("report: XLSX: %w", err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// kind is how a column's numbers are formatted.
type kind int

const (
	kText    kind = iota
	kCount        // integer, thousands grouped
	kKronor       // whole kronor, thousands grouped
	kKronor2      // kronor with two decimals (per invånare)
	kShare        // a fraction shown as a percentage with one decimal
	nKinds
)

// xsheet is one sheet: its columns and rows.
type xsheet struct {
	name string
	cols []xcol
	rows []xrow
}

type xcol struct {
	head string
	kind kind
}

// xrow is one row; a cell is a string (text), an int or a float64 (number)
// or nil (blank). A cell of type xcell overrides the column's kind.
type xrow struct {
	cells []any
	bold  bool // a total row
}

type xcell struct {
	v any
	k kind
}

// xstyles are the style ids: per kind, plain and bold; and the header.
type xstyles struct {
	plain, bold [nKinds]int
	header      int
}

func newXStyles(f *excelize.File) (*xstyles, error) {
	var s xstyles
	share := "0.0%"
	for k := range nKinds {
		for _, bold := range []bool{false, true} {
			style := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}
			if bold {
				style.Font = &excelize.Font{Bold: true}
				style.Border = []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
			}
			switch k {
			case kText:
				style.Alignment.WrapText = true
			case kCount, kKronor:
				style.NumFmt = 3 // #,##0
			case kKronor2:
				style.NumFmt = 4 // #,##0.00
			case kShare:
				style.CustomNumFmt = &share
			}
			id, err := f.NewStyle(style)
			if err != nil {
				return nil, err
			}
			if bold {
				s.bold[k] = id
			} else {
				s.plain[k] = id
			}
		}
	}
	id, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom"},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 2}},
	})
	if err != nil {
		return nil, err
	}
	s.header = id
	return &s, nil
}

// maxCellChars is Excel's limit on the characters of one cell.
const maxCellChars = 32767

func writeSheet(f *excelize.File, st *xstyles, s xsheet, first bool) error {
	if first {
		if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	last := len(s.cols)
	widths := make([]float64, last)
	for i, c := range s.cols {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColStyle(s.name, col, st.plain[c.kind]); err != nil {
			return err
		}
		if err := f.SetCellStr(s.name, col+"1", c.head); err != nil {
			return err
		}
		widths[i] = float64(min(utf8.RuneCountInString(c.head), 18))
	}
	for ri, row := range s.rows {
		r := ri + 2
		for ci, v := range row.cells {
			if ci >= last || v == nil {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(ci+1, r)
			if err != nil {
				return err
			}
			k := s.cols[ci].kind
			if c, ok := v.(xcell); ok {
				v, k = c.v, c.k
				if err := f.SetCellStyle(s.name, ref, ref, st.plain[k]); err != nil {
					return err
				}
			}
			var w int
			switch v := v.(type) {
			case string:
				if utf8.RuneCountInString(v) > maxCellChars {
					v = string([]rune(v)[:maxCellChars-1]) + "…"
				}
				err = f.SetCellStr(s.name, ref, v)
				w = utf8.RuneCountInString(v)
			case int:
				err = f.SetCellInt(s.name, ref, int64(v))
				w = len(integer(v)) + 1
			case float64:
				err = f.SetCellFloat(s.name, ref, v, -1, 64)
				w = numberWidth(v, k)
			case nil:
			default:
				err = fmt.Errorf("cell %s: unsupported value %T", ref, v)
			}
			if err != nil {
				return err
			}
			if row.bold {
				if err := f.SetCellStyle(s.name, ref, ref, st.bold[k]); err != nil {
					return err
				}
			}
			widths[ci] = max(widths[ci], float64(w))
		}
	}
	lastCol, err := excelize.ColumnNumberToName(last)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(s.name, "A1", lastCol+"1", st.header); err != nil {
		return err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(s.name, col, col, min(max(w+2, 9), 70)); err != nil {
			return err
		}
	}
	if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(s.rows) > 0 {
		ref := fmt.Sprintf("A1:%s%d", lastCol, len(s.rows)+1)
		if err := f.AutoFilter(s.name, ref, nil); err != nil {
			return err
		}
	}
	return nil
}

// numberWidth estimates the displayed width of a number cell.
func numberWidth(v float64, k kind) int {
	switch k {
	case kShare:
		return 7
	case kKronor2:
		return len(chart.Decimal(v)) + 3
	}
	return len(kr(v))
}

// costHeads are the column heads of the cost kinds of chart.CostParts.
var costHeads = [5]string{"Lön (kr)", "Konsult (kr)", "Material o dyl (kr)", "Övrigt (kr)", "Ej uppdelat (kr)"}

// sheets lays out every table of the report.
func (r *Renderer) sheets(rep *aggregate.Report) []xsheet {
	lb := r.labels
	nw := rep.Network
	ms := rep.Municipalities

	summary := xsheet{name: SheetSummary, cols: []xcol{{"Uppgift", kText}, {"Värde", kText}}}
	summary.rows = []xrow{
		{cells: []any{"Omgång", rep.Round.Name}},
		{cells: []any{"Timkostnad för egen tid (kr)", xcell{int(rep.Round.HourlyRate), kKronor}}},
		{cells: []any{"Kommuner", xcell{len(ms), kCount}}},
		{cells: []any{"Utvärderingar (varje utvärdering räknad en gång)", xcell{nw.Evaluations, kCount}}},
		{cells: []any{"Kostnad totalt (kr)", xcell{nw.Costs.Total, kKronor}}},
		{cells: []any{"Registrerade men inte inskickade utvärderingar (räknas inte)", xcell{nw.UnsubmittedEvaluations, kCount}}},
		{cells: []any{"Varav utkast", xcell{nw.UnsubmittedDrafts, kCount}}},
	}
	for _, sentence := range methodNote(rep) {
		summary.rows = append(summary.rows, xrow{cells: []any{"Om underlaget", sentence}})
	}
	for _, sentence := range excludedNote(rep) {
		summary.rows = append(summary.rows, xrow{cells: []any{"Utanför avgränsningen", sentence}})
	}
	for i, s := range findings(rep, lb) {
		summary.rows = append(summary.rows, xrow{cells: []any{fmt.Sprintf("Iakttagelse %d", i+1), s}})
	}
	for _, u := range rep.EqualSplitUnits {
		summary.rows = append(summary.rows, xrow{cells: []any{"Kostnad fördelad lika (invånarantal saknas)", u}})
	}

	t1 := xsheet{name: SheetTable1, cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}, {"Enheter", kCount},
		{"Har lämnat in", kCount}, {"Inga utvärderingar", kCount}, {"Avböjt", kCount}, {"Har inte svarat", kCount},
		{"Registrerade men inte inskickade utvärderingar", kCount}}}
	for _, m := range ms {
		r := m.Response
		t1.rows = append(t1.rows, xrow{cells: []any{m.Name, m.Evaluations, r.Units, r.Submitted, r.IngaUtvarderingar, r.Declined, r.NotResponded,
			m.UnsubmittedEvaluations}})
	}
	t1.rows = append(t1.rows, xrow{bold: true, cells: []any{"Nätverket (varje utvärdering räknad en gång)", nw.Evaluations,
		nil, nil, nil, nil, nil, nw.UnsubmittedEvaluations}})

	costs := xsheet{name: SheetCosts, cols: []xcol{{"Kommun", kText}}}
	for _, c := range costHeads {
		costs.cols = append(costs.cols, xcol{c, kKronor})
	}
	costs.cols = append(costs.cols, []xcol{{"Totalt (kr)", kKronor},
		{"Utvärderingar", kCount}, {"Utvärderingar med kostnad", kCount}, {"Invånare", kCount}, {"Kostnad per invånare (kr)", kKronor2}}...)
	for _, m := range ms {
		p := chart.CostParts(m.Costs)
		var inv, per any
		if m.Population != nil {
			inv = int(*m.Population)
		}
		if m.Costs.PerInvanare != nil {
			per = *m.Costs.PerInvanare
		}
		costs.rows = append(costs.rows, xrow{cells: []any{m.Name, p[0], p[1], p[2], p[3], p[4], m.Costs.Total,
			m.Evaluations, m.Costs.WithCost, inv, per}})
	}
	nc := nw.Costs
	unsplit := chart.CostParts(aggregate.Costs{Lon: nc.Lon, Konsult: nc.Konsult, Material: nc.Material, Ovrigt: nc.Ovrigt, Total: nc.Total})[4]
	costs.rows = append(costs.rows, xrow{bold: true, cells: []any{"Nätverket", nc.Lon, nc.Konsult, nc.Material, nc.Ovrigt, unsplit,
		nc.Total, nw.Evaluations, nc.WithCost}})

	usage := xsheet{name: SheetUsage, cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}}}
	for _, k := range aggregate.UsageKeys {
		usage.cols = append(usage.cols, xcol{lb.usageLabel(k) + ", antal", kCount}, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	for _, m := range ms {
		cells := []any{m.Name, m.Evaluations}
		for _, k := range aggregate.UsageKeys {
			var share any
			if m.Evaluations > 0 {
				share = m.Usage.Shares.Get(k)
			}
			cells = append(cells, m.Usage.Counts.Get(k), share)
		}
		usage.rows = append(usage.rows, xrow{cells: cells})
	}
	if nw.KommunerWithEvaluations > 0 {
		mean := []any{"Nätverket, genomsnitt (medelvärde av kommunernas andelar)", nil}
		pooled := []any{"Nätverket, alla utvärderingar", nw.Evaluations}
		for _, k := range aggregate.UsageKeys {
			mean = append(mean, nil, nw.UsageMean.Get(k))
			pooled = append(pooled, nw.UsagePooledCounts.Get(k), nw.UsagePooled.Get(k))
		}
		usage.rows = append(usage.rows, xrow{bold: true, cells: mean}, xrow{bold: true, cells: pooled})
	}

	init := xsheet{name: SheetInitiator, cols: []xcol{{"Kommun", kText}, {"Uppdragsgivare", kText}, {"Antal", kCount}}}
	for _, k := range aggregate.UsageKeys {
		init.cols = append(init.cols, xcol{lb.usageLabel(k) + ", antal", kCount}, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	for _, m := range ms {
		for _, key := range aggregate.InitiatorKeys {
			row := m.ByInitiator.Row(key)
			shares := m.ByInitiatorShares.Row(key)
			cells := []any{m.Name, lb.initiatorLabel(key), row.Count}
			for _, k := range aggregate.UsageKeys {
				var share any
				if row.Count > 0 {
					share = shares.UsageShares.Get(k)
				}
				cells = append(cells, row.UsageCounts.Get(k), share)
			}
			init.rows = append(init.rows, xrow{cells: cells, bold: key == "totalt"})
		}
	}

	resp := xsheet{name: SheetResponsibility, cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount},
		{"Samma uppdragsgivare som resultatansvarig", kCount}, {"Ingen resultatansvarig", kCount},
		{"Flera resultatansvariga (risk att falla mellan stolarna)", kCount}}}
	for _, m := range ms {
		r := m.Responsibility
		resp.rows = append(resp.rows, xrow{cells: []any{m.Name, m.Evaluations, r.InitiatorIsOwner, r.NoOwner, r.MultipleOwners}})
	}

	surveys := xsheet{name: SheetSurveys, cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Område", kText},
		{"Målgrupp", kText}, {"Metod", kText}, {"Antal", kCount}}}
	for _, m := range ms {
		for _, s := range m.UserSurveyTable {
			surveys.rows = append(surveys.rows, xrow{cells: []any{m.Name, s.Enhet, s.Omrade, s.Malgrupp, lb.metodLabels(s.Metod), s.Count}})
		}
	}

	unused := xsheet{name: SheetUnused, cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Utvärdering", kText}, {"Uppdragsgivare", kText}}}
	for _, m := range ms {
		for _, e := range m.Unused {
			unused.rows = append(unused.rows, xrow{cells: []any{m.Name, e.Enhet, e.Benamning, lb.initiatorLabel(e.UppdragsgivareTyp)}})
		}
	}

	nonResp := xsheet{name: SheetNonResponding, cols: []xcol{{"Kommun", kText}, {"Enhet", kText}, {"Status", kText}, {"Orsak", kText}}}
	for _, m := range ms {
		for _, n := range m.NonResponding {
			nonResp.rows = append(nonResp.rows, xrow{cells: []any{m.Name, n.Enhet, statusLabel(n.Status), n.Reason}})
		}
	}

	cd := xsheet{name: SheetChartData, cols: []xcol{{"Kommun", kText}, {"Antal utvärderingar", kCount}}}
	for _, k := range aggregate.UsageKeys {
		cd.cols = append(cd.cols, xcol{lb.usageLabel(k) + ", andel", kShare})
	}
	cd.cols = append(cd.cols, xcol{"Medborgar- eller brukarundersökningar, andel", kShare})
	for _, c := range costHeads {
		cd.cols = append(cd.cols, xcol{c, kKronor})
	}
	cd.cols = append(cd.cols, xcol{"Kostnad totalt (kr)", kKronor}, xcol{"Kostnad per invånare (kr)", kKronor2})
	for _, m := range ms {
		cells := []any{m.Name, m.Evaluations}
		for _, k := range aggregate.UsageKeys {
			if m.Evaluations > 0 {
				cells = append(cells, m.Usage.Shares.Get(k))
			} else {
				cells = append(cells, nil)
			}
		}
		if m.Evaluations > 0 {
			cells = append(cells, m.UserSurveyShare)
		} else {
			cells = append(cells, nil)
		}
		for _, v := range chart.CostParts(m.Costs) {
			cells = append(cells, v)
		}
		cells = append(cells, m.Costs.Total)
		if m.Costs.PerInvanare != nil {
			cells = append(cells, *m.Costs.PerInvanare)
		}
		cd.rows = append(cd.rows, xrow{cells: cells})
	}
	if nw.KommunerWithEvaluations > 0 {
		mean := []any{"Nätverkets genomsnitt (medelvärde av kommunernas andelar)", nil}
		for _, k := range aggregate.UsageKeys {
			mean = append(mean, nw.UsageMean.Get(k))
		}
		if v, ok := chart.UserSurveyMean(rep); ok {
			mean = append(mean, v)
		}
		cd.rows = append(cd.rows, xrow{bold: true, cells: mean})
	}

	return []xsheet{summary, t1, costs, usage, init, resp, surveys, unused, nonResp, cd}
}
