package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackupFromASecondProcess takes a backup with BackupFile from another
// process than the one holding the database and writing to it without a
// pause (a busy server), as `switchboard backup` does: WAL lets the second
// process read one commit while the first goes on writing. (Opening a
// Store there instead was seen to fail with SQLITE_BUSY under -race: its
// migration step waits for the write lock, which such a writer need not
// leave free within the busy timeout.) The copy opens, passes
// the full integrity check, holds whole commits only and at least what was
// committed before the backup began, and the writer went on.
func TestBackupFromASecondProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready, exited := make(chan string, 1), make(chan struct{})
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	select {
	case line := <-ready:
		if !strings.HasPrefix(line, "ready") {
			t.Fatalf("child said %q", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the writing process never opened the store")
	}
	ctx := context.Background()
	// What the other process committed, read as a third party would.
	reader, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	committed := func(db *sql.DB) int64 {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT coalesce(sum(seq), 0) FROM ws_seq`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Wait for the other process's commits, then back up while it writes.
	var before int64
	for before == 0 {
		before = committed(reader)
	}
	dst := filepath.Join(t.TempDir(), FileName)
	if err := BackupFile(ctx, dir, dst); err != nil {
		t.Fatalf("backup beside the writing process: %v", err)
	}
	b, err := Open(ctx, filepath.Dir(dst), Options{Check: FullCheck})
	if err != nil {
		t.Fatalf("opening the backup: %v", err)
	}
	defer b.Close()
	if got := pragmaLines(t, b.Reader(), "PRAGMA integrity_check"); got != "ok" {
		t.Fatalf("backup integrity_check: %s", got)
	}
	checkInvariants(t, b.Reader())
	copied := committed(b.Reader())
	if copied < before {
		t.Errorf("the backup holds %d changes, fewer than the %d committed before it began", copied, before)
	}
	// The writing process went on: the backup did not stop it.
	for committed(reader) <= copied {
		select {
		case <-exited:
			t.Fatal("the writing process ended")
		default:
		}
	}
	t.Logf("%d changes before the backup, %d in it", before, copied)
}

// TestBackupFileRefuses: no database in the directory, or a SQLite file
// of another application, is refused and no copy is written.
func TestBackupFileRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, t.TempDir(), dst); err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("empty directory: %v", err)
	}
	foreign := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(foreign, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if err := BackupFile(ctx, foreign, dst); !errors.Is(err, ErrForeign) {
		t.Errorf("foreign file: %v", err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Error("a refused backup wrote a copy")
	}
}
