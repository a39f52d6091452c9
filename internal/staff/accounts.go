package staff

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/store"
)

// Admin is who manages accounts: a logged-in samordnare, or the command
// line. Every account action checks it here and names it in the security
// log.
type Admin struct {
	Email  string // the acting account; "" for the command line
	Role   string
	Client string // the client's address, for the security log
}

// CommandLine is the command line as admin: whoever may run inventera on
// the database may manage its accounts.
func CommandLine() Admin { return Admin{Role: Samordnare, Client: "kommandoraden"} }

func (a Admin) name() string {
	if a.Email == "" {
		return "kommandoraden"
	}
	return a.Email
}

func (a Admin) require() error {
	if a.Role != Samordnare {
		return apperror.New(apperror.Forbidden, "Det är bara samordnaren som hanterar konton.")
	}
	return nil
}

// Account is a staff account as the account list shows it.
type Account struct {
	store.User
}

// DisplayName is the account's name, or its e-mail address for accounts made
// before accounts had names.
func DisplayName(u store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// DisplayName is the account's name, or its e-mail address.
func (a Account) DisplayName() string { return DisplayName(a.User) }

// RoleLabel is the account's role in Swedish.
func (a Account) RoleLabel() string { return RoleLabel(a.Role) }

// Disabled tells whether the account may not log in.
func (a Account) Disabled() bool { return a.DisabledAt != nil }

// StateLabel is the account's state in Swedish.
func (a Account) StateLabel() string {
	switch {
	case a.Disabled():
		return "Avstängt"
	case a.MustChangePassword:
		return "Engångslösenord (byts vid inloggning)"
	}
	return "Aktivt"
}

// FieldError is a fault in one field of a form.
type FieldError struct {
	Field   string // the form field's name
	Message string
}

// FieldErrors are the faults of an input, each tied to its field. As an
// error it is an apperror.Invalid whose message lists every fault.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, " ")
}

// Unwrap makes the faults an apperror.Invalid.
func (fe FieldErrors) Unwrap() error { return apperror.New(apperror.Invalid, "%s", fe.Error()) }

// For returns the message for a field, "" when it is fine.
func (fe FieldErrors) For(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func (fe *FieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// UserInput is a new account as typed in the web form or given on the
// command line. Its form fields are namn, epost, roll, kommun and losenord.
type UserInput struct {
	Email    string
	Name     string
	Role     string
	Kommun   string // a projektledare's kommun; must be known to some round
	Password string // "" generates a one-time password
}

const maxNameLength = 100

// AddUser creates an account. Without a password it generates a one-time
// password, which the account must change at its first login, and returns
// it; with one it returns "". A projektledare's kommun must be one that a
// round knows, spelled as the round spells it (letter case is corrected);
// otherwise the nearest known names are suggested.
func (s *Service) AddUser(ctx context.Context, by Admin, in UserInput) (Account, string, error) {
	if err := by.require(); err != nil {
		return Account{}, "", err
	}
	var errs FieldErrors
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email, "@") || len(email) > 254 {
		if email == "" {
			errs.add("epost", "Skriv kontots e-postadress.")
		} else {
			errs.add("epost", "”%s” är ingen giltig e-postadress.", email)
		}
	}
	name := strings.Join(strings.Fields(in.Name), " ")
	if strings.ContainsFunc(name, unicode.IsControl) {
		errs.add("namn", "Namnet får inte innehålla styrtecken.")
	} else if len([]rune(name)) > maxNameLength {
		errs.add("namn", "Namnet är för långt: högst %d tecken.", maxNameLength)
	}
	kommun := strings.Join(strings.Fields(in.Kommun), " ")
	switch in.Role {
	case Samordnare, Styrgrupp:
		if kommun != "" {
			errs.add("kommun", "Bara en projektledare hör till en kommun; lämna kommunen tom för %s.", strings.ToLower(RoleLabel(in.Role)))
		}
	case Projektledare:
		if kommun == "" {
			errs.add("kommun", "En projektledare måste höra till en kommun.")
		}
	case "":
		errs.add("roll", "Välj en roll: samordnare, projektledare eller styrgrupp.")
	default:
		errs.add("roll", "Okänd roll ”%s”: välj samordnare, projektledare eller styrgrupp.", in.Role)
	}
	password, oneTime := in.Password, in.Password == ""
	if oneTime {
		password = RandomToken(12)
	} else if msg := passwordFault(password); msg != "" {
		errs.add("losenord", "%s", msg)
	}
	var created store.User
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		if in.Role == Projektledare && kommun != "" {
			known, err := q.KommunNames()
			if err != nil {
				return err
			}
			if kommun, err = MatchKommun(kommun, known); err != nil {
				errs.add("kommun", "%s", apperror.Message(err))
			}
		}
		if len(errs) > 0 {
			return errs
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
		if err != nil {
			return fmt.Errorf("staff: hash password: %w", err)
		}
		created, err = q.CreateUser(store.User{Email: email, Name: name, PasswordHash: string(hash), Role: in.Role,
			Kommun: kommun, CreatedAt: s.Now(), MustChangePassword: oneTime})
		if err != nil {
			if apperror.Code(err) == apperror.Conflict {
				return FieldErrors{{Field: "epost", Message: apperror.Message(err)}}
			}
			return err
		}
		detail := fmt.Sprintf("roll %s", RoleLabel(in.Role))
		if kommun != "" {
			detail += ", " + kommun
		}
		if oneTime {
			detail += ", engångslösenord"
		}
		return s.securityLog(q, by, "konto_skapat", email, detail)
	})
	if err != nil {
		return Account{}, "", err
	}
	if !oneTime {
		password = ""
	}
	return Account{created}, password, nil
}

