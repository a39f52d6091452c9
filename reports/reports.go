// Package reports embeds the report templates: report.html, the comparison
// report as an html/template, and report.css, its screen and print style
// sheet, which the report inlines so that the HTML is one self-contained
// file. internal/report parses them once and fills them from the aggregates.
package reports

import "embed"

//go:embed *.html *.css
var files embed.FS

// HTML returns the report template.
func HTML() string { return read("report.html") }

// CSS returns the report's style sheet.
func CSS() string { return read("report.css") }

func read(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		// The files are embedded at build time; their absence is a build defect.
		panic("reports: " + name + " missing from the binary: " + err.Error())
	}
	return string(b)
}
