package sheet

import (
	"encoding/binary"
	"errors"
	"iter"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// Import is an import file read and checked, as `inventera import` stores
// it: its kommuner and units, and each unit's evaluations kept packed (one
// string per evaluation, see packAnswers) rather than as form.Answers maps,
// so that a round of several hundred thousand evaluations fits in a few
// hundred bytes per evaluation. Evaluations unpacks them one at a time, for
// the store to write in batches.
type Import struct {
	// PopulationSource is where the kommuner's populations come from
	// (round.Dataset.PopulationSource); the file does not say, the
	// importer may.
	PopulationSource string

	def     *form.Definition
	content round.Dataset // units without their evaluations
	packed  [][]string    // per unit of content.Units: its evaluations, packed
	count   int
}

// Content is the import's kommuner and units; the units' Evaluations are
// empty (see Evaluations). A unit with evaluations has answered
// (round.Submitted) unless the file gave it another status.
func (im *Import) Content() round.Dataset {
	ds := im.content
	ds.PopulationSource = im.PopulationSource
	return ds
}

// EvaluationCount is the number of evaluations of the import.
func (im *Import) EvaluationCount() int { return im.count }

// Evaluations yields unit i's evaluations (i indexes Content().Units), each
// complete with its own Answers, and says how many there are.
func (im *Import) Evaluations(i int) (int, iter.Seq[round.Evaluation]) {
	packed := im.packed[i]
	return len(packed), func(yield func(round.Evaluation) bool) {
		for _, p := range packed {
			if !yield(round.Evaluation{Complete: true, Answers: unpackAnswers(im.def, p)}) {
				return
			}
		}
	}
}

// Dataset is the whole import as a round.Dataset, every evaluation unpacked.
func (im *Import) Dataset() round.Dataset {
	ds := im.Content()
	if len(ds.Units) == 0 {
		return ds
	}
	ds.Units = make([]round.UnitData, len(im.content.Units))
	for i, u := range im.content.Units {
		n, evs := im.Evaluations(i)
		if n > 0 {
			u.Evaluations = make([]round.Evaluation, 0, n)
			for e := range evs {
				u.Evaluations = append(u.Evaluations, e)
			}
		}
		ds.Units[i] = u
	}
	return ds
}

// Packed answers are a sequence of entries, one per answer, in the order of
// the definition's fields: the field's index (uvarint), then the value's
// length (uvarint) and its bytes. An answer whose code is not a field of
// the definition (Validate returns none, but the form may change) is written
// with the index len(def.Fields), followed by the code's length and bytes,
// then the value's.
//
// A national round's evaluation packs into some 300 bytes, a third of its
// JSON and a tenth of its map.

// packAnswers packs a into one string.
func packAnswers(def *form.Definition, a form.Answers) string {
	buf := make([]byte, 0, packedSize(def, a))
	found := 0
	for i, f := range def.Fields {
		v, ok := a[f.Code]
		if !ok {
			continue
		}
		found++
		buf = binary.AppendUvarint(buf, uint64(i))
		buf = appendString(buf, v)
	}
	if found < len(a) {
		for code, v := range a {
			if def.Field(code) != nil {
				continue
			}
			buf = binary.AppendUvarint(buf, uint64(len(def.Fields)))
			buf = appendString(buf, code)
			buf = appendString(buf, v)
		}
	}
	return string(buf)
}

func packedSize(def *form.Definition, a form.Answers) int {
	n := 0
	for code, v := range a {
		n += 2*binary.MaxVarintLen16 + len(v)
		if def.Field(code) == nil {
			n += binary.MaxVarintLen16 + len(code)
		}
	}
	return n
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

var errPacked = errors.New("sheet: damaged packed answers")

// unpackAnswers is the inverse of packAnswers. Packed answers are made
// only by packAnswers, with the same definition; damaged ones panic.
func unpackAnswers(def *form.Definition, p string) form.Answers {
	a, err := decodeAnswers(def, p)
	if err != nil {
		panic(err)
	}
	return a
}

// decodeAnswers reads packed answers, or says they are damaged.
func decodeAnswers(def *form.Definition, p string) (form.Answers, error) {
	a := make(form.Answers, 16)
	for len(p) > 0 {
		i, n := uvarint(p)
		if n <= 0 || i > uint64(len(def.Fields)) {
			return nil, errPacked
		}
		p = p[n:]
		var code string
		if i < uint64(len(def.Fields)) {
			code = def.Fields[i].Code
		} else {
			var ok bool
			if code, p, ok = cutString(p); !ok {
				return nil, errPacked
			}
		}
		v, rest, ok := cutString(p)
		if !ok {
			return nil, errPacked
		}
		a[code], p = v, rest
	}
	return a, nil
}

// cutString reads a length-prefixed string off the front of p.
func cutString(p string) (s, rest string, ok bool) {
	l, n := uvarint(p)
	if n <= 0 || l > uint64(len(p)-n) {
		return "", "", false
	}
	return p[n : n+int(l)], p[n+int(l):], true
}

// uvarint is binary.Uvarint of a string, without copying it.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -(i + 1)
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
