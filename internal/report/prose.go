package report

import "strings"

// block is a paragraph or a bulleted list of text a person wrote.
type block struct {
	Text  string   // a paragraph
	Items []string // or a list
}

// prose splits written text into blocks: paragraphs are separated by blank
// lines, and a paragraph whose every line starts with "-", "*" or "•" is a
// list. Single line breaks inside a paragraph become spaces.
func prose(s string) []block {
	var out []block
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		if len(lines) == 0 || lines[0] == "" {
			continue
		}
		list := true
		var items []string
		for _, l := range lines {
			l = strings.TrimSpace(l)
			rest, ok := cutBullet(l)
			list = list && ok
			items = append(items, rest)
		}
		if list {
			out = append(out, block{Items: items})
			continue
		}
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		out = append(out, block{Text: strings.Join(lines, " ")})
	}
	return out
}

func cutBullet(l string) (string, bool) {
	for _, b := range []string{"- ", "* ", "• ", "– "} {
		if rest, ok := strings.CutPrefix(l, b); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return l, false
}
