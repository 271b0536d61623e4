package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBackupWhileWriting takes a backup while a writer commits chats in a
// loop: the copy opens as a store (passing the start check), passes the
// full integrity check and the full-text check, and holds whole commits
// only, with gapless sequences.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	for i := range 20 {
		if err := s.WithTx(ctx, func(tx *Tx) error { return writeChat(tx, "ws1", fmt.Sprintf("seed%d", i), 5, "seed") }); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var werr error
	var written atomic.Int64
	writerDone := make(chan struct{})
	wg.Go(func() {
		defer close(writerDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if werr = s.WithTx(ctx, func(tx *Tx) error {
				return writeChat(tx, []string{"ws1", "ws2"}[i%2], fmt.Sprintf("live%d", i), 1+i%5, "live")
			}); werr != nil {
				return
			}
			written.Add(1)
		}
	})
	copyDir := t.TempDir()
	dst := filepath.Join(copyDir, FileName)
	// Let some writes run before and during the copy.
waiting:
	for written.Load() < 5 {
		select {
		case <-writerDone:
			break waiting
		default:
		}
		if err := s.WithTx(ctx, func(tx *Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	berr := s.Backup(ctx, dst)
	close(stop)
	wg.Wait()
	if berr != nil || werr != nil {
		t.Fatalf("backup: %v; writer: %v", berr, werr)
	}
	if _, err := os.Stat(dst + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a partial file stayed: %v", err)
	}
	b, err := Open(ctx, copyDir, Options{Check: FullCheck})
	if err != nil {
		t.Fatalf("opening the backup: %v", err)
	}
	defer b.Close()
	if got := pragmaLines(t, b.Reader(), "PRAGMA integrity_check"); got != "ok" {
		t.Fatalf("backup integrity_check: %s", got)
	}
	if err := b.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`)
		return err
	}); err != nil {
		t.Errorf("backup's full-text index: %v", err)
	}
	chats, _ := checkInvariants(t, b.Reader())
	all, _ := checkInvariants(t, s.Reader())
	if chats < 20 || chats > all {
		t.Errorf("backup holds %d chats; the source had 20 before and %d after", chats, all)
	}
	t.Logf("backup holds %d of %d chats", chats, all)

	if err := s.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
}
