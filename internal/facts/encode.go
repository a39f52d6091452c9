package facts

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Version is the format Encode writes and Decode reads. Change it (and
// make Decode refuse the old one) whenever From or the encoding changes:
// the store then derives every stored evaluation's facts again.
const Version = 2

// Bits of the encoding's second and third byte.
const (
	bitSurvey = 1 << iota
	bitInitiatorIsOwner
	bitNoOwner
	bitMultipleOwners
	bitTimmar
	bitKonsult
	bitMaterial
	bitOvrigt
)

const bitTotalt = 1 << 7 // in the byte that holds initiator and usage

// Encode appends the facts' compact binary form to b: the version; one byte
// with the initiator (2 bits), the usage (5 bits) and whether
// kostnad_totalt_kr is given; one byte of flags and of which parts are
// given; each given amount as a varint; then the title, and the målgrupp
// and methods of a user survey, each string length-prefixed.
func Encode(b []byte, f *Facts) []byte {
	head := byte(f.Initiator & 3)
	for i, used := range f.Usage {
		if used {
			head |= 1 << (2 + i)
		}
	}
	var flags byte
	for _, s := range [...]struct {
		on  bool
		bit byte
	}{{f.Survey, bitSurvey}, {f.InitiatorIsOwner, bitInitiatorIsOwner}, {f.NoOwner, bitNoOwner},
		{f.MultipleOwners, bitMultipleOwners}, {f.Timmar.Given, bitTimmar}, {f.Konsult.Given, bitKonsult},
		{f.Material.Given, bitMaterial}, {f.Ovrigt.Given, bitOvrigt}} {
		if s.on {
			flags |= s.bit
		}
	}
	if f.Totalt.Given {
		head |= bitTotalt
	}
	b = append(b, Version, head, flags)
	for _, a := range [...]Amount{f.Timmar, f.Konsult, f.Material, f.Ovrigt, f.Totalt} {
		if a.Given {
			b = binary.AppendVarint(b, a.Units)
		}
	}
	b = appendString(b, f.Title)
	if f.Survey {
		b = appendString(b, f.Malgrupp)
		b = binary.AppendUvarint(b, uint64(len(f.Metod)))
		for _, m := range f.Metod {
			b = appendString(b, m)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errShort = errors.New("facts: truncated")

// Decode reads what Encode wrote. It refuses another version and anything
// malformed, so a caller can fall back to the answers.
func Decode(b []byte) (Facts, error) { return decode(b) }

// DecodeString is Decode of facts held in a string. The strings of the
// result (title, målgrupp, methods) are parts of s, not copies: a report
// reads many evaluations' facts from one string (store.Queries.RoundFacts)
// and so allocates none per evaluation.
func DecodeString(s string) (Facts, error) { return decode(s) }

func decode[B ~[]byte | ~string](b B) (Facts, error) {
	var f Facts
	if len(b) < 3 {
		return f, errShort
	}
	if b[0] != Version {
		return f, fmt.Errorf("facts: version %d, want %d", b[0], Version)
	}
	head, flags := b[1], b[2]
	f.Initiator = int(head & 3)
	for i := range f.Usage {
		f.Usage[i] = head&(1<<(2+i)) != 0
	}
	f.Survey = flags&bitSurvey != 0
	f.InitiatorIsOwner = flags&bitInitiatorIsOwner != 0
	f.NoOwner = flags&bitNoOwner != 0
	f.MultipleOwners = flags&bitMultipleOwners != 0
	f.Timmar.Given = flags&bitTimmar != 0
	f.Konsult.Given = flags&bitKonsult != 0
	f.Material.Given = flags&bitMaterial != 0
	f.Ovrigt.Given = flags&bitOvrigt != 0
	f.Totalt.Given = head&bitTotalt != 0
	r := reader[B]{b: b[3:]}
	for _, a := range [...]*Amount{&f.Timmar, &f.Konsult, &f.Material, &f.Ovrigt, &f.Totalt} {
		if a.Given {
			a.Units = r.varint()
		}
	}
	f.Title = r.string()
	if f.Survey {
		f.Malgrupp = r.string()
		n := r.uvarint()
		if n > uint64(len(r.b)) { // each method takes at least a byte
			return Facts{}, errShort
		}
		if n > 0 {
			f.Metod = make([]string, n)
			for i := range f.Metod {
				f.Metod[i] = r.string()
			}
		}
	}
	if r.err != nil {
		return Facts{}, r.err
	}
	if len(r.b) != 0 {
		return Facts{}, fmt.Errorf("facts: %d bytes too many", len(r.b))
	}
	return f, nil
}

// reader reads varints and strings, remembering the first error.
type reader[B ~[]byte | ~string] struct {
	b   B
	err error
}

// uvarint reads what binary.AppendUvarint wrote (binary.Uvarint takes
// only a byte slice).
func (r *reader[B]) uvarint() uint64 {
	var v uint64
	for i := 0; i < len(r.b) && i < binary.MaxVarintLen64; i++ {
		c := r.b[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits
		}
		if c < 0x80 {
			r.b = r.b[i+1:]
			return v | uint64(c)<<(7*i)
		}
		v |= uint64(c&0x7f) << (7 * i)
	}
	r.fail()
	return 0
}

// varint reads what binary.AppendVarint wrote: a zig-zag encoded uvarint.
func (r *reader[B]) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *reader[B]) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n]) // a copy from a byte slice, a part of a string
	r.b = r.b[n:]
	return s
}

func (r *reader[B]) fail() {
	if r.err == nil {
		r.err = errShort
	}
	r.b = r.b[:0]
}
