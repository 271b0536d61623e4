package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// openFiles creates the files/ folder beside the database if absent and
// sweeps it: SweepFiles, then every file in the folder named by the store
// (a hexadecimal id, perhaps with the temporary suffix) that no row
// accounts for is removed, as is a temporary file whose row is already
// 'stored'. Only a crash leaves such files, so the folder is read at
// Open only, one primary-key look-up per file; other names are left
// alone.
func (s *Store) openFiles(ctx context.Context) error {
	if err := os.MkdirAll(s.files, 0o700); err != nil {
		return fmt.Errorf("sqlite store: files folder: %w", err)
	}
	if err := syncFile(filepath.Dir(s.files)); err != nil {
		return fmt.Errorf("sqlite store: files folder: %w", err)
	}
	if _, err := s.SweepFiles(ctx); err != nil {
		return err
	}
	entries, err := os.ReadDir(s.files)
	if err != nil {
		return fmt.Errorf("sqlite store: files folder: %w", err)
	}
	removed := false
	for _, e := range entries {
		id, tmp, ok := fileID(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		var state string
		err := s.rd(ctx).QueryRowContext(ctx, `SELECT state FROM files WHERE id = ?`, id).Scan(&state)
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && tmp && state == stateStored:
			if err := removeIfAny(filepath.Join(s.files, e.Name())); err != nil {
				return fmt.Errorf("sqlite store: files folder: %w", err)
			}
			removed = true
		case err != nil:
			return s.mapErr(err)
		}
	}
	if removed {
		return syncFile(s.files)
	}
	return nil
}

// SweepFiles finishes the uploads and deletes left unfinished for longer
// than Options.FileGrace (by a crash, or a failure while undoing one):
// each row not 'stored' and created before the grace period is marked
// 'deleting', its bytes (temporary or final) removed, then the row. It
// returns how many it finished. Open runs it; the server's runner should
// call it now and then (hourly is plenty). It reads only the rows not
// 'stored', through the files_pending index, never the whole table. An
// upload still running past the grace period fails instead of storing
// its file.
func (s *Store) SweepFiles(ctx context.Context) (int, error) {
	cutoff := ms(s.nowMS().Add(-s.opts.FileGrace))
	done := 0
	for {
		rows, err := s.rd(ctx).QueryContext(ctx, sweepQuery, cutoff)
		if err != nil {
			return done, s.mapErr(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return done, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return done, s.mapErr(err)
		}
		for _, id := range ids {
			if err := s.finish(ctx, id); err != nil {
				return done, err
			}
			done++
		}
	}
}

// sweepQuery reads a batch of the unfinished rows created before a time,
// through the partial index files_pending.
const sweepQuery = `SELECT id FROM files WHERE state <> 'stored' AND created_at < ? ORDER BY created_at LIMIT 100`

// finish removes the unfinished file id: the row is marked 'deleting'
// (so an upload that is somehow still running cannot mark it 'stored'),
// the bytes removed, the row deleted. A row that became 'stored' since
// it was read is left as it is.
func (s *Store) finish(ctx context.Context, id string) error {
	marked := false
	err := s.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE files SET state = ? WHERE id = ? AND state <> 'stored'`, stateDeleting, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		marked = n == 1
		return err
	})
	if err != nil || !marked {
		return s.mapErr(err)
	}
	s.step("sweep:marked")
	if err := s.removeBytes(id); err != nil {
		return fmt.Errorf("sqlite store: sweeping file %s: %w", id, err)
	}
	return s.mapErr(s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM files WHERE id = ? AND state = ?`, id, stateDeleting)
		return err
	}))
}
