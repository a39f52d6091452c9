package comparison

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/facts"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// A published round is final: its answers, review, kommuner and report
// texts are frozen (round.Round.Allows). A compared report reads the
// earlier round's own report and what matching needs of it; for a
// published round the Service keeps both, in memory and in the database,
// so that comparing a national round with its predecessor costs little
// more than its own report. Access
// is still checked on every call (manage.ComparisonLineage, RoundChain):
// the cache only saves recomputing what every reader would get.

// maxFinal is how many published rounds are kept.
const maxFinal = 4

// finalRound is what a comparison reads of a published round.
type finalRound struct {
	round   round.Round
	basis   *aggregate.Basis   // of its own report; read only
	content round.RoundContent // only the names of its evaluations
}

// finalCache holds the last maxFinal published rounds read.
type finalCache struct {
	mu      sync.Mutex
	entries map[int64]*finalRound
	order   []int64 // oldest first
}

func (c *finalCache) get(id int64) (*finalRound, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.entries[id]
	return f, ok
}

func (c *finalCache) put(f *finalRound) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[int64]*finalRound{}
	}
	if _, ok := c.entries[f.round.ID]; ok {
		return
	}
	if len(c.order) == maxFinal {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[f.round.ID] = f
	c.order = append(c.order, f.round.ID)
}

// basisFormat is the format (store.ReportKey) a published round's
// comparison basis is kept under beside its reports: what a comparison
// reads of it, so that the first compared report in a new process does
// not aggregate the earlier round again (the national round's took 108 ms
// of a 260 ms first compared report, against 20 ms to read it kept). Like
// a kept report it is forgotten when the round is written to, and served
// only by the build that kept it.
const basisFormat = "jämförelseunderlag"

// earlier returns the earlier round's own report and its content for
// matching: from the cache when the round is published and was read
// before, else from its kept basis, else loaded (and, when published,
// kept, in the cache and the database). The caller holds a build slot (so
// this does not take one) and has checked that the actor may read the
// round's report.
func (s *Service) earlier(ctx context.Context, actor manage.Actor, r round.Round) (*finalRound, error) {
	if !r.Final() {
		rep, err := s.loadNow(ctx, actor, r.ID)
		if err != nil {
			return nil, err
		}
		return finalOf(rep), nil
	}
	if f, ok := s.final.get(r.ID); ok {
		return f, nil
	}
	key := store.ReportKey{RoundID: r.ID, Format: basisFormat, Build: s.binary}
	kr, body, ok, err := s.manage.StoredReport(ctx, actor, key)
	if err != nil {
		return nil, err
	}
	if ok && kr.Final() {
		f, err := unpackBasis(kr, body)
		if err == nil {
			s.final.put(f)
			return f, nil
		}
		// Read again below, and kept anew.
		slog.Warn("kept comparison basis unreadable", "round", r.ID, "err", err)
	}
	// Reserved before the round is read, as a kept report is (buildKept).
	token, err := s.manage.ReserveReport(ctx, key)
	if err != nil {
		slog.Warn("comparison basis not kept", "round", r.ID, "err", err)
	}
	rep, err := s.loadNow(ctx, actor, r.ID)
	if err != nil {
		return nil, err
	}
	f := finalOf(rep)
	if !rep.Round.Final() {
		return f, nil // no longer published: a write took the reservation away too
	}
	s.final.put(f)
	if token != "" {
		s.keepLater(ctx, key, token, func(w io.Writer) error { return encodeBasis(w, f) })
	}
	return f, nil
}

// finalOf is what a comparison reads of a round's own report.
func finalOf(rep Report) *finalRound {
	return &finalRound{round: rep.Round, basis: aggregate.BasisOf(rep.Aggregate), content: names(manage.ReportContent(rep.Data))}
}

// names keeps of a round's content what matching reads: kommuner, units,
// and each evaluation's id, unit and name (its facts' Title, all of them
// in one slab rather than a map of answers each).
func names(c round.RoundContent) round.RoundContent {
	return namesOf(c.Evaluations).content(slices.Clone(c.Kommuner), slices.Clone(c.Units))
}

