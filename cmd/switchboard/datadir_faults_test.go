package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/switchboardhq/switchboard/store/sqlite"
)

// dirSnapshot fingerprints every file and folder under dir (names, sizes,
// contents, modes), to show that a refused start changed nothing.
func dirSnapshot(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		n, _ := filepath.Rel(dir, path)
		names = append(names, n)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			fmt.Fprintf(h, "%s/ %v\n", n, info.Mode())
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v %d %x\n", n, info.Mode(), len(b), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %x", names, h.Sum(nil))
}

// installed makes a data directory with a workspace and its admin in it,
// as a first install leaves it (the store closed cleanly).
func installed(t *testing.T, data string) map[string]string {
	t.Helper()
	env := baseEnv(t, data)
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin: %s", out.String())
	}
	return env
}

// tmpfs mounts a file system of size bytes on a new folder, for as long
// as the test runs; it skips the test where mounting is not allowed.
func tmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		cannotMount(t, "mounting a file system needs root")
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		cannotMount(t, fmt.Sprintf("cannot mount a tmpfs here: %v", err))
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// refusedStart runs `switchboard serve` on env's data directory and
// checks that it exits 1 with a message holding every one of words, and
// leaves the directory exactly as it found it.
func refusedStart(t *testing.T, env map[string]string, words ...string) {
	t.Helper()
	data := env["SWITCHBOARD_DATA_DIR"]
	before := dirSnapshot(t, data)
	out := &syncBuffer{}
	code := run(context.Background(), nil, envOf(env), out, out)
	if code != 1 {
		t.Fatalf("serve exited %d, want 1:\n%s", code, out.String())
	}
	for _, w := range words {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the message lacks %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "listening") {
		t.Errorf("the server listened before refusing:\n%s", out.String())
	}
	if after := dirSnapshot(t, data); after != before {
		t.Errorf("the refused start changed the data directory:\n before %s\n after  %s", before, after)
	}
}

// TestStartRefusesReadOnlyFileSystem: a data directory on a file system
// mounted read-only (root's permission bits would not stop it).
func TestStartRefusesReadOnlyFileSystem(t *testing.T) {
	mnt := tmpfs(t, 8<<20)
	env := installed(t, filepath.Join(mnt, "data"))
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		cannotMount(t, fmt.Sprintf("cannot remount read-only: %v", err))
	}
	refusedStart(t, env, "read-only data directory", env["SWITCHBOARD_DATA_DIR"], "writable", "SWITCHBOARD_DATA_DIR")
}

// TestStartRefusesFullDisk: a data directory whose disk has no room left
// (a tmpfs filled up to its size).
func TestStartRefusesFullDisk(t *testing.T) {
	mnt := tmpfs(t, 4<<20)
	env := installed(t, filepath.Join(mnt, "data"))
	f, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errorsIsNoSpace(err) {
				t.Fatal(err)
			}
			break
		}
	}
	_ = f.Close()
	refusedStart(t, env, "disk full", env["SWITCHBOARD_DATA_DIR"], "free space", "SWITCHBOARD_DATA_DIR")

	// With room again the same directory starts, its data intact.
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, env)
	if got := login(t, s.addr, "owner@acme.test", "owner-password"); got != 200 {
		t.Fatalf("login after freeing space: %d", got)
	}
}

func errorsIsNoSpace(err error) bool {
	pe, ok := err.(*fs.PathError)
	return ok && pe.Err == syscall.ENOSPC
}

// TestStartRefusesFileFromNewerVersion: the database's schema version is
// above this binary's.
func TestStartRefusesFileFromNewerVersion(t *testing.T) {
	t.Parallel()
	env := installed(t, t.TempDir())
	rawSQL(t, filepath.Join(env["SWITCHBOARD_DATA_DIR"], sqlite.FileName), fmt.Sprintf("PRAGMA user_version = %d", sqlite.SchemaVersion()+1))
	refusedStart(t, env, "database from a newer version", fmt.Sprintf("schema version %d", sqlite.SchemaVersion()+1),
		"run the newer switchboard", "restore a backup")
}

// TestStartRefusesCorruptFile: b-tree pages of the database are damaged;
// the start's check finds it and leaves the file as it is.
func TestStartRefusesCorruptFile(t *testing.T) {
	t.Parallel()
	env := installed(t, t.TempDir())
	path := filepath.Join(env["SWITCHBOARD_DATA_DIR"], sqlite.FileName)
	// Overwrite the header of every page of the members and workspaces
	// tables (the admin and workspace create-admin wrote): the schema on
	// page 1 still reads, the tables do not.
	db, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	var pages []int64
	rows, err := db.Query(`SELECT pageno FROM dbstat WHERE name IN ('members', 'workspaces') ORDER BY pageno`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	rows.Close()
	var pageSize int64
	if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if len(pages) == 0 {
		t.Fatal("no pages of the members and workspaces tables")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 64), (p-1)*pageSize); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	refusedStart(t, env, "corrupt database", path, "left as it is", "restore the latest backup")
}

// rawSQL runs statements on a database file outside the store.
func rawSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// cannotMount fails the test under CI=true, where it runs as root and
// tmpfs mounts work, and skips it elsewhere (a developer's machine, a
// container without the capability): a skipped fault test proves nothing.
func cannotMount(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI needs it (root, with mount allowed)", why)
	}
	t.Skip(why)
}
