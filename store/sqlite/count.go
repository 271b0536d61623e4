package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
)

// countingConnector opens driver connections whose statements add to
// n: the round trips per operation that benchmarks report, counted as
// the MongoDB store counts its commands. A transaction's BEGIN and
// COMMIT are statements too.
type countingConnector struct {
	dsn string
	n   *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&msqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{inner: conn.(innerConn), n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return &msqlite.Driver{} }

// innerConn is what the pure-Go driver's connections implement.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
}

// countingConn is also where cancellation stops: the driver is never
// given a context that can end (context.WithoutCancel). The pure-Go
// driver answers a cancelled context with sqlite3_interrupt on the
// connection, which can strike a later statement of another caller on
// it, or leave an interrupted transaction holding the database's write
// lock, so that every writer after it waits forever: one client hanging
// up mid-request would break the store for all. Statements here are
// short; a caller that went away lets its statement finish, and
// database/sql still ends a transaction whose context ended (rolling it
// back whole) and stops handing out rows.
type countingConn struct {
	inner innerConn
	n     *atomic.Int64
}

func (c *countingConn) Prepare(q string) (driver.Stmt, error) { return c.inner.Prepare(q) }
func (c *countingConn) Close() error                          { return c.inner.Close() }

// Begin is the legacy entry; database/sql calls BeginTx.
func (c *countingConn) Begin() (driver.Tx, error) { //nolint:staticcheck // required by driver.Conn
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *countingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	c.n.Add(1)
	tx, err := c.inner.BeginTx(context.WithoutCancel(ctx), o)
	if err != nil {
		return nil, err
	}
	return countingTx{inner: tx, n: c.n}, nil
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.inner.PrepareContext(context.WithoutCancel(ctx), q)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.inner.ExecContext(context.WithoutCancel(ctx), q, args)
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.inner.QueryContext(context.WithoutCancel(ctx), q, args)
}

func (c *countingConn) Ping(ctx context.Context) error {
	return c.inner.Ping(context.WithoutCancel(ctx))
}

type countingTx struct {
	inner driver.Tx
	n     *atomic.Int64
}

func (t countingTx) Commit() error   { t.n.Add(1); return t.inner.Commit() }
func (t countingTx) Rollback() error { t.n.Add(1); return t.inner.Rollback() }

// openCounted opens a pool on dsn whose statements count into n.
func openCounted(dsn string, n *atomic.Int64) *sql.DB {
	return sql.OpenDB(countingConnector{dsn: dsn, n: n})
}

// Commands returns how many statements (queries, executions, BEGIN and
// COMMIT or ROLLBACK) this store has run since Open: the round-trip
// count used by benchmarks, as the MongoDB store's Commands.
func (s *Store) Commands() int64 { return s.commands.Load() }
