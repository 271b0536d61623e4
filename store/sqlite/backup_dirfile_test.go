package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestBackupDataDirBesideTheServer copies a data directory whose store is
// open (the server's) with BackupDataDir: the copy opens as a store with
// the files' records and bytes. A file the server deletes after the
// database was copied is left as a delete under way in the copy (not a
// row pointing at missing bytes), and bytes missing for a file the server
// still holds as stored fail the backup. Not parallel: it sets the hook.
func TestBackupDataDirBesideTheServer(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	s := openT(t, dataDir)
	for _, id := range []string{"f1", "f2"} {
		if err := s.SaveFile(ctx, &models.File{ID: id, WS: "ws1", Name: id + ".txt", MimeType: "text/plain", UploadedBy: "m1"},
			strings.NewReader("bytes of "+id), 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	afterDataDirCopy = func() {
		if err := s.DeleteFile(ctx, "ws1", "f2"); err != nil {
			t.Error(err)
		}
	}
	defer func() { afterDataDirCopy = nil }()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := BackupDataDir(ctx, dataDir, dst); err != nil {
		t.Fatalf("backup: %v", err)
	}
	afterDataDirCopy = nil
	b := openT(t, dst)
	var got bytes.Buffer
	if err := b.OpenFile(ctx, "ws1", "f1", &got); err != nil || got.String() != "bytes of f1" {
		t.Errorf("f1 in the copy: %q %v", got.String(), err)
	}
	if _, err := b.FileRecord(ctx, "ws1", "f2"); !models.IsNotFound(err) {
		t.Errorf("f2, deleted after the database was copied, in the copy: %v", err)
	}
	var state string
	if err := b.Reader().QueryRowContext(ctx, `SELECT state FROM files WHERE id = 'f2'`).Scan(&state); err != nil || state != stateDeleting {
		t.Errorf("f2's row in the copy: %q %v", state, err)
	}

	// Bytes gone while the row says stored: damage, no copy.
	if err := os.Remove(s.finalPath("f1")); err != nil {
		t.Fatal(err)
	}
	dst2 := filepath.Join(t.TempDir(), "copy")
	if err := BackupDataDir(ctx, dataDir, dst2); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("backup with missing bytes: %v", err)
	}
	if _, err := os.Stat(dst2); err == nil {
		t.Error("a failed backup left its directory")
	}
	if err := BackupDataDir(ctx, dataDir, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup into an existing directory: %v", err)
	}
}
