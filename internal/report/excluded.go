package report

import (
	"strings"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/numfmt"
)

// excludedNote is the methods note's account of the review: how many
// sent-in evaluations the working group ruled out of scope, how many per
// kommun (a shared unit's in each member kommun), and which, with the
// reason. Empty when none were.
func excludedNote(rep *aggregate.Report) []string {
	xs := rep.Network.Excluded
	if len(xs) == 0 {
		return nil
	}
	var perKommun []string
	for _, m := range rep.Municipalities {
		if n := len(m.Excluded); n > 0 {
			perKommun = append(perKommun, m.Name+" "+integer(n))
		}
	}
	first := "Efter granskning har arbetsgruppen bedömt att " + evals(len(xs)) + " ligger" +
		" utanför studiens avgränsning. " + upperFirst(pronoun(len(xs))) + " räknas inte i någon tabell, något diagram eller någon summa. Per kommun: " +
		numfmt.CapList(perKommun, 30, "kommuner") + "."
	items := make([]string, len(xs))
	for i, x := range xs {
		items[i] = "”" + x.Benamning + "” (" + x.Enhet + ", " + numfmt.List(x.Kommuner) + "): " + strings.TrimSpace(x.Reason)
	}
	return []string{first, "Utanför avgränsningen: " + capSemicolons(items, 20, "utvärderingar") + "."}
}

// pronoun is "den" for one evaluation, "de" for several.
func pronoun(n int) string {
	if n == 1 {
		return "den"
	}
	return "de"
}

// capSemicolons lists items separated by semicolons (they hold commas),
// naming at most limit and counting the rest.
func capSemicolons(items []string, limit int, noun string) string {
	if len(items) <= limit {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:limit], "; ") + " och " + integer(len(items)-limit) + " " + noun + " till"
}
