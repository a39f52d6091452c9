package staff_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

// newService: a store with one round whose kommuner are Borlänge, Ludvika
// and Säter.
func newService(t *testing.T, kommuner ...string) *staff.Service {
	t.Helper()
	st := storetest.MustOpen(t)
	if len(kommuner) > 0 {
		r, err := st.Q(ctx).CreateRound(round.Round{Name: "Resultatstyrning 2009", HourlyRate: 280, State: round.Open, CreatedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kommuner {
			if _, err := st.Q(ctx).CreateKommun(round.Kommun{RoundID: r.ID, Name: k}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &staff.Service{Store: st, Now: func() time.Time { return time.Now().UTC() }}
}

func fieldOf(err error) string {
	var fe staff.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Field
	}
	return ""
}

func TestAddUser(t *testing.T) {
	s := newService(t, "Borlänge", "Ludvika", "Säter")
	tests := []struct {
		name    string
		in      staff.UserInput
		field   string // the field refused; "" when accepted
		message string // part of the refusal
		kommun  string // the kommun stored
		oneTime bool
	}{
		{name: "projektledare with a one-time password", in: staff.UserInput{Email: " Anna@Ludvika.SE ", Name: "  Anna   Lind ", Role: "projektledare", Kommun: "Ludvika"},
			kommun: "Ludvika", oneTime: true},
		{name: "kommun in another letter case is corrected", in: staff.UserInput{Email: "bo@ludvika.se", Role: "projektledare", Kommun: "ludvika", Password: "ett-langt-losenord"},
			kommun: "Ludvika"},
		{name: "samordnare with a chosen password", in: staff.UserInput{Email: "sam@natverk.se", Name: "Sam Ordnare", Role: "samordnare", Password: "ett-langt-losenord"}},
		{name: "typo in the kommun", in: staff.UserInput{Email: "c@ludvika.se", Role: "projektledare", Kommun: "Ludvka"},
			field: "kommun", message: "Menade du Ludvika?"},
		{name: "kommun without diacritics", in: staff.UserInput{Email: "d@sater.se", Role: "projektledare", Kommun: "Sater"},
			field: "kommun", message: "Menade du Säter?"},
		{name: "unknown kommun far from all", in: staff.UserInput{Email: "e@x.se", Role: "projektledare", Kommun: "Haparanda"},
			field: "kommun", message: "De närmaste namnen är"},
		{name: "projektledare without kommun", in: staff.UserInput{Email: "f@x.se", Role: "projektledare"},
			field: "kommun", message: "måste höra till en kommun"},
		{name: "styrgrupp with a kommun", in: staff.UserInput{Email: "g@x.se", Role: "styrgrupp", Kommun: "Borlänge"},
			field: "kommun", message: "Bara en projektledare"},
		{name: "unknown role", in: staff.UserInput{Email: "h@x.se", Role: "chef"}, field: "roll", message: "Okänd roll"},
		{name: "no role", in: staff.UserInput{Email: "h@x.se"}, field: "roll"},
		{name: "bad e-mail", in: staff.UserInput{Email: "inte-en-adress", Role: "styrgrupp"}, field: "epost"},
		{name: "e-mail with a display name", in: staff.UserInput{Email: "Anna <a@x.se>", Role: "styrgrupp"}, field: "epost"},
		{name: "duplicate e-mail", in: staff.UserInput{Email: "anna@ludvika.se", Role: "styrgrupp"}, field: "epost", message: "finns redan"},
		{name: "short password", in: staff.UserInput{Email: "i@x.se", Role: "styrgrupp", Password: "kort"}, field: "losenord", message: "minst 10"},
		{name: "password over 72 bytes", in: staff.UserInput{Email: "i@x.se", Role: "styrgrupp", Password: strings.Repeat("å", 40)}, field: "losenord"},
		{name: "name with a control character", in: staff.UserInput{Email: "j@x.se", Role: "styrgrupp", Name: "Anna\x00Lind"}, field: "namn"},
		{name: "a line break in the name becomes a space", in: staff.UserInput{Email: "j@x.se", Role: "styrgrupp", Name: "Anna\r\nLind"}, oneTime: true},
		{name: "name too long", in: staff.UserInput{Email: "k@x.se", Role: "styrgrupp", Name: strings.Repeat("a", 101)}, field: "namn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, password, err := s.AddUser(ctx, staff.CommandLine(), tt.in)
			if tt.field != "" {
				if got := fieldOf(err); got != tt.field {
					t.Fatalf("refused field %q (%v), want %q", got, err, tt.field)
				}
				if apperror.Code(err) != apperror.Invalid {
					t.Errorf("code %q, want invalid", apperror.Code(err))
				}
				if !strings.Contains(apperror.Message(err), tt.message) {
					t.Errorf("message %q lacks %q", apperror.Message(err), tt.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if acc.Kommun != tt.kommun {
				t.Errorf("kommun %q, want %q", acc.Kommun, tt.kommun)
			}
			if (password != "") != tt.oneTime || acc.MustChangePassword != tt.oneTime {
				t.Errorf("one-time password %q, must change %v; want one-time %v", password, acc.MustChangePassword, tt.oneTime)
			}
			if acc.Email != strings.ToLower(strings.TrimSpace(tt.in.Email)) || acc.Name != strings.Join(strings.Fields(tt.in.Name), " ") {
				t.Errorf("stored %q %q", acc.Email, acc.Name)
			}
		})
	}
	// Only the samordnare manages accounts.
	for _, role := range []string{"projektledare", "styrgrupp"} {
		_, _, err := s.AddUser(ctx, staff.Admin{Email: "x@x.se", Role: role}, staff.UserInput{Email: "l@x.se", Role: "styrgrupp"})
		if apperror.Code(err) != apperror.Forbidden {
			t.Errorf("%s added an account: %v", role, err)
		}
	}
	// A refused account leaves nothing behind, not even in the security log.
	accs, err := s.Accounts(ctx, staff.CommandLine())
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Store.Q(ctx).SecurityEvents(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(accs) != 4 || len(events) != 4 {
		t.Errorf("%d accounts and %d security events, want 4 of each", len(accs), len(events))
	}
	for _, e := range events {
		if e.Kind != "konto_skapat" || !strings.Contains(e.Detail, "av kommandoraden") {
			t.Errorf("security event %+v", e)
		}
	}
}

func TestAddUserBeforeAnyRound(t *testing.T) {
	s := newService(t)
	_, _, err := s.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "a@x.se", Role: "projektledare", Kommun: "Ludvika"})
	if fieldOf(err) != "kommun" || !strings.Contains(apperror.Message(err), "ingen omgång") {
		t.Errorf("projektledare before any round: %v", err)
	}
	// A samordnare needs no kommun, so can be made first.
	if _, _, err := s.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "s@x.se", Role: "samordnare"}); err != nil {
		t.Errorf("samordnare before any round: %v", err)
	}
}

func TestNearestNames(t *testing.T) {
	known := []string{"Avesta", "Borlänge", "Falun", "Gagnef", "Hedemora", "Leksand", "Ludvika", "Malung-Sälen", "Mora", "Säter", "Smedjebacken"}
	tests := []struct {
		name  string
		typos bool
		want  []string
	}{
		{"Ludvka", true, []string{"Ludvika"}},
		{"ludvikaa", true, []string{"Ludvika"}},
		{"Lduvika", true, []string{"Ludvika"}}, // a swap is one edit
		{"BORLANGE", true, []string{"Borlänge"}},
		{"Sater", true, []string{"Säter"}},
		{"Borl", true, []string{"Borlänge"}}, // what was typed begins the name
		{"Malung", true, []string{"Malung-Sälen"}},
		{"Mor", true, []string{"Mora"}},
		{"Falu", true, []string{"Falun"}},
		{"Stockholm", true, nil},
		{"Stockholm", false, []string{"Borlänge", "Hedemora", "Leksand"}}, // the nearest, however far
		{"", true, nil},
	}
	for _, tt := range tests {
		got := staff.NearestNames(tt.name, known, 3, tt.typos)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("NearestNames(%q, typos %v) = %v, want %v", tt.name, tt.typos, got, tt.want)
		}
	}
}

func TestMatchKommun(t *testing.T) {
	known := []string{"Borlänge", "Falun", "Ludvika"}
	tests := []struct {
		in, want, message string
	}{
		{"Ludvika", "Ludvika", ""},
		{" falun ", "Falun", ""},
		{"Ludvka", "", "Kommunen ”Ludvka” finns inte i någon omgång. Menade du Ludvika?"},
		{"Faluun", "", "Menade du Falun?"},
		{"Kiruna", "", "De närmaste namnen är"},
	}
	for _, tt := range tests {
		got, err := staff.MatchKommun(tt.in, known)
		if got != tt.want || (tt.message == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.message)) {
			t.Errorf("MatchKommun(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.message)
		}
	}
	if _, err := staff.MatchKommun("Falun", nil); err == nil || !strings.Contains(err.Error(), "ingen omgång") {
		t.Errorf("no rounds: %v", err)
	}
}

// login logs in and fails the test on error.
func login(t *testing.T, s *staff.Service, email, password string) staff.Session {
	t.Helper()
	sess, err := s.Login(ctx, email, password)
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return sess
}

func authenticated(s *staff.Service, sess staff.Session) bool {
	_, err := s.Authenticate(ctx, sess.Token)
	return err == nil
}

func TestOneTimePasswordAndChange(t *testing.T) {
	s := newService(t, "Ludvika")
	acc, onetime, err := s.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "pl@ludvika.se", Name: "Per Lund", Role: "projektledare", Kommun: "Ludvika"})
	if err != nil {
		t.Fatal(err)
	}
	first := login(t, s, "pl@ludvika.se", onetime)
	if !first.MustChangePassword() || first.User.LastLoginAt == nil {
		t.Fatalf("one-time login: must change %v, last login %v", first.MustChangePassword(), first.User.LastLoginAt)
	}
	second := login(t, s, "pl@ludvika.se", onetime)

	tests := []struct {
		name  string
		in    staff.PasswordChange
		field string
	}{
		{"wrong current password", staff.PasswordChange{Current: "fel-losenord", New: "ett-nytt-losenord", Repeat: "ett-nytt-losenord"}, "nuvarande"},
		{"no current password", staff.PasswordChange{New: "ett-nytt-losenord", Repeat: "ett-nytt-losenord"}, "nuvarande"},
		{"too short", staff.PasswordChange{Current: onetime, New: "kort", Repeat: "kort"}, "nytt"},
		{"same as before", staff.PasswordChange{Current: onetime, New: onetime, Repeat: onetime}, "nytt"},
		{"no new password", staff.PasswordChange{Current: onetime}, "nytt"},
		{"repeated differently", staff.PasswordChange{Current: onetime, New: "ett-nytt-losenord", Repeat: "ett-nytt-losenorD"}, "upprepa"},
	}
	for _, tt := range tests {
		err := s.ChangePassword(ctx, first, tt.in, "127.0.0.1")
		var fe staff.FieldErrors
		if !errors.As(err, &fe) || fe.For(tt.field) == "" {
			t.Errorf("%s: %v, want a fault in %s", tt.name, err, tt.field)
		}
	}
	if !authenticated(s, second) {
		t.Fatal("a refused change ended a session")
	}
	if err := s.ChangePassword(ctx, first, staff.PasswordChange{Current: onetime, New: "ett-nytt-losenord", Repeat: "ett-nytt-losenord"}, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if !authenticated(s, first) || authenticated(s, second) {
		t.Errorf("after the change: this session %v (want kept), other %v (want ended)", authenticated(s, first), authenticated(s, second))
	}
	if now, _ := s.Authenticate(ctx, first.Token); now.MustChangePassword() {
		t.Error("still must change after changing")
	}
	if _, err := s.Login(ctx, "pl@ludvika.se", onetime); err == nil {
		t.Error("the one-time password still works")
	}
	login(t, s, "pl@ludvika.se", "ett-nytt-losenord")

	// A reset gives a new one-time password and ends every session.
	admin := staff.Admin{Email: "sam@natverk.se", Role: "samordnare", Client: "10.0.0.1"}
	_, reset, err := s.ResetPassword(ctx, admin, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if authenticated(s, first) {
		t.Error("a reset kept the account's session")
	}
	if again := login(t, s, "pl@ludvika.se", reset); !again.MustChangePassword() {
		t.Error("reset password need not be changed")
	}
	kinds := securityKinds(t, s)
	for _, want := range []string{"konto_skapat", "losenord_bytt", "losenord_aterstallt"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("security log %v lacks %s", kinds, want)
		}
	}
}

func securityKinds(t *testing.T, s *staff.Service) []string {
	t.Helper()
	events, err := s.Store.Q(ctx).SecurityEvents(100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func TestDisableAndEnable(t *testing.T) {
	s := newService(t)
	sam, _, err := s.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "sam@natverk.se", Role: "samordnare", Password: "ett-langt-losenord"})
	if err != nil {
		t.Fatal(err)
	}
	sg, _, err := s.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "sg@natverk.se", Role: "styrgrupp", Password: "ett-langt-losenord"})
	if err != nil {
		t.Fatal(err)
	}
	admin := login(t, s, "sam@natverk.se", "ett-langt-losenord").Admin("10.0.0.1")
	sess := login(t, s, "sg@natverk.se", "ett-langt-losenord")

	tests := []struct {
		name     string
		by       staff.Admin
		id       int64
		disable  bool
		code     string
		disabled bool // the account's state afterwards
	}{
		{"styrgrupp may not disable", staff.Admin{Email: "sg@natverk.se", Role: "styrgrupp"}, sam.ID, true, apperror.Forbidden, false},
		{"nobody disables themselves", admin, sam.ID, true, apperror.Conflict, false},
		{"samordnare disables another", admin, sg.ID, true, "", true},
		{"disabling twice is harmless", admin, sg.ID, true, "", true},
		{"unknown account", admin, 9999, true, apperror.NotFound, false},
	}
	for _, tt := range tests {
		acc, err := s.SetDisabled(ctx, tt.by, tt.id, tt.disable)
		if tt.code != "" {
			if apperror.Code(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || acc.Disabled() != tt.disabled {
			t.Errorf("%s: disabled %v (%v), want %v", tt.name, acc.Disabled(), err, tt.disabled)
		}
	}
	if authenticated(s, sess) {
		t.Error("a disabled account's session still works")
	}
	_, err = s.Login(ctx, "sg@natverk.se", "ett-langt-losenord")
	if apperror.Code(err) != apperror.Unauthorized || !strings.Contains(apperror.Message(err), "avstängt") {
		t.Errorf("disabled login: %v", err)
	}
	// The wrong password does not reveal that the account is disabled.
	if _, err := s.Login(ctx, "sg@natverk.se", "fel-losenord-x"); strings.Contains(apperror.Message(err), "avstängt") {
		t.Error("a wrong password learned that the account is disabled")
	}
	accs, err := s.Accounts(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		if a.Email == "sg@natverk.se" && a.StateLabel() != "Avstängt" {
			t.Errorf("state %q", a.StateLabel())
		}
	}
	if _, err := s.SetDisabled(ctx, admin, sg.ID, false); err != nil {
		t.Fatal(err)
	}
	login(t, s, "sg@natverk.se", "ett-langt-losenord")
	kinds := securityKinds(t, s)
	if n := strings.Count(strings.Join(kinds, " "), "konto_avstangt"); n != 1 || !slices.Contains(kinds, "konto_aktiverat") {
		t.Errorf("security log %v: want one konto_avstangt and a konto_aktiverat", kinds)
	}
	// Nobody resets their own password as admin: they change it.
	if _, _, err := s.ResetPassword(ctx, admin, sam.ID); apperror.Code(err) != apperror.Conflict {
		t.Errorf("own reset: %v", err)
	}
}

func TestDisplayName(t *testing.T) {
	for _, tt := range []struct {
		u    store.User
		want string
	}{
		{store.User{Email: "a@x.se", Name: "Anna Lind"}, "Anna Lind"},
		{store.User{Email: "a@x.se"}, "a@x.se"}, // accounts from before names
	} {
		if got := staff.DisplayName(tt.u); got != tt.want {
			t.Errorf("DisplayName(%+v) = %q, want %q", tt.u, got, tt.want)
		}
	}
}
