package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
)

// Content types of downloads.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	htmlType = "text/html; charset=utf-8"
)

type reportsView struct {
	Rounds []reportRow
}

// reportList lists the rounds whose report the user may read.
func (s *Server) reportList(c echo.Context) error {
	rs, err := s.manage.ReportRounds(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	rows, err := s.reportRows(c, rs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "reports", view{Title: "Rapporter", Notice: notice(c), Data: reportsView{Rounds: rows}})
}

func (s *Server) loadReport(c echo.Context) (comparison.Report, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return comparison.Report{}, err
	}
	return s.loadCompared(c, id)
}

// reportPage shows the HTML report in the browser. The report is a
// self-contained document with its own stylesheet, so this page allows
// inline styles (never inline scripts).
func (s *Server) reportPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	prevID, err := s.comparedWith(c, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	base := "/rapporter/" + strconv.FormatInt(id, 10) + "/diagram/"
	query := compareQuery(c)
	chartURL := func(k chart.Kind, f chart.Format) string { return base + string(k) + "/" + string(f) + query }
	if _, err := s.reports.BuildPage(c.Request().Context(), actor(c), id, prevID, chartURL, &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	return c.Blob(http.StatusOK, htmlType, buf.Bytes())
}

// reportDownload sends the report as a file: html, xlsx or json.
func (s *Server) reportDownload(c echo.Context) error {
	format := c.Param("format")
	types := map[string]string{comparison.HTML: htmlType, comparison.XLSX: xlsxType, comparison.JSON: "application/json"}
	ctype, ok := types[format]
	if !ok {
		return apperror.New(apperror.NotFound, "Formatet finns inte.")
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	prevID, err := s.comparedWith(c, id)
	if err != nil {
		return err
	}
	// Sent as it is written, not held here: the report service begins the
	// response only once the report is ready to be written, so a refusal
	// or a failed build still gets its error page (see BuildTo).
	_, err = s.reports.BuildTo(c.Request().Context(), actor(c), id, prevID, format, func(r round.Round) io.Writer {
		attach(c, fileName(r.Name, "jamforelse", format))
		c.Response().Header().Set(echo.HeaderContentType, ctype)
		c.Response().WriteHeader(http.StatusOK)
		return c.Response()
	})
	return err
}

// reportChart sends one chart as PNG or SVG.
func (s *Server) reportChart(c echo.Context) error {
	format := chart.Format(c.Param("format"))
	if format != chart.PNG && format != chart.SVG {
		return apperror.New(apperror.NotFound, "Formatet finns inte.")
	}
	rep, err := s.loadReport(c)
	if err != nil {
		return err
	}
	b, err := s.reports.Chart(rep, chart.Kind(c.Param("kind")), format)
	if err != nil {
		return err
	}
	ctype := "image/png"
	if format == chart.SVG {
		ctype = "image/svg+xml"
		c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	attach(c, fileName(rep.Round.Name, c.Param("kind"), string(format)))
	return c.Blob(http.StatusOK, ctype, b)
}

// exportRound sends the round's answers in the interchange format: the
// whole round for the samordnare, the own kommun's units for a projektledare.
func (s *Server) exportRound(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, ds, err := s.manage.ExportData(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, s.form, ds); err != nil {
		return err
	}
	attach(c, fileName(r.Name, "svar", "xlsx"))
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

func attach(c echo.Context, name string) {
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
}

// fileName makes an ASCII file name from a round name.
func fileName(roundName, what, ext string) string {
	r := strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "Å", "A", "Ä", "A", "Ö", "O", "é", "e")
	var b strings.Builder
	for _, ch := range r.Replace(roundName) {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
			b.WriteRune(ch)
		default:
			if !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-") + "-" + what + "." + ext
}
