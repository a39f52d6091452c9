package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// xmlChunk is the largest part excelize keeps in memory; bigger worksheets
// and shared strings are unzipped to a temporary file and streamed from
// there. Small, because excelize decodes shared strings it keeps in memory
// into structures several times their size.
const xmlChunk = 1 << 20

// ReadXLSX reads a workbook in the interchange format. Sheet and column names
// are matched in any letter case (and with or without å, ä, ö); sheets with
// other names are ignored, except that a workbook with a single sheet of
// another name is read as utvarderingar. Cells are read as stored, not as
// displayed, so a number formatted as "1 234,50 kr" or as a date still reads
// as its number.
//
// The workbook is checked against lim before it is read (see inspect), and
// the read stops with an error when ctx ends.
//
// The error is Problems when the content is wrong, or an *apperror.Error
// (apperror.Invalid, apperror.TooLarge) when the file is no readable
// workbook or exceeds lim.
func ReadXLSX(ctx context.Context, r io.Reader, def *form.Definition, lim Limits) (round.Dataset, error) {
	im, err := ReadImportXLSX(ctx, r, def, lim)
	if err != nil {
		return round.Dataset{}, err
	}
	return im.Dataset(), nil
}

// ReadImportXLSX reads a workbook as ReadXLSX does, keeping its evaluations
// packed (Import): the read of `inventera import`, whose rounds can hold
// hundreds of thousands of evaluations. Rows are read one at a time and
// each is checked and packed as it comes; memory grows only with the
// evaluations kept, a few hundred bytes each.
func ReadImportXLSX(ctx context.Context, r io.Reader, def *form.Definition, lim Limits) (*Import, error) {
	lim = lim.withDefaults()
	f, done, err := openWorkbook(ctx, r, lim, func(name string) bool {
		n := normName(name)
		return n == SheetKommuner || n == SheetEnheter || n == SheetUtvarderingar
	})
	if err != nil {
		return nil, err
	}
	defer done()

	b := newBuilder(def, lim)
	names, err := sheetList(f)
	if err != nil {
		return nil, err
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
			return nil, b.probs
		}
		found[SheetUtvarderingar] = names[0]
	}
	if len(b.probs) > 0 {
		return nil, b.probs
	}
	tables := map[string]*table{}
	for canon, name := range found {
		rows, err := openRows(f, name)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		tables[canon] = &table{name: canon, src: &xlsxSource{ctx: ctx, rows: rows, sheet: canon}, xlsx: true}
	}
	return b.run(tables)
}

// tempPrefix names the private temporary directory of each workbook read;
// RemoveStaleTemp finds those a killed process left behind by it.
const tempPrefix = "inventera-xlsx-"

// openWorkbook checks the workbook in r against lim and opens what reading
// needs of it with excelize: of the worksheets, those wanted tells by name
// (or the workbook's only sheet); others are neither checked nor opened. done closes the workbook and removes every
// temporary file; it must be called (deferred) once the reading is over.
//
// The parts excelize gets are copied, still compressed, into a new zip in a
// private temporary directory, which excelize reads from disk; worksheets
// and shared strings bigger than xmlChunk it unzips into the same
// directory. The directory is removed however the read ends, panics
// included; one left by a killed process is removed by RemoveStaleTemp.
func openWorkbook(ctx context.Context, r io.Reader, lim Limits, wanted func(sheet string) bool) (f *excelize.File, done func(), err error) {
	src, size, err := sizedReader(r, lim.MaxBytes)
	if err != nil {
		return nil, nil, err
	}
	var head [8]byte
	if n, _ := src.ReadAt(head[:], 0); n == len(head) && bytes.Equal(head[:], oleMagic) {
		return nil, nil, apperror.New(apperror.Invalid, "Filen är lösenordsskyddad eller en äldre Excel-fil (.xls). Spara den som Excel-arbetsbok (.xlsx) utan lösenord och försök igen.")
	}
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return nil, nil, notWorkbook()
	}
	in, err := inspect(ctx, zr, lim, wanted)
	if err != nil {
		return nil, nil, err
	}

	tmp, err := os.MkdirTemp("", tempPrefix+"*")
	if err != nil {
		return nil, nil, fmt.Errorf("sheet: temporary directory: %w", err)
	}
	done = func() {
		if f != nil {
			_ = f.Close()
		}
		_ = os.RemoveAll(tmp)
	}
	ok := false
	defer func() {
		if !ok { // an error, or a panic on its way up
			done()
		}
	}()
	path := filepath.Join(tmp, "arbetsbok.xlsx")
	if err := writeParts(path, in.keep); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctxError(ctx)
		}
		return nil, nil, fmt.Errorf("sheet: copy workbook: %w", err)
	}
	f, err = openFile(path, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzipSize,
		UnzipXMLSizeLimit: min(lim.MaxUnzipSize, xmlChunk),
		TmpDir:            tmp,
	})
	if err != nil {
		return nil, nil, workbookError(err, lim)
	}
	ok = true
	return f, done, nil
}

