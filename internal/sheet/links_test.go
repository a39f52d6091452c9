package sheet

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteLinks(t *testing.T) {
	rows := []LinkRow{
		{Kommun: "Borlänge", Enhet: "Räddningstjänsten Dala Mitt", Verksamhetschef: "Åsa Öberg", Epost: "asa.oberg@example.se",
			Status: "Inbjuden", Lank: "https://inventera.example.se/svar/AbC123_-xyz"},
		{Kommun: "Falun", Enhet: "=HYPERLINK(\"http://evil\")", Verksamhetschef: "+46 70", Epost: "", Status: "Ej inbjuden",
			Lank: "javascript:alert(1)"},
		{Kommun: "Säter", Enhet: "@foo", Status: "-", Lank: ""},
	}
	var buf bytes.Buffer
	if err := WriteLinks(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f := openBook(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{SheetLinks}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	got, err := f.GetRows(SheetLinks)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Kommun", "Enhet", "Verksamhetschef", "E-post", "Status", "Personlig länk"},
		{"Borlänge", "Räddningstjänsten Dala Mitt", "Åsa Öberg", "asa.oberg@example.se", "Inbjuden", "https://inventera.example.se/svar/AbC123_-xyz"},
		{"Falun", "=HYPERLINK(\"http://evil\")", "+46 70", "", "Ej inbjuden", "javascript:alert(1)"},
		{"Säter", "@foo", "", "", "-"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}

	// Every value is a text cell, never a formula.
	for r, row := range got {
		for c, v := range row {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, err := f.GetCellType(SheetLinks, cell)
			if err != nil {
				t.Fatal(err)
			}
			if typ != excelize.CellTypeSharedString {
				t.Errorf("%s (%q): cell type %v, want a text cell", cell, v, typ)
			}
			if formula, _ := f.GetCellFormula(SheetLinks, cell); formula != "" {
				t.Errorf("%s: formula %q", cell, formula)
			}
		}
	}

	// An https link is a hyperlink; a javascript: one is text only.
	links := []struct {
		cell   string
		isLink bool
		target string
	}{
		{"F2", true, rows[0].Lank},
		{"F3", false, ""},
		{"F4", false, ""},
		{"B2", false, ""},
	}
	for _, l := range links {
		ok, target, err := f.GetCellHyperLink(SheetLinks, l.cell)
		if err != nil {
			t.Fatal(err)
		}
		if ok != l.isLink || target != l.target {
			t.Errorf("%s: hyperlink %v %q, want %v %q", l.cell, ok, target, l.isLink, l.target)
		}
	}
}

func TestWebLink(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://inventera.example.se/svar/abc", true},
		{"HTTP://localhost:8080/svar/abc", true},
		{"javascript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"/svar/abc", false},
		{"https://", false},
		{"https://a.se/x y", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := webLink(tc.in); got != tc.want {
			t.Errorf("webLink(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestWriteLinksEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLinks(&buf, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := openBook(t, buf.Bytes()).GetRows(SheetLinks)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(rows[0]) != len(linkHeader) {
		t.Errorf("rows = %v, want the header alone", rows)
	}
}
