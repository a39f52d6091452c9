package mail

import (
	"html/template"
	"strings"
)

// Invitation is what one verksamhetschef is told about a round.
type Invitation struct {
	RoundName string // e.g. "Resultatstyrning 2009"
	UnitName  string
	ChefName  string
	Link      string // the personal link to the unit's page
	Deadline  string // YYYY-MM-DD, or "" for none
	Contact   Contact
	Kommuner  []string // the unit's kommuner; several for a joint unit
	Reminder  bool     // a reminder to a unit that has not submitted
	NewLink   bool     // a newly issued link: the earlier one no longer works
}

// Contact is the projektledare the chef can turn to.
type Contact struct {
	Name, Email string
}

// Compose writes the Swedish invitation (or reminder) e-mail. The result has
// Subject, Text, HTML, ToName (the chef) and ReplyTo (the contact's address,
// so that a reply reaches the projektledare); the caller sets To.
func Compose(inv Invitation) Message {
	unit := oneLine(inv.UnitName)
	round := oneLine(inv.RoundName)
	chef := oneLine(inv.ChefName)
	link := strings.TrimSpace(inv.Link)
	deadline := strings.TrimSpace(inv.Deadline)
	contactName := oneLine(inv.Contact.Name)
	contactEmail := strings.TrimSpace(inv.Contact.Email)

	subject := "Inventering av utvärderingar"
	if unit != "" {
		subject += ": " + unit
	}
	switch {
	case inv.Reminder:
		subject = "Påminnelse: " + subject
	case inv.NewLink:
		subject = "Ny länk: " + subject
	}

	var kommuner []string
	for _, k := range inv.Kommuner {
		if k = oneLine(k); k != "" {
			kommuner = append(kommuner, k)
		}
	}
	where := unit
	if where != "" && len(kommuner) > 0 {
		where += " i " + swedishList(kommuner)
	}

	var ps []paragraph
	add := func(spans ...span) { ps = append(ps, paragraph{Spans: spans}) }

	if chef != "" {
		add(text("Hej " + chef + "!"))
	} else {
		add(text("Hej!"))
	}

	inRound := "inventeringen"
	if round != "" {
		inRound = "inventeringen " + round
	}
	switch {
	case inv.NewLink:
		to := "din verksamhet"
		if where != "" {
			to = where
		}
		add(text("Du får en ny personlig länk till " + inRound + " för " + to + ". Den tidigare länken fungerar inte längre; det du redan har fyllt i finns kvar."))
	case inv.Reminder:
		from := "din verksamhet"
		if where != "" {
			from = where
		}
		add(text("Det här är en påminnelse. Vi har ännu inte fått något inskickat svar på " +
			inRound + " från " + from + "."))
	default:
		intro := "Du får det här brevet som verksamhetschef"
		if where != "" {
			intro += " för " + where
		}
		r := "I inventeringen"
		if round != "" {
			r = "I " + inRound
		}
		add(text(intro + ". " + r +
			" samlar vi in vilka utvärderingar verksamheterna har gjort, vad de kostade och hur resultaten har använts."))
	}

	fill := "Fyll i ett formulär"
	if link != "" {
		fill = "Via länken nedan fyller du i ett formulär"
	}
	add(text(fill + " för varje utvärdering som verksamheten har gjort. " +
		"Det du skriver sparas som utkast, så du kan fortsätta senare. " +
		"Skicka in när allt är ifyllt. " +
		"Har verksamheten inga utvärderingar svarar du ”inga utvärderingar”, och kan ni inte delta avböjer du och anger varför."))

	if link != "" {
		add(text("Din personliga länk:"), lineBreak(), linkTo(link, link))
		add(text("Länken är personlig och ska inte vidarebefordras."))
	}
	if deadline != "" {
		add(text("Sista dag att svara är " + deadline + "."))
	}

	switch {
	case contactName != "" && contactEmail != "":
		add(text("Frågor? Kontakta projektledaren "+contactName+", "), linkTo(contactEmail, "mailto:"+contactEmail), text("."))
	case contactEmail != "":
		add(text("Frågor? Kontakta projektledaren, "), linkTo(contactEmail, "mailto:"+contactEmail), text("."))
	case contactName != "":
		add(text("Frågor? Kontakta projektledaren " + contactName + "."))
	}
	if contactName != "" {
		add(text("Med vänlig hälsning"), lineBreak(), text(contactName))
	}

	m := Message{ToName: chef, Subject: subject, Text: renderText(ps), HTML: renderHTML(subject, ps)}
	if a, err := parseAddress(contactEmail); err == nil && !hasLineBreak(contactEmail) {
		m.ReplyTo = a.Address
	}
	return m
}

// paragraph is a run of spans; Text and HTML are both rendered from it, so
// the two parts always say the same.
type paragraph struct{ Spans []span }

type span struct {
	Text string
	Href string // when set, Text is shown as a link to Href
	BR   bool   // a line break
}

func text(s string) span         { return span{Text: s} }
func linkTo(s, href string) span { return span{Text: s, Href: href} }
func lineBreak() span            { return span{BR: true} }

func renderText(ps []paragraph) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n\n")
		}
		for _, s := range p.Spans {
			if s.BR {
				b.WriteString("\n")
				continue
			}
			b.WriteString(s.Text)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// htmlPage escapes every inserted value; html/template also neutralises a
// link whose scheme is not http(s) or mailto.
var htmlPage = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 40em;">
{{range .Paragraphs}}<p>{{range .Spans}}{{if .BR}}<br>
{{else if .Href}}<a href="{{.Href}}" style="color: #0645ad;">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}</p>
{{end}}</body>
</html>
`))

func renderHTML(subject string, ps []paragraph) string {
	var b strings.Builder
	if err := htmlPage.Execute(&b, struct {
		Subject    string
		Paragraphs []paragraph
	}{subject, ps}); err != nil {
		// The template is fixed and its data plain strings: only a bug gets here.
		panic("mail: rendering HTML: " + err.Error())
	}
	return b.String()
}

// oneLine collapses all white space, line breaks included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// swedishList joins ["Borlänge", "Falun", "Säter"] as "Borlänge, Falun och Säter".
func swedishList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " och " + xs[len(xs)-1]
}
