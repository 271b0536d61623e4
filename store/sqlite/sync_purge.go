package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Horizon returns the sequence at and below which ws's tombstones and
// change-log entries may have been purged (0 when none were).
func (s *Store) Horizon(ctx context.Context, ws string) (int64, error) {
	var h int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT horizon FROM ws_seq WHERE ws = ?`, ws).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return h, s.fail(err, "sequence")
}

// purgeSQL finds the newest change of ws logged before the cutoff,
// through change_log_at.
const purgeSQL = `SELECT max(seq) FROM change_log WHERE ws = ? AND at < ?`

// purgeTableSQL deletes the tombstones of table that the change-log
// entries up to the horizon name: the log's range by its primary key,
// each record by its id.
func purgeTableSQL(table string) string {
	return `DELETE FROM ` + table + ` WHERE id IN (SELECT id FROM change_log
		WHERE ws = ? AND seq > ? AND seq <= ? AND tbl = ?) AND ws = ? AND deleted = 1 AND seq <= ?`
}

// purgeLogSQL deletes ws's change-log entries between two horizons.
const purgeLogSQL = `DELETE FROM change_log WHERE ws = ? AND seq > ? AND seq <= ?`

// purgeStep is how many change-log entries one purge transaction
// removes at most: the purge holds the one writer for a short while at
// a time, never for the whole backlog (1.3 million entries held it some
// 50 s in one transaction).
var purgeStep int64 = 2000

// purgeStepped, when set, runs after each committed purge step: tests
// stop a purge between two steps there.
var purgeStepped func()

// PurgeTombstones deletes the tombstones and change-log entries of ws's
// changes logged before cutoff, and records the new horizon (the newest
// such change's sequence); it returns the horizon, unchanged when there
// was nothing to purge. A client whose last pull is below the horizon
// gets a full resync. The tombstones deleted are those the purged entries
// name whose last change is at or below the horizon: one probe by id per
// entry, never a scan of a table. The horizon moves up purgeStep entries
// per transaction, each leaving a consistent state (the log complete
// above the horizon), so other writes wait for one step at most and an
// interrupted purge resumes where it stopped.
func (s *Store) PurgeTombstones(ctx context.Context, ws string, cutoff time.Time) (int64, error) {
	h, err := s.Horizon(ctx, ws)
	if err != nil {
		return 0, err
	}
	var top sql.NullInt64
	if err := s.rd(ctx).QueryRowContext(ctx, purgeSQL, ws, ms(cutoff)).Scan(&top); err != nil {
		return 0, s.fail(err, "sequence")
	}
	for top.Valid && h < top.Int64 {
		err := s.WithTx(ctx, func(tx *Tx) error {
			var cur int64
			if err := tx.QueryRow(`SELECT horizon FROM ws_seq WHERE ws = ?`, ws).Scan(&cur); err != nil {
				return err
			}
			next := min(top.Int64, cur+purgeStep)
			if cur >= next { // another purge got there
				h = cur
				return nil
			}
			for _, table := range models.SyncTables {
				if _, err := tx.Exec(purgeTableSQL(table), ws, cur, next, table, ws, next); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(purgeLogSQL, ws, cur, next); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE ws_seq SET horizon = ? WHERE ws = ?`, next, ws); err != nil {
				return err
			}
			h = next
			return nil
		})
		if err != nil {
			return h, s.fail(err, "sequence")
		}
		if purgeStepped != nil {
			purgeStepped()
		}
	}
	return h, nil
}

// StampDirtyStats gives each statistics bucket changed since it was last
// stamped (dirty) a new sequence and a change-log entry, so the apps
// receive it: its creation when it had no sequence yet, an update
// otherwise. Each workspace's buckets are stamped in one transaction; it
// returns how many buckets it stamped.
func (s *Store) StampDirtyStats(ctx context.Context) (int, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, `SELECT DISTINCT ws FROM bot_stats WHERE dirty = 1 AND deleted = 0`)
	if err != nil {
		return 0, s.fail(err, "statistics")
	}
	var wss []string
	for rows.Next() {
		var ws string
		if err := rows.Scan(&ws); err != nil {
			rows.Close()
			return 0, s.fail(err, "statistics")
		}
		wss = append(wss, ws)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, s.fail(err, "statistics")
	}
	n := 0
	for _, ws := range wss {
		stamped := 0
		err := s.WithTx(ctx, func(tx *Tx) error {
			buckets, err := queryTx(tx, scanBucket, `SELECT `+bucketCols+` FROM bot_stats WHERE ws = ? AND dirty = 1 AND deleted = 0`, ws)
			if err != nil {
				return err
			}
			at := s.nowMS()
			for _, b := range buckets {
				seq, err := tx.Stamp(ws)
				if err != nil {
					return err
				}
				created := b.Seq == 0
				b.Seq, b.UpdatedAt = seq, at
				if created {
					b.CSeq = seq
				}
				if _, err := tx.Exec(`UPDATE bot_stats SET seq = ?, updated_at = ?, dirty = 0 WHERE id = ?`, seq, ms(at), b.ID); err != nil {
					return err
				}
				if err := tx.Log(ws, models.Change{Seq: seq, Table: models.TableBotStats, ID: b.ID, Created: created, Record: b}); err != nil {
					return err
				}
			}
			stamped = len(buckets)
			return nil
		})
		if err != nil {
			return n, s.fail(err, "statistics")
		}
		n += stamped
	}
	return n, nil
}
