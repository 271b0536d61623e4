package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// openAtVersion creates a store file in dir migrated only up to version
// v, as an older binary left it, and closes it.
func openAtVersion(t *testing.T, dir string, v int) {
	t.Helper()
	ctx := context.Background()
	s := &Store{path: filepath.Join(dir, FileName), opts: Options{BusyTimeout: time.Second, Synchronous: "FULL", Now: time.Now}}
	var err error
	if s.writer, err = sql.Open("sqlite", s.dsn(false)); err != nil {
		t.Fatal(err)
	}
	s.writer.SetMaxOpenConns(1)
	if _, err := s.writer.Exec("PRAGMA journal_mode=WAL"); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx, v); err != nil {
		t.Fatalf("migrate to %d: %v", v, err)
	}
	var got int
	if err := s.writer.QueryRow("PRAGMA user_version").Scan(&got); err != nil || got != v {
		t.Fatalf("user_version %d (%v), want %d", got, err, v)
	}
	if v >= 1 {
		// Data as version 1 knows it: a subscriber and a chat's history.
		now := time.Now().UnixMilli()
		if _, err := s.writer.Exec(`INSERT INTO subscribers (id, ws, bot_id, channel, external_id, name, name_key, seq, created_at, updated_at)
			VALUES ('s1', 'ws1', 'b1', 'telegram', 'x1', 'Zoë Ångström', 'zoë ångström', 1, ?, ?)`, now, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.writer.Exec(`INSERT INTO members (id, ws, email, role, status, seq, created_at, updated_at, doc)
			VALUES ('m1', 'ws1', 'ann@example.com', 'admin', 'active', 2, ?, ?, '{"name":"Ann","password_hash":"h"}')`, now, now); err != nil {
			t.Fatal(err)
		}
		// Version 3 added change_log.deleted, which Tx.Log writes: before
		// it, the column is there only while the chat is written.
		if v < 3 {
			if _, err := s.writer.Exec(`ALTER TABLE change_log ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0`); err != nil {
				t.Fatal(err)
			}
		}
		if err := (&Store{writer: s.writer, opts: s.opts, path: s.path}).WithTx(ctx, func(tx *Tx) error {
			return writeChat(tx, "ws1", "c1", 3, "Order number ABC-123 shipped")
		}); err != nil {
			t.Fatal(err)
		}
		if v < 3 {
			if _, err := s.writer.Exec(`ALTER TABLE change_log DROP COLUMN deleted`); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.writer.Close(); err != nil {
		t.Fatal(err)
	}
}

func tables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// TestMigrateFromEveryVersion opens, with this binary, a file left at each
// earlier schema version (0 is a new, empty file), and checks it reaches
// the newest version with the same schema as a new file and its data kept
// and searchable.
func TestMigrateFromEveryVersion(t *testing.T) {
	t.Parallel()
	if SchemaVersion() < 2 {
		t.Fatal("keep at least two versions, so the path from an earlier one is exercised")
	}
	fresh := openT(t, t.TempDir())
	want := tables(t, fresh.Reader())
	for _, name := range []string{"change_log", "ws_seq", "conversations", "messages", "messages_fts", "subscribers_fts", "jobs", "conversations_tally"} {
		if !slices.Contains(want, name) {
			t.Errorf("the newest schema lacks %s", name)
		}
	}
	for v := 0; v < SchemaVersion(); v++ {
		dir := t.TempDir()
		openAtVersion(t, dir, v)
		s := openT(t, dir)
		r := s.Reader()
		var got int
		if err := r.QueryRow("PRAGMA user_version").Scan(&got); err != nil || got != SchemaVersion() {
			t.Fatalf("from version %d: user_version %d (%v)", v, got, err)
		}
		if have := tables(t, r); !slices.Equal(have, want) {
			t.Errorf("from version %d the schema differs from a new file's:\n have %v\n want %v", v, have, want)
		}
		if v == 0 {
			continue
		}
		checkInvariants(t, r)
		// Members kept; since version 3 an email is unique per workspace only.
		m, err := s.Member(context.Background(), "ws1", "m1")
		if err != nil || m.Email != "ann@example.com" || m.Name != "Ann" || m.PasswordHash != "h" {
			t.Fatalf("from version %d: member %+v, %v", v, m, err)
		}
		other := &models.Member{ID: "m2", Email: m.Email, Role: models.RoleAdmin, Status: models.MemberActive, Stamp: models.Stamp{WS: "ws2"}}
		if err := s.CreateMember(context.Background(), other); err != nil {
			t.Errorf("from version %d: the same email in another workspace: %v", v, err)
		}
		// Rows written before the search indexes existed are found by them:
		// any case, anywhere in a word.
		var n int
		if err := r.QueryRow(`SELECT count(*) FROM messages_fts f JOIN messages m ON m.n = f.rowid
			WHERE messages_fts MATCH '"abc-12"' AND m.ws = 'ws1' AND m.conversation_id = 'c1' AND m.deleted = 0`).Scan(&n); err != nil || n != 3 {
			t.Errorf("from version %d: search found %d messages (%v), want 3", v, n, err)
		}
		if err := r.QueryRow(`SELECT count(*) FROM subscribers_fts WHERE subscribers_fts MATCH '"ÅNGSTR"'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("from version %d: name search found %d (%v), want 1", v, n, err)
		}
		if err := s.WithTx(context.Background(), func(tx *Tx) error {
			_, err := tx.Exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)
			return err
		}); err != nil {
			t.Errorf("from version %d: full-text index differs from its table: %v", v, err)
		}
	}
}

// TestSearchIndexFollowsWrites checks the triggers: an edited text is
// found by its new words only, a deleted row not at all.
func TestSearchIndexFollowsWrites(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	if err := s.WithTx(ctx, func(tx *Tx) error { return writeChat(tx, "ws1", "c1", 2, "hello world") }); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := s.Reader().QueryRow(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?`, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`"WORLD"`); n != 2 {
		t.Fatalf("found %d, want 2", n)
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE messages SET text = 'goodbye moon' WHERE id = 'c1-m0'`); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM messages WHERE id = 'c1-m1'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if a, b := count(`"world"`), count(`"oon"`); a != 0 || b != 1 {
		t.Errorf("after edit and delete: old words %d (want 0), new words %d (want 1)", a, b)
	}
}
