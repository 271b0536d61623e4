package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.SyncStore = (*Store)(nil)

// ReservedSeq is SafeSeq: a sequence is taken only by the transaction
// that commits it, so no sequence is ever reserved above the mark.
func (s *Store) ReservedSeq(ctx context.Context, ws string) (int64, error) {
	return s.SafeSeq(ctx, ws)
}

// OnChange registers f to run after every committed write transaction
// that took a sequence, once per workspace it took one of, after the
// writer is released: long-polling pulls and the push gateway wake on it.
// f must not block for long; it runs on the writing goroutine.
func (s *Store) OnChange(f func(ws string)) { s.onChange.Store(&f) }

// Changes returns up to limit change-log entries of ws with after < seq <=
// upTo, by rising sequence, read through the log's primary key (ws, seq).
// An entry's Record is its record as the entry's write left it, decoded
// from the log, as on the MongoDB store: the log keeps what sync and the
// push gateway read of a record (a member's scope sequence; a chat's
// followers, mutes and operations under way; whether a message opened
// its chat), and a record's row may have changed since, even without a
// sequence (ending a chat's operation is written in place). So a record
// is never newer than its change, and a caller that stops at any entry
// (the sync package reads one entry past its page) has seen no later
// state. Record is nil for a write that did not land and for tables that
// are not synced. Like the log, a change carries no secret: a member's
// password and invite hashes and a bot's credentials are left out.
func (s *Store) Changes(ctx context.Context, ws string, after, upTo int64, limit int) ([]models.Change, error) {
	if after >= upTo || limit <= 0 {
		return []models.Change{}, nil
	}
	var out []models.Change
	err := s.readTx(ctx, func(q *sql.Tx) error {
		entries, err := logEntries(ctx, q, ws, after, upTo, limit)
		if err != nil {
			return err
		}
		fromLog := map[string][]any{} // per table: the records decoded from entries
		out = make([]models.Change, 0, len(entries))
		for _, e := range entries {
			c := models.Change{Seq: e.Seq, Table: e.Table, ID: e.ID}
			if st, ok := syncTables[e.Table]; ok && e.Record != nil {
				if c.Record, err = decodeLogged(ws, st, e); err != nil {
					return err
				} else {
					fromLog[e.Table] = append(fromLog[e.Table], c.Record)
				}
			}
			if drop := dropSecrets[e.Table]; drop != nil && c.Record != nil {
				drop(c.Record)
			}
			c.Created = e.Created && c.Record != nil
			out = append(out, c)
		}
		for table, recs := range fromLog {
			if err := s.fillCSeq(ctx, q, ws, table, syncTables[table], recs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "change")
	}
	return out, nil
}

// decodeLogged is the record of entry e as its write left it, from the
// log's JSON and the entry's workspace and tombstone flag.
func decodeLogged(ws string, st syncTable, e LogEntry) (any, error) {
	rec, err := st.decodeLog(e.Record)
	if err != nil {
		return nil, fmt.Errorf("change-log entry %d of %s: %w", e.Seq, e.Table, err)
	}
	sp := st.stamp(rec)
	sp.WS, sp.Seq, sp.Deleted = ws, e.Seq, e.Deleted
	return rec, nil
}

// Records returns the live records of table whose field is one of
// values (all of them when field is empty).
func (s *Store) Records(ctx context.Context, ws, table, field string, values []string) ([]any, error) {
	return s.listRecords(ctx, ws, table, field, values, "", 0)
}

// RecordsAfter returns up to limit live records of table whose field is
// one of values (any when field is empty) with ids above after, by
// rising id; a limit of 0 or less is an empty page.
func (s *Store) RecordsAfter(ctx context.Context, ws, table, field string, values []string, after string, limit int) ([]any, error) {
	if limit <= 0 {
		return []any{}, nil
	}
	return s.listRecords(ctx, ws, table, field, values, after, limit)
}

// listRecords reads the live records of table matching field and values,
// and, when limit > 0, those with ids above after, by rising id, at most
// limit.
func (s *Store) listRecords(ctx context.Context, ws, table, field string, values []string, after string, limit int) ([]any, error) {
	st, err := syncTableOf(table)
	if err != nil {
		return nil, err
	}
	if err := st.readable(table); err != nil {
		return nil, err
	}
	cond, args, err := st.condition(table, field, values)
	if err != nil {
		return nil, err
	}
	query := recordsSQL(table, st.cols, cond, limit > 0)
	args = append([]any{ws}, args...)
	if limit > 0 {
		args = append(args, after, limit)
	}
	var out []any
	err = s.readTx(ctx, func(q *sql.Tx) error {
		out, err = s.rows(ctx, q, ws, table, st, query, args...)
		return err
	})
	if err != nil {
		return nil, s.fail(err, table)
	}
	return out, nil
}

// recordsSQL lists live rows of table matching cond, or when paged a page
// of them by id (after and limit are its last two parameters).
func recordsSQL(table, cols, cond string, paged bool) string {
	q := `SELECT ` + cols + ` FROM ` + table + ` WHERE ws = ? AND deleted = 0` + cond
	if paged {
		q += ` AND id > ? ORDER BY id LIMIT ?`
	}
	return q
}

// RecordIDs returns the ids of the records of table whose field is one
// of values, tombstones included (a device may hold a record deleted
// since), by rising id.
func (s *Store) RecordIDs(ctx context.Context, ws, table, field string, values []string) ([]string, error) {
	st, err := syncTableOf(table)
	if err != nil {
		return nil, err
	}
	cond, args, err := st.condition(table, field, values)
	if err != nil {
		return nil, err
	}
	rows, err := s.rd(ctx).QueryContext(ctx, `SELECT id FROM `+table+` WHERE ws = ?`+cond+` ORDER BY id`,
		append([]any{ws}, args...)...)
	if err != nil {
		return nil, s.fail(err, table)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.fail(err, table)
		}
		ids = append(ids, id)
	}
	return ids, s.fail(rows.Err(), table)
}

// RecordOwner returns the workspace of record id of table, whichever it
// is, tombstones included, or the typed not-found.
func (s *Store) RecordOwner(ctx context.Context, table, id string) (string, error) {
	if _, err := syncTableOf(table); err != nil {
		return "", err
	}
	var ws string
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT ws FROM `+table+` WHERE id = ?`, id).Scan(&ws)
	return ws, s.fail(err, table)
}

// WorkspaceIDs lists every workspace's id, in order.
func (s *Store) WorkspaceIDs(ctx context.Context) ([]string, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, `SELECT id FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, s.fail(err, "workspace")
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.fail(err, "workspace")
		}
		ids = append(ids, id)
	}
	return ids, s.fail(rows.Err(), "workspace")
}
