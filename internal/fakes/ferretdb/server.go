// Package ferretdb runs FerretDB (v1.24, SQLite backend) in-process: the
// stand-in for a MongoDB server that the MongoDB store's tests run
// against where no MongoDB can be installed. It is not part of the
// shipped binary; the server's embedded store is store/sqlite.
package ferretdb

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	fdb "github.com/FerretDB/FerretDB/ferretdb"
)

// Server is an in-process FerretDB server on SQLite files. It listens on
// a Unix socket inside its directory, reachable only by the user that
// owns it (FerretDB has no authentication of its own here); where the path
// is too long for a socket it falls back to a random loopback port.
type Server struct {
	uri    string
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Open starts FerretDB with its data in dir (created if missing).
// logger receives FerretDB's own logs; pass a quiet one.
func Open(dir string, logger *slog.Logger) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("FerretDB directory %q: %v", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("FerretDB directory %s cannot be created: %v", abs, err)
	}
	listener := fdb.ListenerConfig{TCP: "127.0.0.1:0"}
	sock := filepath.Join(abs, "ferretdb.sock")
	if len(sock) <= maxSocketPath {
		_ = os.Remove(sock) // left by a process that did not stop cleanly
		listener = fdb.ListenerConfig{Unix: sock}
	} else {
		logger.Warn("directory path too long for a Unix socket; FerretDB listens on loopback TCP", "dir", abs)
	}
	f, err := fdb.New(&fdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start FerretDB in %s: %v", abs, err)
	}
	if listener.Unix != "" {
		if err := os.Chmod(sock, 0o600); err != nil {
			return nil, fmt.Errorf("protect FerretDB's socket %s: %v", sock, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Server{dir: abs, cancel: cancel, done: make(chan struct{})}
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
func (e *Server) Dir() string { return e.dir }

// URI is the connection string of the server.
func (e *Server) URI() string { return e.uri }

// Close stops the server and waits until its files are closed or ctx ends.
func (e *Server) Close(ctx context.Context) error {
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("FerretDB did not stop: %w", ctx.Err())
	}
}
