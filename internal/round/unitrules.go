package round

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/apperror"
)

// This file holds the one set of rules for a valid unit. The staff's web
// form (adding and correcting a unit), the units sheet a projektledare
// uploads and the import of a whole round all clean and check a unit here,
// so a unit one path accepts no other path refuses.

// The fields of a unit, named as the enheter sheet's columns (design §4)
// and the web form's inputs; a UnitProblem names one of them.
const (
	UnitFieldName       = "enhet"
	UnitFieldKommun     = "kommun"
	UnitFieldOmrade     = "omrade"
	UnitFieldFordelning = "fordelning"
	UnitFieldChefName   = "verksamhetschef"
	UnitFieldChefEmail  = "epost"
)

// Longest accepted unit texts.
const (
	MaxUnitTextLen = 200 // name, område, verksamhetschef, a member kommun's name
	MaxEmailLen    = 254
)

// UnitProblem is one rule a unit breaks: the field and a Swedish message.
type UnitProblem struct {
	Field   string
	Message string
}

// UnitProblems is every rule a unit breaks, in field order. As an error it
// also answers errors.As for *apperror.Error (code Invalid), so layers that
// know only apperror show it as the user's mistake.
type UnitProblems []UnitProblem

func (ps UnitProblems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

// As lets errors.As find an *apperror.Error in UnitProblems.
func (ps UnitProblems) As(target any) bool {
	if t, ok := target.(**apperror.Error); ok {
		*t = apperror.New(apperror.Invalid, "%s", ps.Error())
		return true
	}
	return false
}

// For returns the messages about one field, "" when it is fine.
func (ps UnitProblems) For(field string) string {
	var msgs []string
	for _, p := range ps {
		if p.Field == field {
			msgs = append(msgs, p.Message)
		}
	}
	return strings.Join(msgs, " ")
}

// NormalizeUnit cleans a unit as typed — white space collapsed in names,
// member kommuner written as the round writes them, the cost split in its
// canonical form — and checks it: a name (at most MaxUnitTextLen
// characters), at least one member kommun, each a kommun of the round
// (kommuner, matched regardless of letter case) and named once, område and
// the verksamhetschef's name at most MaxUnitTextLen characters, an e-mail
// address that mail can be sent to (or none), and a cost split that
// ParseFordelning accepts for the members. The error is UnitProblems
// listing every rule broken; the split is only checked once the members
// are right. The answer (Response, Reason) is not looked at.
func NormalizeUnit(u Unit, kommuner []string) (Unit, error) {
	var ps UnitProblems
	add := func(field, format string, args ...any) {
		ps = append(ps, UnitProblem{Field: field, Message: apperror.New(apperror.Invalid, format, args...).Message})
	}
	text := func(field, what, s string) string {
		s = cleanText(s)
		switch {
		case !utf8.ValidString(s):
			add(field, "%s innehåller ogiltiga tecken.", what)
		case utf8.RuneCountInString(s) > MaxUnitTextLen:
			add(field, "%s är för långt: högst %d tecken.", what, MaxUnitTextLen)
		}
		return s
	}

	u.Name = text(UnitFieldName, "Enhetens namn", u.Name)
	if u.Name == "" {
		add(UnitFieldName, "Skriv enhetens namn, till exempel ”Socialnämnden”.")
	}

	members := make([]string, 0, len(u.Kommuner))
	membersOK := true
	for _, k := range u.Kommuner {
		k = cleanText(k)
		if k == "" {
			continue
		}
		canon := matchName(k, kommuner)
		switch {
		case canon == "":
			add(UnitFieldKommun, "Kommunen %s deltar inte i omgången. Omgångens kommuner är %s.", apperror.Clip(k), listOrNone(kommuner))
			membersOK = false
		case containsName(members, canon):
			add(UnitFieldKommun, "Kommunen %s står två gånger.", canon)
			membersOK = false
		default:
			members = append(members, canon)
		}
	}
	if len(members) == 0 && membersOK {
		add(UnitFieldKommun, "Välj minst en kommun som enheten hör till.")
		membersOK = false
	}
	u.Kommuner = members

	u.Omrade = text(UnitFieldOmrade, "Området", u.Omrade)
	u.ChefName = text(UnitFieldChefName, "Verksamhetschefens namn", u.ChefName)
	u.ChefEmail = strings.TrimSpace(u.ChefEmail)
	if u.ChefEmail != "" && !ValidEmail(u.ChefEmail) {
		add(UnitFieldChefEmail, "”%s” är ingen giltig e-postadress.", apperror.Clip(u.ChefEmail))
	}

	if membersOK {
		fd, err := ParseFordelning(u.Fordelning, members)
		if err != nil {
			add(UnitFieldFordelning, "%s", apperror.Message(err))
		} else {
			u.Fordelning = fd.String(members)
		}
	}
	if len(ps) > 0 {
		return u, ps
	}
	return u, nil
}

// ValidEmail tells whether s is a bare e-mail address mail can be sent to:
// no display name, no list, a dotted domain.
func ValidEmail(s string) bool {
	if len(s) > MaxEmailLen || strings.ContainsAny(s, " \t\r\n,;<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// cleanText trims a text and collapses inner white space, line breaks
// included.
func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "inga än"
	}
	return strings.Join(names, ", ")
}
