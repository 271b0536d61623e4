package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStartCheck seeds a store with SWITCHBOARD_SQLITE_MEASURE
// messages (one chat per ten; 100,000 by default) and logs the file size
// and what quick_check and integrity_check cost at start (once). doc.go
// quotes its results.
//
//	SWITCHBOARD_SQLITE_MEASURE=1000000 go test -run '^$' -bench StartCheck -benchtime 1x -v ./store/sqlite/
func BenchmarkStartCheck(b *testing.B) {
	t := b
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_SQLITE_MEASURE"))
	if n <= 0 {
		n = 100000
	}
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const batch = 5000
	for done := 0; done < n; done += batch {
		if err := s.WithTx(ctx, func(tx *Tx) error {
			now := time.Now().UnixMilli()
			for i := done; i < min(done+batch, n); i++ {
				conv := fmt.Sprintf("c%07d", i/10)
				if i%10 == 0 {
					if _, err := tx.Exec(`INSERT INTO conversations (id, ws, bot_id, subscriber_id, channel, status, activity, seq, created_at, updated_at, doc)
						VALUES (?, 'ws1', 'bot', ?, 'telegram', 'open', ?, ?, ?, ?, '{"last_message_preview":"hello there"}')`, conv, "s"+conv, now+int64(i), i, now, now); err != nil {
						return err
					}
				}
				if err := insertMessage(tx, "ws1", conv, fmt.Sprintf("m%08d", i), int64(i),
					fmt.Sprintf("Hello, this is message %d about order %x; could you tell me when it ships? Thanks!", i, i*7919)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seeded %d messages in %v", n, time.Since(start))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, FileName))
	t.Logf("file size %.1f MB", float64(st.Size())/(1<<20))
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?immutable=1")
	defer db.Close()
	for _, p := range []string{"PRAGMA quick_check", "PRAGMA integrity_check", "PRAGMA quick_check"} {
		start := time.Now()
		got := pragmaLines(t, db, p)
		t.Logf("%s: %s in %v", p, got, time.Since(start))
	}
	start = time.Now()
	s, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Open with AutoCheck (clean, above QuickCheckBelow): %v", time.Since(start))
	s.Close()
}
