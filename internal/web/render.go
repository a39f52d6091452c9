package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds every page template, parsed once at start-up.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(def *form.Definition) (*pages, error) {
	funcs := template.FuncMap{
		"fieldValue": func(f *form.Field, a form.Answers) string { return f.InputValue(a.Get(f.Code)) },
		"answerText": func(f *form.Field, a form.Answers) string { return f.AnswerText(a) },
		"fieldData": func(f *form.Field, a form.Answers, es form.Errors) fieldData {
			return fieldData{Field: f, Answers: a, Errors: es}
		},
		"hasOption":     func(a form.Answers, code, option string) bool { return a.HasOption(code, option) },
		"fieldError":    func(es form.Errors, code string) string { return es.For(code) },
		"sectionFields": def.SectionFields,
		"optionLabel": func(code, option string) string {
			if f := def.Field(code); f != nil {
				return f.OptionLabel(option)
			}
			return option
		},
		"displayAnswer": def.Display,
		"formKey":       newFormKey,
		"roleLabel":     staff.RoleLabel,
		// Every time on a page is Swedish time with its zone.
		"swedishTime": func(t any) string {
			switch t := t.(type) {
			case time.Time:
				return round.SwedishTime(t)
			case *time.Time:
				if t != nil {
					return round.SwedishTime(*t)
				}
			}
			return ""
		},
		"swedishTimeSeconds": round.SwedishTimeSeconds,
		// Why a unit's answers cannot be changed now, and whether "Ändra
		// svaret" would open them again: the round's rules decide.
		"editRefusal": func(r round.Round, u round.Unit) string {
			if err := u.Allows(r, round.EditEvaluations); err != nil {
				return apperror.Message(err)
			}
			return ""
		},
		"canReopen":     func(r round.Round, u round.Unit) bool { return u.Can(r, round.ReopenAnswer) },
		"progressLabel": func(p round.Progress) string { return p.Label() },
		"join":          strings.Join,
		"number":        func(n int64) string { return form.FormatNumber(float64(n), 0) },
		"population": func(p *int64) string {
			if p == nil {
				return "okänt"
			}
			return form.FormatNumber(float64(*p), 0)
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "partials") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// fieldData is what the "field" partial renders.
type fieldData struct {
	Field   *form.Field
	Answers form.Answers
	Errors  form.Errors
}

// view is the data every page gets.
type view struct {
	Title    string
	Session  *staff.Session
	Notice   string
	Error    string   // a refusal shown at the top of the page
	Problems []string // the faulty rows of a refused upload
	Data     any
}

func (v view) withError(msg string) view {
	v.Error = msg
	return v
}

// render writes a page into a buffer first, so a template error never
// leaves a half-written page.
func (s *Server) render(c echo.Context, status int, page string, v view) error {
	t := s.pages.byName[page]
	if t == nil {
		return fmt.Errorf("web: no page %q", page)
	}
	if v.Session == nil {
		if sess, ok := c.Get("session").(*staff.Session); ok {
			v.Session = sess
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// notices are the fixed messages a redirect may ask a page to show; only
// their keys travel in the URL, so no user text is reflected.
var notices = map[string]string{
	"sparad":            "Utvärderingen är sparad.",
	"utkast":            "Utkastet är sparat. Du kan fortsätta senare från samma länk.",
	"borttagen":         "Utvärderingen är borttagen.",
	"inskickad":         "Tack! Enhetens svar är inskickat.",
	"inga":              "Tack! Vi har noterat att enheten inte har genomfört några utvärderingar.",
	"avbojt":            "Vi har noterat att enheten inte deltar.",
	"andra":             "Svaret är öppnat igen. Skicka in när du är klar.",
	"omgang":            "Omgången är skapad.",
	"kommun":            "Kommunen är tillagd.",
	"enhet":             "Enheten är registrerad och har fått en personlig länk.",
	"lank":              "En ny länk är skapad; den gamla fungerar inte längre.",
	"status":            "Omgångens status är ändrad.",
	"utloggad":          "Du är utloggad.",
	"excel":             "Excelfilen är inläst och utvärderingarna är sparade. Kontrollera listan och skicka in när den är komplett.",
	"enheter":           "Enheterna är registrerade och har fått personliga länkar.",
	"overford":          "Den nya omgången är skapad med kommunerna, enheterna och de återkommande utvärderingarna (och enheternas utkast) som utkast att bekräfta. Enheterna har fått nya länkar.",
	"avstangt":          "Kontot är avstängt och utloggat. Det kan inte logga in förrän det aktiveras igen.",
	"aktiverat":         "Kontot är aktiverat och kan logga in igen.",
	"losenord":          "Ditt lösenord är bytt. Dina andra inloggningar är utloggade.",
	"lank-skickad":      "En ny länk är skapad och skickad till verksamhetschefen; den gamla fungerar inte längre.",
	"lank-ej-skickad":   "En ny länk är skapad; den gamla fungerar inte längre. Länken kunde inte skickas med e-post – se utskicken nedan och skicka den själv.",
	"uppgifter":         "Enhetens uppgifter är sparade.",
	"uppgifter-lank":    "Enhetens uppgifter är sparade och länken är skickad till den nya adressen.",
	"uppgifter-ej-lank": "Enhetens uppgifter är sparade, men länken kunde inte skickas till den nya adressen – se utskicken nedan.",
	"enhet-borttagen":   "Enheten är borttagen.",
	"manuellt":          "Länken är markerad som skickad manuellt, och enheten räknas som inbjuden.",
	"texter":            "Texten är sparad och står i rapporten.",
	"forenad":           "Sparad.",
	"fragesvar":         "Tack! Ditt svar på frågan är skickat till granskaren.",
	"rattad":            "Utvärderingen är rättad. Enhetens svar är fortfarande inskickat.",
	"bekraftad":         "Utvärderingen från förra omgången är bekräftad och klar.",
	"upphord":           "Utvärderingen är borttagen ur årets lista. Den finns kvar i förra omgången.",
	"utesluten":         "Utvärderingen är markerad som utanför avgränsningen och räknas inte i rapporten.",
	"medtagen":          "Utvärderingen är med i rapporten igen.",
	"fraga":             "Frågan är skickad. Enheten ser den på sin sida.",
	"fraga_avslutad":    "Frågan är avslutad.",
}

func notice(c echo.Context) string { return notices[c.QueryParam("meddelande")] }

func redirect(c echo.Context, path, noticeKey string) error {
	if noticeKey != "" {
		path += "?meddelande=" + noticeKey
	}
	return c.Redirect(http.StatusSeeOther, path)
}