// passwordFault says what is wrong with a chosen password, "" when nothing.
func passwordFault(p string) string {
	switch {
	case len([]rune(p)) < MinPasswordLength:
		return fmt.Sprintf("Lösenordet måste ha minst %d tecken.", MinPasswordLength)
	case len(p) > 72:
		return "Lösenordet är för långt: högst 72 byte (ungefär 70 tecken)."
	}
	return ""
}

// Accounts lists every staff account by e-mail.
func (s *Service) Accounts(ctx context.Context, by Admin) ([]Account, error) {
	if err := by.require(); err != nil {
		return nil, err
	}
	users, err := s.Store.Q(ctx).Users()
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(users))
	for i, u := range users {
		out[i] = Account{u}
	}
	return out, nil
}

// Account returns one account.
func (s *Service) Account(ctx context.Context, by Admin, id int64) (Account, error) {
	if err := by.require(); err != nil {
		return Account{}, err
	}
	u, err := s.Store.Q(ctx).UserByID(id)
	if err != nil {
		return Account{}, err
	}
	return Account{u}, nil
}

// AccountByEmail finds an account for the command line.
func (s *Service) AccountByEmail(ctx context.Context, by Admin, email string) (Account, error) {
	if err := by.require(); err != nil {
		return Account{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.Store.Q(ctx).UserByEmail(email)
	if apperror.Code(err) == apperror.NotFound {
		return Account{}, apperror.New(apperror.NotFound, "Det finns inget konto med e-postadressen %s.", email)
	}
	if err != nil {
		return Account{}, err
	}
	return Account{u}, nil
}

// KommunNames lists the kommuner a projektledare may belong to: those of
// any round.
func (s *Service) KommunNames(ctx context.Context, by Admin) ([]string, error) {
	if err := by.require(); err != nil {
		return nil, err
	}
	return s.Store.Q(ctx).KommunNames()
}

// SetDisabled disables an account, which ends its sessions and refuses its
// logins, or enables it again. Nobody disables their own account, so the
// web always keeps a samordnare who can enable the others.
func (s *Service) SetDisabled(ctx context.Context, by Admin, id int64, disabled bool) (Account, error) {
	if err := by.require(); err != nil {
		return Account{}, err
	}
	var acc Account
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(id)
		if err != nil {
			return err
		}
		acc = Account{u}
		if disabled && u.Email == by.Email {
			return apperror.New(apperror.Conflict, "Du kan inte stänga av ditt eget konto. Be en annan samordnare om det.")
		}
		if acc.Disabled() == disabled {
			return nil
		}
		now := s.Now()
		kind := "konto_aktiverat"
		if disabled {
			kind = "konto_avstangt"
			acc.DisabledAt = &now
			if err := q.SetUserDisabled(u.ID, &now); err != nil {
				return err
			}
			if err := q.DeleteUserSessions(u.ID, 0); err != nil {
				return err
			}
		} else {
			acc.DisabledAt = nil
			if err := q.SetUserDisabled(u.ID, nil); err != nil {
				return err
			}
		}
		return s.securityLog(q, by, kind, u.Email, "")
	})
	return acc, err
}

