package web

import (
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/staff"
)

// routes is the one route table.
func (s *Server) routes(e *echo.Echo) {
	e.Use(middleware.Recover())
	// Forms are small; workbook uploads have their own, larger limit.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   strconv.FormatInt(s.cfg.MaxBodyBytes, 10) + "B",
		Skipper: func(c echo.Context) bool { return strings.HasSuffix(c.Request().URL.Path, "/fil") },
	}))
	e.Use(s.securityHeaders)
	e.Use(s.gateRequests)

	upload := middleware.BodyLimit(strconv.Itoa(UploadMaxBytes) + "B")

	static, _ := fs.Sub(staticFS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(static)))))

	e.GET("/", s.home)
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg") })
	e.GET("/tillganglighet", s.accessibility)

	// A unit's pages: the verksamhetschef's personal link, throttled
	// against guessing; staff helping a unit use the same handlers below.
	s.unitRoutes(e.Group("/l/:token", s.throttleLinks, s.linkScope), upload)

	// Staff.
	e.GET("/logga-in", s.loginPage)
	e.POST("/logga-in", s.login)
	e.POST("/logga-ut", s.logout, s.requireStaff, s.checkCSRF)
	// Every staff member's own password; the one page an account with a
	// one-time password may open (requirePasswordChanged sends it here).
	e.GET("/konto/losenord", s.passwordPage, s.requireStaff, s.checkCSRF)
	e.POST("/konto/losenord", s.changePassword, s.requireStaff, s.checkCSRF)
	// Reports: every staff role; the domain decides which rounds.
	rep := e.Group("/rapporter", s.requireStaff, s.checkCSRF, s.requirePasswordChanged)
	rep.GET("", s.reportList)
	rep.GET("/:id", s.reportPage)
	rep.GET("/:id/fil/:format", s.reportDownload)
	rep.GET("/:id/diagram/:kind/:format", s.reportChart)

	// What each role may do is checked again by the domain (manage.Actor).
	//
	// The staff's posts whose writes are all in the database are idempotent
	// under their form's key, as a unit's are (idempotent). Not: logging in
	// and out and passwords (the answer sets cookies, or shows a one-time
	// password that must not be kept for replays), posts that send mail
	// (invitations, a unit's new link or changed address: the mail goes out
	// while the request runs, and its transaction would hold the unit's
	// lock through it).
	coordinator := s.requireRole(staff.Samordnare)
	adm := e.Group("/admin", s.requireStaff, s.checkCSRF, s.requirePasswordChanged, s.requireRole(staff.Samordnare, staff.Projektledare))
	adm.GET("", s.rounds)
	adm.GET("/sakerhetslogg", s.securityLog, coordinator)
	adm.GET("/konton", s.accounts, coordinator)
	adm.POST("/konton", s.createAccount, coordinator)
	adm.POST("/konton/:user/avstang", s.disableAccount, coordinator, s.idempotent)
	adm.POST("/konton/:user/aktivera", s.enableAccount, coordinator, s.idempotent)
	adm.GET("/konton/:user/nytt-losenord", s.confirmReset, coordinator)
	adm.POST("/konton/:user/nytt-losenord", s.resetPassword, coordinator)
	adm.POST("/omgangar", s.createRound, coordinator, s.idempotent)
	adm.GET("/omgangar/:id", s.roundOverview)
	adm.POST("/omgangar/:id/kommuner", s.addKommun, coordinator, s.idempotent)
	adm.POST("/omgangar/:id/enheter", s.addUnit, s.idempotent)
	adm.POST("/omgangar/:id/status", s.setRoundState, coordinator, s.idempotent)
	adm.GET("/omgangar/:id/utskick", s.invitePreview)
	adm.POST("/omgangar/:id/utskick", s.invite)
	adm.GET("/omgangar/:id/export.xlsx", s.exportRound)
	adm.GET("/omgangar/:id/andringslogg", s.auditTrail)
	adm.POST("/omgangar/:id/overfor", s.carryForward, coordinator, s.idempotent)
	adm.GET("/omgangar/:id/rapporttexter", s.reportTexts)
	adm.POST("/omgangar/:id/rapporttexter", s.saveReportText, s.idempotent)
	adm.POST("/omgangar/:id/invanarkalla", s.savePopulationSource, coordinator, s.idempotent)
	adm.GET("/omgangar/:id/lankar.xlsx", s.linksList)
	adm.GET("/omgangar/:id/framsteg.xlsx", s.progressWorkbook)
	adm.GET("/omgangar/:id/enheter-mall.xlsx", s.unitsTemplate)
	adm.POST("/omgangar/:id/enheter/fil", s.uploadUnits, upload, s.idempotent)
	// A unit's own data, link and sending: staff only.
	adm.GET("/enheter/:unit/uppgifter", s.editUnit)
	adm.POST("/enheter/:unit/uppgifter", s.updateUnit)
	adm.GET("/enheter/:unit/ny-lank", s.confirmNewLink)
	adm.POST("/enheter/:unit/ny-lank", s.newLink)
	adm.POST("/enheter/:unit/manuellt", s.markSentManually, s.idempotent)
	adm.GET("/enheter/:unit/radera", s.confirmDeleteUnit)
	adm.POST("/enheter/:unit/radera", s.deleteUnit, s.idempotent)
	// The working group's review of what came in (review.go).
	adm.GET("/omgangar/:id/granskning", s.reviewList)
	adm.GET("/omgangar/:id/granskning/:eval", s.reviewPanel)
	adm.POST("/omgangar/:id/granskning/:eval/utanfor", s.excludeEvaluation, s.idempotent)
	adm.POST("/omgangar/:id/granskning/:eval/med", s.includeEvaluation, s.idempotent)
	adm.POST("/omgangar/:id/granskning/:eval/fraga", s.askQuestion, s.idempotent)
	adm.POST("/omgangar/:id/fragor/:q/avsluta", s.closeQuestion, s.idempotent)
	// Staff helping a unit: the unit's pages, as the personal link has them.
	s.unitRoutes(adm.Group("/enheter/:unit", s.staffUnitScope), upload)
}

