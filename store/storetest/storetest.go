// Package storetest gives tests a real store. Open gives the engine a test
// run is about: the SQLite store in a fresh directory by default, or the
// MongoDB store when SWITCHBOARD_TEST_STORE=mongodb. New, NewWith and
// Options give the MongoDB store always, for tests of what only it does
// (several instances on one database): on SWITCHBOARD_TEST_MONGODB_URI
// when set, else on one FerretDB stand-in per test binary with a fresh
// database per test, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/ferretdb"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

var (
	mu       sync.Mutex
	embedded *ferretdb.Server
	dataDir  string
)

// Main runs a package's tests and stops the shared embedded server after
// them. Call it from TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if embedded != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = embedded.Close(ctx)
		_ = os.RemoveAll(dataDir)
	}
	return code
}

// FerretDB is the stand-in server once started, nil before and when
// SWITCHBOARD_TEST_MONGODB_URI is set.
func FerretDB() *ferretdb.Server {
	mu.Lock()
	defer mu.Unlock()
	return embedded
}

// URI returns the connection string of the shared embedded server, starting
// it on first use. SWITCHBOARD_TEST_MONGODB_URI, when set, is used instead,
// so the same suite runs against a real MongoDB.
func URI(tb testing.TB) string {
	tb.Helper()
	if uri := os.Getenv("SWITCHBOARD_TEST_MONGODB_URI"); uri != "" {
		return uri
	}
	mu.Lock()
	defer mu.Unlock()
	if embedded == nil {
		dir, err := os.MkdirTemp("", "switchboard-test-*")
		if err != nil {
			tb.Fatal(err)
		}
		e, err := ferretdb.Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			tb.Fatal(err)
		}
		embedded, dataDir = e, dir
	}
	return embedded.URI()
}

// Options returns store options for a fresh, uniquely named database.
func Options(tb testing.TB) store.Options {
	tb.Helper()
	uri := URI(tb)
	opt := store.Options{URI: uri, Database: DatabaseName(tb), ConnectTimeout: 10 * time.Second}
	if embedded != nil && uri == embedded.URI() {
		opt.Prepare = embedded.IndexIDs
	}
	return opt
}

// New opens a fresh database for the test and drops it on cleanup.
func New(tb testing.TB) *store.DB {
	tb.Helper()
	return NewWith(tb, Options(tb))
}

// NewWith opens the database described by opt and drops it on cleanup.
func NewWith(tb testing.TB, opt store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
		_ = db.Close(ctx)
	})
	return db
}

// DatabaseName returns a short unique database name derived from the test name.
func DatabaseName(tb testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, tb.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("t_%s_%s", name, hex.EncodeToString(b[:]))
}

// Store is a store under test: every interface the server uses, and the
// number of database round trips it has made (for benchmarks).
type Store interface {
	models.Store
	Commands() int64
	// Close closes the store early (tests of a store gone down).
	Close(ctx context.Context) error
}

// Open returns a fresh, empty store of the engine the test run is about
// (see the package doc), closed and removed when the test ends.
func Open(tb testing.TB) Store {
	tb.Helper()
	switch Engine() {
	case EngineMongoDB:
		return New(tb)
	default:
		return OpenSQLite(tb, tb.TempDir())
	}
}

// The engines a test run can be about.
const (
	EngineSQLite  = "sqlite"
	EngineMongoDB = "mongodb"
)

// Engine is the engine Open gives: mongodb when SWITCHBOARD_TEST_STORE
// says so or SWITCHBOARD_TEST_MONGODB_URI names a server (everything then
// runs on it), sqlite otherwise.
func Engine() string {
	if os.Getenv("SWITCHBOARD_TEST_STORE") == EngineMongoDB || os.Getenv("SWITCHBOARD_TEST_MONGODB_URI") != "" {
		return EngineMongoDB
	}
	return EngineSQLite
}

// OpenSQLite opens the SQLite store in dir, closed when the test ends.
// It syncs less than the server does (synchronous=NORMAL): tests check
// behaviour, not durability, and FULL would spend their time in fsync.
func OpenSQLite(tb testing.TB, dir string) Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), dir, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	st := sqliteStore{s}
	tb.Cleanup(func() { _ = st.Close(context.Background()) })
	return st
}

// sqliteStore gives the SQLite store the MongoDB store's Close.
type sqliteStore struct{ *sqlite.Store }

// Unwrap is the SQLite store itself, for tests of what only it does.
func (s sqliteStore) Unwrap() *sqlite.Store { return s.Store }

// Close closes the store; closing it again does nothing.
func (s sqliteStore) Close(context.Context) error { return s.Store.Close() }
