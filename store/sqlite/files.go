package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.FileStore = (*Store)(nil)

// An attachment's bytes are the file files/<hex of its id> in the data
// directory, never in the database; its row in the files table goes
// through these states (see doc.go, "Files"):
//
//	pending   inserted before the first byte is written; not visible
//	stored    the bytes are synced in place under their final name
//	deleting  a delete has begun; not visible, the bytes are going
//
// The bytes are written to <name>.tmp, synced, renamed to <name> and the
// directory synced before the row becomes 'stored', and a row leaves the
// table only after its bytes are gone. So a crash never leaves a stored
// row without its bytes, and every other leftover has a row that is not
// 'stored', which SweepFiles finishes through the files_pending index.
const (
	filesDir      = "files"
	tmpSuffix     = ".tmp"
	stateStored   = "stored"
	statePending  = "pending"
	stateDeleting = "deleting"
)

// DefaultFileGrace is how long an unfinished upload or delete is left to
// its owner before SweepFiles finishes it: far above the HTTP server's
// 60-second read timeout, which bounds an upload.
const DefaultFileGrace = time.Hour

// fileName is the name of the bytes of file id: the id in hexadecimal,
// so that ids differing in case stay apart on case-insensitive file
// systems and no id can name a path outside the folder.
func fileName(id string) string { return hex.EncodeToString([]byte(id)) }

// fileID reverses fileName; ok is false for a name the store did not
// make (left alone by the sweep). tmp reports a temporary name.
func fileID(name string) (id string, tmp, ok bool) {
	base, tmp := strings.CutSuffix(name, tmpSuffix)
	b, err := hex.DecodeString(base)
	if err != nil || len(b) == 0 || hex.EncodeToString(b) != base || !models.ValidID(string(b)) {
		return "", false, false
	}
	return string(b), tmp, true
}

func (s *Store) finalPath(id string) string { return filepath.Join(s.files, fileName(id)) }
func (s *Store) tmpPath(id string) string   { return filepath.Join(s.files, fileName(id)+tmpSuffix) }

// step calls the test hook, if any, at a named point between two writes.
func (s *Store) step(name string) {
	if s.opts.hook != nil {
		s.opts.hook(name)
	}
}

// errTooLarge stops an upload that passed its limit.
var errTooLarge = errors.New("file over the limit")

// capped fails once more than max bytes were read.
type capped struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooLarge
	}
	return n, err
}

// SaveFile stores the bytes of f read from r under f.ID and records f,
// sized and created now. More than max bytes is CodeTooLarge, an id in
// use CodeConflict, an id that is not 1 to 64 letters, digits, '-' or
// '_' CodeInvalid; a refused or failed upload keeps nothing. The row is
// written 'pending' first, the bytes to a temporary file that is synced,
// renamed into place (the folder synced), and only then is the row
// marked 'stored': a crash at any point leaves no visible file without
// its bytes, and SweepFiles removes the rest.
func (s *Store) SaveFile(ctx context.Context, f *models.File, r io.Reader, max int64) error {
	if !models.ValidID(f.ID) {
		return models.Invalid("bad file id", models.FieldError{Field: "id", Message: "must be 1 to 64 letters, digits, '-' or '_'"})
	}
	at := s.nowMS()
	err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO files (id, ws, name, mime_type, size, uploaded_by, conversation_id, state, created_at)
			VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`, f.ID, f.WS, f.Name, f.MimeType, f.UploadedBy, f.ConversationID, statePending, ms(at))
		return err
	})
	if err != nil {
		return s.fail(err, "file")
	}
	s.step("save:pending")
	size, sum, err := s.writeTemp(f.ID, r, max)
	if err != nil {
		s.abandon(ctx, f.ID)
		if errors.Is(err, errTooLarge) {
			return models.Errorf(models.CodeTooLarge, "the file is larger than %d bytes", max)
		}
		return s.fail(err, "file")
	}
	s.step("save:synced")
	if err := os.Rename(s.tmpPath(f.ID), s.finalPath(f.ID)); err != nil {
		s.abandon(ctx, f.ID)
		return s.fail(err, "file")
	}
	if err := syncFile(s.files); err != nil {
		s.abandon(ctx, f.ID)
		return s.fail(err, "file")
	}
	s.step("save:renamed")
	err = s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE files SET state = ?, size = ?, sha256 = ? WHERE id = ? AND state = ?`,
			stateStored, size, sum, f.ID, statePending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("sqlite store: upload of file %s outlasted the sweep's grace period (%v)", f.ID, s.opts.FileGrace)
		}
		return nil
	})
	if err != nil {
		s.abandon(ctx, f.ID)
		return s.fail(err, "file")
	}
	f.Size, f.CreatedAt = size, at
	return nil
}

