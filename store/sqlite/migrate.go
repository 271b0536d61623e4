package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one forward step of the schema: version n is the file
// migrations/000n_*.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists every schema version in order; the schema version of
// a file is its PRAGMA user_version, len(migrations) is the newest.
var migrations = loadMigrations()

func loadMigrations() []migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var out []migration
	for i, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || n != i+1 {
			panic(fmt.Sprintf("sqlite store: migration %s out of sequence", name))
		}
		text, err := migrationFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: n, name: base, sql: string(text)})
	}
	return out
}

// SchemaVersion is the newest schema version this binary knows.
func SchemaVersion() int { return len(migrations) }

// migrate applies, in order, each migration above the file's version up
// to version to, each in its own transaction together with the new
// user_version, so a crash leaves the file at one version or the next.
func (s *Store) migrate(ctx context.Context, to int) error {
	for {
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var cur int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
			_ = tx.Rollback()
			return err
		}
		if cur > len(migrations) {
			_ = tx.Rollback()
			return fmt.Errorf("sqlite store: schema version %d is newer than this binary's %d", cur, len(migrations))
		}
		if cur >= to {
			return tx.Rollback()
		}
		m := migrations[cur]
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("sqlite store: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", appID, m.version)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite store: migration %s: %w", m.name, err)
		}
	}
}
