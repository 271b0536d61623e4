package sqlite

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// testClock is a store clock the test moves forward.
type testClock struct{ ahead atomic.Int64 }

func (c *testClock) now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// pastGrace moves the clock beyond the default grace period.
func (c *testClock) pastGrace() { c.ahead.Add(int64(DefaultFileGrace + time.Minute)) }

// crash is what a hook panics with to stand for a crash at a step.
type crash string

// openFilesT opens a store in dir on clock c whose hook panics at step
// (none when empty) once armed is set.
func openFilesT(t *testing.T, dir string, c *testClock, step string, armed ...*atomic.Bool) *Store {
	t.Helper()
	opts := Options{Now: c.now, Synchronous: "NORMAL"}
	if step != "" {
		opts.hook = func(at string) {
			if at == step && armed[0].Load() {
				panic(crash(at))
			}
		}
	}
	s, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// crashes runs fn and fails t unless it stops with the crash of step.
func crashes(t *testing.T, step string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != crash(step) {
			t.Fatalf("want a crash at %s, got %v", step, r)
		}
	}()
	fn()
}

// folder lists the names in the store's files folder.
func folder(t *testing.T, s *Store) []string {
	t.Helper()
	entries, err := os.ReadDir(s.files)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// fileStates returns the state of every row of the files table by id.
func fileStates(t *testing.T, s *Store) map[string]string {
	t.Helper()
	rows, err := s.Reader().Query(`SELECT id, state FROM files`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			t.Fatal(err)
		}
		out[id] = state
	}
	return out
}

func saveT(t *testing.T, s *Store, id string, data []byte) *models.File {
	t.Helper()
	f := &models.File{ID: id, WS: "w", Name: id + ".pdf", MimeType: "application/pdf", UploadedBy: "m", ConversationID: "c"}
	if err := s.SaveFile(context.Background(), f, bytes.NewReader(data), models.MaxFileSize); err != nil {
		t.Fatalf("save %s: %v", id, err)
	}
	return f
}

// TestFileCrashPoints stops an upload, a delete and a sweep at every
// point between two of their writes, as a crash would (no undoing), then
// reopens the store: the file is never visible half done, what was left
// stays within the grace period (an upload may still be running) and is
// gone, row and bytes, once Open sweeps after it; a file kept beside it
// is untouched throughout.
func TestFileCrashPoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, step := range []string{"save:pending", "save:synced", "save:renamed", "delete:marked", "delete:removed", "sweep:marked"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			dir, c := t.TempDir(), &testClock{}
			var armed atomic.Bool
			s := openFilesT(t, dir, c, step, &armed)
			saveT(t, s, "kept", []byte("kept bytes"))
			switch {
			case strings.HasPrefix(step, "save:"):
				armed.Store(true)
				crashes(t, step, func() { saveT(t, s, "f1", []byte("half done")) })
			case strings.HasPrefix(step, "delete:"):
				saveT(t, s, "f1", []byte("to delete"))
				armed.Store(true)
				crashes(t, step, func() { _ = s.DeleteFile(ctx, "w", "f1") })
			default: // a delete stopped at once, then a sweep stopped after its mark
				saveT(t, s, "f1", []byte("to delete"))
				if _, err := s.writer.Exec(`UPDATE files SET state = 'deleting' WHERE id = 'f1'`); err != nil {
					t.Fatal(err)
				}
				c.pastGrace()
				armed.Store(true)
				crashes(t, step, func() { _, _ = s.SweepFiles(ctx) })
			}
			if f, err := s.FileRecord(ctx, "w", "f1"); !models.IsNotFound(err) {
				t.Fatalf("after the crash the file is visible: %+v, %v", f, err)
			}
			left := len(folder(t, s))
			_ = s.Close()

			if step != "sweep:marked" { // that one crashed past the grace period
				s = openFilesT(t, dir, c, "")
				if len(folder(t, s)) != left {
					t.Fatalf("Open within the grace period removed bytes: %v", folder(t, s))
				}
				if _, ok := fileStates(t, s)["f1"]; !ok {
					t.Fatalf("Open within the grace period removed the row of a possibly running write")
				}
				_ = s.Close()
			}

			c.pastGrace()
			s = openFilesT(t, dir, c, "")
			if got := fileStates(t, s); len(got) != 1 || got["kept"] != stateStored {
				t.Fatalf("rows after the sweep: %v, want only the kept file", got)
			}
			if got := folder(t, s); !slices.Equal(got, []string{fileName("kept")}) {
				t.Fatalf("folder after the sweep: %v, want only the kept file's bytes", got)
			}
			var out bytes.Buffer
			if err := s.OpenFile(ctx, "w", "kept", &out); err != nil || out.String() != "kept bytes" {
				t.Fatalf("kept file: %q, %v", out.String(), err)
			}
			saveT(t, s, "f1", []byte("again"))
		})
	}
}

