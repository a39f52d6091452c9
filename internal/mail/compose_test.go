package mail

import (
	"strings"
	"testing"
)

func bergslagen() Invitation {
	return Invitation{
		RoundName: "Resultatstyrning 2009",
		UnitName:  "Socialförvaltningen",
		ChefName:  "Karin Berg",
		Link:      "https://inventera.example/svar/Qx7kP2mN9vR4tY8wZ1aB",
		Deadline:  "2009-12-18",
		Contact:   Contact{Name: "Anna Lind", Email: "anna.lind@falun.example"},
		Kommuner:  []string{"Falun"},
	}
}

func TestComposeSubject(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Invitation)
		want string
	}{
		{"invitation", func(*Invitation) {}, "Inventering av utvärderingar: Socialförvaltningen"},
		{"reminder", func(i *Invitation) { i.Reminder = true }, "Påminnelse: Inventering av utvärderingar: Socialförvaltningen"},
		{"new link", func(i *Invitation) { i.NewLink = true }, "Ny länk: Inventering av utvärderingar: Socialförvaltningen"},
		{"line break in unit name", func(i *Invitation) { i.UnitName = "Social-\r\nförvaltningen " }, "Inventering av utvärderingar: Social- förvaltningen"},
		{"no unit name", func(i *Invitation) { i.UnitName = "" }, "Inventering av utvärderingar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := bergslagen()
			tt.edit(&inv)
			m := Compose(inv)
			if m.Subject != tt.want {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.want)
			}
			if hasLineBreak(m.Subject) || hasLineBreak(m.ToName) {
				t.Errorf("header value with a line break: %q %q", m.Subject, m.ToName)
			}
		})
	}
}

func TestComposeText(t *testing.T) {
	const deadline = "Sista dag att svara är 2009-12-18."
	tests := []struct {
		name    string
		edit    func(*Invitation)
		want    []string
		notWant []string
	}{
		{
			name: "invitation",
			edit: func(*Invitation) {},
			want: []string{
				"Hej Karin Berg!",
				"verksamhetschef för Socialförvaltningen i Falun",
				"Resultatstyrning 2009",
				"ett formulär för varje utvärdering",
				"utkast",
				"Skicka in",
				"”inga utvärderingar”",
				"avböjer du och anger varför",
				"\nhttps://inventera.example/svar/Qx7kP2mN9vR4tY8wZ1aB\n",
				"Länken är personlig och ska inte vidarebefordras.",
				deadline,
				"Frågor? Kontakta projektledaren Anna Lind, anna.lind@falun.example.",
			},
			notWant: []string{"påminnelse"},
		},
		{
			name:    "no deadline",
			edit:    func(i *Invitation) { i.Deadline = "" },
			want:    []string{"Hej Karin Berg!", "\nhttps://inventera.example/svar/Qx7kP2mN9vR4tY8wZ1aB\n"},
			notWant: []string{"Sista dag"},
		},
		{
			name: "reminder",
			edit: func(i *Invitation) { i.Reminder = true },
			want: []string{"Hej Karin Berg!", "påminnelse", "inventeringen Resultatstyrning 2009 från Socialförvaltningen i Falun", deadline},
		},
		{
			name:    "new link",
			edit:    func(i *Invitation) { i.NewLink = true },
			want:    []string{"Hej Karin Berg!", "ny personlig länk till inventeringen Resultatstyrning 2009 för Socialförvaltningen i Falun", "Den tidigare länken fungerar inte längre", "\nhttps://inventera.example/svar/Qx7kP2mN9vR4tY8wZ1aB\n", deadline},
			notWant: []string{"påminnelse", "Du får det här brevet som verksamhetschef"},
		},
		{
			name: "joint unit",
			edit: func(i *Invitation) {
				i.UnitName = "Räddningstjänsten Dala Mitt"
				i.Kommuner = []string{"Borlänge", "Falun", "Säter"}
			},
			want: []string{"Räddningstjänsten Dala Mitt i Borlänge, Falun och Säter"},
		},
		{
			name: "two kommuner",
			edit: func(i *Invitation) { i.Kommuner = []string{"Ludvika", " Smedjebacken "} },
			want: []string{"Socialförvaltningen i Ludvika och Smedjebacken."},
		},
		{
			name:    "contact without name",
			edit:    func(i *Invitation) { i.Contact.Name = "" },
			want:    []string{"Frågor? Kontakta projektledaren, anna.lind@falun.example."},
			notWant: []string{"Med vänlig hälsning"},
		},
		{
			name:    "no chef name, no contact",
			edit:    func(i *Invitation) { i.ChefName = ""; i.Contact = Contact{} },
			want:    []string{"Hej!"},
			notWant: []string{"Frågor?", "Hej !"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := bergslagen()
			tt.edit(&inv)
			m := Compose(inv)
			for _, w := range tt.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(m.Text, w) || strings.Contains(m.HTML, w) {
					t.Errorf("message contains %q:\n%s", w, m.Text)
				}
			}
			if strings.Contains(m.Text, "<") {
				t.Errorf("text part has markup:\n%s", m.Text)
			}
		})
	}
}

func TestComposeFields(t *testing.T) {
	m := Compose(bergslagen())
	if m.To != "" || m.ToName != "Karin Berg" || m.ReplyTo != "anna.lind@falun.example" {
		t.Errorf("To %q ToName %q ReplyTo %q", m.To, m.ToName, m.ReplyTo)
	}
	inv := bergslagen()
	inv.Contact.Email = "inte en adress"
	if m := Compose(inv); m.ReplyTo != "" {
		t.Errorf("ReplyTo %q from an invalid contact address", m.ReplyTo)
	}
}

func TestComposeHTML(t *testing.T) {
	inv := bergslagen()
	inv.UnitName = "<b>X</b>"
	inv.ChefName = `Eva "Evil" <script>alert(1)</script>`
	inv.Link = "https://inventera.example/svar/abc?x=1&y=2"
	m := Compose(inv)

	for _, bad := range []string{"<b>X</b>", "<script>"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML contains unescaped %q:\n%s", bad, m.HTML)
		}
	}
	for _, want := range []string{
		"&lt;b&gt;X&lt;/b&gt;",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		`<a href="https://inventera.example/svar/abc?x=1&amp;y=2"`,
		`>https://inventera.example/svar/abc?x=1&amp;y=2</a>`,
		`<a href="mailto:anna.lind@falun.example"`,
		`<html lang="sv">`,
		"Sista dag att svara är 2009-12-18.",
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	// The text part is plain: the unit name appears as typed.
	if !strings.Contains(m.Text, "för <b>X</b> i Falun") {
		t.Errorf("text part:\n%s", m.Text)
	}

	inv.Link = "javascript:alert(1)"
	if m := Compose(inv); strings.Contains(m.HTML, `href="javascript:`) {
		t.Errorf("HTML links a javascript: URL:\n%s", m.HTML)
	}
}

func TestSwedishList(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"Falun"}, "Falun"},
		{[]string{"Ludvika", "Smedjebacken"}, "Ludvika och Smedjebacken"},
		{[]string{"Borlänge", "Falun", "Säter"}, "Borlänge, Falun och Säter"},
	}
	for _, tt := range tests {
		if got := swedishList(tt.in); got != tt.want {
			t.Errorf("swedishList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
