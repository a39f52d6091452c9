package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
)

func runUser(ctx context.Context, env *environment, args []string) error {
	_, args, err := subcommand(env, "user", args, "add")
	if err != nil {
		return err
	}
	var cfg config
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	email := fs.String("email", "", "e-postadress")
	role := fs.String("role", "", "samordnare, projektledare eller styrgrupp")
	kommun := fs.String("kommun", "", "projektledarens kommun")
	fromStdin := fs.Bool("password-stdin", false, "läs lösenordet från standard in")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email", "role"); err != nil {
		return err
	}
	password := ""
	if *fromStdin {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("inget lösenord på standard in")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	got, err := a.staff.AddUser(ctx, *email, *role, *kommun, password)
	if err != nil {
		return err
	}
	if *fromStdin {
		fmt.Fprintf(env.stdout, "Användaren %s (%s) är skapad.\n", strings.ToLower(*email), *role)
	} else {
		fmt.Fprintf(env.stdout, "Användaren %s (%s) är skapad. Engångslösenord: %s\n", strings.ToLower(*email), *role, got)
	}
	return nil
}
