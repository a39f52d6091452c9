package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
)

// The pages of a save from a stale form (see respond/merge.go): the domain
// merges or refuses; here a refusal becomes the conflict page, and a merge
// the notice that names the fields someone else changed.

// conflictView is the conflict page: the fields changed on both sides, each
// with the user's answer and the stored one to choose from, the fields only
// someone else changed (kept), and every other answer the user posted as a
// hidden field, so that saving again loses nothing.
type conflictView struct {
	unitView
	Conflict respond.Conflict
	Action   string
	Version  int64 // the version to save against; 0 when saving as new
	Fields   []conflictField
	Others   []conflictField
	Typed    []conflictField // for a deleted evaluation: what was posted
	Hidden   []hiddenValue
	Draft    bool // the save was "Spara utkast"
}

// conflictField is one field of the conflict page: its raw values, which
// the choice posts, and the same as a person reads them.
type conflictField struct {
	Code, Label          string
	Mine, Stored         string
	MineText, StoredText string
}

type hiddenValue struct{ Name, Value string }

// renderConflict shows the conflict page of a refused save, 409.
func (s *Server) renderConflict(c echo.Context, sc unitScope, cf respond.Conflict, draft bool) error {
	return s.renderConflictAt(c, sc, cf, draft, sc.base+"/u/"+strconv.FormatInt(cf.ID, 10))
}

// renderConflictAt is renderConflict of a page whose form posts to action
// (a correction posts to its own address).
func (s *Server) renderConflictAt(c echo.Context, sc unitScope, cf respond.Conflict, draft bool, action string) error {
	p, err := s.respond.Open(c.Request().Context(), sc.scope)
	if err != nil {
		return err
	}
	v := conflictView{unitView: sc.view(p), Conflict: cf, Draft: draft, Version: cf.Version, Action: action}
	if cf.Deleted {
		v.Action, v.Version = sc.base+"/ny", 0
	}
	conflicting := map[string]bool{}
	for _, code := range cf.Fields {
		conflicting[code] = true
	}
	for _, code := range cf.Fields {
		v.Fields = append(v.Fields, s.conflictField(code, cf.Merged, cf.Stored))
	}
	for _, code := range cf.Others {
		v.Others = append(v.Others, s.conflictField(code, cf.Merged, cf.Stored))
	}
	for _, f := range s.form.Fields {
		val := cf.Merged.Get(f.Code)
		if cf.Deleted && strings.TrimSpace(val) != "" {
			v.Typed = append(v.Typed, s.conflictField(f.Code, cf.Merged, nil))
		}
		if !conflicting[f.Code] && val != "" {
			v.Hidden = append(v.Hidden, hiddenValue{Name: f.Code, Value: val})
		}
	}
	title := "Någon annan har ändrat utvärderingen"
	if cf.Deleted {
		title = "Utvärderingen har tagits bort"
	}
	return s.render(c, http.StatusConflict, "conflict", view{Title: title, Data: v})
}

// conflictField describes the field code with the posted (merged) and the
// stored value.
func (s *Server) conflictField(code string, mine, stored form.Answers) conflictField {
	out := conflictField{Code: code, Label: code, Mine: mine.Get(code), Stored: stored.Get(code)}
	if f := s.form.Field(code); f != nil {
		out.Label = f.Label
		out.MineText, out.StoredText = f.AnswerText(mine), f.AnswerText(stored)
	}
	if out.MineText == "" {
		out.MineText = "(tomt)"
	}
	if out.StoredText == "" {
		out.StoredText = "(tomt)"
	}
	return out
}

// othersKept says, with format, which fields someone else changed; "" when
// codes names none of the form's fields. Codes come from the URL of a
// redirect, so only the form's labels are shown, never the codes.
func (s *Server) othersKept(codes []string, format string) string {
	var labels []string
	for _, code := range codes {
		if f := s.form.Field(code); f != nil {
			labels = append(labels, f.Label)
		}
	}
	if len(labels) == 0 {
		return ""
	}
	return fmt.Sprintf(format, strings.Join(labels, ", "))
}

// redirectMerged sends the user to path with a notice that names the fields
// someone else changed (by code; the page shows their labels).
func redirectMerged(c echo.Context, path, noticeKey string, codes []string) error {
	q := url.Values{"meddelande": {noticeKey}, "falt": codes}
	return c.Redirect(http.StatusSeeOther, path+"?"+q.Encode())
}

// unitNotice is the notice of a unit's page: the fixed one its redirect
// names, and after a merge which fields someone else changed.
func (s *Server) unitNotice(c echo.Context) string {
	msg := notice(c)
	if msg == "" {
		return ""
	}
	if kept := s.othersKept(c.QueryParams()["falt"], "Ändringar som någon annan gjort under tiden i %s finns kvar."); kept != "" {
		msg += " " + kept
	}
	return msg
}

// conflictLines lists the rows of a refused upload that someone else
// changed since the file was downloaded: per row and field, the file's value
// and the stored one.
func (s *Server) conflictLines(ce *respond.ConflictError) []string {
	var out []string
	for _, cf := range ce.Conflicts {
		for _, code := range cf.Fields {
			fd := s.conflictField(code, cf.Merged, cf.Stored)
			out = append(out, fmt.Sprintf("Rad %d (”%s”), %s: i filen ”%s”, sparat nu ”%s”.",
				cf.Line, clipText(cf.Title), fd.Label, clipText(fd.MineText), clipText(fd.StoredText)))
		}
		if len(cf.Fields) == 0 {
			out = append(out, fmt.Sprintf("Rad %d (”%s”) har ändrats sedan filen laddades ner.", cf.Line, clipText(cf.Title)))
		}
	}
	return out
}

// clipText shortens a value quoted in a message to about 80 characters.
func clipText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}