// evaluationNames are the evaluations of names, column by column; their
// titles one after the other in one string, TitleLen long each. Kept in
// the database (gob), a string per title would be decoded as an
// allocation per title: at ×10 national, 290 000 of them.
type evaluationNames struct {
	ID, UnitID []int64
	Complete   []bool
	Titles     string
	TitleLen   []uint32
}

func namesOf(evs []round.Evaluation) evaluationNames {
	ev := evaluationNames{ID: make([]int64, len(evs)), UnitID: make([]int64, len(evs)),
		Complete: make([]bool, len(evs)), TitleLen: make([]uint32, len(evs))}
	size := 0
	for _, e := range evs {
		size += len(e.Name())
	}
	var titles strings.Builder
	titles.Grow(size)
	for i, e := range evs {
		name := e.Name()
		ev.ID[i], ev.UnitID[i], ev.Complete[i], ev.TitleLen[i] = e.ID, e.UnitID, e.Complete, uint32(len(name))
		titles.WriteString(name)
	}
	ev.Titles = titles.String()
	return ev
}

// check refuses columns that do not fit together (a kept basis written
// wrongly); content reads only columns namesOf made or check passed.
func (ev evaluationNames) check() error {
	n := len(ev.ID)
	if len(ev.UnitID) != n || len(ev.Complete) != n || len(ev.TitleLen) != n {
		return fmt.Errorf("evaluation names of %d, %d, %d and %d evaluations", n, len(ev.UnitID), len(ev.Complete), len(ev.TitleLen))
	}
	size := 0
	for _, l := range ev.TitleLen {
		size += int(l)
	}
	if size != len(ev.Titles) {
		return fmt.Errorf("evaluation names: titles of %d bytes, %d in all", size, len(ev.Titles))
	}
	return nil
}

// content is the round's content for matching, of its kommuner, units and
// these evaluations, their titles parts of ev.Titles.
func (ev evaluationNames) content(kommuner []round.Kommun, units []round.Unit) round.RoundContent {
	n := len(ev.ID)
	out := round.RoundContent{Kommuner: kommuner, Units: units, Evaluations: make([]round.Evaluation, n)}
	titles := make([]facts.Facts, n)
	rest := ev.Titles
	for i := range n {
		titles[i].Title, rest = rest[:ev.TitleLen[i]], rest[ev.TitleLen[i]:]
		out.Evaluations[i] = round.Evaluation{ID: ev.ID[i], UnitID: ev.UnitID[i], Complete: ev.Complete[i], Facts: &titles[i]}
	}
	return out
}

// keptBasis is a published round's comparison basis as kept (gob).
type keptBasis struct {
	Basis       *aggregate.Basis
	Kommuner    []round.Kommun
	Units       []round.Unit
	Evaluations evaluationNames
}

func encodeBasis(w io.Writer, f *finalRound) error {
	b := keptBasis{Basis: f.basis, Kommuner: f.content.Kommuner, Units: f.content.Units, Evaluations: namesOf(f.content.Evaluations)}
	if err := gob.NewEncoder(w).Encode(&b); err != nil {
		return fmt.Errorf("comparison: keep the basis of round %d: %w", f.round.ID, err)
	}
	return nil
}

// unpackBasis reads a kept basis of round r.
func unpackBasis(r round.Round, body []byte) (*finalRound, error) {
	var raw bytes.Buffer
	if err := unpack(&raw, body); err != nil {
		return nil, err
	}
	var b keptBasis
	if err := gob.NewDecoder(&raw).Decode(&b); err != nil {
		return nil, fmt.Errorf("comparison: kept basis of round %d: %w", r.ID, err)
	}
	if b.Basis == nil {
		return nil, fmt.Errorf("comparison: kept basis of round %d has no figures", r.ID)
	}
	if err := b.Evaluations.check(); err != nil {
		return nil, fmt.Errorf("comparison: kept basis of round %d: %w", r.ID, err)
	}
	return &finalRound{round: r, basis: b.Basis, content: b.Evaluations.content(b.Kommuner, b.Units)}, nil
}
