// Command switchboard runs the Switchboard API server and its admin tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

const usage = `Switchboard: the team inbox backend for chatbot conversations.

Usage:
  switchboard [--config FILE] [serve]          run the API server (the default)
  switchboard [--config FILE] create-admin --email E --password P --workspace W
                                               create a workspace and its first admin
                                               (or the password in SWITCHBOARD_ADMIN_PASSWORD)
  switchboard [--config FILE] backup DIR       copy the embedded data directory to DIR, while serving
  switchboard [--config FILE] migrate --to URI [--database NAME]
                                               copy the embedded installation into MongoDB
                                               (stop the server first; resumable, verified)
  switchboard gen-vapid-keys                   print a new Web Push (VAPID) key pair as settings
  switchboard version                          print the version
  switchboard --help                           this help

Settings come from SWITCHBOARD_* environment variables, over the optional
env-style file given by --config or SWITCHBOARD_CONFIG:
`

// run is main without the process: it returns the exit code, so tests can
// drive every subcommand.
func run(ctx context.Context, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "env-style settings file (KEY=VALUE lines)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		printSettings(stderr)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *configFile == "" {
		*configFile, _ = getenv("SWITCHBOARD_CONFIG")
	}
	cmd, rest := "serve", fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "help":
		fs.Usage()
		return 0
	case "version":
		fmt.Fprintln(stdout, "switchboard", version)
		return 0
	case "gen-vapid-keys":
		return genVAPIDKeys(stdout, stderr)
	case "serve", "create-admin", "backup", "migrate":
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n", cmd)
		fs.Usage()
		return 2
	}
	cfg, err := LoadConfig(getenv, *configFile)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard: configuration error:\n%v\n", err)
		return 1
	}
	if cmd == "create-admin" {
		return createAdmin(ctx, cfg, rest, getenv, stdout, stderr)
	}
	switch cmd {
	case "backup":
		return backup(ctx, cfg, rest, stdout, stderr)
	case "migrate":
		return migrateTo(ctx, cfg, rest, stdout, stderr)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "serve takes no arguments, got %q\n", rest)
		return 2
	}
	if err := serve(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "switchboard: %v\n", err)
		return 1
	}
	return 0
}
