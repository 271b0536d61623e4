package sqlite

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// SaveSyncCursor stores c, a first sync's position, created now; an id
// in use is CodeConflict.
func (s *Store) SaveSyncCursor(ctx context.Context, c *models.SyncCursor) error {
	c.CreatedAt = s.nowMS()
	err := s.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO sync_cursors (id, ws, member_id, base, tbl, after, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, c.WS, c.MemberID, c.Base, c.Table, c.After, ms(c.CreatedAt))
		return err
	})
	return s.fail(err, "sync cursor")
}

// SyncCursor returns the first-sync position id, or the typed not-found
// when it is unknown or purged.
func (s *Store) SyncCursor(ctx context.Context, id string) (*models.SyncCursor, error) {
	var c models.SyncCursor
	var created int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT id, ws, member_id, base, tbl, after, created_at FROM sync_cursors WHERE id = ?`, id).
		Scan(&c.ID, &c.WS, &c.MemberID, &c.Base, &c.Table, &c.After, &created)
	if err != nil {
		return nil, s.fail(err, "sync cursor")
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// SavePushed records that member's push, made on a device synced up to
// sequence base, created the records keys ("<table> <id>"), one row per
// key, in one transaction. No keys store nothing.
func (s *Store) SavePushed(ctx context.Context, ws, member string, base int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	at := ms(s.nowMS())
	err := s.WithTx(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(`INSERT INTO sync_pushed (ws, member_id, base, key, created_at) VALUES (?, ?, ?, ?, ?)`,
				ws, member, base, k, at); err != nil {
				return err
			}
		}
		return nil
	})
	return s.fail(err, "sync cursor")
}

// pushedSQL reads a member's pushes through sync_pushed_member.
const pushedSQL = `SELECT key FROM sync_pushed WHERE ws = ? AND member_id = ? AND base <= ?`

// Pushed returns the keys of the records member's pushes made at bases up
// to upTo created.
func (s *Store) Pushed(ctx context.Context, ws, member string, upTo int64) (map[string]bool, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, pushedSQL, ws, member, upTo)
	if err != nil {
		return nil, s.fail(err, "sync cursor")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, s.fail(err, "sync cursor")
		}
		out[k] = true
	}
	return out, s.fail(rows.Err(), "sync cursor")
}

// PurgeSyncCursors deletes the first-sync positions and the pushes'
// records created before cutoff.
func (s *Store) PurgeSyncCursors(ctx context.Context, cutoff time.Time) error {
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM sync_cursors WHERE created_at < ?`, ms(cutoff)); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM sync_pushed WHERE created_at < ?`, ms(cutoff))
		return err
	})
	return s.fail(err, "sync cursor")
}
