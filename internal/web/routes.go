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
	e.Use(securityHeaders)

	upload := middleware.BodyLimit(strconv.Itoa(UploadMaxBytes) + "B")

	static, _ := fs.Sub(staticFS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(static)))))

	e.GET("/", s.home)
	e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg") })
	e.GET("/tillganglighet", s.accessibility)

	// The verksamhetschef's personal link.
	l := e.Group("/l/:token", s.throttleLinks)
	l.GET("", s.unitPage)
	l.GET("/ny", s.newEvaluation)
	l.POST("/ny", s.createEvaluation)
	l.GET("/u/:id", s.editEvaluation)
	l.POST("/u/:id", s.updateEvaluation)
	l.GET("/u/:id/ta-bort", s.confirmDelete)
	l.POST("/u/:id/ta-bort", s.deleteEvaluation)
	l.POST("/skicka-in", s.submitUnit)
	l.POST("/inga", s.noEvaluations)
	l.POST("/avboj", s.declineUnit)
	l.POST("/andra", s.reopenUnit)
	l.GET("/excel", s.downloadUnitForm)
	l.POST("/excel/fil", s.uploadUnitForm, upload)

	// Staff.
	e.GET("/logga-in", s.loginPage)
	e.POST("/logga-in", s.login)
	e.POST("/logga-ut", s.logout, s.requireStaff, s.checkCSRF)
	// Reports: every staff role; the domain decides which rounds.
	rep := e.Group("/rapporter", s.requireStaff, s.checkCSRF)
	rep.GET("", s.reportList)
	rep.GET("/:id", s.reportPage)
	rep.GET("/:id/fil/:format", s.reportDownload)
	rep.GET("/:id/diagram/:kind/:format", s.reportChart)

	// What each role may do is checked again by the domain (manage.Actor).
	coordinator := s.requireRole(staff.Samordnare)
	adm := e.Group("/admin", s.requireStaff, s.checkCSRF, s.requireRole(staff.Samordnare, staff.Projektledare))
	adm.GET("", s.rounds)
	adm.GET("/sakerhetslogg", s.securityLog, coordinator)
	adm.POST("/omgangar", s.createRound, coordinator)
	adm.GET("/omgangar/:id", s.roundOverview)
	adm.POST("/omgangar/:id/kommuner", s.addKommun, coordinator)
	adm.POST("/omgangar/:id/enheter", s.addUnit)
	adm.POST("/omgangar/:id/enheter/:unit/ny-lank", s.reissueLink)
	adm.POST("/omgangar/:id/status", s.setRoundState, coordinator)
	adm.POST("/omgangar/:id/utskick", s.invite)
	adm.GET("/omgangar/:id/export.xlsx", s.exportRound)
	adm.GET("/omgangar/:id/andringslogg", s.auditTrail, coordinator)
	adm.POST("/omgangar/:id/overfor", s.carryForward, coordinator)
	adm.GET("/omgangar/:id/rapporttexter", s.reportTexts)
	adm.POST("/omgangar/:id/rapporttexter", s.saveReportText)
	adm.POST("/omgangar/:id/invanarkalla", s.savePopulationSource, coordinator)
	adm.GET("/omgangar/:id/lankar.xlsx", s.linksList)
	adm.GET("/omgangar/:id/enheter-mall.xlsx", s.unitsTemplate)
	adm.POST("/omgangar/:id/enheter/fil", s.uploadUnits, upload)
	adm.GET("/enheter/:unit/excel", s.staffDownloadUnitForm)
	adm.POST("/enheter/:unit/excel/fil", s.staffUploadUnitForm, upload)
	adm.GET("/enheter/:unit", s.staffUnitPage)
	adm.GET("/enheter/:unit/ny", s.staffNewEvaluation)
	adm.POST("/enheter/:unit/ny", s.staffCreateEvaluation)
	adm.GET("/enheter/:unit/u/:id", s.staffEditEvaluation)
	adm.POST("/enheter/:unit/u/:id", s.staffUpdateEvaluation)
	adm.GET("/enheter/:unit/u/:id/ta-bort", s.staffConfirmDelete)
	adm.POST("/enheter/:unit/u/:id/ta-bort", s.staffDeleteEvaluation)
}

// securityHeaders sets the headers every page carries. Personal links are
// secrets in the URL, so no page sends a Referer.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// throttleLinks refuses clients that have guessed too many personal links
// and counts each unknown or revoked link they try.
func (s *Server) throttleLinks(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if err := s.guard.CheckLinkClient(ctx, c.RealIP()); err != nil {
			return err
		}
		err := next(c)
		if code := apperror.Code(err); err != nil && (code == apperror.NotFound || code == apperror.Gone) {
			if gerr := s.guard.LinkMiss(ctx, c.RealIP()); gerr != nil {
				return gerr
			}
		}
		return err
	}
}
