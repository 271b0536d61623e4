package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes an online, consistent copy of the database to path while
// writes go on. It copies the database only, not the attachments' bytes
// of the files/ folder (BackupDir copies both). It runs VACUUM INTO on a
// connection of its own, inside one read transaction: the copy is the
// state of one commit, compacted, with no WAL beside it. The copy is
// written to a temporary file in the same directory, synced and renamed,
// so path never holds half a backup;
// an existing path is refused.
func (s *Store) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("sqlite store: backup: %s exists; choose a new file name", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sqlite store: backup: %w", err)
	}
	tmp := abs + ".partial"
	_ = os.Remove(tmp)
	db, err := sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite store: backup to %s: %w", abs, s.mapErr(err))
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncFile(filepath.Dir(abs))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
