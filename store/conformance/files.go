package conformance

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// RunFiles checks models.FileStore.
func RunFiles(t *testing.T, open Open) { runFiles(t, newFixture(t, open)) }

// newFile returns the record of a new upload to workspace w.
func newFile(w, name string) *models.File {
	return &models.File{ID: models.NewID(), WS: w, Name: name, MimeType: "application/pdf", UploadedBy: "m1", ConversationID: "c1"}
}

// failingReader fails every read, as a client that goes away does.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("the client went away") }

// random returns n random bytes.
func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// readBack returns the bytes OpenFile streams for id of w.
func readBack(t *testing.T, s Store, w, id string) []byte {
	t.Helper()
	var out bytes.Buffer
	ok(t, s.OpenFile(ctx, w, id, &out), "open file")
	return out.Bytes()
}

func runFiles(t *testing.T, f *fixture) {
	s := f.s

	t.Run("the bytes and record come back", func(t *testing.T) {
		w := ws()
		data := random(100_000)
		at := f.clock.tick()
		file := newFile(w, "report.pdf")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader(data), int64(len(data))), "save")
		if file.Size != int64(len(data)) || !file.CreatedAt.Equal(at) {
			t.Fatalf("saved record: size %d created %v; want %d and %v", file.Size, file.CreatedAt, len(data), at)
		}
		got, err := s.FileRecord(ctx, w, file.ID)
		ok(t, err, "record")
		if got.ID != file.ID || got.WS != w || got.Name != "report.pdf" || got.MimeType != "application/pdf" ||
			got.Size != int64(len(data)) || got.UploadedBy != "m1" || got.ConversationID != "c1" || !got.CreatedAt.Equal(at) {
			t.Fatalf("record %+v, want %+v", got, file)
		}
		if !bytes.Equal(readBack(t, s, w, file.ID), data) {
			t.Fatal("the bytes read back differ from those saved")
		}
	})

	t.Run("another workspace's file is not found", func(t *testing.T) {
		w := ws()
		file := newFile(w, "a.pdf")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader([]byte("%PDF")), 10), "save")
		rec, err := s.FileRecord(ctx, ws(), file.ID)
		notFound(t, rec, err, "record from another workspace")
		var out bytes.Buffer
		if err := s.OpenFile(ctx, ws(), file.ID, &out); !models.IsNotFound(err) || out.Len() != 0 {
			t.Fatalf("open from another workspace: %v, %d bytes", err, out.Len())
		}
		if err := s.DeleteFile(ctx, ws(), file.ID); !models.IsNotFound(err) {
			t.Fatalf("delete from another workspace: %v", err)
		}
		if !bytes.Equal(readBack(t, s, w, file.ID), []byte("%PDF")) {
			t.Fatal("the owner lost the file")
		}
		rec, err = s.FileRecord(ctx, w, models.NewID())
		notFound(t, rec, err, "unknown file")
		if err := s.OpenFile(ctx, w, models.NewID(), &out); !models.IsNotFound(err) {
			t.Fatalf("open unknown file: %v", err)
		}
	})

	t.Run("max bytes pass, one more is too large and keeps nothing", func(t *testing.T) {
		w := ws()
		data := random(1000)
		file := newFile(w, "exact.pdf")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader(data), 1000), "save of exactly max bytes")
		big := newFile(w, "big.pdf")
		wantCode(t, s.SaveFile(ctx, big, bytes.NewReader(data), 999), models.CodeTooLarge, "one byte over max")
		rec, err := s.FileRecord(ctx, w, big.ID)
		notFound(t, rec, err, "a refused upload")
		// Nothing of the refused upload stays in the way of its id.
		ok(t, s.SaveFile(ctx, big, bytes.NewReader(data[:10]), 999), "save again under the refused id")
		if !bytes.Equal(readBack(t, s, w, big.ID), data[:10]) {
			t.Fatal("the second upload under the id reads back wrong")
		}
	})

	t.Run("an upload whose reading fails keeps nothing", func(t *testing.T) {
		w := ws()
		file := newFile(w, "cut.pdf")
		r := io.MultiReader(bytes.NewReader(random(5000)), failingReader{})
		if err := s.SaveFile(ctx, file, r, 100_000); err == nil {
			t.Fatal("an upload whose reader failed was saved")
		}
		rec, err := s.FileRecord(ctx, w, file.ID)
		notFound(t, rec, err, "a failed upload")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader([]byte("whole")), 100), "save again under the failed id")
		if !bytes.Equal(readBack(t, s, w, file.ID), []byte("whole")) {
			t.Fatal("the second upload under the id reads back wrong")
		}
	})

	t.Run("an id in use is a conflict and the first file stays", func(t *testing.T) {
		w := ws()
		first := newFile(w, "first.pdf")
		ok(t, s.SaveFile(ctx, first, bytes.NewReader([]byte("first bytes")), 100), "save")
		again := *first
		again.Name = "second.pdf"
		wantCode(t, s.SaveFile(ctx, &again, bytes.NewReader([]byte("second")), 100), models.CodeConflict, "same id again")
		rec, err := s.FileRecord(ctx, w, first.ID)
		ok(t, err, "record after the conflict")
		if rec.Name != "first.pdf" || rec.Size != int64(len("first bytes")) {
			t.Fatalf("record after the conflict: %+v", rec)
		}
		if !bytes.Equal(readBack(t, s, w, first.ID), []byte("first bytes")) {
			t.Fatal("the conflicting upload changed the first file's bytes")
		}
	})

	t.Run("a deleted file is gone and its id free", func(t *testing.T) {
		w := ws()
		file := newFile(w, "gone.pdf")
		keep := newFile(w, "kept.pdf")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader([]byte("delete me")), 100), "save")
		ok(t, s.SaveFile(ctx, keep, bytes.NewReader([]byte("keep me")), 100), "save the other")
		ok(t, s.DeleteFile(ctx, w, file.ID), "delete")
		rec, err := s.FileRecord(ctx, w, file.ID)
		notFound(t, rec, err, "deleted file")
		if err := s.OpenFile(ctx, w, file.ID, io.Discard); !models.IsNotFound(err) {
			t.Fatalf("open deleted file: %v", err)
		}
		if err := s.DeleteFile(ctx, w, file.ID); !models.IsNotFound(err) {
			t.Fatalf("second delete: %v", err)
		}
		if !bytes.Equal(readBack(t, s, w, keep.ID), []byte("keep me")) {
			t.Fatal("deleting one file touched another")
		}
		ok(t, s.SaveFile(ctx, file, bytes.NewReader([]byte("new")), 100), "save under the deleted id")
		if !bytes.Equal(readBack(t, s, w, file.ID), []byte("new")) {
			t.Fatal("the new upload under a deleted id reads back wrong")
		}
	})

	// Last, the one large case: the bound the server passes as max.
	t.Run("models.MaxFileSize at its boundary", func(t *testing.T) {
		w := ws()
		data := random(models.MaxFileSize + 1)
		file := newFile(w, "exact.pdf")
		ok(t, s.SaveFile(ctx, file, bytes.NewReader(data[:models.MaxFileSize]), models.MaxFileSize), "save of 20 MB")
		h := sha256.New()
		ok(t, s.OpenFile(ctx, w, file.ID, h), "open 20 MB")
		if want := sha256.Sum256(data[:models.MaxFileSize]); !bytes.Equal(h.Sum(nil), want[:]) || file.Size != models.MaxFileSize {
			t.Fatalf("20 MB file: size %d, bytes differ: %v", file.Size, !bytes.Equal(h.Sum(nil), want[:]))
		}
		big := newFile(w, "over.pdf")
		wantCode(t, s.SaveFile(ctx, big, bytes.NewReader(data), models.MaxFileSize), models.CodeTooLarge, "20 MB and a byte")
		rec, err := s.FileRecord(ctx, w, big.ID)
		notFound(t, rec, err, "a refused 20 MB upload")
	})
}
