package round

import (
	"strings"

	"github.com/inventera/inventera/internal/apperror"
)

// counties are the two first digits of SCB's kommun codes: the län codes
// (01 Stockholm … 25 Norrbotten; 02, 11, 15 and 16 are no longer in use).
var counties = map[string]bool{
	"01": true, "03": true, "04": true, "05": true, "06": true, "07": true, "08": true,
	"09": true, "10": true, "12": true, "13": true, "14": true, "17": true, "18": true,
	"19": true, "20": true, "21": true, "22": true, "23": true, "24": true, "25": true,
}

// ParseKommunkod reads SCB's four-digit kommun code, e.g. "2081" for
// Borlänge. Blank is no code (""). Three digits get their leading zero
// back, as a spreadsheet that read "0114" as a number writes 114. The
// first two digits must be a län in use. This is the one check of a
// kommunkod, wherever it comes from (import, web, command line).
func ParseKommunkod(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) == 3 {
		s = "0" + s
	}
	ok := len(s) == 4
	for _, r := range s {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return "", apperror.New(apperror.Invalid, "”%s” är ingen kommunkod. Skriv SCB:s fyrsiffriga kod, till exempel 2081 för Borlänge, eller lämna tomt.", apperror.Clip(s))
	}
	if !counties[s[:2]] {
		return "", apperror.New(apperror.Invalid, "Kommunkoden %s finns inte: de två första siffrorna ska vara en länskod (01–25). Borlänge har till exempel 2081.", s)
	}
	return s, nil
}