// TestSweepOfAnUploadOutlastingTheGrace: an upload still running when the
// sweep takes its row fails, and leaves neither row nor bytes.
func TestSweepOfAnUploadOutlastingTheGrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &testClock{}
	var s *Store
	swept := 0
	s, err := Open(ctx, t.TempDir(), Options{Now: c.now, Synchronous: "NORMAL", hook: func(step string) {
		if step == "save:synced" {
			c.pastGrace()
			var err error
			if swept, err = s.SweepFiles(ctx); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := &models.File{ID: "slow", WS: "w", Name: "slow.pdf"}
	if err := s.SaveFile(ctx, f, strings.NewReader("slow bytes"), 100); models.ErrorCode(err) != models.CodeInternal {
		t.Fatalf("save swept under way: %v", err)
	}
	if swept != 1 {
		t.Fatalf("the sweep finished %d uploads, want 1", swept)
	}
	if rows, names := fileStates(t, s), folder(t, s); len(rows) != 0 || len(names) != 0 {
		t.Fatalf("left rows %v and files %v", rows, names)
	}
}

// TestOpenRemovesOrphanBytes: Open removes bytes no row accounts for and
// temporary files of stored rows, and leaves stored files and names the
// store did not make alone.
func TestOpenRemovesOrphanBytes(t *testing.T) {
	t.Parallel()
	dir, c := t.TempDir(), &testClock{}
	s := openFilesT(t, dir, c, "")
	saveT(t, s, "kept", []byte("kept bytes"))
	for name, data := range map[string]string{
		fileName("orphan"):                "no row",
		fileName("orphan") + ".tmp":       "no row either",
		fileName("kept") + ".tmp":         "an older attempt",
		"README.txt":                      "the operator's",
		strings.ToUpper(fileName("kept")): "not a name the store makes",
	} {
		if err := os.WriteFile(filepath.Join(s.files, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	s = openFilesT(t, dir, c, "")
	got := folder(t, s)
	want := []string{fileName("kept"), "README.txt", strings.ToUpper(fileName("kept"))}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("folder after Open: %v, want %v", got, want)
	}
}

// TestFileIDsNeverNameAPath: an id that is not a valid record id is
// refused on save and not found elsewhere, so no id reaches outside the
// folder; ids differing in case are different files.
func TestFileIDsNeverNameAPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	for _, id := range []string{"../escape", "a/b", "", strings.Repeat("x", 65)} {
		f := &models.File{ID: id, WS: "w"}
		if err := s.SaveFile(ctx, f, strings.NewReader("x"), 10); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("save under id %q: %v", id, err)
		}
		if err := s.OpenFile(ctx, "w", id, io.Discard); !models.IsNotFound(err) {
			t.Errorf("open id %q: %v", id, err)
		}
	}
	saveT(t, s, "Abc", []byte("upper"))
	saveT(t, s, "abc", []byte("lower"))
	for id, want := range map[string]string{"Abc": "upper", "abc": "lower"} {
		var out bytes.Buffer
		if err := s.OpenFile(ctx, "w", id, &out); err != nil || out.String() != want {
			t.Errorf("file %s: %q, %v", id, out.String(), err)
		}
	}
}

// TestOpenFileRefusesDamagedBytes: bytes whose size differs from the
// record's are an internal error, and nothing reaches the writer.
func TestOpenFileRefusesDamagedBytes(t *testing.T) {
	t.Parallel()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	saveT(t, s, "f", []byte("twelve bytes"))
	if err := os.Truncate(s.finalPath("f"), 5); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.OpenFile(context.Background(), "w", "f", &out); models.ErrorCode(err) != models.CodeInternal || out.Len() != 0 {
		t.Fatalf("damaged file: %v, %d bytes written", err, out.Len())
	}
}

// TestFileSweepUsesItsIndex: the sweep's query reads the files_pending
// index, not the table.
func TestFileSweepUsesItsIndex(t *testing.T) {
	t.Parallel()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	plan := strings.Join(planOf(t, s, sweepQuery), " | ")
	if !strings.Contains(plan, "USING INDEX files_pending") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("sweep plan: %s", plan)
	}
}

// TestOpenFileDeletedMeanwhile: a file deleted between OpenFile's read of
// its record and of its bytes is not found, not an internal error.
func TestOpenFileDeletedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var s *Store
	s, err := Open(ctx, t.TempDir(), Options{Synchronous: "NORMAL", hook: func(step string) {
		if step == "open:record" {
			if err := s.DeleteFile(ctx, "w", "f"); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	saveT(t, s, "f", []byte("bytes"))
	var out bytes.Buffer
	if err := s.OpenFile(ctx, "w", "f", &out); !models.IsNotFound(err) || out.Len() != 0 {
		t.Fatalf("open of a file deleted meanwhile: %v, %d bytes", err, out.Len())
	}
}

// TestRefusedUploadsLeaveNoBytes: an upload over its limit, or whose
// reading fails, leaves no row and no bytes in the folder.
func TestRefusedUploadsLeaveNoBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFilesT(t, t.TempDir(), &testClock{}, "")
	big := &models.File{ID: "big", WS: "w"}
	if err := s.SaveFile(ctx, big, bytes.NewReader(make([]byte, 1001)), 1000); models.ErrorCode(err) != models.CodeTooLarge {
		t.Fatalf("over the limit: %v", err)
	}
	cut := &models.File{ID: "cut", WS: "w"}
	r := io.MultiReader(strings.NewReader("some bytes"), iotestErr{})
	if err := s.SaveFile(ctx, cut, r, 1000); err == nil {
		t.Fatal("an upload whose reading failed was saved")
	}
	if rows, names := fileStates(t, s), folder(t, s); len(rows) != 0 || len(names) != 0 {
		t.Fatalf("left rows %v and files %v", rows, names)
	}
}

// iotestErr fails every read.
type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestFileDiskFullIsUnavailable: an attachment's bytes that a full disk
// (or quota, or a file system turned read-only) refuses come back as the
// unavailable error a full database gives (503 with Retry-After), not as
// an internal error.
func TestFileDiskFullIsUnavailable(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS} {
		err := s.fail(&os.PathError{Op: "write", Path: "files/x.tmp", Err: errno}, "file")
		if models.ErrorCode(err) != models.CodeUnavailable {
			t.Errorf("%v: %v (code %s), want unavailable", errno, err, models.ErrorCode(err))
		}
	}
}
