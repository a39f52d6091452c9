package web

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/round"
)

// The report's comparison with an earlier round (design §5) is chosen by
// the query parameter jamfor: a round's id, or "ingen" for none. Without
// it the report is compared with the round it was carried forward from,
// when there is one the user may read.
const (
	compareParam = "jamfor"
	compareNone  = "ingen"
)

// reportRow is a round on the report list with the rounds its report can
// be compared with.
type reportRow struct {
	round.Round
	Compare []compareOption
}

// compareOption is a choice of the report's comparison.
type compareOption struct {
	Value    string
	Label    string
	Selected bool
}

// reportRows pairs each readable round with the others it can be compared
// with, the default selected.
func (s *Server) reportRows(c echo.Context, rs []round.Round) ([]reportRow, error) {
	out := make([]reportRow, len(rs))
	for i, r := range rs {
		out[i].Round = r
		if len(rs) < 2 {
			continue
		}
		def, ok, err := s.reports.DefaultComparison(c.Request().Context(), actor(c), r.ID)
		if err != nil {
			return nil, err
		}
		out[i].Compare = append(out[i].Compare, compareOption{Value: compareNone, Label: "Ingen jämförelse", Selected: !ok})
		for _, o := range rs {
			if o.ID == r.ID {
				continue
			}
			label := o.Name
			if ok && o.ID == def.ID {
				label += " (som omgången fördes vidare från)"
			}
			out[i].Compare = append(out[i].Compare, compareOption{Value: strconv.FormatInt(o.ID, 10), Label: label, Selected: ok && o.ID == def.ID})
		}
	}
	return out, nil
}

// comparedWith is the round the report of round id is compared with, as
// the query asks: 0 for none.
func (s *Server) comparedWith(c echo.Context, id int64) (int64, error) {
	ctx, a := c.Request().Context(), actor(c)
	switch v := c.QueryParam(compareParam); v {
	case compareNone:
		return 0, nil
	case "":
		prev, ok, err := s.reports.DefaultComparison(ctx, a, id)
		if err != nil || !ok {
			return 0, err
		}
		return prev.ID, nil
	default:
		prevID, err := strconv.ParseInt(v, 10, 64)
		if err != nil || prevID <= 0 {
			return 0, apperror.New(apperror.Invalid, "Välj en omgång att jämföra med i listan under Rapporter.")
		}
		return prevID, nil
	}
}

// loadCompared loads the round's report, compared as the query asks.
func (s *Server) loadCompared(c echo.Context, id int64) (comparison.Report, error) {
	prevID, err := s.comparedWith(c, id)
	if err != nil {
		return comparison.Report{}, err
	}
	if prevID == 0 {
		return s.reports.Load(c.Request().Context(), actor(c), id)
	}
	return s.reports.LoadCompared(c.Request().Context(), actor(c), id, prevID)
}

// compareQuery keeps the report's comparison in the addresses the report
// links to: "?jamfor=3", "?jamfor=ingen", or "" for the default.
func compareQuery(c echo.Context) string {
	v := c.QueryParam(compareParam)
	if v == "" {
		return ""
	}
	return "?" + url.Values{compareParam: {v}}.Encode()
}
