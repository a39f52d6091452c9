package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/round"
)

// excludeFromSmall moves the named evaluation of the small network from the
// unit's counted evaluations to its excluded ones (reason set), or drops it
// (reason "").
func excludeFromSmall(t *testing.T, name, reason string) round.Dataset {
	t.Helper()
	ds := smallDataset()
	for i, u := range ds.Units {
		for j, e := range u.Evaluations {
			if e.Title() != name {
				continue
			}
			ds.Units[i].Evaluations = append(append([]round.Evaluation(nil), u.Evaluations[:j]...), u.Evaluations[j+1:]...)
			if reason != "" {
				e.Excluded = &round.Exclusion{Reason: reason}
				ds.Units[i].Excluded = append(ds.Units[i].Excluded, e)
			}
			return ds
		}
	}
	t.Fatalf("no evaluation %q in the small network", name)
	return ds
}

func reportJSON(t *testing.T, ds round.Dataset) map[string]any {
	t.Helper()
	rep, err := aggregate.Compute(testRound, ds)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := JSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// dropExcluded removes the "excluded" keys from a decoded report.
func dropExcluded(doc map[string]any) map[string]any {
	delete(doc["network"].(map[string]any), "excluded")
	for _, m := range doc["municipalities"].([]any) {
		delete(m.(map[string]any), "excluded")
	}
	return doc
}

// TestExcludedInJSONAndMethodsNote: in the report JSON an excluded
// evaluation counts nowhere (the report equals one where it was never
// reported, but for the excluded lists), is listed under network.excluded
// and under each member kommun, and taken back in gives the golden report
// again. The HTML methods note counts it per kommun and names it with its
// reason; it is gone from the unused list.
func TestExcludedInJSONAndMethodsNote(t *testing.T) {
	const name, reason = "Tillsyn MSB", "Löpande tillsyn enligt lag, ingen utvärdering"
	excluded := reportJSON(t, excludeFromSmall(t, name, reason))
	absent := reportJSON(t, excludeFromSmall(t, name, ""))

	nw := excluded["network"].(map[string]any)
	wantNetwork := []any{map[string]any{"benamning": name, "enhet": "Räddningstjänsten Dala Mitt", "kommun": "Borlänge, Säter",
		"reason": reason, "kommuner": []any{"Borlänge", "Säter"}}}
	if !reflect.DeepEqual(nw["excluded"], wantNetwork) {
		t.Errorf("network.excluded = %v, want %v", nw["excluded"], wantNetwork)
	}
	for _, m := range excluded["municipalities"].([]any) {
		mm := m.(map[string]any)
		xs := mm["excluded"].([]any)
		switch mm["name"] {
		case "Borlänge", "Säter":
			if len(xs) != 1 || xs[0].(map[string]any)["kommun"] != mm["name"] || xs[0].(map[string]any)["reason"] != reason {
				t.Errorf("%s excluded = %v, want %s with its reason", mm["name"], xs, name)
			}
		default:
			if len(xs) != 0 {
				t.Errorf("%s excluded = %v, want []", mm["name"], xs)
			}
		}
	}
	if !reflect.DeepEqual(dropExcluded(excluded), dropExcluded(absent)) {
		t.Error("the report with the evaluation excluded differs from the one without it (but for the excluded lists)")
	}
	before := smallReport(t)
	if got := int(excluded["network"].(map[string]any)["evaluations"].(float64)); got != before.Network.Evaluations-1 {
		t.Errorf("network evaluations = %d, want %d", got, before.Network.Evaluations-1)
	}

	// Taken back in: the golden report, byte for byte.
	reincluded, err := aggregate.Compute(testRound, smallDataset())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := JSON(&buf, reincluded); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "small.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Error("the re-included report differs from testdata/small.json")
	}

	rep, err := aggregate.Compute(testRound, excludeFromSmall(t, name, reason))
	if err != nil {
		t.Fatal(err)
	}
	html := renderHTML(t, rep, HTMLOptions{})
	for _, s := range []string{
		`<p class="metod utanfor">Efter granskning har arbetsgruppen bedömt att 1 utvärdering ligger utanför studiens avgränsning. Den räknas inte i någon tabell, något diagram eller någon summa. Per kommun: Borlänge 1 och Säter 1.</p>`,
		`<p class="metod utanfor">Utanför avgränsningen: ”Tillsyn MSB” (Räddningstjänsten Dala Mitt, Borlänge och Säter): Löpande tillsyn enligt lag, ingen utvärdering.</p>`,
	} {
		if !strings.Contains(html, s) {
			t.Errorf("the methods note lacks %q", s)
		}
	}
	if n := strings.Count(html, name); n != 1 {
		t.Errorf("%q appears %d times in the report, want once (in the methods note)", name, n)
	}
	var xbuf bytes.Buffer
	if err := newRenderer(t).XLSX(t.Context(), &xbuf, rep, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xbuf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	noted := false
	for _, r := range rows {
		noted = noted || len(r) > 1 && r[0] == "Utanför avgränsningen" && strings.Contains(r[1], "Per kommun: Borlänge 1 och Säter 1")
	}
	if !noted {
		t.Errorf("the workbook's summary lacks the exclusions: %q", rows)
	}
	if html := renderHTML(t, before, HTMLOptions{}); strings.Contains(html, "utanför studiens avgränsning") || !strings.Contains(html, name) {
		t.Error("before the exclusion: the methods note speaks of exclusions, or the evaluation is not in the report")
	}
}
