package form

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mode says where answers come from; the rules differ in one place only: a
// blank initiator is refused on the web form but counts as "ej_angiven" in an
// import (design §3).
type Mode int

const (
	// ModeForm is a respondent (or project lead) saving the web form.
	ModeForm Mode = iota
	// ModeImport is a row of an imported workbook or CSV.
	ModeImport
)

// FieldError is one rule violation, tied to a field code.
type FieldError struct {
	Code    string
	Message string
}

func (e FieldError) Error() string { return e.Code + ": " + e.Message }

// Errors lists violations in form order.
type Errors []FieldError

// For returns the message for the field, "" when the field is fine.
func (es Errors) For(code string) string {
	for _, e := range es {
		if e.Code == code {
			return e.Message
		}
	}
	return ""
}

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Validate checks answers against every rule of the definition and returns
// them in canonical form. Values may be written loosely (ja/nej variants,
// Swedish or English numbers, option codes or labels in any letter case,
// multi choices separated by ";" or ","); the result is canonical. Unknown
// codes are dropped. When errs is non-empty the canonical answers are
// incomplete and must not be stored as a finished evaluation.
func (d *Definition) Validate(in Answers, mode Mode) (Answers, Errors) {
	out := Answers{}
	var errs Errors
	add := func(f *Field, format string, args ...any) {
		errs = append(errs, FieldError{Code: f.Code, Message: fmt.Sprintf(format, args...)})
	}
	// First pass: each value on its own.
	for _, f := range d.Fields {
		raw := strings.TrimSpace(strings.ReplaceAll(in[f.Code], "\r\n", "\n"))
		if raw == "" {
			raw = f.Default
		}
		if raw == "" {
			continue
		}
		switch f.Type {
		case TypeText, TypeTextarea:
			if f.Type == TypeText {
				raw = strings.Join(strings.Fields(raw), " ")
			}
			if !utf8.ValidString(raw) {
				add(f, "Texten i ”%s” innehåller ogiltiga tecken.", f.Label)
				continue
			}
			if f.MaxLength > 0 && utf8.RuneCountInString(raw) > f.MaxLength {
				add(f, "Texten i ”%s” är för lång: högst %d tecken.", f.Label, f.MaxLength)
				continue
			}
			out[f.Code] = raw
		case TypeYesNo:
			yes, ok := ParseYesNo(raw)
			if !ok {
				add(f, "”%s” är inget giltigt svar på ”%s”: svara ja eller nej.", clip(raw), f.Label)
				continue
			}
			out[f.Code] = yesNo(yes)
		case TypeChoice:
			o := f.matchOption(raw)
			if o == "" {
				add(f, "”%s” är inget giltigt val för ”%s”. Välj något av: %s.", clip(raw), f.Label, f.optionList())
				continue
			}
			out[f.Code] = o
		case TypeMulti:
			chosen := map[string]bool{}
			bad := ""
			for _, p := range strings.FieldsFunc(raw, func(r rune) bool { return r == ';' || r == ',' }) {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				o := f.matchOption(p)
				if o == "" {
					bad = p
					break
				}
				chosen[o] = true
			}
			if bad != "" {
				add(f, "”%s” är inget giltigt val för ”%s”. Välj bland: %s.", clip(bad), f.Label, f.optionList())
				continue
			}
			if f.Exclusive != "" && chosen[f.Exclusive] && len(chosen) > 1 {
				add(f, "”%s” kan inte kombineras med andra val under ”%s”.", f.OptionLabel(f.Exclusive), f.Label)
				continue
			}
			var codes []string
			for _, o := range f.Options {
				if chosen[o.Code] {
					codes = append(codes, o.Code)
				}
			}
			if len(codes) > 0 {
				out[f.Code] = strings.Join(codes, MultiSeparator)
			}
		case TypeDecimal, TypeInteger:
			n, err := f.ParseNumber(raw)
			if err != nil {
				add(f, "%s", f.numberMessage(raw, err))
				continue
			}
			if f.Min != nil && n.Float() < *f.Min {
				add(f, "”%s” får inte vara mindre än %s.", f.Label, formatLimit(*f.Min))
				continue
			}
			if f.Max != nil && n.Float() > *f.Max {
				add(f, "”%s” är orimligt stort: högst %s.", f.Label, formatLimit(*f.Max))
				continue
			}
			out[f.Code] = n.String()
		}
	}
	// Second pass: rules between fields, over values that passed.
	for _, f := range d.Fields {
		if errs.For(f.Code) != "" {
			continue
		}
		has := out.Has(f.Code)
		if f.Required && !has {
			if mode == ModeImport && f.BlankInImport != "" {
				continue
			}
			add(f, "%s", f.requiredMessage())
			continue
		}
		if c := f.RequiredWhen; c != nil && !has && d.conditionHolds(out, c) {
			cf := d.Field(c.Field)
			if cf.Type == TypeMulti {
				add(f, "”%s” måste fyllas i när ”%s” är markerat under ”%s”.", f.Label, cf.OptionLabel(c.Value), cf.Label)
			} else {
				add(f, "”%s” måste fyllas i när svaret på ”%s” är %s.", f.Label, cf.Label, cf.OptionLabel(c.Value))
			}
			continue
		}
		if has && len(f.OnlyWhenBlank) > 0 {
			var given []string
			for _, other := range f.OnlyWhenBlank {
				if out.Has(other) {
					given = append(given, "”"+d.Field(other).Label+"”")
				}
			}
			if len(given) > 0 {
				add(f, "Ange ”%s” bara när kostnaden inte kan delas upp. Du har också fyllt i %s: ta bort det ena eller det andra.", f.Label, strings.Join(given, ", "))
			}
		}
	}
	if len(errs) > 0 {
		errs = d.inFormOrder(errs)
	}
	return out, errs
}