// oleMagic starts an OLE compound file: an encrypted workbook or an .xls.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sizedReader gives random access to r, read into memory unless it already
// has it (an open file, a bytes.Reader); more than limit bytes are refused.
func sizedReader(r io.Reader, limit int64) (io.ReaderAt, int64, error) {
	switch v := r.(type) {
	case *bytes.Reader:
		if int64(v.Len()) == v.Size() {
			if v.Size() > limit {
				return nil, 0, tooLarge(limit)
			}
			return v, v.Size(), nil
		}
	case *os.File:
		fi, err := v.Stat()
		if pos, serr := v.Seek(0, io.SeekCurrent); err == nil && serr == nil && pos == 0 && fi.Mode().IsRegular() {
			if fi.Size() > limit {
				return nil, 0, tooLarge(limit)
			}
			return v, fi.Size(), nil
		}
	}
	data, err := readAllLimited(r, limit)
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(data), int64(len(data)), nil
}

// writeParts writes the parts, as they are compressed, into a new zip.
func writeParts(path string, parts []*zip.File) (err error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(out)
	for _, zf := range parts {
		fh := zf.FileHeader
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return err
		}
		rc, err := zf.OpenRaw()
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, rc); err != nil {
			return err
		}
	}
	return zw.Close()
}

// openFile opens the workbook; a panic inside excelize on a malformed file
// becomes an error.
func openFile(path string, opts excelize.Options) (f *excelize.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("excelize: panic: %v", p)
		}
	}()
	return excelize.OpenFile(path, opts)
}

// RemoveStaleTemp removes the temporary directories of workbook reads
// older than age: those a killed process left behind. The server calls it
// when it starts.
func RemoveStaleTemp(age time.Duration) error {
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	if err != nil {
		return fmt.Errorf("sheet: temporary directories: %w", err)
	}
	var first error
	for _, d := range dirs {
		fi, err := os.Lstat(d)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < age {
			continue
		}
		if err := os.RemoveAll(d); err != nil && first == nil {
			first = fmt.Errorf("sheet: remove %s: %w", d, err)
		}
	}
	return first
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
		return apperror.New(apperror.TooLarge, "Filen packas upp till mer än %s; högst %s tillåts. Dela upp den i flera filer eller ta bort blad som inte ska importeras.", formatBytes(lim.MaxUnzipSize), formatBytes(lim.MaxUnzipSize))
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return apperror.New(apperror.Invalid, "Filen är lösenordsskyddad eller en äldre Excel-fil (.xls). Spara den som Excel-arbetsbok (.xlsx) utan lösenord och försök igen.")
	}
	return notWorkbook()
}

func notWorkbook() error {
	return apperror.New(apperror.Invalid, "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx); den kan vara skadad eller av en annan filtyp. Spara den som Excel-arbetsbok (.xlsx) och försök igen.")
}

func damaged(sheet string) error {
	if sheet == "" {
		return apperror.New(apperror.Invalid, "Arbetsboken kunde inte läsas; den verkar vara skadad. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.")
	}
	return apperror.New(apperror.Invalid, "Bladet %s kunde inte läsas; arbetsboken verkar vara skadad. Spara om den i Excel som Excel-arbetsbok (.xlsx) och försök igen.", apperror.Clip(sheet))
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
	ctx   context.Context
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
		if err := s.ctx.Err(); err != nil {
			return 0, nil, ctxError(s.ctx)
		}
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
