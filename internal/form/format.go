package form

import "github.com/inventera/inventera/internal/numfmt"

// FormatNumber writes v the Swedish way: spaces group thousands, "," is the
// decimal mark, rounded to the given decimals ("9 073 287", "4,3"). It is
// numfmt.Number, kept here for the form's messages.
func FormatNumber(v float64, decimals int) string { return numfmt.Number(v, decimals) }
