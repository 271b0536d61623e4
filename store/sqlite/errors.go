package sqlite

import (
	"errors"
	"fmt"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The causes a Fault names; test with errors.Is.
var (
	// ErrReadOnly: the data directory or the database file cannot be written.
	ErrReadOnly = errors.New("read-only data directory")
	// ErrNewerSchema: the file was written by a newer Switchboard.
	ErrNewerSchema = errors.New("database from a newer version")
	// ErrCorrupt: the file fails SQLite's consistency check or is not a database.
	ErrCorrupt = errors.New("corrupt database")
	// ErrForeign: the file is an SQLite database of another application.
	ErrForeign = errors.New("not a Switchboard database")
	// ErrDiskFull: the disk (or the database's size limit) is full.
	ErrDiskFull = errors.New("disk full")
)

// Fault is an operator-facing failure: it names the cause (one of the Err
// values above, matched by errors.Is), the file or directory concerned and
// what to do about it. Open returns a Fault, having changed nothing, when
// it refuses a data directory; writes return one when the disk is full.
type Fault struct {
	Cause  error  // one of the Err values above
	Path   string // the file or directory concerned
	Detail string // what was found
	Fix    string // what the operator should do
	Err    error  // the underlying error, if any
}

// Error reads as one line: cause, path, detail, then the fix.
func (f *Fault) Error() string {
	msg := fmt.Sprintf("%v: %s", f.Cause, f.Path)
	if f.Detail != "" {
		msg += ": " + f.Detail
	}
	if f.Fix != "" {
		msg += "; " + f.Fix
	}
	return msg
}

// Unwrap lets errors.Is match both the cause and the underlying error.
func (f *Fault) Unwrap() []error {
	if f.Err == nil {
		return []error{f.Cause}
	}
	return []error{f.Cause, f.Err}
}

// sqliteCode returns the primary SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// mapErr turns the SQLite errors an operator must act on, and the same
// failures of the file system under the attachments (no space, a
// read-only mount), into Faults naming the fix; other errors pass
// through unchanged.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var f *Fault
	if errors.As(err, &f) {
		return err
	}
	code := sqliteCode(err)
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		code = sqlite3.SQLITE_FULL // an attachment's bytes on a full disk
	case errors.Is(err, syscall.EROFS):
		code = sqlite3.SQLITE_READONLY
	}
	switch code {
	case sqlite3.SQLITE_FULL:
		return &Fault{Cause: ErrDiskFull, Path: s.path, Err: err,
			Detail: "the write was rolled back, nothing of it was stored",
			Fix:    "free space on the disk holding the data directory; the store resumes by itself"}
	case sqlite3.SQLITE_READONLY:
		return &Fault{Cause: ErrReadOnly, Path: s.path, Err: err,
			Detail: "the database file can no longer be written",
			Fix:    "make the data directory and its files writable by the user running switchboard"}
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return &Fault{Cause: ErrCorrupt, Path: s.path, Err: err,
			Detail: "SQLite reported corruption while running",
			Fix:    "stop switchboard and restore the latest backup (switchboard backup)"}
	}
	return err
}

const (
	sqliteNotADB  = sqlite3.SQLITE_NOTADB
	sqliteCorrupt = sqlite3.SQLITE_CORRUPT
)
