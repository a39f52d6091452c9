package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
)

// reportTextsView is the page where the samordnare writes the network's
// reflection and the kommuner's comments, and a projektledare their own
// kommun's comment.
type reportTextsView struct {
	manage.ReportTexts
	// Coordinator: the samordnare also records the population source.
	Coordinator bool
	// Failed is the text that was refused, kept as typed, with why.
	Failed      *round.ReportText
	FailedError string
	MaxLength   int
}

// Body is what a text's field shows: the refused text as typed, or the
// stored one.
func (v reportTextsView) Body(t round.ReportText) string {
	if v.Failed != nil && v.Failed.Kommun == t.Kommun {
		return v.Failed.Body
	}
	return t.Body
}

// MaxText is the length limit as the page says it.
func (v reportTextsView) MaxText() string { return numfmt.Int(v.MaxLength) }

// Error is the refusal of the text, if it was the one refused.
func (v reportTextsView) Error(t round.ReportText) string {
	if v.Failed != nil && v.Failed.Kommun == t.Kommun {
		return v.FailedError
	}
	return ""
}

func (s *Server) reportTexts(c echo.Context) error {
	return s.renderReportTexts(c, http.StatusOK, nil, "")
}

func (s *Server) renderReportTexts(c echo.Context, status int, failed *round.ReportText, msg string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rt, err := s.manage.ReportTexts(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v := view{Title: "Rapportens texter – " + rt.Round.Name, Notice: notice(c),
		Data: reportTextsView{ReportTexts: rt, Coordinator: actor(c).Coordinator(), Failed: failed, FailedError: msg, MaxLength: round.MaxReportText}}
	if msg != "" {
		v = v.withError(msg)
	}
	return s.render(c, status, "reporttexts", v)
}

func (s *Server) saveReportText(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	t := round.ReportText{Kommun: c.FormValue("kommun"), Body: c.FormValue("text")}
	if err := s.manage.SetReportText(c.Request().Context(), actor(c), id, t.Kommun, t.Body); err != nil {
		if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict {
			return err
		}
		return s.renderReportTexts(c, http.StatusUnprocessableEntity, &t, apperror.Message(err))
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10)+"/rapporttexter", "texter")
}

// savePopulationSource records where the round's populations come from.
func (s *Server) savePopulationSource(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.manage.SetPopulationSource(c.Request().Context(), actor(c), id, c.FormValue("invanarkalla")); err != nil {
		if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict {
			return err
		}
		return s.renderReportTexts(c, http.StatusUnprocessableEntity, nil, apperror.Message(err))
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10)+"/rapporttexter", "texter")
}
