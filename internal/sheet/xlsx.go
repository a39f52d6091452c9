package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// xmlChunk is the largest sheet excelize keeps in memory; bigger sheets are
// unzipped to a temporary file and streamed from there.
const xmlChunk = 16 << 20

// ReadXLSX reads a workbook in the interchange format. Sheet and column names
// are matched in any letter case (and with or without å, ä, ö); sheets with
// other names are ignored, except that a workbook with a single sheet of
// another name is read as utvarderingar. Cells are read as stored, not as
// displayed, so a number formatted as "1 234,50 kr" or as a date still reads
// as its number.
//
// The error is Problems when the content is wrong, or an *apperror.Error
// (apperror.Invalid, apperror.TooLarge) when the file is no readable
// workbook or exceeds lim.
func ReadXLSX(r io.Reader, def *form.Definition, lim Limits) (round.Dataset, error) {
	lim = lim.withDefaults()
	data, err := readAllLimited(r, lim.MaxBytes)
	if err != nil {
		return round.Dataset{}, err
	}
	// excelize unzips big sheets to temporary files and does not remove them
	// when opening fails half-way; a private directory makes cleanup certain.
	tmp, err := os.MkdirTemp("", "inventera-xlsx-")
	if err != nil {
		return round.Dataset{}, fmt.Errorf("sheet: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	f, err := openWorkbook(data, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzipSize,
		UnzipXMLSizeLimit: min(lim.MaxUnzipSize, xmlChunk),
		TmpDir:            tmp,
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return round.Dataset{}, workbookError(err, lim)
	}

	b := newBuilder(def, lim)
	names, err := sheetList(f)
	if err != nil {
		return round.Dataset{}, err
	}
	found := map[string]string{} // canonical → name in the workbook
	for _, name := range names {
		n := normName(name)
		if n != SheetKommuner && n != SheetEnheter && n != SheetUtvarderingar {
			continue
		}
		if _, dup := found[n]; dup {
			b.add(n, 0, "", "Arbetsboken har två blad som heter %s.", n)
			continue
		}
		found[n] = name
	}
	if len(found) == 0 {
		if len(names) != 1 {
			b.add("", 0, "", "Arbetsboken har inget blad som heter %s, %s eller %s. Döp bladet med utvärderingarna till %s.", SheetKommuner, SheetEnheter, SheetUtvarderingar, SheetUtvarderingar)
			return round.Dataset{}, b.probs
		}
		found[SheetUtvarderingar] = names[0]
	}
	if len(b.probs) > 0 {
		return round.Dataset{}, b.probs
	}
	tables := map[string]*table{}
	for canon, name := range found {
		rows, err := openRows(f, name)
		if err != nil {
			return round.Dataset{}, err
		}
		defer rows.Close()
		tables[canon] = &table{name: canon, src: &xlsxSource{rows: rows, sheet: canon}, xlsx: true}
	}
	return b.run(tables)
}

// openWorkbook opens the workbook; a panic inside excelize on a malformed
// file becomes an error.
func openWorkbook(data []byte, opts excelize.Options) (f *excelize.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("excelize: panic: %v", p)
		}
	}()
	return excelize.OpenReader(bytes.NewReader(data), opts)
}

func sheetList(f *excelize.File) (names []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = damaged("")
		}
	}()
	return f.GetSheetList(), nil
}

func openRows(f *excelize.File, sheet string) (rows *excelize.Rows, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, err = nil, damaged(sheet)
		}
	}()
	rows, err = f.Rows(sheet)
	if err != nil {
		return nil, damaged(sheet)
	}
	return rows, nil
}

// workbookError explains why a workbook could not be opened.
func workbookError(err error, lim Limits) error {
	switch {
	case strings.Contains(err.Error(), "unzip size exceeds"):
		return apperror.New(apperror.TooLarge, "Arbetsboken är för stor uppackad: högst %s. Dela upp den i flera filer eller ta bort blad som inte ska importeras.", formatBytes(lim.MaxUnzipSize))
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return apperror.New(apperror.Invalid, "Filen är lösenordsskyddad eller en äldre Excel-fil (.xls). Spara den som Excel-arbetsbok (.xlsx) utan lösenord och försök igen.")
	}
	return apperror.New(apperror.Invalid, "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx); den kan vara skadad eller av en annan filtyp. Spara den som Excel-arbetsbok (.xlsx) och försök igen.")
}

func damaged(sheet string) error {
	if sheet == "" {
		return apperror.New(apperror.Invalid, "Arbetsboken kunde inte läsas; den verkar vara skadad. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.")
	}
	return apperror.New(apperror.Invalid, "Bladet %s kunde inte läsas; arbetsboken verkar vara skadad. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.", sheet)
}

// readAllLimited reads at most limit bytes; more is refused.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, apperror.New(apperror.Invalid, "Filen kunde inte läsas: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
	}
	return data, nil
}

// xlsxSource streams a sheet's rows.
type xlsxSource struct {
	rows  *excelize.Rows
	sheet string
	n     int
}

func (s *xlsxSource) next() (row int, cells []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, cells, err = 0, nil, damaged(s.sheet)
		}
	}()
	for s.rows.Next() {
		s.n++
		cells, err := s.rows.Columns()
		if err != nil {
			return 0, nil, damaged(s.sheet)
		}
		if !blank(cells) {
			for i, c := range cells {
				cells[i] = dropControls(c)
			}
			return s.n, cells, nil
		}
	}
	if s.rows.Error() != nil {
		return 0, nil, damaged(s.sheet)
	}
	return 0, nil, io.EOF
}
