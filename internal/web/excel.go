package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/sheet"
)

// UploadMaxBytes limits an uploaded workbook; larger uploads get 413.
const UploadMaxBytes = 10 << 20

// uploadedFile reads the posted file "fil" within the upload limit.
func uploadedFile(c echo.Context) (name string, data []byte, err error) {
	fh, err := c.FormFile("fil")
	if err != nil {
		return "", nil, apperror.New(apperror.Invalid, "Välj en fil att ladda upp.")
	}
	if fh.Size > UploadMaxBytes {
		return "", nil, apperror.New(apperror.TooLarge, "Filen är för stor (högst %d MB).", UploadMaxBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, apperror.New(apperror.Invalid, "Filen kunde inte läsas.")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, UploadMaxBytes+1))
	if err != nil {
		return "", nil, apperror.New(apperror.Invalid, "Filen kunde inte läsas.")
	}
	if len(data) > UploadMaxBytes {
		return "", nil, apperror.New(apperror.TooLarge, "Filen är för stor (högst %d MB).", UploadMaxBytes>>20)
	}
	return fh.Filename, data, nil
}

// problemLines lists an upload's faulty rows for the page.
func problemLines(err error) []string {
	var ps sheet.Problems
	if !errors.As(err, &ps) {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func unitFormInfo(p respond.Page) sheet.UnitFormInfo {
	return sheet.UnitFormInfo{RoundName: p.Round.Name, UnitName: p.Unit.Name, Kommuner: p.Unit.Kommuner,
		Deadline: p.Round.Deadline, HourlyRate: p.Round.HourlyRate}
}

func (s *Server) sendUnitForm(c echo.Context, p respond.Page) error {
	var buf bytes.Buffer
	if err := sheet.WriteUnitForm(&buf, s.form, unitFormInfo(p), p.Evaluations); err != nil {
		return err
	}
	attach(c, fileName(p.Round.Name+" "+p.Unit.Name, "formular", "xlsx"))
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

// readUnitRows reads an uploaded unit form; it stops when ctx ends.
func readUnitRows(ctx context.Context, s *Server, data []byte) ([]respond.Row, error) {
	rows, err := sheet.ReadUnitForm(ctx, bytes.NewReader(data), s.form, sheet.UploadLimits())
	if err != nil {
		return nil, err
	}
	out := make([]respond.Row, len(rows))
	for i, r := range rows {
		out[i] = respond.Row{Line: r.Row, ID: r.ID, Version: r.Version, Answers: r.Answers}
	}
	return out, nil
}

// uploadRefused shows the unit page with every faulty row listed, or every
// row someone else changed since the file was downloaded.
func (s *Server) uploadRefused(c echo.Context, v unitView, err error) error {
	var conflict *respond.ConflictError
	if errors.As(err, &conflict) {
		page := view{Title: v.Page.Unit.Name, Data: v, Problems: s.conflictLines(conflict)}
		return s.render(c, http.StatusConflict, "unit", page.withError("Filen lästes inte in och ingenting sparades. "+
			"Någon annan har ändrat utvärderingarna nedan efter att du laddade ner filen, i samma frågor som du. "+
			"Ladda ner formuläret på nytt, för in dina ändringar där och ladda upp det igen."))
	}
	switch apperror.Code(err) {
	case apperror.Invalid:
	case apperror.TooLarge:
		c.Response().Header().Set("Connection", "close")
		return err
	default:
		return err
	}
	page := view{Title: v.Page.Unit.Name, Data: v, Problems: problemLines(err)}
	msg := "Filen lästes inte in och ingenting sparades."
	if len(page.Problems) == 0 {
		msg += " " + apperror.Message(err)
	} else {
		msg += " Rätta raderna nedan i filen och ladda upp den igen."
	}
	return s.render(c, http.StatusUnprocessableEntity, "unit", page.withError(msg))
}

// The unit's Excel form, through the personal link or for staff helping
// the unit (see unitScope).

func (s *Server) downloadUnitForm(c echo.Context) error {
	p, err := s.respond.Open(c.Request().Context(), scopeOf(c).scope)
	if err != nil {
		return err
	}
	return s.sendUnitForm(c, p)
}

func (s *Server) uploadUnitForm(c echo.Context) error {
	sc := scopeOf(c)
	ctx := c.Request().Context()
	p, err := s.respond.Open(ctx, sc.scope)
	if err != nil {
		return err
	}
	_, data, err := uploadedFile(c)
	var up respond.Uploaded
	if err == nil {
		err = s.uploads.run(ctx, func(readCtx context.Context) error {
			rows, err := readUnitRows(readCtx, s, data)
			if err != nil {
				return err
			}
			up, err = s.respond.Upload(ctx, sc.scope, rows)
			return err
		})
	}
	if err != nil {
		return s.uploadRefused(c, sc.view(p), err)
	}
	if len(up.Others) > 0 {
		return redirectMerged(c, sc.base, "excel", up.Others)
	}
	return redirect(c, sc.base, "excel")
}

// Units and links for the round.

func (s *Server) uploadUnits(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	name, data, err := uploadedFile(c)
	if err == nil {
		ctx := c.Request().Context()
		err = s.uploads.run(ctx, func(readCtx context.Context) error {
			units, err := sheet.ReadUnits(readCtx, bytes.NewReader(data), name, s.form, sheet.UploadLimits())
			if err != nil {
				return err
			}
			_, err = s.manage.AddUnits(ctx, actor(c), id, units)
			return err
		})
	}
	if err != nil {
		if code := apperror.Code(err); code != apperror.Invalid && code != apperror.Conflict && code != apperror.Forbidden {
			return err
		}
		lines := problemLines(err)
		msg := "Filen lästes inte in och ingen enhet registrerades. " + apperror.Message(err)
		if len(lines) > 0 {
			msg = "Filen lästes inte in och ingen enhet registrerades. Rätta raderna nedan och ladda upp den igen."
		}
		return s.renderOverviewProblems(c, msg, lines)
	}
	return redirect(c, "/admin/omgangar/"+strconv.FormatInt(id, 10), "enheter")
}

func (s *Server) unitsTemplate(c echo.Context) error {
	var buf bytes.Buffer
	if err := sheet.WriteUnitsTemplate(&buf); err != nil {
		return err
	}
	attach(c, "enheter-mall.xlsx")
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

func (s *Server) linksList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ov, err := s.manage.ProgressList(c.Request().Context(), actor(c), id, overviewFilter(c))
	if err != nil {
		return err
	}
	rows := make([]sheet.LinkRow, 0, len(ov.Units))
	for _, u := range ov.Units {
		rows = append(rows, sheet.LinkRow{Kommun: joinNames(u.Kommuner), Enhet: u.Name, Verksamhetschef: u.ChefName,
			Epost: u.ChefEmail, Status: u.Progress.Label(), Lank: u.Link})
	}
	var buf bytes.Buffer
	if err := sheet.WriteLinks(&buf, rows); err != nil {
		return err
	}
	attach(c, fileName(ov.Round.Name, "lankar", "xlsx"))
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

func joinNames(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}
