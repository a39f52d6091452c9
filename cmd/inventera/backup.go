package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func runBackup(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	out := fs.String("out", "", "fil att skriva kopian till; får inte finnas")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "out"); err != nil {
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s finns redan; välj ett nytt filnamn", *out)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.store.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Kopia skriven till %s\n", *out)
	return nil
}
