package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboardhq/switchboard/models"
)

// Tx is a write transaction on the single writer connection. Everything
// done through it, sequences and change-log entries included, commits
// together or not at all.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
	// stamped are the workspaces Stamp took a sequence of, in order.
	stamped []string
	// saves numbers the savepoints of a batch's writes (shared by every
	// Tx of one transaction); keep leaves them open until the commit.
	saves *int64
	keep  bool
}

// WithTx runs fn in a write transaction (BEGIN IMMEDIATE on the writer):
// it commits when fn returns nil and rolls back otherwise, returning fn's
// error as it is. Writers queue for the one writer connection; a full
// disk comes back as a *Fault with ErrDiskFull. After a commit, and
// with the writer released, the OnChange callback runs once for every
// workspace the transaction took a sequence of.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	if ok, err := s.inBatch(ctx, fn); ok {
		return err
	}
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	t := &Tx{ctx: ctx, tx: sqlTx, s: s}
	if err := fn(t); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(s.mapErr(err), rbErr)
		}
		return s.mapErr(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return s.mapErr(err)
	}
	if f := s.onChange.Load(); f != nil {
		for _, ws := range t.stamped {
			(*f)(ws)
		}
	}
	return nil
}

// Context is the context the transaction runs under.
func (t *Tx) Context() context.Context { return t.ctx }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

// Query runs a query in the transaction; it sees the transaction's writes.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Stamp takes the next sequence of workspace ws. Sequences of a workspace
// start at 1 and rise by one per Stamp; since the counter row is written
// in this transaction, a sequence is taken only if the transaction
// commits, and the committed counter is the exact high-water mark.
func (t *Tx) Stamp(ws string) (int64, error) {
	if ws == "" {
		return 0, errors.New("sqlite store: stamp without a workspace")
	}
	var seq int64
	err := t.tx.QueryRowContext(t.ctx,
		`INSERT INTO ws_seq (ws, seq) VALUES (?, 1)
		 ON CONFLICT (ws) DO UPDATE SET seq = seq + 1
		 RETURNING seq`, ws).Scan(&seq)
	if err == nil && !slices.Contains(t.stamped, ws) {
		t.stamped = append(t.stamped, ws)
	}
	return seq, err
}

// Log writes the change-log entry of c (taken by Stamp in this same
// transaction) for workspace ws. c.Record is stored as JSON; nil stores
// no record (the write did not land). A record that reports itself a
// tombstone (a Tombstone() bool method, as models.Stamp has) marks the
// entry deleted, since its JSON leaves the flag out.
func (t *Tx) Log(ws string, c models.Change) error {
	if c.Seq <= 0 || c.Table == "" || c.ID == "" {
		return fmt.Errorf("sqlite store: change-log entry needs a sequence, table and id (got %d, %q, %q)", c.Seq, c.Table, c.ID)
	}
	var rec any
	deleted := false
	if ts, ok := c.Record.(interface{ Tombstone() bool }); ok {
		deleted = ts.Tombstone()
	}
	if c.Record != nil {
		b, err := json.Marshal(c.Record)
		if err != nil {
			return fmt.Errorf("sqlite store: change-log record: %w", err)
		}
		rec = string(b)
	}
	_, err := t.tx.ExecContext(t.ctx,
		`INSERT INTO change_log (ws, seq, tbl, id, created, at, record, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ws, c.Seq, c.Table, c.ID, c.Created, t.s.opts.Now().UnixMilli(), rec, deleted)
	return err
}

// HighWater is the highest committed sequence of workspace ws (0 when it
// has none): every change at or below it is in the log, none above.
func (s *Store) HighWater(ctx context.Context, ws string) (int64, error) {
	var seq int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT seq FROM ws_seq WHERE ws = ?`, ws).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, s.mapErr(err)
}

// LogEntry is one change-log row as stored: Record is the raw JSON
// (nil when the write did not land).
type LogEntry struct {
	Seq     int64
	Table   string
	ID      string
	Created bool
	Deleted bool // the write left a tombstone
	Record  json.RawMessage
}

// LogEntries returns up to limit change-log entries of ws with
// after < seq <= upTo, by rising sequence.
func (s *Store) LogEntries(ctx context.Context, ws string, after, upTo int64, limit int) ([]LogEntry, error) {
	out, err := logEntries(ctx, s.rd(ctx), ws, after, upTo, limit)
	return out, s.mapErr(err)
}

// changeLogSQL reads a workspace's change log in a range of sequences,
// through the log's primary key (ws, seq).
const changeLogSQL = `SELECT seq, tbl, id, created, deleted, record FROM change_log
	WHERE ws = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`

// logEntries is LogEntries through q.
func logEntries(ctx context.Context, q querier, ws string, after, upTo int64, limit int) ([]LogEntry, error) {
	rows, err := q.QueryContext(ctx,
		changeLogSQL, ws, after, upTo, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var rec sql.NullString
		if err := rows.Scan(&e.Seq, &e.Table, &e.ID, &e.Created, &e.Deleted, &rec); err != nil {
			return nil, err
		}
		if rec.Valid {
			e.Record = json.RawMessage(rec.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
