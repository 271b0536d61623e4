package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// BackupDir writes an online, consistent copy of the whole data directory
// to dir, which must not exist: the database as Backup copies it
// (dir/switchboard.db) and the bytes of every file 'stored' in that copy
// (dir/files/), each checked against the size and SHA-256 its row
// records, so the copy refers to no missing or damaged bytes. Removals of
// stored bytes (DeleteFile, SweepFiles) wait until the copy is done; the
// copied database may hold rows of unfinished uploads and deletes, which
// the first Open of the copy sweeps once they are past the grace period.
// The copy is built in dir.partial and renamed to dir when complete.
//
// To restore, stop the server and make the copy the data directory:
// point SWITCHBOARD_DATA_DIR at it, or move its switchboard.db and files/
// into an empty data directory (no switchboard.db-wal or -shm of another
// database beside them).
func (s *Store) BackupDir(ctx context.Context, dir string) error {
	return buildBackupDir(dir, func(tmp string) error { return s.backupInto(ctx, tmp) })
}

// buildBackupDir makes the backup directory dir: fill writes the copy
// into dir.partial (with its files/ folder made), which is renamed to dir
// when complete; a dir that exists is refused, and a failed fill leaves
// nothing.
func buildBackupDir(dir string, fill func(tmp string) error) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("sqlite store: backup: %s exists; choose a new directory", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sqlite store: backup: %w", err)
	}
	tmp := abs + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("sqlite store: backup: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, filesDir), 0o700); err != nil {
		return fmt.Errorf("sqlite store: backup: %w", err)
	}
	if err := fill(tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	return syncFile(filepath.Dir(abs))
}

// backupInto copies the database and then the stored files it refers to
// into the directory tmp, holding unlink so that none of those files is
// removed before it is copied.
func (s *Store) backupInto(ctx context.Context, tmp string) error {
	s.unlink.Lock()
	defer s.unlink.Unlock()
	dbPath := filepath.Join(tmp, FileName)
	if err := s.Backup(ctx, dbPath); err != nil {
		return err
	}
	s.step("backup:database")
	type stored struct {
		id, sum string
		size    int64
	}
	var files []stored
	err := func() error {
		db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&immutable=1")
		if err != nil {
			return err
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, `SELECT id, size, sha256 FROM files WHERE state = ?`, stateStored)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f stored
			if err := rows.Scan(&f.id, &f.size, &f.sum); err != nil {
				return err
			}
			files = append(files, f)
		}
		return rows.Err()
	}()
	if err != nil {
		return fmt.Errorf("sqlite store: backup: reading the copy: %w", err)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyChecked(s.finalPath(f.id), filepath.Join(tmp, filesDir, fileName(f.id)), f.size, f.sum); err != nil {
			return fmt.Errorf("sqlite store: backup of file %s: %w", f.id, err)
		}
	}
	if err := syncFile(filepath.Join(tmp, filesDir)); err != nil {
		return err
	}
	return syncFile(tmp)
}

// copyChecked copies src to the new file dst and syncs it, failing unless
// the bytes are size long with SHA-256 sum (hex).
func copyChecked(src, dst string, size int64, sum string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil && (n != size || hex.EncodeToString(h.Sum(nil)) != sum) {
		err = fmt.Errorf("the bytes in %s (%d) differ from the size (%d) or hash the database records: the data directory is damaged", src, n, size)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
