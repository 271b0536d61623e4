package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// openT opens a store in dir and closes it when the test ends.
func openT(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// writeChat writes, in tx, conversation conv of ws with n messages: each
// message takes a sequence and logs itself, and the conversation records
// n in its doc, so that a reader can tell a whole write from half of one.
func writeChat(tx *Tx, ws, conv string, n int, text string) error {
	now := time.Now().UnixMilli()
	seq, err := tx.Stamp(ws)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO conversations (id, ws, bot_id, subscriber_id, channel, status, activity, seq, created_at, updated_at, doc)
		VALUES (?, ?, 'bot', ?, 'telegram', 'open', ?, ?, ?, ?, json_object('n', ?))`,
		conv, ws, "sub-"+conv, now, seq, now, now, n); err != nil {
		return err
	}
	if err := tx.Log(ws, models.Change{Seq: seq, Table: models.TableConversations, ID: conv, Created: true,
		Record: map[string]any{"id": conv, "n": n}}); err != nil {
		return err
	}
	for i := range n {
		seq, err := tx.Stamp(ws)
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%s-m%d", conv, i)
		if err := insertMessage(tx, ws, conv, id, seq, fmt.Sprintf("%s %d", text, i)); err != nil {
			return err
		}
		if err := tx.Log(ws, models.Change{Seq: seq, Table: models.TableMessages, ID: id, Created: true,
			Record: map[string]any{"id": id, "conversation_id": conv}}); err != nil {
			return err
		}
	}
	return nil
}

func insertMessage(tx *Tx, ws, conv, id string, seq int64, text string) error {
	now := time.Now().UnixMilli()
	_, err := tx.Exec(`INSERT INTO messages (id, ws, conversation_id, subscriber_id, bot_id, sender, kind, text, pos, seq, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'bot', 'subscriber', 'text', ?, ?, ?, ?, ?)`,
		id, ws, conv, "sub-"+conv, text, fmt.Sprintf("%020d-%020d", now, seq), seq, now, now)
	return err
}

// checkInvariants verifies, in one read transaction of db: every
// conversation has exactly the messages its write recorded, no message is
// without its conversation, and each workspace's log holds sequences
// 1..high-water with no gap, each pointing at a committed row of that seq.
func checkInvariants(t testing.TB, db *sql.DB) (chats, msgs int) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	one := func(q string, args ...any) int64 {
		var n int64
		if err := tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := one(`SELECT count(*) FROM conversations c
		WHERE json_extract(c.doc, '$.n') <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)`); n != 0 {
		t.Errorf("%d conversations with only part of their messages", n)
	}
	if n := one(`SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)`); n != 0 {
		t.Errorf("%d messages without their conversation", n)
	}
	rows, err := tx.QueryContext(ctx, `SELECT ws, seq FROM ws_seq`)
	if err != nil {
		t.Fatal(err)
	}
	hw := map[string]int64{}
	for rows.Next() {
		var ws string
		var seq int64
		if err := rows.Scan(&ws, &seq); err != nil {
			t.Fatal(err)
		}
		hw[ws] = seq
	}
	rows.Close()
	for ws, seq := range hw {
		count := one(`SELECT count(*) FROM change_log WHERE ws = ?`, ws)
		lo := one(`SELECT coalesce(min(seq), 0) FROM change_log WHERE ws = ?`, ws)
		hi := one(`SELECT coalesce(max(seq), 0) FROM change_log WHERE ws = ?`, ws)
		if count != seq || hi != seq || (seq > 0 && lo != 1) {
			t.Errorf("workspace %s: high-water %d, log holds %d entries from %d to %d", ws, seq, count, lo, hi)
		}
		orphans := one(`SELECT count(*) FROM change_log l WHERE l.ws = ? AND NOT EXISTS (
			SELECT 1 FROM messages m WHERE l.tbl = 'messages' AND m.id = l.id AND m.seq = l.seq
			UNION ALL SELECT 1 FROM conversations c WHERE l.tbl = 'conversations' AND c.id = l.id AND c.seq = l.seq)`, ws)
		if orphans != 0 {
			t.Errorf("workspace %s: %d log entries whose record is missing", ws, orphans)
		}
	}
	if n := one(`SELECT count(*) FROM change_log WHERE ws NOT IN (SELECT ws FROM ws_seq)`); n != 0 {
		t.Errorf("%d log entries of workspaces without a counter", n)
	}
	return int(one(`SELECT count(*) FROM conversations`)), int(one(`SELECT count(*) FROM messages`))
}

// pragmaLines returns every line a check pragma prints.
func pragmaLines(t testing.TB, db *sql.DB, pragma string) string {
	t.Helper()
	rows, err := db.Query(pragma)
	if err != nil {
		t.Fatalf("%s: %v", pragma, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}
