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
	return backupFile(ctx, s.path, path, s.mapErr)
}

// BackupFile is Backup for a process that does not hold the store open:
// the copy of the database in dir while another process (the server)
// serves and writes it. It opens no Store, so it runs no start check and
// no migration and never takes the write lock, which a busy writer could
// keep it from getting: in WAL mode its read transaction waits for no
// writer. It refuses a directory without a database, a file of another
// application and one of a newer schema.
func BackupFile(ctx context.Context, dir, path string) error {
	src := filepath.Join(dir, FileName)
	if st, err := os.Stat(src); err != nil || st.Size() == 0 {
		return fmt.Errorf("sqlite store: backup: no database at %s; point SWITCHBOARD_DATA_DIR at the data directory", src)
	}
	return backupFile(ctx, src, path, func(err error) error { return err })
}

// backupFile copies the database file src to path (see Backup).
func backupFile(ctx context.Context, src, path string, mapErr func(error) error) error {
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
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var app, version int
	err = db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	switch {
	case err != nil:
		return fmt.Errorf("sqlite store: backup: reading %s: %w", src, mapErr(err))
	case app != appID:
		return &Fault{Cause: ErrForeign, Path: src, Detail: fmt.Sprintf("application id %#x is not Switchboard's", app),
			Fix: "point SWITCHBOARD_DATA_DIR at Switchboard's data directory"}
	case version > len(migrations):
		return &Fault{Cause: ErrNewerSchema, Path: src,
			Detail: fmt.Sprintf("schema version %d, this binary knows up to %d", version, len(migrations)),
			Fix:    "back it up with the newer switchboard that wrote it"}
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite store: backup to %s: %w", abs, mapErr(err))
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
