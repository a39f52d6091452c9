package reports

import (
	"html/template"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	if _, err := template.New("report.html").Parse(HTML()); err != nil {
		t.Fatalf("report.html: %v", err)
	}
	css := CSS()
	for _, want := range []string{"@page", "size: A4", "margin: 18mm", "break-before: page", "@media print"} {
		if !strings.Contains(css, want) {
			t.Errorf("report.css lacks %q", want)
		}
	}
}
