package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/numfmt"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
)

// actor is the logged-in staff member as the domain sees them.
func actor(c echo.Context) manage.Actor {
	sess, ok := c.Get("session").(*staff.Session)
	if !ok {
		return manage.Actor{}
	}
	return manage.StaffActor(sess.User)
}

type roundsView struct {
	Rounds []round.Round
	Input  manage.RoundInput
}

func (s *Server) rounds(c echo.Context) error {
	rs, err := s.manage.Rounds(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "rounds", view{Title: "Omgångar", Notice: notice(c),
		Data: roundsView{Rounds: rs, Input: manage.RoundInput{HourlyRate: strconv.Itoa(round.DefaultHourlyRate)}}})
}

func (s *Server) createRound(c echo.Context) error {
	in := manage.RoundInput{Name: c.FormValue("namn"), HourlyRate: c.FormValue("timkostnad"),
		OpensOn: c.FormValue("startar"), Deadline: c.FormValue("sista_dag"), PopulationSource: c.FormValue("invanarkalla")}
	r, err := s.manage.CreateRound(c.Request().Context(), actor(c), in)
	if err != nil {
		if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict {
			return err
		}
		rs, lerr := s.manage.Rounds(c.Request().Context(), actor(c))
		if lerr != nil {
			return lerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "rounds", view{Title: "Omgångar",
			Data: roundsView{Rounds: rs, Input: in}}.withError(apperror.Message(err)))
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(r.ID, 10), "omgang")
}

type overviewView struct {
	manage.Overview
	Unit        manage.UnitInput
	Moves       []manage.Move // the state changes the round allows now
	ReportLink  bool          // the viewer may open the round's report
	ReportDraft bool          // the report is not yet out for projektledare and styrgrupp
}

func newOverviewView(c echo.Context, ov manage.Overview, unit manage.UnitInput) overviewView {
	return overviewView{Overview: ov, Unit: unit, Moves: manage.Moves(ov.Round),
		ReportLink: actor(c).SeesReport(ov.Round), ReportDraft: !manage.ReportPublic(ov.Round)}
}

// The progress page's query parameters: its filter and page.
const (
	paramKommun = "kommun"
	paramStatus = "status"
	paramOmrade = "omrade"
	paramSok    = "sok"
	paramSida   = "sida"
)

// overviewFilter reads the progress page's filter from the query string; a
// page that is not a number is the first.
func overviewFilter(c echo.Context) manage.OverviewFilter {
	page, _ := strconv.Atoi(c.QueryParam(paramSida))
	return manage.OverviewFilter{Kommun: c.QueryParam(paramKommun), Status: round.Progress(c.QueryParam(paramStatus)),
		Omrade: c.QueryParam(paramOmrade), Search: c.QueryParam(paramSok), Page: page}
}

