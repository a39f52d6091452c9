package form

// Display writes a stored answer in words, as a read-only page shows it
// (Field.AnswerText: Ja/Nej, option labels, numbers the Swedish way, a
// draft's value as typed); "" for a field the form does not have.
func (d *Definition) Display(a Answers, code string) string {
	f := d.Field(code)
	if f == nil {
		return a.Get(code)
	}
	return f.AnswerText(a)
}
