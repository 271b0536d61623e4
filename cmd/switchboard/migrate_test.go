package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/ferretdb"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// embeddedWith opens the SQLite store of a new data directory holding
// one workspace and one member; the store stays open, as a server's would.
func embeddedWith(t *testing.T) (string, *sqlite.Store) {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), dir, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	if err := s.CreateWorkspace(ctx, &models.Workspace{ID: "ws1", Name: "Team"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMember(ctx, &models.Member{ID: "m1", Email: "ann@example.com", Name: "Ann", Role: models.RoleAdmin,
		Status: models.MemberActive, Stamp: models.Stamp{WS: "ws1"}}); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, envOf(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestBackupCommand copies the embedded data directory while another
// store holds it open and has just written, an attachment included: the
// copy opens as a data directory with that write and the bytes. A second
// backup to the same directory is refused, and a data directory without
// a database is named.
func TestBackupCommand(t *testing.T) {
	t.Parallel()
	dir, live := embeddedWith(t)
	ctx := context.Background()
	if err := live.SaveFile(ctx, &models.File{ID: "f1", WS: "ws1", Name: "a.txt", MimeType: "text/plain", UploadedBy: "m1"},
		strings.NewReader("attached"), 1<<20); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir}
	copyDir := filepath.Join(t.TempDir(), "copy")
	code, out, errOut := runCmd(t, env, "backup", copyDir)
	if code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	s, err := sqlite.Open(ctx, copyDir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, err := s.Member(ctx, "ws1", "m1"); err != nil || m.Email != "ann@example.com" {
		t.Errorf("the backup lacks the member: %+v %v", m, err)
	}
	var b bytes.Buffer
	if err := s.OpenFile(ctx, "ws1", "f1", &b); err != nil || b.String() != "attached" {
		t.Errorf("the backup's attachment: %q %v", b.String(), err)
	}
	if _, err := live.Workspace(ctx, "ws1"); err != nil {
		t.Errorf("the live store after the backup: %v", err)
	}

	if code, _, errOut := runCmd(t, env, "backup", copyDir); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing directory: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, env, "backup"); code != 2 || !strings.Contains(errOut, "usage") {
		t.Errorf("backup without a directory: %d %s", code, errOut)
	}
	empty := t.TempDir()
	code, _, errOut = runCmd(t, map[string]string{"SWITCHBOARD_DATA_DIR": empty}, "backup", filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(errOut, "no database at") {
		t.Errorf("backup of an empty data directory: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(empty, sqlite.FileName)); err == nil {
		t.Errorf("backup created a database in the empty data directory")
	}
}

// TestMigrateCommand copies the embedded installation into MongoDB (the
// embedded stand-in), then runs again (nothing to copy, verified), and
// refuses a second installation into the same database.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	e, err := ferretdb.Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.Close(ctx)
	})
	dir, s := embeddedWith(t)
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir, "SWITCHBOARD_MONGODB_DATABASE": "moved"}
	code, _, errOut := runCmd(t, env, "migrate", "--to", e.URI())
	if code != 1 || !strings.Contains(errOut, "in use") {
		t.Errorf("migrate beside a process holding the data directory: %d %s", code, errOut)
	}
	if err := s.Close(); err != nil { // the server stopped
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, env, "migrate", "--to", e.URI())
	if code != 0 || !strings.Contains(out, "members: done") || !strings.Contains(out, "verify members: 1 documents, source 1: ok") ||
		!strings.Contains(out, "copied and verified") {
		t.Fatalf("migrate: %d\n%s\n%s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), store.Options{URI: e.URI(), Database: "moved", Prepare: e.IndexIDs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	if m, err := db.Member(context.Background(), "ws1", "m1"); err != nil || m.Email != "ann@example.com" {
		t.Errorf("MongoDB after the copy: %+v %v", m, err)
	}
	if code, out, errOut := runCmd(t, env, "migrate", "--to", e.URI()); code != 0 || !strings.Contains(out, "nothing to copy") {
		t.Errorf("second run: %d\n%s\n%s", code, out, errOut)
	}
	other, o := embeddedWith(t)
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, map[string]string{"SWITCHBOARD_DATA_DIR": other, "SWITCHBOARD_MONGODB_DATABASE": "moved"}, "migrate", "--to", e.URI())
	if code != 1 || !strings.Contains(errOut, "another installation") || strings.Contains(errOut, "run the same command again") {
		t.Errorf("another installation into the same database: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, env, "migrate"); code != 2 || !strings.Contains(errOut, "--to") {
		t.Errorf("migrate without --to: %d %s", code, errOut)
	}
}