// Draft keeps what was typed (trimmed, limited to known fields and sane
// lengths) without enforcing rules, so that a half-filled form is never
// lost. It returns the violations Validate would report, for display.
func (d *Definition) Draft(in Answers) (Answers, Errors) {
	out := Answers{}
	for _, f := range d.Fields {
		v := strings.TrimSpace(in[f.Code])
		if v == "" || !utf8.ValidString(v) {
			continue
		}
		if limit := max(f.MaxLength, 200) * 2; utf8.RuneCountInString(v) > limit {
			v = string([]rune(v)[:limit])
		}
		out[f.Code] = v
	}
	_, errs := d.Validate(out, ModeForm)
	return out, errs
}

func (d *Definition) conditionHolds(a Answers, c *Condition) bool {
	if d.Field(c.Field).Type == TypeMulti {
		return a.HasOption(c.Field, c.Value)
	}
	return a.Get(c.Field) == c.Value
}

func (d *Definition) inFormOrder(errs Errors) Errors {
	pos := map[string]int{}
	for i, f := range d.Fields {
		pos[f.Code] = i
	}
	sorted := make(Errors, 0, len(errs))
	for _, f := range d.Fields {
		for _, e := range errs {
			if e.Code == f.Code {
				sorted = append(sorted, e)
			}
		}
	}
	return sorted
}

// matchOption accepts an option's code or its label in any letter case.
func (f *Field) matchOption(s string) string {
	for _, o := range f.Options {
		if strings.EqualFold(s, o.Code) || strings.EqualFold(s, o.Label) {
			return o.Code
		}
	}
	return ""
}

func (f *Field) optionList() string {
	codes := make([]string, len(f.Options))
	for i, o := range f.Options {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}

func (f *Field) requiredMessage() string {
	switch f.Type {
	case TypeChoice:
		return fmt.Sprintf("Välj ett alternativ under ”%s”.", f.Label)
	case TypeMulti:
		return fmt.Sprintf("Markera minst ett alternativ under ”%s”.", f.Label)
	}
	return fmt.Sprintf("”%s” måste fyllas i.", f.Label)
}

func (f *Field) numberMessage(raw string, err error) string {
	switch {
	case errors.Is(err, errNegative):
		return fmt.Sprintf("”%s” får inte vara negativt.", f.Label)
	case errors.Is(err, errTooManyDecim) && f.Decimals == 0:
		return fmt.Sprintf("”%s” ska vara ett heltal, utan decimaler.", f.Label)
	case errors.Is(err, errTooManyDecim):
		return fmt.Sprintf("”%s” får ha högst %d decimaler.", f.Label, f.Decimals)
	case errors.Is(err, errTooLarge):
		return fmt.Sprintf("”%s” är orimligt stort.", f.Label)
	}
	return fmt.Sprintf("”%s” är inget tal. %s.", clip(raw), f.numberAdvice())
}

// numberAdvice tells how to write the field's number, after its hint.
func (f *Field) numberAdvice() string {
	switch {
	case f.Unit == UnitKronor && f.Decimals == 0:
		return "Skriv hela kronor med siffror, till exempel " + FormatNumber(12500, 0)
	case f.Unit == UnitHours && f.Decimals > 0:
		return "Skriv antalet timmar med siffror, till exempel 12,5"
	case f.Decimals == 0:
		return "Skriv ett heltal med siffror, till exempel " + FormatNumber(1234, 0)
	}
	return "Skriv siffror, till exempel " + FormatNumber(1234, 0) + " eller 12,5"
}

func formatLimit(v float64) string {
	return FormatNumber(v, 0)
}

func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nej"
}

// clip shortens user text quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
