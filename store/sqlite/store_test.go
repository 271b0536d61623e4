package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesWALStoreWithOneWriterAndReadOnlyReaders(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data") // created by Open
	s := openT(t, dir)
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}
	ctx := context.Background()
	var mode string
	var version, app, fk, sync, busy int
	r := s.Reader()
	for q, dst := range map[string]any{
		"PRAGMA journal_mode": &mode, "PRAGMA user_version": &version, "PRAGMA application_id": &app,
		"PRAGMA foreign_keys": &fk, "PRAGMA synchronous": &sync, "PRAGMA busy_timeout": &busy,
	} {
		if err := r.QueryRowContext(ctx, q).Scan(dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if mode != "wal" || version != SchemaVersion() || app != appID || fk != 1 || sync != 2 || busy != 5000 {
		t.Errorf("journal_mode %q, user_version %d, application_id %#x, foreign_keys %d, synchronous %d, busy_timeout %d",
			mode, version, app, fk, sync, busy)
	}
	if got := s.writer.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool allows %d connections, want 1", got)
	}
	if _, err := r.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k', 'v')`); err == nil {
		t.Error("a reader connection wrote to the database")
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('k', 'v')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openT(t, dir)
	var v string
	if err := s2.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'k'`).Scan(&v); err != nil || v != "v" {
		t.Fatalf("after reopening: %q, %v", v, err)
	}
}

func TestOpenSynchronousOption(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), t.TempDir(), Options{Synchronous: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var sync int
	if err := s.Reader().QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
		t.Errorf("synchronous = %d (%v), want 1 (NORMAL)", sync, err)
	}
	if _, err := Open(context.Background(), t.TempDir(), Options{Synchronous: "OFF"}); err == nil ||
		!strings.Contains(err.Error(), "FULL or NORMAL") {
		t.Errorf("synchronous OFF accepted: %v", err)
	}
}

func TestWithTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx *Tx) error {
		if err := writeChat(tx, "ws1", "c1", 3, "hello"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want fn's error", err)
	}
	chats, msgs := checkInvariants(t, s.Reader())
	if hw, _ := s.HighWater(ctx, "ws1"); chats != 0 || msgs != 0 || hw != 0 {
		t.Errorf("after rollback: %d chats, %d messages, high-water %d", chats, msgs, hw)
	}
}
