package chart

import (
	"bytes"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
)

// TestTrend: the trend chart has a row per round, oldest first, with
// Swedish numbers; a report without a trend has no trend chart.
func TestTrend(t *testing.T) {
	r := newRenderer(t)
	rep := sampleReport(t)
	if _, err := r.Render(KindTrend, rep, SVG, Options{}); err == nil {
		t.Error("a report without a trend rendered a trend chart")
	}
	earlier := *rep
	earlier.Round.Name = "Mätning <1> & 2008"
	earlier.Network.Evaluations = 1234
	compared := aggregate.WithTrend(aggregate.Compare(rep, aggregate.BasisOf(&earlier)), aggregate.Trend([]*aggregate.Basis{aggregate.BasisOf(&earlier), aggregate.BasisOf(rep)}))
	for _, f := range []Format{SVG, PNG} {
		got, err := r.Render(KindTrend, compared, f, Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		again, _ := r.Render(KindTrend, compared, f, Options{})
		if !bytes.Equal(got, again) {
			t.Errorf("%s: two renderings differ", f)
		}
		if f != SVG {
			continue
		}
		svg := string(got)
		first, second := strings.Index(svg, "Mätning &lt;1&gt; &amp; 2008"), strings.Index(svg, ">"+rep.Round.Name+"<")
		if first < 0 || second < 0 || first > second {
			t.Errorf("rounds not drawn oldest first (at %d and %d)", first, second)
		}
		if !strings.Contains(svg, "1\u00a0234") {
			t.Error("the earlier round's count is not written the Swedish way (1 234)")
		}
		if !strings.Contains(svg, `<title id="utveckling-title">`+TitleTrend+`</title>`) {
			t.Error("no accessible title")
		}
	}
}
