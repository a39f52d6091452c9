package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
)

// The working group's review pages (manage.Service.Review…): a round's
// sent-in evaluations with filters by kommun, unit and status, and one
// evaluation's review panel, where the samordnare or the kommun's
// projektledare rules it out of scope (or takes it back in), asks the unit
// a question and closes it.

// reviewListLimit is how many evaluations the review page lists at once;
// the filters narrow a national round down.
const reviewListLimit = 500

type reviewView struct {
	manage.Review
	Limit    int
	Statuses []manage.ReviewStatusOption
}

// Cut tells whether the list shows fewer evaluations than matched.
func (v reviewView) Cut() bool { return len(v.Items) < v.Matched }

func (s *Server) reviewList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := manage.ReviewFilter{Kommun: strings.TrimSpace(c.QueryParam("kommun")), Status: c.QueryParam("status"), Limit: reviewListLimit}
	if u := c.QueryParam("enhet"); u != "" {
		if f.UnitID, err = strconv.ParseInt(u, 10, 64); err != nil || f.UnitID < 0 {
			return apperror.New(apperror.Invalid, "Okänd enhet i filtret.")
		}
	}
	rv, err := s.manage.Review(c.Request().Context(), actor(c), id, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "review", view{Title: "Granskning – " + rv.Round.Name, Notice: notice(c),
		Data: reviewView{Review: rv, Limit: reviewListLimit, Statuses: manage.ReviewStatuses()}})
}

// reviewPanelView is one evaluation's review panel; Reason and Question
// keep what was typed when a post is refused.
type reviewPanelView struct {
	manage.ReviewPanel
	Def      *form.Definition
	Reason   string
	Question string
}

func (s *Server) reviewPanel(c echo.Context) error {
	return s.renderReviewPanel(c, http.StatusOK, reviewPanelView{}, "")
}

func (s *Server) renderReviewPanel(c echo.Context, status int, v reviewPanelView, errMsg string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	evalID, err := pathID(c, "eval")
	if err != nil {
		return err
	}
	p, err := s.manage.ReviewEvaluation(c.Request().Context(), actor(c), id, evalID)
	if err != nil {
		return err
	}
	v.ReviewPanel, v.Def = p, s.form
	return s.render(c, status, "review-panel", view{Title: "Granska ”" + p.Evaluation.Title() + "”", Notice: notice(c),
		Data: v}.withError(errMsg))
}

// reviewAction runs a review step on the evaluation; a refusal the
// reviewer can fix is shown on the panel with what they typed.
func (s *Server) reviewAction(c echo.Context, noticeKey string, typed reviewPanelView, act func(roundID, evalID int64) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	evalID, err := pathID(c, "eval")
	if err != nil {
		return err
	}
	if err := act(id, evalID); err != nil {
		if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict {
			return err
		}
		return s.renderReviewPanel(c, http.StatusUnprocessableEntity, typed, apperror.Message(err))
	}
	return redirect(c, reviewPath(id, evalID), noticeKey)
}

func reviewPath(roundID, evalID int64) string {
	return "/admin/omgangar/" + strconv.FormatInt(roundID, 10) + "/granskning/" + strconv.FormatInt(evalID, 10)
}

func (s *Server) excludeEvaluation(c echo.Context) error {
	reason := c.FormValue("skal")
	return s.reviewAction(c, "utesluten", reviewPanelView{Reason: reason}, func(roundID, evalID int64) error {
		return s.manage.Exclude(c.Request().Context(), actor(c), roundID, evalID, reason)
	})
}

func (s *Server) includeEvaluation(c echo.Context) error {
	return s.reviewAction(c, "medtagen", reviewPanelView{}, func(roundID, evalID int64) error {
		return s.manage.Include(c.Request().Context(), actor(c), roundID, evalID)
	})
}

func (s *Server) askQuestion(c echo.Context) error {
	text := c.FormValue("fraga")
	return s.reviewAction(c, "fraga", reviewPanelView{Question: text}, func(roundID, evalID int64) error {
		_, err := s.manage.Ask(c.Request().Context(), actor(c), roundID, evalID, text)
		return err
	})
}

func (s *Server) closeQuestion(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	qid, err := pathID(c, "q")
	if err != nil {
		return err
	}
	q, err := s.manage.CloseQuestion(c.Request().Context(), actor(c), id, qid)
	if err != nil {
		return err
	}
	return redirect(c, reviewPath(id, q.EvaluationID), "fraga_avslutad")
}