// filterQuery is the query string of a filter and page (0: none), "" for
// none of them.
func filterQuery(f manage.OverviewFilter, page int) string {
	v := url.Values{}
	for k, s := range map[string]string{paramKommun: f.Kommun, paramStatus: string(f.Status), paramOmrade: f.Omrade, paramSok: f.Search} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set(paramSida, strconv.Itoa(page))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func (v overviewView) roundPath() string {
	return "/admin/omgangar/" + strconv.FormatInt(v.Round.ID, 10)
}

// PageHref is the list's page n under the same filter.
func (v overviewView) PageHref(n int) string {
	return v.roundPath() + filterQuery(v.Filter, n) + "#enheter"
}

// PrevHref and NextHref are the pages before and after the current one,
// "" at either end.
func (v overviewView) PrevHref() string {
	if v.Filter.Page <= 1 {
		return ""
	}
	return v.PageHref(v.Filter.Page - 1)
}

// NextHref: see PrevHref.
func (v overviewView) NextHref() string {
	if v.Filter.Page >= v.Pages {
		return ""
	}
	return v.PageHref(v.Filter.Page + 1)
}

// KommunHref lists the kommun's units.
func (v overviewView) KommunHref(kommun string) string {
	return v.roundPath() + filterQuery(manage.OverviewFilter{Kommun: kommun}, 0) + "#enheter"
}

// ClearHref is the list without a filter.
func (v overviewView) ClearHref() string { return v.roundPath() + "#enheter" }

// ProgressHref is the progress workbook of the units the filter selects.
func (v overviewView) ProgressHref() string {
	return v.roundPath() + "/framsteg.xlsx" + filterQuery(v.Filter, 0)
}

// LinksHref is the links list of the units the filter selects.
func (v overviewView) LinksHref() string {
	return v.roundPath() + "/lankar.xlsx" + filterQuery(v.Filter, 0)
}

// pageLink is one link of the list's page navigation; Gap stands for pages
// left out.
type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// PageLinks are the first and last pages and those near the current one,
// with gaps between: 1 … 4 5 [6] 7 8 … 117.
func (v overviewView) PageLinks() []pageLink {
	var out []pageLink
	cur, last := v.Filter.Page, v.Pages
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < cur-2 || n > cur+2) {
			if len(out) > 0 && !out[len(out)-1].Gap {
				out = append(out, pageLink{Gap: true})
			}
			continue
		}
		out = append(out, pageLink{N: n, Href: v.PageHref(n), Current: n == cur})
	}
	return out
}

// Count is a number the Swedish way: 5 848.
func (v overviewView) Count(n int) string { return numfmt.Int(n) }

// Share is part of whole as a Swedish percentage, "–" when whole is 0.
func (v overviewView) Share(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return numfmt.Percent(float64(part) / float64(whole))
}

func (s *Server) roundOverview(c echo.Context) error {
	return s.renderOverview(c, http.StatusOK, manage.UnitInput{}, "")
}

func (s *Server) renderOverviewProblems(c echo.Context, errMsg string, problems []string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ov, err := s.manage.Overview(c.Request().Context(), actor(c), id, overviewFilter(c))
	if err != nil {
		return err
	}
	v := view{Title: ov.Round.Name, Problems: problems,
		Data: newOverviewView(c, ov, manage.UnitInput{})}
	return s.render(c, http.StatusUnprocessableEntity, "round", v.withError(errMsg))
}

func (s *Server) renderOverview(c echo.Context, status int, unit manage.UnitInput, errMsg string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ov, err := s.manage.Overview(c.Request().Context(), actor(c), id, overviewFilter(c))
	if err != nil {
		return err
	}
	return s.render(c, status, "round", view{Title: ov.Round.Name, Notice: notice(c),
		Data: newOverviewView(c, ov, unit)}.withError(errMsg))
}

// progressWorkbook is the progress of the units the page's filter selects,
// every page of them, as a workbook: one row per unit.
func (s *Server) progressWorkbook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pl, err := s.manage.ProgressList(c.Request().Context(), actor(c), id, overviewFilter(c))
	if err != nil {
		return err
	}
	rows := make([]sheet.ProgressRow, len(pl.Units))
	for i, u := range pl.Units {
		rows[i] = sheet.ProgressRow{Kommuner: u.Kommuner, Enhet: u.Name, Omrade: u.Omrade, Verksamhetschef: u.ChefName,
			Epost: u.ChefEmail, Status: u.Progress.Label(), LastActivity: u.UpdatedAt, Evaluations: u.Evaluations,
			DeclineReason: u.DeclineReason(), Invited: u.InvitedAt, Opened: u.OpenedAt, Answered: u.RespondedAt}
	}
	info := sheet.ProgressInfo{Round: pl.Round.Name, Created: s.now()}
	for _, f := range []struct{ label, value string }{
		{"Kommun", pl.Filter.Kommun}, {"Status", statusLabel(pl.Filter.Status)}, {"Område", pl.Filter.Omrade}, {"Sökning", pl.Filter.Search},
	} {
		if f.value != "" {
			info.Filter = append(info.Filter, [2]string{f.label, f.value})
		}
	}
	var buf bytes.Buffer
	if err := sheet.WriteProgress(&buf, info, rows); err != nil {
		return err
	}
	attach(c, fileName(pl.Round.Name, "framsteg", "xlsx"))
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

