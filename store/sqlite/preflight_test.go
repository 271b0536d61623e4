package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// snapshot fingerprints every file of dir and of its folders (names and
// contents), to show that a refusal changed nothing.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		n, _ := filepath.Rel(dir, path)
		names = append(names, n)
		if d.IsDir() {
			fmt.Fprintf(h, "%s/\n", n)
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %x\n", n, len(b), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %x", names, h.Sum(nil))
}

// seeded returns a data directory holding a closed store with chats.
func seeded(t *testing.T, chats int) string {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range chats {
		if err := s.WithTx(context.Background(), func(tx *Tx) error {
			return writeChat(tx, "ws1", fmt.Sprintf("c%d", i), 5, strings.Repeat("payload ", 40))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawExec runs statements on the file directly, outside the store.
func rawExec(t *testing.T, path string, stmts ...string) {
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

func expectFault(t *testing.T, dir string, cause error, words ...string) {
	t.Helper()
	expectFaultWith(t, dir, Options{}, cause, words...)
}

func expectFaultWith(t *testing.T, dir string, opts Options, cause error, words ...string) {
	t.Helper()
	before := snapshot(t, dir)
	s, err := Open(context.Background(), dir, opts)
	if err == nil {
		s.Close()
		t.Fatalf("Open accepted the directory, want %v", cause)
	}
	var f *Fault
	if !errors.Is(err, cause) || !errors.As(err, &f) || f.Fix == "" {
		t.Fatalf("Open: %v, want a Fault with a fix for %v", err, cause)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the refused directory changed:\n before %s\n after  %s", before, after)
	}
}

func TestOpenRefusesFileFromNewerSchema(t *testing.T) {
	t.Parallel()
	dir := seeded(t, 2)
	path := filepath.Join(dir, FileName)
	rawExec(t, path, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1))
	expectFault(t, dir, ErrNewerSchema, path, fmt.Sprintf("schema version %d", SchemaVersion()+1), "newer")
}

func TestOpenRefusesForeignDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	rawExec(t, path, "PRAGMA application_id = 42", "CREATE TABLE t (x)")
	expectFault(t, dir, ErrForeign, path)
}

func TestOpenRefusesNonDatabaseFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), bytes.Repeat([]byte("not a database\n"), 500), 0o600); err != nil {
		t.Fatal(err)
	}
	expectFault(t, dir, ErrCorrupt, FileName, "restore the latest backup")
}

func TestOpenRefusesCorruptDatabase(t *testing.T) {
	t.Parallel()
	dir := seeded(t, 40)
	path := filepath.Join(dir, FileName)
	damage(t, path)
	expectFault(t, dir, ErrCorrupt, path, "left as it is")
	// The check found it, not a later read: the full check agrees.
	db, _ := sql.Open("sqlite", "file:"+path+"?mode=ro")
	defer db.Close()
	if got := pragmaLines(t, db, "PRAGMA integrity_check"); got == "ok" {
		t.Fatal("integrity_check finds the damaged file fine; the test damaged nothing")
	}
}

// TestOpenRefusesReadOnlyDirectory runs Open against a directory without
// write permission. Root ignores permissions, so as root the check runs
// in a child process of this test binary under the nobody user.
func TestOpenRefusesReadOnlyDirectory(t *testing.T) {
	t.Parallel()
	dir := seeded(t, 1)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if os.Geteuid() != 0 {
		expectFault(t, dir, ErrReadOnly, dir, "writable")
		return
	}
	// Copy the test binary where nobody may run it.
	bin := filepath.Join(t.TempDir(), "sqlite.test")
	copyFile(t, os.Args[0], bin)
	for _, p := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, FileName), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	cmd := exec.Command(bin, "-test.run=^TestHelperOpen$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_SQLITE_HELPER_OPEN="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	for _, w := range []string{"open refused: read-only data directory", dir, "writable"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("child output does not mention %q:\n%s", w, out)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the refused directory changed")
	}
}

