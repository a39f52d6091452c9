package report

import (
	"html/template"
	"strconv"

	"github.com/inventera/inventera/internal/aggregate"
)

// page is what the report template shows. Every value is plain text that
// the template escapes, except the charts' SVG, which this package renders
// itself (chart.Renderer escapes the text it draws).
type page struct {
	Title        string
	RoundName    string
	GeneratedOn  string
	Draft        bool
	Unpublished  bool
	CSS          template.CSS
	HourlyRate   string
	KommunNames  string // joined, for the title page; empty when too many
	KommunCount  string
	Evaluations  string
	Method       []string // the methods note: what the report counts and leaves out
	Summary      summary
	Excluded     []string // the methods note on the review: what it ruled out of scope
	Volumes      volumes
	Usage        usageSection
	Surveys      surveySection
	Unused       unusedSection
	Blad         []kommunBlad
	Kommuner     []kommunView
	Findings     []findingGroup
	FindingsNote string
	Methods      []string // the methods note: bases, rules, precision
	Reflection   []block  // the working group's "Reflektioner och förslag"
	// Compare is the comparison with an earlier round; nil when the
	// report stands alone.
	Compare *compareSection
}

// summary is page 1: the key message in plain Swedish, the key figures and
// the findings that matter most.
type summary struct {
	Lead  []string
	Facts []fact
	Key   []string
}

// fact is one key figure: "Utvärderingar", "465", "i 7 kommuner".
type fact struct {
	Label, Value, Note string
}

type link struct {
	Text, Href, Label string // Label: the accessible name
}

// findingGroup is the findings about one measure.
type findingGroup struct {
	Heading string
	Items   []string
}

// kommunBlad is a kommun's one page: its figures against the network, its
// strongest and weakest measures, its unused evaluations and its units
// that did not answer.
type kommunBlad struct {
	ID       string
	Number   string
	Name     string
	Lead     string
	Figures  table
	Strength string
	Comment  []block // the kommun's own comment
	Unused   string
	Items    []string // unused evaluations, at most bladMaxItems
	More     string   // how many more, and where they are
	NonResp  string
	NonItems []string
	Change   string // the change since the earlier round, when compared
}

type volumes struct {
	Intro   []string
	Table1  table
	Costs   figure
	PerInh  figure
	Caveats []string
}

type usageSection struct {
	Figure figure
	Text   []string
}

type surveySection struct {
	Figure figure
	Text   []string
}

type unusedSection struct {
	Intro  string
	Groups []unusedGroup
	None   string // kommuner with evaluations and none unused
}

type unusedGroup struct {
	Kommun string
	Items  []string
}

// figure is a chart (possibly split into parts) followed by its data table.
type figure struct {
	ID      string
	Label   string // "Diagram 1"
	Caption string
	Alt     string // where the data is, for readers who cannot see the chart
	SVGs    []template.HTML
	Links   []link // the chart as images to download; none outside the web
	Table   table
}

type table struct {
	ID      string
	Label   string // "Tabell 1"
	Caption string
	Head    []th
	Rows    []tr
	Foot    []tr
	Notes   []string
	// Whole keeps the table on one printed page; set for tables short
	// enough to fit one.
	Whole bool
}

type th struct {
	Text string
	Num  bool
}

type tr struct {
	Head  string
	Cells []td
	Mark  string // a class for the row, e.g. "klart-over"
}

type td struct {
	Text string
	Num  bool
}

func num(s string) td  { return td{Text: s, Num: true} }
func text(s string) td { return td{Text: s} }

// kommunView is a kommun's detailed tables (section 6).
type kommunView struct {
	ID             string
	Number         string // "6.1"
	Name           string
	NoEvaluations  bool
	Intro          []string // notes on the kommun's figures, e.g. evaluations left out
	Initiator      table
	Responsibility []string
	SurveyText     string
	Surveys        *table
}

// numbering hands out diagram and table numbers in order of appearance.
type numbering struct{ diagram, table int }

func (n *numbering) nextTable() (id, label string) {
	n.table++
	s := strconv.Itoa(n.table)
	return "tabell-" + s, "Tabell " + s
}

func (n *numbering) nextDiagram() (id, label string) {
	n.diagram++
	s := strconv.Itoa(n.diagram)
	return "diagram-" + s, "Diagram " + s
}

func newTable(n *numbering, caption string, head ...th) table {
	id, label := n.nextTable()
	return table{ID: id, Label: label, Caption: caption, Head: head}
}

func headText(s string) th { return th{Text: s} }
func headNum(s string) th  { return th{Text: s, Num: true} }

// chartParts are the kommuner of one chart part; long lists are split so
// that each chart fits a printed page.
func chartParts(rep *aggregate.Report) []*aggregate.Report {
	ms := rep.Municipalities
	if len(ms) <= chartRows {
		return []*aggregate.Report{rep}
	}
	parts := (len(ms) + chartRows - 1) / chartRows
	size := (len(ms) + parts - 1) / parts // even parts
	var out []*aggregate.Report
	for i := 0; i < len(ms); i += size {
		sub := *rep
		sub.Municipalities = ms[i:min(i+size, len(ms))]
		out = append(out, &sub)
	}
	return out
}

// chartRows is the most kommuner one chart shows.
const chartRows = 40

// partTitle names the kommuner of a chart part: "… (kommun 41–80 av 290)".
func partTitle(title string, from, to, total int) string {
	return title + " (kommun " + strconv.Itoa(from) + "–" + strconv.Itoa(to) + " av " + strconv.Itoa(total) + ")"
}
