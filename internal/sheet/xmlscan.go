package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// xmlScanner reads the XML of one workbook part as a stream of tags and
// pieces of text, holding at most one tag (maxTagBytes) and one buffer of
// text at a time. It is how a part is checked before excelize, whose
// encoding/xml decoder would hold a whole text run, comment or tag in memory
// however long it is, gets to see it.
//
// It understands as much XML as that needs: elements and attributes (local
// names, raw values), character data with entity references counted as one
// character, CDATA sections (text), comments and processing instructions
// (skipped). A document type declaration is refused: no workbook has one,
// and it is how entity expansion would start.
type xmlScanner struct {
	r     *bufio.Reader
	inTag bool // a '<' has been read; a tag comes next

	// The current token.
	name        []byte // start and end: the element's local name
	attrs       []xmlAttr
	selfClosing bool
	text        []byte // text: this piece of it (valid until the next call)
	chars       int    // text: characters in text
	tagBytes    int    // start and end: length of the tag

	tag      []byte // the tag being read
	inEntity bool   // text: inside an entity reference (&amp;)
	entity   int    // its length so far
	depth    int
}

type xmlToken int

const (
	xmlEOF xmlToken = iota
	xmlStart
	xmlEnd
	xmlText
)

type xmlAttr struct{ name, value []byte }

// Bounds of the scanner. A tag (or comment, or CDATA section) longer than
// maxTagBytes, or elements nested deeper than maxDepth, make the part
// unreadable (errXMLLimit).
const (
	maxTagBytes = 256 << 10
	maxDepth    = 64
	maxEntity   = 32
	scanBuffer  = 64 << 10
)

var (
	// errXMLSyntax is malformed XML.
	errXMLSyntax = errors.New("sheet: malformed XML")
	// errXMLLimit is XML beyond the scanner's bounds.
	errXMLLimit = errors.New("sheet: XML beyond limits")
)

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, scanBuffer)}
}

// next reads the next token. Text comes in pieces of at most the buffer
// size; consecutive xmlText tokens are one run of text.
func (s *xmlScanner) next() (xmlToken, error) {
	for {
		if !s.inTag {
			line, err := s.r.ReadSlice('<')
			switch {
			case err == nil:
				s.inTag = true
				if len(line) > 1 {
					return xmlText, s.setText(line[:len(line)-1], true)
				}
			case errors.Is(err, bufio.ErrBufferFull):
				return xmlText, s.setText(line, true)
			case errors.Is(err, io.EOF):
				if len(line) > 0 {
					return xmlText, s.setText(line, true)
				}
				if s.depth != 0 || s.inEntity {
					return 0, errXMLSyntax
				}
				return xmlEOF, nil
			default:
				return 0, err
			}
		}
		if s.inEntity {
			return 0, errXMLSyntax
		}
		s.inTag = false
		tok, err := s.readTag()
		if err != nil || tok != xmlEOF {
			return tok, err
		}
		// A comment or processing instruction: read on.
	}
}

// setText makes b the current piece of text and counts its characters: a
// UTF-8 sequence or an entity reference is one.
func (s *xmlScanner) setText(b []byte, entities bool) error {
	s.text = b
	n := 0
	for _, c := range b {
		if s.inEntity {
			s.entity++
			if c == ';' {
				s.inEntity = false
			} else if s.entity > maxEntity {
				return errXMLSyntax
			}
			continue
		}
		if c == '&' && entities {
			s.inEntity, s.entity = true, 0
			n++
			continue
		}
		if c&0xC0 != 0x80 {
			n++
		}
	}
	s.chars = n
	return nil
}

// readTag reads the tag after '<'. It returns xmlEOF for a comment or
// processing instruction, which next skips.
func (s *xmlScanner) readTag() (xmlToken, error) {
	s.tag = s.tag[:0]
	var quote byte // the open quote of an attribute value, if any
	scanned := 0   // bytes of tag already checked for quotes
	for {
		chunk, err := s.r.ReadSlice('>')
		if len(s.tag)+len(chunk) > maxTagBytes {
			return 0, errXMLLimit
		}
		s.tag = append(s.tag, chunk...)
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return 0, errXMLSyntax
		default:
			return 0, err
		}
		t := s.tag
		switch {
		case bytes.HasPrefix(t, []byte("!--")):
			if len(t) >= 6 && bytes.HasSuffix(t, []byte("-->")) {
				return xmlEOF, nil
			}
			continue
		case bytes.HasPrefix(t, []byte("![CDATA[")):
			if len(t) >= 11 && bytes.HasSuffix(t, []byte("]]>")) {
				s.tagBytes = 0
				return xmlText, s.setText(t[8:len(t)-3], false)
			}
			continue
		case len(t) > 0 && t[0] == '?':
			if len(t) >= 2 && bytes.HasSuffix(t, []byte("?>")) {
				return xmlEOF, nil
			}
			continue
		case len(t) > 0 && t[0] == '!':
			return 0, errXMLSyntax // <!DOCTYPE …> and the like
		}
		// An element tag ends at the first '>' outside quotes.
		for ; scanned < len(t); scanned++ {
			switch c := t[scanned]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			}
		}
		if quote == 0 {
			return s.element(t[:len(t)-1])
		}
	}
}

// element parses a start or end tag without its brackets.
func (s *xmlScanner) element(t []byte) (xmlToken, error) {
	s.tagBytes = len(t) + 2
	if len(t) > 0 && t[0] == '/' {
		s.name = localName(bytes.TrimRight(t[1:], " \t\r\n"))
		if len(s.name) == 0 || s.depth == 0 {
			return 0, errXMLSyntax
		}
		s.depth--
		return xmlEnd, nil
	}
	s.selfClosing = len(t) > 0 && t[len(t)-1] == '/'
	if s.selfClosing {
		t = t[:len(t)-1]
	}
	i := 0
	for i < len(t) && !isSpace(t[i]) {
		i++
	}
	s.name = localName(t[:i])
	if len(s.name) == 0 {
		return 0, errXMLSyntax
	}
	s.attrs = s.attrs[:0]
	for {
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i == len(t) {
			break
		}
		start := i
		for i < len(t) && t[i] != '=' && !isSpace(t[i]) {
			i++
		}
		name := localName(t[start:i])
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i == len(t) || t[i] != '=' || len(name) == 0 {
			return 0, errXMLSyntax
		}
		i++
		for i < len(t) && isSpace(t[i]) {
			i++
		}
		if i == len(t) || (t[i] != '"' && t[i] != '\'') {
			return 0, errXMLSyntax
		}
		q := t[i]
		end := bytes.IndexByte(t[i+1:], q)
		if end < 0 {
			return 0, errXMLSyntax
		}
		s.attrs = append(s.attrs, xmlAttr{name: name, value: t[i+1 : i+1+end]})
		i += end + 2
	}
	if !s.selfClosing {
		s.depth++
		if s.depth > maxDepth {
			return 0, errXMLLimit
		}
	}
	return xmlStart, nil
}

// attr returns the value of the current start tag's attribute by local name.
func (s *xmlScanner) attr(name string) []byte {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value
		}
	}
	return nil
}

func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
