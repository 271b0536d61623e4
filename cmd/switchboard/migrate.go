package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/migrate"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// openEmbedded opens the embedded SQLite store of cfg.DataDir for an
// admin task, refusing a directory that holds none (Open would create one).
func openEmbedded(ctx context.Context, cfg *Config) (*sqlite.Store, error) {
	path := filepath.Join(cfg.DataDir, sqlite.FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no embedded database at %s; set SWITCHBOARD_DATA_DIR to the data directory of the installation", path)
	} else if err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, cfg.DataDir, sqlite.Options{})
}

// backup is the backup subcommand: an online, consistent copy of the
// embedded data directory (the database and the attachments' bytes) into
// a new directory, while a server may be running on it
// (sqlite.BackupDataDir: a read transaction, no write lock, no migration).
func backup(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: switchboard backup DIR   (DIR must not exist)")
		return 2
	}
	if err := sqlite.BackupDataDir(ctx, cfg.DataDir, args[0]); err != nil {
		fmt.Fprintf(stderr, "backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s; to restore, stop the server and point SWITCHBOARD_DATA_DIR at it\n", cfg.DataDir, args[0])
	return 0
}

// migrateTo is the migrate subcommand: copy the embedded installation of
// SWITCHBOARD_DATA_DIR into the MongoDB database at --to.
func migrateTo(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "MongoDB connection string of the target (required)")
	database := fs.String("database", cfg.Database, "target database name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: switchboard migrate --to mongodb://HOST:27017/ [--database NAME]")
		return 2
	}
	src, err := openEmbedded(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
	defer func() { _ = src.Close() }()
	dst, err := store.Open(ctx, store.Options{URI: *to, Database: *database, ConnectTimeout: cfg.ConnectTimeout})
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", strings.ReplaceAll(err.Error(), "SWITCHBOARD_MONGODB_URI", "--to"))
		return 1
	}
	defer func() {
		sctx, cancel := shutdownCtx(cfg.ShutdownTimeout)
		defer cancel()
		_ = dst.Close(sctx)
	}()
	fmt.Fprintf(stdout, "copying %s into database %q at %s\n", src.Path(), *database, store.RedactURI(*to))
	rep, err := migrate.Copy(ctx, src, dst, migrate.Options{Progress: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		if !errors.Is(err, migrate.ErrForeignTarget) {
			fmt.Fprintln(stderr, "migrate: run the same command again to continue where the copy stopped")
		}
		return 1
	}
	if rep.AlreadyDone {
		fmt.Fprintln(stdout, "nothing to copy: this installation was copied before, and the copy verifies")
	} else {
		fmt.Fprintf(stdout, "copied and verified; start the server with SWITCHBOARD_MONGODB_URI=%s SWITCHBOARD_MONGODB_DATABASE=%s\n",
			store.RedactURI(*to), *database)
	}
	return 0
}
