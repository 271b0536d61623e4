package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrInUse: another process has the data directory open.
var ErrInUse = errors.New("data directory in use")

// LockName is the lock file Open holds in the data directory.
const LockName = "switchboard.lock"

// dirLock is an exclusive lock on the data directory, held from Open to
// Close: one process serves a directory. The process's single writer
// connection and in-process locks order its writes; a second server on
// the same file would interleave with them. Backup and the copy to
// MongoDB read the file without it. The kernel drops the lock when the
// process dies, so kill -9 leaves nothing to clean up.
type dirLock struct {
	f       *os.File
	created bool // this Open created the lock file
}

// lockDir takes the lock of dir, refusing with ErrInUse when another
// process (or another Store of this one) holds it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockName)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, readOnlyFault(path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, &Fault{Cause: ErrInUse, Path: dir, Err: err,
			Detail: "another switchboard process has it open",
			Fix:    "stop that process first, or point SWITCHBOARD_DATA_DIR at another directory (use `switchboard backup DIR` to copy a running installation)"}
	}
	return &dirLock{f: f, created: errors.Is(statErr, fs.ErrNotExist)}, nil
}

// abandon drops the lock of an Open that refused the directory, removing
// the lock file if that Open created it: a refusal changes nothing.
func (l *dirLock) abandon() {
	if l.created {
		_ = os.Remove(l.f.Name())
	}
	_ = l.release()
}

// release drops the lock.
func (l *dirLock) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close() // closing the descriptor drops the flock
}
