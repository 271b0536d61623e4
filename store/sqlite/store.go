package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// FileName is the database file's name inside the data directory.
const FileName = "switchboard.db"

// appID is written to the file header (PRAGMA application_id) so that a
// foreign SQLite file is refused instead of being migrated.
const appID = 0x53574244 // "SWBD"

// Check selects the consistency check Open runs on an existing file.
type Check int

// The consistency checks; see doc.go for the measured cost of each.
// Every check first reads the header, application id, schema version and
// schema; they differ in how much of the rest they read.
const (
	// AutoCheck (the default) runs QuickCheck when the last run did not
	// close the file cleanly (a WAL file was left beside it) or the file
	// is at most Options.QuickCheckBelow bytes, and no page scan otherwise.
	AutoCheck  Check = iota
	QuickCheck       // PRAGMA quick_check: every page and record, not index contents
	FullCheck        // PRAGMA integrity_check: also every index against its table
	NoCheck          // the header and schema only
)

// DefaultQuickCheckBelow is the file size up to which AutoCheck scans a
// cleanly closed file: about 5 s of quick_check on a loaded 2-core
// machine (see doc.go).
const DefaultQuickCheckBelow = 64 << 20

// Options tune Open; the zero value is the production default.
type Options struct {
	// BusyTimeout bounds how long a connection waits for a lock (5 s when 0).
	BusyTimeout time.Duration
	// Readers is the size of the reader pool (max(4, GOMAXPROCS) when 0).
	Readers int
	// Synchronous is "FULL" (the default) or "NORMAL"; see doc.go.
	Synchronous string
	// Check is the consistency check run on an existing file at Open.
	Check Check
	// QuickCheckBelow is AutoCheck's size limit (DefaultQuickCheckBelow when 0).
	QuickCheckBelow int64
	// Now is the clock stamping change-log entries and files (time.Now
	// when nil).
	Now func() time.Time
	// FileGrace is how old an upload or delete left unfinished must be
	// before SweepFiles finishes it (DefaultFileGrace when 0); see files.go.
	FileGrace time.Duration

	// hook, when set (tests only), is called at the named steps between
	// the writes of files.go and backup_dir.go; a hook that panics stands
	// for a crash at that point.
	hook func(step string)
}

// Store is an open embedded database: one writer connection, through
// which every write goes (WithTx), and a pool of read-only connections.
type Store struct {
	path   string
	files  string // the files/ folder beside the database
	opts   Options
	writer *sql.DB
	reader *sql.DB
	lock   *dirLock
	once   onceBook // released once-keys of the bot counters (stats_once.go)
	// commands counts the statements run (Commands).
	commands atomic.Int64
	// onChange is the callback OnChange registered (nil: none).
	onChange atomic.Pointer[func(ws string)]
	// unlink is held shared while a stored file's bytes are removed and
	// exclusively by BackupDir while it copies, so that no file the
	// copied database refers to disappears before it is copied.
	unlink sync.RWMutex
}

// Open opens (creating when absent) the database in dir and migrates it to
// the schema this binary knows. Before changing anything it refuses, with
// a *Fault naming the cause and the fix: a directory it cannot write, a
// file from a newer schema version, a foreign SQLite file, and a file that
// fails the consistency check. A corrupt file is never reinitialised.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.Readers <= 0 {
		opts.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	switch strings.ToUpper(opts.Synchronous) {
	case "":
		opts.Synchronous = "FULL"
	case "FULL", "NORMAL":
		opts.Synchronous = strings.ToUpper(opts.Synchronous)
	default:
		return nil, fmt.Errorf("sqlite store: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	if opts.QuickCheckBelow <= 0 {
		opts.QuickCheckBelow = DefaultQuickCheckBelow
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FileGrace <= 0 {
		opts.FileGrace = DefaultFileGrace
	}
	path := filepath.Join(dir, FileName)
	lock, err := preflight(ctx, dir, path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, files: filepath.Join(dir, filesDir), opts: opts, lock: lock}
	s.writer = openCounted(s.dsn(false), &s.commands)
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	if err := s.initWriter(ctx); err != nil {
		_ = s.Close()
		return nil, s.mapErr(err)
	}
	s.reader = openCounted(s.dsn(true), &s.commands)
	s.reader.SetMaxOpenConns(opts.Readers)
	s.reader.SetMaxIdleConns(opts.Readers)
	if err := s.reader.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, s.mapErr(err)
	}
	if err := s.openFiles(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.endDeadClaims(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// dsn is the connection string: per-connection pragmas, and for the
// writer BEGIN IMMEDIATE, so a transaction takes the write lock at its
// start instead of failing to upgrade a read lock half way.
func (s *Store) dsn(readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", s.opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+s.opts.Synchronous+")")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + s.path + "?" + q.Encode()
}

// initWriter switches the file to WAL and migrates it.
func (s *Store) initWriter(ctx context.Context) error {
	var mode string
	if err := s.writer.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("sqlite store: journal_mode is %q, WAL is required", mode)
	}
	return s.migrate(ctx, len(migrations))
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Reader is the pool of read-only connections (query_only). Every read
// runs in its own snapshot; wrap several reads in a transaction of this
// pool to see one consistent state.
func (s *Store) Reader() *sql.DB { return s.reader }

// Ping reports whether the store answers: CodeUnavailable once closed.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.fail(s.reader.QueryRowContext(ctx, `SELECT 1`).Scan(&one), "database")
}

// Close closes the reader pool, then the writer, which checkpoints the
// WAL into the database file.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	errs = append(errs, s.lock.release())
	s.lock = nil
	return errors.Join(errs...)
}
