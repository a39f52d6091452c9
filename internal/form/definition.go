// Package form parses the evaluation form's definition (forms/utvardering.json)
// and validates answers against it. Every other package that needs the list of
// fields, their labels, options or rules asks this package; nothing else
// holds a copy of the field list.
package form

import (
	"encoding/json"
	"fmt"

	"github.com/inventera/inventera/forms"
)

// Field types of the definition.
const (
	TypeText     = "text"
	TypeTextarea = "textarea"
	TypeYesNo    = "yesno"
	TypeChoice   = "choice"
	TypeMulti    = "multi"
	TypeDecimal  = "decimal"
	TypeInteger  = "integer"
)

// Definition is a parsed form.
type Definition struct {
	Code     string    `json:"code"`
	Title    string    `json:"title"`
	Intro    string    `json:"intro"`
	Sections []Section `json:"sections"`
	Fields   []*Field  `json:"fields"`

	byCode map[string]*Field
}

// Section groups fields on the web form and in the Excel instructions.
type Section struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Intro string `json:"intro"`
}

// Condition makes a field required when another field holds a value (for a
// multi-choice field: when the value is among the chosen options).
type Condition struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Option is one choice of a choice or multi field.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Help  string `json:"help"`
}

// Field is one question of the form.
type Field struct {
	Code          string     `json:"code"`
	Section       string     `json:"section"`
	Label         string     `json:"label"`
	Help          string     `json:"help"`
	Type          string     `json:"type"`
	Required      bool       `json:"required"`
	RequiredWhen  *Condition `json:"required_when"`
	BlankInImport string     `json:"blank_in_import"`
	Exclusive     string     `json:"exclusive"`
	OnlyWhenBlank []string   `json:"only_when_blank"`
	Default       string     `json:"default"`
	Options       []Option   `json:"options"`
	MaxLength     int        `json:"max_length"`
	Decimals      int        `json:"decimals"`
	Unit          string     `json:"unit"` // a number field's unit: UnitKronor or UnitHours
	Min           *float64   `json:"min"`
	Max           *float64   `json:"max"`
}

// Evaluation parses the embedded evaluation form.
func Evaluation() (*Definition, error) {
	return Parse(forms.Evaluation())
}

// MustEvaluation is Evaluation for wiring and tests: the definition is
// embedded, so failing to parse it is a build defect.
func MustEvaluation() *Definition {
	d, err := Evaluation()
	if err != nil {
		panic(err)
	}
	return d
}

// Parse reads a definition and checks that it is internally consistent.
func Parse(data []byte) (*Definition, error) {
	var d Definition
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("form: parse definition: %w", err)
	}
	d.byCode = make(map[string]*Field, len(d.Fields))
	sections := map[string]bool{}
	for _, s := range d.Sections {
		sections[s.Code] = true
	}
	for _, f := range d.Fields {
		if f.Code == "" || d.byCode[f.Code] != nil {
			return nil, fmt.Errorf("form: field code %q empty or repeated", f.Code)
		}
		if !sections[f.Section] {
			return nil, fmt.Errorf("form: field %s: unknown section %q", f.Code, f.Section)
		}
		switch f.Type {
		case TypeText, TypeTextarea, TypeYesNo, TypeDecimal, TypeInteger:
		case TypeChoice, TypeMulti:
			if len(f.Options) == 0 {
				return nil, fmt.Errorf("form: field %s: no options", f.Code)
			}
		default:
			return nil, fmt.Errorf("form: field %s: unknown type %q", f.Code, f.Type)
		}
		switch f.Unit {
		case "":
		case UnitKronor, UnitHours:
			if !f.IsNumber() {
				return nil, fmt.Errorf("form: field %s: unit %q on a field that is not a number", f.Code, f.Unit)
			}
		default:
			return nil, fmt.Errorf("form: field %s: unknown unit %q", f.Code, f.Unit)
		}
		if f.Exclusive != "" && f.Option(f.Exclusive) == nil {
			return nil, fmt.Errorf("form: field %s: exclusive option %q not among options", f.Code, f.Exclusive)
		}
		d.byCode[f.Code] = f
	}
	for _, f := range d.Fields {
		if c := f.RequiredWhen; c != nil && d.byCode[c.Field] == nil {
			return nil, fmt.Errorf("form: field %s: condition on unknown field %q", f.Code, c.Field)
		}
		for _, other := range f.OnlyWhenBlank {
			if d.byCode[other] == nil {
				return nil, fmt.Errorf("form: field %s: only_when_blank names unknown field %q", f.Code, other)
			}
		}
	}
	return &d, nil
}

// Field returns the field with the code, or nil.
func (d *Definition) Field(code string) *Field { return d.byCode[code] }

// Codes lists the field codes in form order: the column order of every
// import and export.
func (d *Definition) Codes() []string {
	codes := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		codes[i] = f.Code
	}
	return codes
}

// SectionFields returns the fields of a section in form order.
func (d *Definition) SectionFields(section string) []*Field {
	var out []*Field
	for _, f := range d.Fields {
		if f.Section == section {
			out = append(out, f)
		}
	}
	return out
}

// Option returns the option with the code, or nil.
func (f *Field) Option(code string) *Option {
	for i := range f.Options {
		if f.Options[i].Code == code {
			return &f.Options[i]
		}
	}
	return nil
}

// OptionLabel returns the Swedish label of an option code, or the code itself
// when unknown (so a report never shows an empty cell for stored data).
func (f *Field) OptionLabel(code string) string {
	if o := f.Option(code); o != nil {
		return o.Label
	}
	return code
}

// IsNumber tells whether the field holds a decimal or integer.
func (f *Field) IsNumber() bool { return f.Type == TypeDecimal || f.Type == TypeInteger }

// IsText tells whether the field holds free text.
func (f *Field) IsText() bool { return f.Type == TypeText || f.Type == TypeTextarea }
