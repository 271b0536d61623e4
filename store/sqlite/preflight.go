package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// preflight runs every check Open makes before it writes anything, and
// takes the directory's lock (held when it returns nil).
func preflight(ctx context.Context, dir, path string, opts Options) (lock *dirLock, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
			return nil, readOnlyFault(dir, err)
		}
		return nil, fmt.Errorf("data directory %s cannot be created (%w); point SWITCHBOARD_DATA_DIR at a directory this user can create and write", dir, err)
	}
	if err := probeWritable(dir); err != nil {
		return nil, err
	}
	if lock, err = lockDir(dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.abandon()
			lock = nil
		}
	}()
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lock, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if st.Size() == 0 {
		return lock, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, readOnlyFault(path, err)
	}
	_ = f.Close()
	return lock, inspect(ctx, path, st.Size(), opts)
}

// MinFreeSpace is the room a start needs in the data directory: Open
// writes that much into a probe file (then removes it) and refuses a
// directory where it does not fit. SQLite needs room at once, for the
// shared-memory index (32 KiB) and the WAL, and a server that starts on
// a full disk only fails its first write; a start refused with the cause
// named is the better answer.
const MinFreeSpace = 1 << 20

// probeWritable creates a file in dir, writes MinFreeSpace bytes to it
// and removes it: SQLite needs to create the WAL and shared-memory files
// beside the database, and room to write them. The probe is removed
// whatever happens, so a refusal leaves the directory as it was.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-probe-*")
	if err != nil {
		if isNoSpace(err) {
			return diskFullFault(dir, err)
		}
		return readOnlyFault(dir, err)
	}
	name := f.Name()
	_, err = f.Write(make([]byte, MinFreeSpace))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	switch {
	case err == nil:
		return nil
	case isNoSpace(err):
		return diskFullFault(dir, err)
	case errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err):
		return readOnlyFault(dir, err)
	}
	return fmt.Errorf("sqlite store: writing a probe in %s: %w", dir, err)
}

// isNoSpace reports a full disk or an exhausted quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func diskFullFault(dir string, err error) error {
	return &Fault{Cause: ErrDiskFull, Path: dir, Err: err,
		Detail: fmt.Sprintf("less than %d KiB free to write (%v); nothing was changed", MinFreeSpace>>10, err),
		Fix:    "free space on the disk holding the data directory, or point SWITCHBOARD_DATA_DIR at a disk with room, then start again"}
}

func isReadOnlyFS(err error) bool {
	return err != nil && strings.Contains(err.Error(), "read-only file system")
}

func readOnlyFault(path string, err error) error {
	return &Fault{Cause: ErrReadOnly, Path: path, Err: err,
		Detail: "cannot write there (" + err.Error() + ")",
		Fix: "make it writable by the user running switchboard, or point SWITCHBOARD_DATA_DIR " +
			"at a writable directory"}
}

// inspect opens an existing file read-only and checks that it is ours,
// of a schema version this binary knows, and consistent. Without a WAL
// file beside it (a clean shutdown) the file is opened immutable, so the
// check creates no file at all; with one (a crash, or another process on
// it) the WAL's commits are part of the database and must be read, which
// needs SQLite's shared-memory index beside it.
//
// Reading a WAL creates the shared-memory file when it is missing; it
// holds no data (SQLite rebuilds it from the WAL), and inspect removes
// the one it created, so a refusal leaves the directory as it found it.
func inspect(ctx context.Context, path string, size int64, opts Options) error {
	_, err := os.Stat(path + "-wal")
	clean := errors.Is(err, fs.ErrNotExist)
	if clean {
		return check(ctx, path, "file:"+path+"?immutable=1", clean, size, opts)
	}
	if _, err := os.Stat(path + "-shm"); errors.Is(err, fs.ErrNotExist) {
		defer os.Remove(path + "-shm")
	}
	return check(ctx, path, "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)", clean, size, opts)
}

func check(ctx context.Context, path, dsn string, clean bool, size int64, opts Options) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var app, version, objects int
	err = db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects)
	}
	if err != nil {
		if c := sqliteCode(err); c == sqliteNotADB || c == sqliteCorrupt {
			return corruptFault(path, err.Error(), err)
		}
		return fmt.Errorf("sqlite store: reading %s: %w", path, err)
	}
	if app != 0 && app != appID {
		return &Fault{Cause: ErrForeign, Path: path,
			Detail: fmt.Sprintf("application id %#x is not Switchboard's", app),
			Fix:    "point SWITCHBOARD_DATA_DIR at Switchboard's data directory or move the file away"}
	}
	if version > len(migrations) {
		return &Fault{Cause: ErrNewerSchema, Path: path,
			Detail: fmt.Sprintf("schema version %d, this binary knows up to %d", version, len(migrations)),
			Fix:    "run the newer switchboard that wrote it (versions never go back), or restore a backup taken by this version"}
	}
	var pragma string
	switch opts.Check {
	case NoCheck:
		return nil
	case FullCheck:
		pragma = "PRAGMA integrity_check(20)"
	case QuickCheck:
		pragma = "PRAGMA quick_check(20)"
	default:
		if clean && size > opts.QuickCheckBelow {
			return nil
		}
		pragma = "PRAGMA quick_check(20)"
	}
	rows, err := db.QueryContext(ctx, pragma)
	if err != nil {
		if c := sqliteCode(err); c == sqliteNotADB || c == sqliteCorrupt {
			return corruptFault(path, err.Error(), err)
		}
		return fmt.Errorf("sqlite store: checking %s: %w", path, err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		found = append(found, line)
	}
	if err := rows.Err(); err != nil {
		if c := sqliteCode(err); c == sqliteNotADB || c == sqliteCorrupt {
			return corruptFault(path, err.Error(), err)
		}
		return err
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	return corruptFault(path, strings.Join(found, "; "), nil)
}

func corruptFault(path, detail string, err error) error {
	return &Fault{Cause: ErrCorrupt, Path: path, Err: err, Detail: detail,
		Fix: "the file was left as it is: stop switchboard, keep a copy of the data directory, " +
			"and restore the latest backup (switchboard backup DIR) into it"}
}
