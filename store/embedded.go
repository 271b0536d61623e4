package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is an in-process FerretDB server on SQLite files, listening on a
// random loopback port. It is the default store when no MongoDB URI is set.
type Embedded struct {
	uri    string
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
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start the embedded store in %s: %v", abs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(ctx)
	}()
	e.uri = f.MongoDBURI()
	return e, nil
}

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
	if err := os.MkdirAll(dir, 0o750); err != nil {
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
