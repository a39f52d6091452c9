package report

import (
	"reflect"
	"testing"
)

func TestProse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []block
	}{
		{"empty", "  \n\n ", nil},
		{"one paragraph over lines", "Det finns ingen\ntydlig ordning.", []block{{Text: "Det finns ingen tydlig ordning."}}},
		{"paragraphs and a list", "Inledning.\r\n\r\n- Första\n• Andra\n\nSlut.",
			[]block{{Text: "Inledning."}, {Items: []string{"Första", "Andra"}}, {Text: "Slut."}}},
		{"a dash inside a paragraph is text", "Rad ett\n- rad två", []block{{Text: "Rad ett - rad två"}}},
	}
	for _, tt := range tests {
		if got := prose(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: prose(%q) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}
