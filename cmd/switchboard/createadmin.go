package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// createAdmin is the create-admin subcommand: a new workspace and its admin.
// The password may come from SWITCHBOARD_ADMIN_PASSWORD instead of
// --password, which keeps it out of the process list and shell history.
func createAdmin(ctx context.Context, cfg *Config, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the admin's email (required)")
	password := fs.String("password", "", "the admin's password, at least 8 characters (required)")
	workspace := fs.String("workspace", "", "the new workspace's name (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *password == "" {
		*password, _ = getenv("SWITCHBOARD_ADMIN_PASSWORD")
	}
	var problems []string
	if !strings.Contains(*email, "@") {
		problems = append(problems, "--email must be an email address")
	}
	if n := utf8.RuneCountInString(*password); n < 8 || n > 1024 {
		problems = append(problems, "--password (or SWITCHBOARD_ADMIN_PASSWORD) must be 8 to 1024 characters")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(*workspace)); n < 1 || n > 100 {
		problems = append(problems, "--workspace must be 1 to 100 characters")
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "create-admin: %s\n", strings.Join(problems, "; "))
		return 2
	}
	a, err := openApp(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard: %v\n", err)
		return 1
	}
	defer func() {
		sctx, cancel := shutdownCtx(cfg.ShutdownTimeout)
		defer cancel()
		a.close(sctx)
	}()
	m, ws, err := a.auth.CreateAdmin(ctx, *email, *password, strings.TrimSpace(*workspace))
	if err != nil {
		fmt.Fprintf(stderr, "create-admin: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "created workspace %q (%s) with admin %s (%s)\n", ws.Name, ws.ID, m.Email, m.ID)
	return 0
}
