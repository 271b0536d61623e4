package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// BackupDataDir is BackupDir for a process that does not hold the store
// open (`switchboard backup` beside a running server): the database of
// dataDir as BackupFile copies it, then the bytes of every file 'stored'
// in that copy, each checked against the size and hash its row records,
// into dir, built in dir.partial and renamed when complete. It cannot
// make the server's removals wait as BackupDir does: a file whose bytes
// the server removed after the copy's moment (its row there is now
// 'deleting' or gone) is marked 'deleting' in the copy, which its first
// Open sweeps, as the delete under way would have finished; bytes
// missing for a file the server still holds as stored are damage, and
// fail the backup.
func BackupDataDir(ctx context.Context, dataDir, dir string) error {
	return buildBackupDir(dir, func(tmp string) error { return backupDataDirInto(ctx, dataDir, tmp) })
}

// afterDataDirCopy, when set, runs after BackupDataDir copied the
// database and before the files: tests change the live store there.
var afterDataDirCopy func()

func backupDataDirInto(ctx context.Context, dataDir, tmp string) error {
	if err := BackupFile(ctx, dataDir, filepath.Join(tmp, FileName)); err != nil {
		return err
	}
	if afterDataDirCopy != nil {
		afterDataDirCopy()
	}
	cp, err := sql.Open("sqlite", "file:"+filepath.Join(tmp, FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer cp.Close()
	cp.SetMaxOpenConns(1)
	type stored struct {
		id, sum string
		size    int64
	}
	var files []stored
	rows, err := cp.QueryContext(ctx, `SELECT id, size, sha256 FROM files WHERE state = ?`, stateStored)
	if err != nil {
		return fmt.Errorf("sqlite store: backup: reading the copy: %w", err)
	}
	for rows.Next() {
		var f stored
		if err := rows.Scan(&f.id, &f.size, &f.sum); err != nil {
			rows.Close()
			return err
		}
		files = append(files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	live, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, FileName)+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer live.Close()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		src := filepath.Join(dataDir, filesDir, fileName(f.id))
		err := copyChecked(src, filepath.Join(tmp, filesDir, fileName(f.id)), f.size, f.sum)
		if !errors.Is(err, fs.ErrNotExist) {
			if err != nil {
				return fmt.Errorf("sqlite store: backup of file %s: %w", f.id, err)
			}
			continue
		}
		var state string
		serr := live.QueryRowContext(ctx, `SELECT state FROM files WHERE id = ?`, f.id).Scan(&state)
		if serr == nil && state == stateStored {
			return fmt.Errorf("sqlite store: backup of file %s: its bytes are missing (%w): the data directory is damaged", f.id, err)
		}
		if serr != nil && !errors.Is(serr, sql.ErrNoRows) {
			return fmt.Errorf("sqlite store: backup of file %s: %w", f.id, serr)
		}
		if _, err := cp.ExecContext(ctx, `UPDATE files SET state = ? WHERE id = ?`, stateDeleting, f.id); err != nil {
			return fmt.Errorf("sqlite store: backup of file %s: %w", f.id, err)
		}
	}
	if err := cp.Close(); err != nil {
		return err
	}
	if err := syncFile(filepath.Join(tmp, FileName)); err != nil {
		return err
	}
	if err := syncFile(filepath.Join(tmp, filesDir)); err != nil {
		return err
	}
	return syncFile(tmp)
}