// writeTemp writes at most max bytes of r to the temporary file of id and
// syncs it, returning the size and SHA-256 (hex) of what it wrote.
func (s *Store) writeTemp(id string, r io.Reader, max int64) (int64, string, error) {
	out, err := os.OpenFile(s.tmpPath(id), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	in := &capped{r: r, max: max}
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return in.n, hex.EncodeToString(h.Sum(nil)), err
}

// abandon undoes a failed upload of id: its row, if still pending, then
// its bytes. If the row already says 'stored' (a commit reported as
// failed) the bytes stay with it. What a failure here leaves, the sweep
// removes.
func (s *Store) abandon(ctx context.Context, id string) {
	ctx = context.WithoutCancel(ctx)
	var state string
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM files WHERE id = ? AND state = ?`, id, statePending); err != nil {
			return err
		}
		err := tx.QueryRow(`SELECT state FROM files WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || state == stateStored {
		return
	}
	_ = removeIfAny(s.tmpPath(id))
	_ = removeIfAny(s.finalPath(id))
}

const fileCols = `id, ws, name, mime_type, size, uploaded_by, conversation_id, created_at`

// FileRecord returns the stored file id of ws, or the typed not-found
// (also for an upload or delete under way).
func (s *Store) FileRecord(ctx context.Context, ws, id string) (*models.File, error) {
	var f models.File
	var created int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT `+fileCols+` FROM files WHERE id = ? AND ws = ? AND state = ?`, id, ws, stateStored).
		Scan(&f.ID, &f.WS, &f.Name, &f.MimeType, &f.Size, &f.UploadedBy, &f.ConversationID, &created)
	if err != nil {
		return nil, s.fail(err, "file")
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// OpenFile streams the bytes of the stored file id of ws into w; an
// unknown file (or one deleted while it is opened) is the typed
// not-found. Missing bytes, or bytes whose size differs from the
// record's, are CodeInternal, before anything is written to w.
func (s *Store) OpenFile(ctx context.Context, ws, id string, w io.Writer) error {
	f, err := s.FileRecord(ctx, ws, id)
	if err != nil {
		return err
	}
	s.step("open:record")
	in, err := os.Open(s.finalPath(id))
	if err != nil {
		if _, rerr := s.FileRecord(ctx, ws, id); models.IsNotFound(rerr) {
			return rerr // deleted since it was read
		}
		return models.Internal(fmt.Errorf("sqlite store: bytes of file %s: %w", id, err))
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return models.Internal(err)
	}
	if st.Size() != f.Size {
		return models.Internal(fmt.Errorf("sqlite store: file %s holds %d bytes, its record says %d", id, st.Size(), f.Size))
	}
	if _, err := io.Copy(w, in); err != nil {
		return models.Internal(err)
	}
	return nil
}

// DeleteFile removes the stored file id of ws, or returns the typed
// not-found. The row is marked 'deleting' first (the file is gone for
// readers from then on), the bytes removed, the row deleted last: a crash
// in between leaves a row SweepFiles finishes. The removal waits for a
// BackupDir copying files.
func (s *Store) DeleteFile(ctx context.Context, ws, id string) error {
	err := s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE files SET state = ? WHERE id = ? AND ws = ? AND state = ?`, stateDeleting, id, ws, stateStored)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return models.NotFound("file")
		}
		return nil
	})
	if err != nil {
		return s.fail(err, "file")
	}
	s.step("delete:marked")
	if err := s.removeBytes(id); err != nil {
		return s.fail(err, "file")
	}
	s.step("delete:removed")
	err = s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM files WHERE id = ? AND state = ?`, id, stateDeleting)
		return err
	})
	return s.fail(err, "file")
}

// removeBytes removes both names of file id's bytes and syncs the
// folder, holding unlink so that a running BackupDir copies them first.
func (s *Store) removeBytes(id string) error {
	s.unlink.RLock()
	defer s.unlink.RUnlock()
	if err := removeIfAny(s.tmpPath(id)); err != nil {
		return err
	}
	if err := removeIfAny(s.finalPath(id)); err != nil {
		return err
	}
	return syncFile(s.files)
}

// removeIfAny removes path; a path already gone is not an error.
func removeIfAny(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
