package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/inventera/inventera/internal/staff"
)

func runUser(ctx context.Context, env *environment, args []string) error {
	verb, args, err := subcommand(env, "user", args, "add", "list", "disable", "enable")
	if err != nil {
		return err
	}
	switch verb {
	case "list":
		return runUserList(ctx, env, args)
	case "disable":
		return runUserDisabled(ctx, env, args, true)
	case "enable":
		return runUserDisabled(ctx, env, args, false)
	}
	return runUserAdd(ctx, env, args)
}

func runUserAdd(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	email := fs.String("email", "", "e-postadress")
	name := fs.String("name", "", "namn, visas i utskick och ändringsloggen")
	role := fs.String("role", "", "samordnare, projektledare eller styrgrupp")
	kommun := fs.String("kommun", "", "projektledarens kommun")
	fromStdin := fs.Bool("password-stdin", false, "läs lösenordet från standard in")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email", "role"); err != nil {
		return err
	}
	in := staff.UserInput{Email: *email, Name: *name, Role: *role, Kommun: *kommun}
	if *fromStdin {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("inget lösenord på standard in")
		}
		in.Password = strings.TrimRight(line, "\r\n")
		if in.Password == "" {
			return fmt.Errorf("tomt lösenord på standard in")
		}
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	acc, password, err := a.staff.AddUser(ctx, staff.CommandLine(), in)
	if err != nil {
		return err
	}
	who := acc.Email
	if acc.Name != "" {
		who = acc.Name + " <" + acc.Email + ">"
	}
	fmt.Fprintf(env.stdout, "Kontot %s (%s", who, acc.RoleLabel())
	if acc.Kommun != "" {
		fmt.Fprintf(env.stdout, ", %s", acc.Kommun)
	}
	fmt.Fprintln(env.stdout, ") är skapat.")
	if password != "" {
		fmt.Fprintf(env.stdout, "Engångslösenord: %s\nDet måste bytas vid första inloggningen.\n", password)
	}
	return nil
}

func runUserList(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	accs, err := a.staff.Accounts(ctx, staff.CommandLine())
	if err != nil {
		return err
	}
	if len(accs) == 0 {
		fmt.Fprintln(env.stdout, "Det finns inga konton. Skapa ett med inventera user add.")
		return nil
	}
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "e-post\tnamn\troll\tkommun\tstatus")
	for _, acc := range accs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", acc.Email, orDash(acc.Name), acc.RoleLabel(), orDash(acc.Kommun), acc.StateLabel())
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func runUserDisabled(ctx context.Context, env *environment, args []string, disabled bool) error {
	var cfg config
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	email := fs.String("email", "", "kontots e-postadress")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email"); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	acc, err := a.staff.AccountByEmail(ctx, staff.CommandLine(), *email)
	if err != nil {
		return err
	}
	if acc, err = a.staff.SetDisabled(ctx, staff.CommandLine(), acc.ID, disabled); err != nil {
		return err
	}
	if disabled {
		fmt.Fprintf(env.stdout, "Kontot %s är avstängt och utloggat.\n", acc.Email)
	} else {
		fmt.Fprintf(env.stdout, "Kontot %s är aktiverat.\n", acc.Email)
	}
	return nil
}
