// Package forms embeds the form definitions. The evaluation form in
// utvardering.json is the single source of the field list: the web form,
// validation, the Excel template, import and export are all generated from it
// by internal/form.
package forms

import "embed"

//go:embed *.json
var files embed.FS

// Evaluation returns the raw JSON definition of the evaluation form.
func Evaluation() []byte {
	b, err := files.ReadFile("utvardering.json")
	if err != nil {
		// The file is embedded at build time; its absence is a build defect.
		panic("forms: utvardering.json missing from the binary: " + err.Error())
	}
	return b
}
