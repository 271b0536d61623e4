package benchseed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/store/sqlite"
)

// Store is a seeded SQLite store with the Close the test harness's
// stores have (storetest.Store), so api test servers can run on it.
type Store struct{ *sqlite.Store }

// Close closes the store; closing it again does nothing.
func (s Store) Close(context.Context) error { return s.Store.Close() }

// CacheDir is the directory the seed cfg describes is cached in, under
// the system's temporary directory. Its name holds the sizes, the
// store's schema version and the seed's Version, so a change of either
// seeds again.
func CacheDir(cfg Config) string {
	cfg = cfg.withDefaults()
	return filepath.Join(os.TempDir(), fmt.Sprintf("switchboard-bench-%d-%d-a%d-b%d-s%d-v%d",
		cfg.Chats, cfg.Messages, cfg.Agents, cfg.Bots, sqlite.SchemaVersion(), Version))
}

// seedFile holds the Seed in a cached directory.
const seedFile = "seed.json"

// SQLiteDir returns a fresh data directory (removed when tb ends) that
// holds a copy of the seed cfg describes, and the seed. The first call
// for a cfg seeds it into CacheDir (logging the time it took, also in
// Seed.Took); later calls, in this run or another, copy the cached
// database file. cfg.Batch and cfg.Clock are set here.
func SQLiteDir(tb testing.TB, cfg Config) (string, *Seed) {
	tb.Helper()
	cache := CacheDir(cfg)
	seed, err := readSeed(cache)
	if err != nil {
		tb.Logf("benchseed: seeding %s (once; later runs reuse it)", cache)
		if seed, err = seedSQLite(cache, cfg); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Logf("benchseed: %d chats, %d messages each: %d writes, seeded in %s (%s)", seed.Chats, seed.Messages,
		seed.Writes, seed.Took.Round(time.Millisecond), cache)
	dir := tb.TempDir()
	if err := copyFile(filepath.Join(cache, sqlite.FileName), filepath.Join(dir, sqlite.FileName)); err != nil {
		tb.Fatal(err)
	}
	return dir, seed
}

// OpenSQLite opens a fresh copy of the seed cfg describes (SQLiteDir)
// with opts; the store is closed when tb ends.
func OpenSQLite(tb testing.TB, cfg Config, opts sqlite.Options) (Store, *Seed) {
	tb.Helper()
	dir, seed := SQLiteDir(tb, cfg)
	s, err := sqlite.Open(context.Background(), dir, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return Store{s}, seed
}

func readSeed(dir string) (*Seed, error) {
	raw, err := os.ReadFile(filepath.Join(dir, seedFile))
	if err != nil {
		return nil, err
	}
	var s Seed
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		return nil, err
	}
	return &s, nil
}

// seedSQLite seeds a new store in a directory beside cache and renames
// it to cache once the store is closed and the seed recorded, so a
// cached directory is always complete.
func seedSQLite(cache string, cfg Config) (*Seed, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(cache), filepath.Base(cache)+".partial-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	clock := &Clock{}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, tmp, sqlite.Options{Synchronous: "NORMAL", Now: clock.Now})
	if err != nil {
		return nil, err
	}
	cfg.Batch, cfg.Clock = s.Batch, clock
	seed, err := Fill(ctx, s, cfg)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	raw, err := json.MarshalIndent(seed, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, seedFile), raw, 0o644); err != nil {
		return nil, err
	}
	_ = os.RemoveAll(filepath.Join(tmp, sqlite.LockName))
	if err := os.Rename(tmp, cache); err != nil {
		// Another run seeded it meanwhile: use theirs.
		if s, rerr := readSeed(cache); rerr == nil {
			return s, nil
		}
		return nil, err
	}
	return seed, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Close())
}
