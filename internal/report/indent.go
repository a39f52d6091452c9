package report

import "bytes"

// indent appends src, compact JSON as json.Marshal writes it (no space
// outside strings), to dst indented as json.MarshalIndent(v, "", "  ")
// would indent it: byte for byte the same, in one pass that copies
// strings, numbers and literals whole instead of stepping json's scanner
// through every byte (a national report is 4 MB, and the scanner took
// more time than encoding).
func indent(dst, src []byte) []byte { return indentFrom(dst, src, 0) }

// indentFrom is indent of a value that stands depth levels deep.
func indentFrom(dst, src []byte, depth int) []byte {
	for i := 0; i < len(src); {
		switch c := src[i]; c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end
			continue
		case '{', '[':
			// An empty object or array stays {} or [].
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i += 2
				continue
			}
			depth++
			dst = append(dst, c)
			dst = newline(dst, depth)
		case ',':
			dst = append(dst, c)
			dst = newline(dst, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			depth--
			dst = newline(dst, depth)
			dst = append(dst, c)
		default:
			// A number or a literal (true, false, null): up to the next
			// byte that means something to the layout.
			j := i + 1
			for j < len(src) && !structural(src[j]) {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		}
		i++
	}
	return dst
}

// structural tells the bytes outside strings that the layout acts on.
func structural(c byte) bool {
	switch c {
	case '"', '{', '[', ',', ':', '}', ']':
		return true
	}
	return false
}

// stringEnd is the index after the string that starts at src[i] (a quote).
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); {
		k := bytes.IndexAny(src[j:], `"\`)
		if k < 0 {
			return len(src)
		}
		if src[j+k] == '\\' {
			j += k + 2 // the escaped byte cannot end the string
			continue
		}
		return j + k + 1
	}
	return len(src)
}

// newlines is a line break and the indentation of the first levels, which
// newline slices rather than appending two spaces at a time.
const newlines = "\n                                                                "

func newline(dst []byte, depth int) []byte {
	if n := 1 + 2*depth; n <= len(newlines) {
		return append(dst, newlines[:n]...)
	}
	dst = append(dst, newlines...)
	for range depth - (len(newlines)-1)/2 {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
