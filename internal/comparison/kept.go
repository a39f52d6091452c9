package comparison

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/inventera/inventera/internal/chart"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/pace"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Kept reports (store.ReserveReport): a round's report standing alone, as
// JSON or HTML, is kept as rendered and served as it is until the round is
// written to, so that asking again for an unchanged round — a closed
// national round that the steering group and every kommun read — costs a
// read, not a build. An HTML report is dated and links its charts, so it
// is kept for the day and the links it was rendered with. XLSX (it carries
// every answer) and compared reports (their earlier rounds may change too)
// are built each time; a published earlier round's basis is kept the same
// way (final.go).

// keptVariant tells whether a report is kept and, if so, what else than
// the round its rendering depends on.
func (s *Service) keptVariant(format string, previousID int64, chartURL func(chart.Kind, chart.Format) string) (string, bool) {
	if previousID != 0 {
		return "", false
	}
	switch format {
	case JSON:
		return "", true
	case HTML:
		v := "daterad " + s.today()
		if chartURL != nil {
			v += ", diagram " + chartURL(chart.Kinds[0], chart.PNG)
		}
		return v, true
	}
	return "", false
}

// buildKept serves a kept report, or builds it, keeps it and serves it.
func (s *Service) buildKept(ctx context.Context, actor manage.Actor, roundID int64, format, variant string, chartURL func(chart.Kind, chart.Format) string, open func(round.Round) io.Writer) (Report, error) {
	key := store.ReportKey{RoundID: roundID, Format: format, Variant: variant, Build: s.binary}
	r, body, ok, err := s.manage.StoredReport(ctx, actor, key)
	if err != nil {
		return Report{}, err
	}
	if ok {
		var report bytes.Buffer
		err := unpack(&report, body)
		if err == nil {
			_, err = report.WriteTo(open(r))
			return Report{Round: r}, err
		}
		// Built again below, and kept anew.
		slog.Warn("kept report unreadable", "round", roundID, "format", format, "err", err)
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	defer release()
	// Reserved before the build reads anything: a write from now on takes
	// the reservation away, and what this build renders is not kept.
	// A database that takes no writes (a read-only copy) still gives the
	// report, only not kept.
	token, err := s.manage.ReserveReport(ctx, key)
	if err != nil {
		slog.Warn("report not kept", "round", roundID, "format", format, "err", err)
	}
	var (
		rep   Report
		built blocks
	)
	s.atLowPriority(ctx, func(ctx context.Context) {
		if rep, err = s.loadNow(ctx, actor, roundID); err != nil {
			return
		}
		err = s.write(pace.Writer(ctx, &built), rep, format, chartURL)
	})
	if err != nil {
		return Report{}, err
	}
	if _, err := built.WriteTo(open(rep.Round)); err != nil {
		return rep, err
	}
	if token != "" {
		s.keepLater(ctx, key, token, func(w io.Writer) error { _, err := built.WriteTo(w); return err })
	}
	return rep, nil
}

// blocks holds a report as it is rendered, in blocks of at least
// blockSize, so that it is not copied as a buffer grows: held in one
// growing buffer, ten times a national JSON report (27 MB) took 54 MB of
// fresh memory and a tenth of its build time to copy.
type blocks struct{ list [][]byte }

const blockSize = 1 << 20

func (b *blocks) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(b.list) == 0 || len(b.list[len(b.list)-1]) == cap(b.list[len(b.list)-1]) {
			b.list = append(b.list, make([]byte, 0, max(blockSize, min(len(p), 64*blockSize))))
		}
		last := &b.list[len(b.list)-1]
		k := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// WriteTo writes the blocks to w in order.
func (b *blocks) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, block := range b.list {
		k, err := w.Write(block)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// keepLater encodes, packs and keeps a report built, once its requester
// has it: packing a national JSON report and writing it took 18 ms of a
// 125 ms request. A write to the round meanwhile takes the reservation
// away, and the copy is not kept (store.Store.KeepReport). Settle waits
// for it.
func (s *Service) keepLater(ctx context.Context, key store.ReportKey, token string, encode func(w io.Writer) error) {
	ctx = context.WithoutCancel(ctx) // the request may be over
	s.keeping.Go(func() {
		packed, err := pack(encode)
		if err == nil {
			_, err = s.manage.KeepReport(ctx, key, token, packed)
		}
		if err != nil {
			// The report itself was right; the next request builds it again.
			slog.Warn("report not kept", "round", key.RoundID, "format", key.Format, "err", err)
		}
	})
}

// Settle waits until the reports built so far are kept (or found stale):
// before the database closes, and before a test looks for a kept copy.
func (s *Service) Settle() { s.keeping.Wait() }

// keptLevel is the gzip level a kept report is stored at. Kept whole, a
// national JSON report (4 MB) held SQLite's one writer for about 60 ms to
// be written, and the write that made it stale as long again to delete
// it, while every form post waited. At level 3 it is 0.3 MB, packed in
// 19 ms (after the response, off the writer's turn: keepLater) and
// unpacked in 5 ms. Packing on the build's low-priority, paced thread
// instead made the posts during 4 reports slower (p99 290–348 ms against
// 249–263), so it runs on an ordinary goroutine.
const keptLevel = 3

// pack compresses what encode writes, to keep.
func pack(encode func(w io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, keptLevel)
	if err != nil {
		return nil, err
	}
	if err := encode(zw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unpack writes a kept report to w. A body kept uncompressed (it does not
// begin with gzip's magic number; a report begins with text) is written
// as it is.
func unpack(w io.Writer, body []byte) error {
	if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		_, err := w.Write(body)
		return err
	}
	if b, ok := w.(*bytes.Buffer); ok && len(body) >= 4 {
		// gzip's trailer ends with the length unpacked (modulo 2³²).
		b.Grow(int(binary.LittleEndian.Uint32(body[len(body)-4:])))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("comparison: kept report: %w", err)
	}
	if _, err := io.Copy(w, zr); err != nil {
		return fmt.Errorf("comparison: kept report: %w", err)
	}
	return zr.Close()
}

// buildFingerprint names the binary that renders reports: a kept report
// is served only by the build that rendered it, since another may render
// it differently. It is the module's version control stamp, if any, and
// the executable's size and time; without those a fingerprint of its own
// per process.
func buildFingerprint() string {
	h := sha256.New()
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintln(h, bi.GoVersion, bi.Main.Path, bi.Main.Version, bi.Main.Sum)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintln(h, s.Key, s.Value)
			}
		}
	}
	exe, err := os.Executable()
	var fi os.FileInfo
	if err == nil {
		fi, err = os.Stat(exe)
	}
	if err != nil {
		var own [16]byte
		rand.Read(own[:]) // this process's own: never matches another's
		h.Write(own[:])
	} else {
		fmt.Fprintln(h, exe, fi.Size(), fi.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}