// unitRoutes are a unit's pages under g, whose middleware resolves the
// unit scope (linkScope or staffUnitScope). Every post is idempotent under
// the key its form carries (see idempotent).
func (s *Server) unitRoutes(g *echo.Group, upload echo.MiddlewareFunc) {
	g.GET("", s.unitPage)
	g.GET("/ny", s.newEvaluation)
	g.POST("/ny", s.createEvaluation, s.idempotent)
	g.GET("/u/:id", s.editEvaluation)
	g.POST("/u/:id", s.updateEvaluation, s.idempotent)
	g.GET("/u/:id/ta-bort", s.confirmDelete)
	g.POST("/u/:id/ta-bort", s.deleteEvaluation, s.idempotent)
	g.POST("/skicka-in", s.submitUnit, s.idempotent)
	g.POST("/inga", s.noEvaluations, s.idempotent)
	g.POST("/avboj", s.declineUnit, s.idempotent)
	g.POST("/andra", s.reopenUnit, s.idempotent)
	g.GET("/excel", s.downloadUnitForm)
	g.POST("/excel/fil", s.uploadUnitForm, upload, s.idempotent)
	// The review's questions and the carry-forward (unitreview.go).
	g.POST("/fragor/:q/svar", s.answerQuestion, s.idempotent)
	g.GET("/u/:id/ratta", s.correctionForm)
	g.POST("/u/:id/ratta", s.correctEvaluation, s.idempotent)
	g.POST("/u/:id/bekrafta", s.confirmCarried, s.idempotent)
	g.POST("/u/:id/upphor", s.discontinueCarried, s.idempotent)
	g.GET("/forra", s.previousAnswers)
}

// securityHeaders sets the headers every page carries. Personal links are
// secrets in the URL, so no page sends a Referer.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.cfg.HSTS {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// throttleLinks refuses clients that have guessed too many personal links
// and counts each unknown or revoked link they try. Only the domain's word
// that the token itself is bad counts: a 404 for an evaluation that no
// longer exists, under a valid link (a stale bookmark), is no guess.
func (s *Server) throttleLinks(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if err := s.guard.CheckLinkClient(ctx, c.RealIP()); err != nil {
			return err
		}
		err := next(c)
		if apperror.IsBadToken(err) {
			if gerr := s.guard.LinkMiss(ctx, c.RealIP()); gerr != nil {
				return gerr
			}
		}
		return err
	}
}
