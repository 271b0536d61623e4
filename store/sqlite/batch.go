package sqlite

import (
	"context"
	"slices"
	"strconv"
)

// batchKey marks a context whose writes to store s join a batch.
type batchKey struct{ s *Store }

// Batch runs fn with a context in which every write of this store joins
// one transaction, committed when fn returns nil and rolled back whole
// otherwise: a bulk load (a benchmark's seed, an import) or one inbox
// operation pays one commit instead of one per write. A write that fails
// inside the batch is undone alone (a savepoint) and returns its error as
// usual. Reads of the store through that context run in the batch's
// transaction and see its writes. fn must not use the store from other
// goroutines with that context, and must not wait for anything that
// waits for the store's writer: the batch holds it until it ends.
func (s *Store) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.batch(ctx, false, fn)
}

// batch runs fn as a batch; keep leaves each write's savepoint open until
// the commit (a short operation: one statement per write instead of two)
// rather than releasing it after the write (a bulk load, whose thousands
// of open savepoints would each be updated at every page written).
func (s *Store) batch(ctx context.Context, keep bool, fn func(ctx context.Context) error) error {
	return s.WithTx(ctx, func(tx *Tx) error {
		if tx.saves == nil { // the batch's own transaction, not a batch inside one
			tx.saves, tx.keep = new(int64), keep
		}
		return fn(context.WithValue(ctx, batchKey{s}, tx))
	})
}

// batched reports whether ctx carries a batch of s, whose uncommitted
// writes the reader pool does not see.
func (s *Store) batched(ctx context.Context) bool {
	_, ok := ctx.Value(batchKey{s}).(*Tx)
	return ok
}

// inBatch runs fn as one write of the batch ctx carries, under a
// savepoint; ok is false when ctx carries no batch of s.
func (s *Store) inBatch(ctx context.Context, fn func(tx *Tx) error) (ok bool, err error) {
	outer, ok := ctx.Value(batchKey{s}).(*Tx)
	if !ok {
		return false, nil
	}
	*outer.saves++
	name := "w" + strconv.FormatInt(*outer.saves, 10) // unique: a rollback undoes this write alone
	if _, err := outer.Exec(`SAVEPOINT ` + name); err != nil {
		return true, s.mapErr(err)
	}
	inner := &Tx{ctx: ctx, tx: outer.tx, s: s, saves: outer.saves, keep: outer.keep}
	if err := fn(inner); err != nil {
		_, _ = outer.Exec(`ROLLBACK TO ` + name)
		_, _ = outer.Exec(`RELEASE ` + name)
		return true, s.mapErr(err)
	}
	for _, ws := range inner.stamped {
		if !slices.Contains(outer.stamped, ws) {
			outer.stamped = append(outer.stamped, ws)
		}
	}
	if outer.keep {
		return true, nil
	}
	_, err = outer.Exec(`RELEASE ` + name)
	return true, s.mapErr(err)
}

// Atomically runs fn as one batch (models.Atomic): every write fn makes
// through the context it is given commits together, or none does.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.batch(ctx, true, fn)
}

// rd is where a read through ctx runs: the batch's transaction when ctx
// carries one of this store, the reader pool otherwise.
func (s *Store) rd(ctx context.Context) querier {
	if outer, ok := ctx.Value(batchKey{s}).(*Tx); ok {
		return outer.tx
	}
	return s.reader
}
