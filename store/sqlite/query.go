package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Times are stored as Unix milliseconds (UTC), the precision MongoDB
// keeps; ms and fromMS convert. An optional time is 0 when unset.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(n int64) time.Time { return time.UnixMilli(n).UTC() }

func msOpt(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMSOpt(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return fromMS(n)
}

// msPtr and fromMSPtr convert optional times kept as NULL.
func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func fromMSPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMS(n.Int64)
	return &t
}

// nowMS is the store's clock at the precision it keeps.
func (s *Store) nowMS() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// constraint returns the extended SQLite result code of a constraint
// violation, or 0.
func constraint(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return se.Code()
	}
	return 0
}

// isUnique reports a violated primary key or unique index.
func isUnique(err error) bool {
	c := constraint(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// fail maps an error of an operation on a record of kind to the models
// error the interfaces promise: no row is the typed not-found, a unique
// violation CodeConflict, a lock held too long or an expired context
// CodeUnavailable, anything else CodeInternal (a *Fault stays reachable
// through errors.Is). Application errors pass unchanged.
func (s *Store) fail(err error, kind string) error {
	var me *models.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &me):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return models.NotFound(kind)
	case isUnique(err):
		return models.Errorf(models.CodeConflict, "%s already exists", kind)
	case errors.Is(err, context.DeadlineExceeded) || sqliteCode(err) == sqlite3.SQLITE_BUSY:
		return &models.Error{Code: models.CodeUnavailable, Message: "the database is busy; try again shortly",
			Cause: err, RetryAfter: 1}
	case isClosed(err):
		return &models.Error{Code: models.CodeUnavailable, Message: "the database is not open; try again shortly",
			Cause: err, RetryAfter: 1}
	}
	if f := s.mapErr(err); errors.Is(f, ErrDiskFull) || errors.Is(f, ErrReadOnly) {
		// The operator's fix makes the store work again; the client retries.
		return &models.Error{Code: models.CodeUnavailable, Message: "the database cannot take writes now; try again later",
			Cause: f, RetryAfter: 60}
	}
	return models.Internal(s.mapErr(err))
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryList runs a query on the reader pool and scans every row with
// scan; the result is never nil.
func queryList[T any](ctx context.Context, s *Store, scan func(scanner) (*T, error), query string, args ...any) ([]*T, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// synced describes a table of records that carry a models.Stamp: every
// write takes a sequence of the record's workspace and logs the record
// in the same transaction (Tx.Stamp, Tx.Log), and deletes are soft.
type synced[T any] struct {
	table string // the SQL table, also the change log's table name
	kind  string // the record's name in errors
	cols  string // the select list scan reads
	scan  func(scanner) (*T, error)
	// put writes the whole record: an INSERT when insert, an UPDATE of
	// the row with the record's id otherwise.
	put   func(tx *Tx, rec *T, insert bool) error
	stamp func(rec *T) *models.Stamp
	id    func(rec *T) string
	// logged, when set, is what the change log records of rec (by
	// default rec itself, as its JSON has it).
	logged func(rec *T) any
}

// record is what the change log records of rec.
func (tb synced[T]) record(rec *T) any {
	if tb.logged != nil {
		return tb.logged(rec)
	}
	return rec
}

// get returns the live record id of workspace ws through q.
func (tb synced[T]) get(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, ws, id string) (*T, error) {
	return tb.scan(q.QueryRowContext(ctx,
		`SELECT `+tb.cols+` FROM `+tb.table+` WHERE id = ? AND ws = ? AND deleted = 0`, id, ws))
}

// read returns the live record id of ws, or the typed not-found.
func (tb synced[T]) read(ctx context.Context, s *Store, ws, id string) (*T, error) {
	rec, err := tb.get(ctx, s.rd(ctx), ws, id)
	if err != nil {
		return nil, s.fail(err, tb.kind)
	}
	return rec, nil
}

// list returns the live records of ws matching where (after "ws = ? AND
// deleted = 0 AND"), in order.
func (tb synced[T]) list(ctx context.Context, s *Store, ws, where, order string, args ...any) ([]*T, error) {
	q := `SELECT ` + tb.cols + ` FROM ` + tb.table + ` WHERE ws = ? AND deleted = 0`
	if where != "" {
		q += ` AND ` + where
	}
	out, err := queryList(ctx, s, tb.scan, q+` ORDER BY `+order+` LIMIT 1000`, append([]any{ws}, args...)...)
	if err != nil {
		return nil, s.fail(err, tb.kind)
	}
	return out, nil
}

// create stamps rec for workspace ws (whatever stamp the caller set),
// inserts it and logs it, in one transaction. The stamp is set on rec
// only when the write commits.
func (tb synced[T]) create(ctx context.Context, s *Store, ws string, rec *T, at time.Time) error {
	err := s.WithTx(ctx, func(tx *Tx) error {
		seq, err := tx.Stamp(ws)
		if err != nil {
			return err
		}
		cp := *rec
		*tb.stamp(&cp) = models.Stamp{WS: ws, Seq: seq, UpdatedAt: at}
		if err := tb.put(tx, &cp, true); err != nil {
			return err
		}
		if err := tx.Log(ws, models.Change{Seq: seq, Table: tb.table, ID: tb.id(&cp), Created: true, Record: tb.record(&cp)}); err != nil {
			return err
		}
		*rec = cp
		return nil
	})
	return s.fail(err, tb.kind)
}

// update applies change to the live record id of ws, stamps it with a
// new sequence, writes and logs it, in one transaction, and returns the
// new state. change may refuse with an error, which is returned as is.
func (tb synced[T]) update(ctx context.Context, s *Store, ws, id string, change func(rec *T, seq int64) error) (*T, error) {
	var out *T
	err := s.WithTx(ctx, func(tx *Tx) error {
		rec, err := tb.get(ctx, tx.tx, ws, id)
		if err != nil {
			return err
		}
		seq, err := tx.Stamp(ws)
		if err != nil {
			return err
		}
		if err := change(rec, seq); err != nil {
			return err
		}
		st := tb.stamp(rec)
		st.Seq, st.UpdatedAt = seq, s.nowMS()
		if err := tb.put(tx, rec, false); err != nil {
			return err
		}
		if err := tx.Log(ws, models.Change{Seq: seq, Table: tb.table, ID: id, Record: tb.record(rec)}); err != nil {
			return err
		}
		out = rec
		return nil
	})
	if err != nil {
		return nil, s.fail(err, tb.kind)
	}
	return out, nil
}

// remove soft-deletes the live record id of ws: it stays as a tombstone
// with a new sequence, logged, so syncing clients learn of the delete.
// An unknown or already deleted record is the typed not-found.
func (tb synced[T]) remove(ctx context.Context, s *Store, ws, id string) error {
	_, err := tb.update(ctx, s, ws, id, func(rec *T, _ int64) error {
		tb.stamp(rec).Deleted = true
		return nil
	})
	return err
}

// whereEq appends "col = ?" conditions for the non-empty values.
func whereEq(conds []string, args []any, pairs ...string) ([]string, []any) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			conds = append(conds, pairs[i]+" = ?")
			args = append(args, pairs[i+1])
		}
	}
	return conds, args
}

func and(conds []string) string { return strings.Join(conds, " AND ") }

// isClosed reports the error of a store used after Close.
func isClosed(err error) bool {
	return err != nil && strings.Contains(err.Error(), "sql: database is closed")
}