// TestHelperOpen is not a test: the child of TestOpenRefusesReadOnlyDirectory.
func TestHelperOpen(t *testing.T) {
	dir := os.Getenv("SWITCHBOARD_SQLITE_HELPER_OPEN")
	if dir == "" {
		t.Skip("helper process only")
	}
	s, err := Open(context.Background(), dir, Options{})
	if err == nil {
		s.Close()
		fmt.Println("open accepted")
		return
	}
	if errors.Is(err, ErrReadOnly) {
		fmt.Println("open refused:", err)
		return
	}
	fmt.Println("open failed otherwise:", err)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// damage overwrites the headers of a run of b-tree pages in the middle of
// the file: the page structure no longer holds together, while the
// header and schema at the start of the file still read.
func damage(t *testing.T, path string) {
	t.Helper()
	// The pages to damage: four leaves in the middle of the messages
	// table, the bulk of a seeded file, chosen by name so that a schema
	// change moving other pages (the schema's own) cannot make the
	// damage hit something else. immutable: read the file as it is, WAL
	// or not, without creating anything beside it.
	db, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	var pages []int64
	rows, err := db.Query(`SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno`)
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
	db.Close()
	if len(pages) < 8 {
		t.Fatalf("seeded file has only %d message pages", len(pages))
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const page = 4096
	for _, p := range pages[len(pages)/2-2 : len(pages)/2+2] {
		// Page numbers start at 1; the damage overwrites the page header.
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 64), (p-1)*page); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAutoCheckScansLargeFilesAfterUncleanShutdown: AutoCheck skips the
// page scan of a cleanly closed file above QuickCheckBelow (a damaged
// page then surfaces when read), but scans any file a run
// left with its WAL, as a crash or power loss does.
func TestAutoCheckScansLargeFilesAfterUncleanShutdown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := seeded(t, 40)
	// A run that never closes: its database and WAL, copied as a crash leaves them.
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('last', 'run')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	for _, name := range []string{FileName, FileName + "-wal"} {
		copyFile(t, filepath.Join(dir, name), filepath.Join(crashed, name))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	damage(t, filepath.Join(dir, FileName))
	damage(t, filepath.Join(crashed, FileName))
	small := Options{QuickCheckBelow: 1}

	clean, err := Open(ctx, dir, small)
	if err != nil {
		t.Fatalf("AutoCheck scanned a large, cleanly closed file: %v", err)
	}
	got := pragmaLines(t, clean.Reader(), "PRAGMA quick_check")
	clean.Close()
	if got == "ok" {
		t.Fatal("quick_check finds the damaged file fine; the test damaged nothing")
	}
	if s, err := Open(ctx, dir, Options{Check: QuickCheck}); err == nil || !errors.Is(err, ErrCorrupt) {
		if s != nil {
			s.Close()
		}
		t.Errorf("QuickCheck on the damaged file: %v, want ErrCorrupt", err)
	}
	expectFaultWith(t, crashed, small, ErrCorrupt, "left as it is")
}

// TestSecondProcessRefused: while one store has the directory open, a
// second Open (here or in another process) is refused with ErrInUse,
// changing nothing; once the first closes, the directory opens again.
func TestSecondProcessRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := openT(t, dir)
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "SWITCHBOARD_DATA_DIR") {
		t.Fatalf("second open: %v; want ErrInUse naming the fix", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	_ = again.Close()
}

// TestOpenRefusesFullDisk: a data directory on a disk without room for
// SQLite's WAL and shared-memory files is refused with ErrDiskFull before
// anything is written (no WAL or shared-memory file is left), and opens
// once there is room. The disk is a small tmpfs, filled up; mounting one
// needs root.
func TestOpenRefusesFullDisk(t *testing.T) {
	t.Parallel()
	mnt := t.TempDir()
	if os.Geteuid() != 0 {
		cannotMount(t, "mounting a file system needs root")
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=4194304"); err != nil {
		cannotMount(t, fmt.Sprintf("cannot mount a tmpfs here: %v", err))
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })
	dir := filepath.Join(mnt, "data")
	s := openT(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = f.Write(make([]byte, 64<<10))
	}
	_ = f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: %v", err)
	}
	expectFault(t, dir, ErrDiskFull, dir, "free space", "SWITCHBOARD_DATA_DIR")

	// At the boundary: one page short of MinFreeSpace is refused,
	// MinFreeSpace free opens (tmpfs counts whole pages).
	free := func() int64 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(mnt, &st); err != nil {
			t.Fatal(err)
		}
		return int64(st.Bavail) * int64(st.Bsize)
	}
	leave := func(room int64) {
		t.Helper()
		if err := os.Truncate(filler, 0); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(filler, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(make([]byte, free()-room)); err != nil {
			t.Fatal(err)
		}
		if got := free(); got != room {
			t.Fatalf("left %d bytes free, want %d", got, room)
		}
	}
	page := int64(os.Getpagesize())
	leave(MinFreeSpace - page)
	expectFault(t, dir, ErrDiskFull, dir, "free space")
	leave(MinFreeSpace)
	s, err = Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("open with MinFreeSpace free: %v", err)
	}
	_ = s.Close()
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
