package sqlite

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestBackupDirCopiesStoredFiles: the copy is a data directory that opens
// as a store (full check) and holds the bytes of exactly the files stored
// at the copy's commit: not a deleted one, not an unfinished upload.
func TestBackupDirCopiesStoredFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	saveT(t, s, "a", []byte("bytes of a"))
	saveT(t, s, "b", []byte("bytes of b"))
	saveT(t, s, "c", fileContent("c", 200_000))
	if err := s.DeleteFile(ctx, "w", "b"); err != nil {
		t.Fatal(err)
	}
	// An upload under way: its row pending, its bytes half written.
	if _, err := s.writer.Exec(`INSERT INTO files (id, ws, name, mime_type, size, uploaded_by, created_at)
		VALUES ('d', 'w', 'd', '', 0, '', ?)`, time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.tmpPath("d"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "backup")
	if err := s.BackupDir(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst + ".partial"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial directory stayed: %v", err)
	}
	entries, err := os.ReadDir(filepath.Join(dst, filesDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{fileName("a"), fileName("c")}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("backup's files: %v, want %v", names, want)
	}
	b, err := Open(ctx, dst, Options{Check: FullCheck})
	if err != nil {
		t.Fatalf("opening the backup: %v", err)
	}
	defer b.Close()
	for id, data := range map[string][]byte{"a": []byte("bytes of a"), "c": fileContent("c", 200_000)} {
		var out bytes.Buffer
		if err := b.OpenFile(ctx, "w", id, &out); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("file %s from the backup: %d bytes, %v", id, out.Len(), err)
		}
	}
	if _, err := b.FileRecord(ctx, "w", "b"); !models.IsNotFound(err) {
		t.Errorf("the deleted file is in the backup: %v", err)
	}
	if err := s.BackupDir(ctx, dst); err == nil {
		t.Error("a backup over an existing directory was allowed")
	}
}

// TestBackupDirHoldsOffRemovals: a file deleted while the backup copies
// (after the database copy, which has it stored) is in the copy whole;
// its removal from the data directory waits for the copy.
func TestBackupDirHoldsOffRemovals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var s *Store
	deleted := make(chan error, 1)
	s, err := Open(ctx, t.TempDir(), Options{Synchronous: "NORMAL", hook: func(step string) {
		if step != "backup:database" {
			return
		}
		go func() { deleted <- s.DeleteFile(ctx, "w", "a") }()
		// Wait until the delete has begun (the row is marked): from there
		// only its removal of the bytes is left.
		for state := ""; state != stateDeleting; {
			if err := s.Reader().QueryRow(`SELECT state FROM files WHERE id = 'a'`).Scan(&state); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	saveT(t, s, "a", fileContent("a", 100_000))
	dst := filepath.Join(t.TempDir(), "backup")
	if err := s.BackupDir(ctx, dst); err != nil {
		t.Fatalf("backup while a file is deleted: %v", err)
	}
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.finalPath("a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the deleted file's bytes stayed in the data directory: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dst, filesDir, fileName("a")))
	if err != nil || !bytes.Equal(got, fileContent("a", 100_000)) {
		t.Fatalf("the backup's copy of the file: %d bytes, %v", len(got), err)
	}
}

// TestBackupDirRefusesDamagedBytes: bytes that differ from their row fail
// the backup, which leaves nothing behind.
func TestBackupDirRefusesDamagedBytes(t *testing.T) {
	t.Parallel()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	saveT(t, s, "a", []byte("original"))
	if err := os.WriteFile(s.finalPath("a"), []byte("ORIGINAL"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "backup")
	if err := s.BackupDir(context.Background(), dst); err == nil {
		t.Fatal("a backup of damaged bytes succeeded")
	}
	for _, p := range []string{dst, dst + ".partial"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s stayed after the failed backup: %v", p, err)
		}
	}
}