// ResetPassword gives another account a new one-time password, which it must
// change at its next login, and ends the account's sessions. The password is
// returned to be handed over once; it is stored only as a bcrypt hash.
func (s *Service) ResetPassword(ctx context.Context, by Admin, id int64) (Account, string, error) {
	if err := by.require(); err != nil {
		return Account{}, "", err
	}
	password := RandomToken(12)
	var acc Account
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(id)
		if err != nil {
			return err
		}
		if u.Email == by.Email {
			return apperror.New(apperror.Conflict, "Ditt eget lösenord byter du under ”Byt lösenord”.")
		}
		if err := setPassword(q, u.ID, password, true); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(u.ID, 0); err != nil {
			return err
		}
		u.MustChangePassword = true
		acc = Account{u}
		return s.securityLog(q, by, "losenord_aterstallt", u.Email, "engångslösenord")
	})
	if err != nil {
		return Account{}, "", err
	}
	return acc, password, nil
}

// SetPassword gives an account a chosen password (not a one-time one) and
// ends its sessions: the demo's samordnare, whose password serve --demo
// prints.
func (s *Service) SetPassword(ctx context.Context, by Admin, email, password string) error {
	if err := by.require(); err != nil {
		return err
	}
	if msg := passwordFault(password); msg != "" {
		return apperror.New(apperror.Invalid, "%s", msg)
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByEmail(strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			return err
		}
		if err := setPassword(q, u.ID, password, false); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(u.ID, 0); err != nil {
			return err
		}
		return s.securityLog(q, by, "losenord_satt", u.Email, "")
	})
}

// PasswordChange is the own-password form: the current password, the new
// one and the new one repeated (form fields nuvarande, nytt, upprepa).
type PasswordChange struct {
	Current, New, Repeat string
}

// ChangePassword lets a logged-in staff member choose a new password. It
// ends the account's other sessions and lifts the demand to change a
// one-time password. Faults come back as FieldErrors.
func (s *Service) ChangePassword(ctx context.Context, sess Session, in PasswordChange, client string) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(sess.User.ID)
		if err != nil {
			return err
		}
		var errs FieldErrors
		if in.Current == "" {
			errs.add("nuvarande", "Skriv ditt nuvarande lösenord.")
		} else if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.Current)) != nil {
			errs.add("nuvarande", "Det nuvarande lösenordet stämmer inte.")
		}
		switch {
		case in.New == "":
			errs.add("nytt", "Skriv ett nytt lösenord.")
		case passwordFault(in.New) != "":
			errs.add("nytt", "%s", passwordFault(in.New))
		case in.New == in.Current:
			errs.add("nytt", "Välj ett annat lösenord än det nuvarande.")
		}
		if in.New != "" && in.Repeat != in.New {
			errs.add("upprepa", "Lösenorden är inte lika. Skriv samma nya lösenord två gånger.")
		}
		if len(errs) > 0 {
			return errs
		}
		if err := setPassword(q, u.ID, in.New, false); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(u.ID, sess.ID); err != nil {
			return err
		}
		return q.LogSecurity(store.SecurityEvent{At: s.Now(), Kind: "losenord_bytt", Subject: u.Email, Client: client})
	})
}

func setPassword(q *store.Queries, id int64, password string, oneTime bool) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("staff: hash password: %w", err)
	}
	return q.SetPassword(id, string(hash), oneTime)
}

func (s *Service) securityLog(q *store.Queries, by Admin, kind, subject, detail string) error {
	d := "av " + by.name()
	if detail != "" {
		d = detail + "; " + d
	}
	return q.LogSecurity(store.SecurityEvent{At: s.Now(), Kind: kind, Subject: subject, Client: by.Client, Detail: d})
}
