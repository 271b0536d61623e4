package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is an in-process FerretDB server on SQLite files. It listens on
// a Unix socket inside the data directory, reachable only by the user that
// owns it (FerretDB has no authentication of its own here); where the path
// is too long for a socket it falls back to a random loopback port. It is
// the default store when no MongoDB URI is set.
type Embedded struct {
	uri    string
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
}

// OpenEmbedded starts FerretDB with its data in dir (created if missing).
// logger receives FerretDB's own logs; pass a quiet one.
func OpenEmbedded(dir string, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("SWITCHBOARD_DATA_DIR=%q: %v", dir, err)
	}
	if err := checkWritableDir(abs); err != nil {
		return nil, err
	}
	listener := ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	sock := filepath.Join(abs, "ferretdb.sock")
	if len(sock) <= maxSocketPath {
		_ = os.Remove(sock) // left by a process that did not stop cleanly
		listener = ferretdb.ListenerConfig{Unix: sock}
	} else {
		logger.Warn("data directory path too long for a Unix socket; the embedded store listens on loopback TCP", "dir", abs)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start the embedded store in %s: %v", abs, err)
	}
	if listener.Unix != "" {
		if err := os.Chmod(sock, 0o600); err != nil {
			return nil, fmt.Errorf("protect the embedded store's socket %s: %v", sock, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx)
	}()
	if listener.Unix != "" {
		e.uri = "mongodb://" + url.PathEscape(sock) + "/"
	} else {
		e.uri = f.MongoDBURI()
	}
	return e, nil
}

// maxSocketPath keeps socket paths inside the kernel's sun_path limit.
const maxSocketPath = 100

// Dir is the data directory: database <name> is the SQLite file <name>.sqlite in it.
func (e *Embedded) Dir() string { return e.dir }

// URI is the connection string of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Close stops the server and waits until its files are closed or ctx ends.
func (e *Embedded) Close(ctx context.Context) error {
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded store did not stop: %w", ctx.Err())
	}
}

// checkWritableDir creates dir if needed and proves it can hold files.
func checkWritableDir(dir string) error {
	fix := "set SWITCHBOARD_DATA_DIR to a writable directory, or fix its permissions"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s cannot be created (%v); %s", dir, err, fix)
	}
	probe, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable (%v); %s", dir, err, fix)
	}
	name := probe.Name()
	_ = probe.Close()
	return os.Remove(name)
}