// statusLabel is a step's Swedish name, "" for none.
func statusLabel(p round.Progress) string {
	if p == "" {
		return ""
	}
	return p.Label()
}

// refusal re-renders the overview with a user-fixable error, or passes any
// other error on to the error handler.
func (s *Server) refusal(c echo.Context, err error, unit manage.UnitInput) error {
	if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict {
		return err
	}
	return s.renderOverview(c, http.StatusUnprocessableEntity, unit, apperror.Message(err))
}

func (s *Server) addKommun(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.manage.AddKommunWith(c.Request().Context(), actor(c), id, manage.KommunInput{Name: c.FormValue("kommun"),
		Population: c.FormValue("invanare"), Kommunkod: c.FormValue("kommunkod")}); err != nil {
		return s.refusal(c, err, manage.UnitInput{})
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10), "kommun")
}

func (s *Server) addUnit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return apperror.New(apperror.Invalid, "Formuläret kunde inte läsas.")
	}
	in := manage.UnitInput{Name: c.FormValue("enhet"), Kommuner: params["kommun"], Omrade: c.FormValue("omrade"),
		Fordelning: c.FormValue("fordelning"), ChefName: c.FormValue("verksamhetschef"), ChefEmail: c.FormValue("epost")}
	if _, _, err := s.manage.AddUnit(c.Request().Context(), actor(c), id, in); err != nil {
		return s.refusal(c, err, in)
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10), "enhet")
}

// stateConfirmView asks the samordnare to confirm a state change that
// leaves evaluations out of the report.
type stateConfirmView struct {
	manage.StateChange
	Again bool // more units were left out than the samordnare was shown
}

// setRoundState moves the round to the posted state. Closing a round in
// which units have entered evaluations without sending them in first shows
// those units (manage.PreviewState); only a POST confirming exactly those
// units (bekrafta=1, enhet=ID…) closes it, and if more units have drafts
// by then they are shown again instead.
func (s *Server) setRoundState(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	state, err := round.ParseState(strings.TrimSpace(c.FormValue("status")))
	if err != nil {
		return s.refusal(c, err, manage.UnitInput{})
	}
	ctx := c.Request().Context()
	confirmed := c.FormValue("bekrafta") == "1"
	var shown manage.Shown
	if confirmed {
		params, err := c.FormParams()
		if err != nil {
			return apperror.New(apperror.Invalid, "Formuläret kunde inte läsas.")
		}
		shown.Units, shown.Questions = formIDs(params["enhet"]), formIDs(params["fraga"])
	} else {
		ch, err := s.manage.PreviewState(ctx, actor(c), id, state)
		if err != nil {
			return s.refusal(c, err, manage.UnitInput{})
		}
		if ch.Warns() {
			return s.render(c, http.StatusOK, "round-state", view{Title: "Stäng omgången ”" + ch.Round.Name + "”?", Data: stateConfirmView{StateChange: ch}})
		}
	}
	ch, done, err := s.manage.ConfirmState(ctx, actor(c), id, state, shown)
	if err != nil {
		return s.refusal(c, err, manage.UnitInput{})
	}
	if !done {
		return s.render(c, http.StatusConflict, "round-state", view{Title: "Stäng omgången ”" + ch.Round.Name + "”?",
			Data: stateConfirmView{StateChange: ch, Again: confirmed}})
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10), "status")
}

// formIDs reads the posted IDs, skipping any that is not a number.
func formIDs(vs []string) []int64 {
	var out []int64
	for _, v := range vs {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (s *Server) home(c echo.Context) error {
	return s.render(c, http.StatusOK, "home", view{Title: "inventera"})
}

func (s *Server) accessibility(c echo.Context) error {
	return s.render(c, http.StatusOK, "accessibility", view{Title: "Tillgänglighetsredogörelse"})
}
