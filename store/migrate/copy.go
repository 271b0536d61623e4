package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Options tune Copy; the zero value is the production default.
type Options struct {
	// Progress receives one line per batch and per collection (io.Discard when nil).
	Progress io.Writer
	// Batch is how many rows are read and written at a time (500 when 0).
	Batch int
	// Now is the clock of the progress marker and of feed documents
	// whose time the source no longer has (time.Now when nil).
	Now func() time.Time
	// FailAfter, when above 0, makes Copy fail once it has written that
	// many documents: tests use it to interrupt a copy.
	FailAfter int
}

// ErrForeignTarget is returned, wrapped with the details, when the target
// database holds data that is not this installation's copy.
var ErrForeignTarget = errors.New("the target database already holds another installation's data")

// ErrUnsupported is returned, with the tables named, when the source
// holds rows in tables this version cannot copy yet: nothing is written.
var ErrUnsupported = errors.New("this version cannot copy every table of the source yet; nothing was copied; tables left")

// ErrInjected is the failure Options.FailAfter causes.
var ErrInjected = errors.New("copy interrupted (injected failure)")

// installationKey is the setting naming an installation: created in the
// source on the first copy, copied with the settings, and recorded in
// the target's progress marker.
const installationKey = "installation_id"

// Report is the outcome of a copy: documents per MongoDB collection.
type Report struct {
	Installation string
	// Resumed is set when an earlier, interrupted copy was continued;
	// AlreadyDone when an earlier copy had finished (nothing was written).
	Resumed, AlreadyDone bool
	Counts               map[string]int64 // verified: equal in the source's rows and the target's documents
}

// Copy copies the SQLite store src into the MongoDB store dst and
// verifies it (see the package documentation). An interrupted copy run
// again continues where it stopped; a finished one is only verified.
func Copy(ctx context.Context, src *sqlite.Store, dst *store.DB, opt Options) (*Report, error) {
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	inst, err := src.EnsureSetting(ctx, installationKey, models.NewID())
	if err != nil {
		return nil, fmt.Errorf("read the source's installation id: %w", err)
	}
	// One read transaction: every table is read from the same commit.
	tx, err := src.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read the source: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	left, err := uncovered(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("read the source's tables: %w", err)
	}
	if len(left) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, strings.Join(left, ", "))
	}
	db := dst.Database()
	m, err := claim(ctx, db, inst, opt.Now())
	if err != nil {
		return nil, err
	}
	rep := &Report{Installation: inst, Resumed: m.resumed, AlreadyDone: m.FinishedAt != nil}
	if !rep.AlreadyDone {
		c := copier{src: src, db: db, q: tx, opt: opt, now: opt.Now().UTC()}
		if err := c.run(ctx, m); err != nil {
			return rep, err
		}
	} else {
		fmt.Fprintf(opt.Progress, "this installation was copied here already (finished %s); verifying only\n",
			m.FinishedAt.UTC().Format(time.RFC3339))
	}
	counts, err := verify(ctx, src, tx, db, opt)
	rep.Counts = counts
	if err != nil {
		return rep, err
	}
	if !rep.AlreadyDone {
		if _, err := db.Collection(colProgress).UpdateOne(ctx, bson.D{{Key: "_id", Value: progressID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "finished_at", Value: opt.Now().UTC()}}}}); err != nil {
			return rep, fmt.Errorf("record the copy as finished: %w", err)
		}
	}
	return rep, nil
}

// copier writes the tables, recording after each batch how far it got.
type copier struct {
	src     *sqlite.Store
	db      *mongo.Database
	q       sqlite.Querier
	opt     Options
	now     time.Time
	written int
}

func (c *copier) run(ctx context.Context, m *marker) error {
	for _, t := range tables {
		total, err := sqlite.ExportCount(ctx, c.q, t.source)
		if err != nil {
			return err
		}
		after := m.After[t.source]
		done := int64(0)
		if after != nil {
			fmt.Fprintf(c.opt.Progress, "%s: resuming after %v\n", t.source, after)
		}
		for {
			rows, last, err := c.src.Export(ctx, c.q, t.source, after, c.opt.Batch)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				break
			}
			if err := c.write(ctx, t, rows); err != nil {
				return fmt.Errorf("copy %s: %w", t.source, err)
			}
			after = last
			if _, err := c.db.Collection(colProgress).UpdateOne(ctx, bson.D{{Key: "_id", Value: progressID}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "after." + t.source, Value: after}}}}); err != nil {
				return fmt.Errorf("record progress: %w", err)
			}
			done += int64(len(rows))
			fmt.Fprintf(c.opt.Progress, "%s: %d rows copied (%d in the table)\n", t.source, done, total)
		}
		fmt.Fprintf(c.opt.Progress, "%s: done\n", t.source)
	}
	return nil
}

// write upserts the documents of rows by _id: writing one twice (a batch
// redone after an interruption) leaves one document.
func (c *copier) write(ctx context.Context, t table, rows []any) error {
	byColl := map[string][]mongo.WriteModel{}
	var order []string
	n := 0
	for _, row := range rows {
		if b := rowBytes[t.source]; b != nil {
			if err := b(ctx, c.src, c.db, row); err != nil {
				return err
			}
		}
		docs, err := t.docs(row, c.now)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.counted {
				continue
			}
			if c.opt.FailAfter > 0 && c.written+n >= c.opt.FailAfter {
				if err := c.flush(ctx, byColl, order); err != nil {
					return err
				}
				return ErrInjected
			}
			if _, ok := byColl[d.coll]; !ok {
				order = append(order, d.coll)
			}
			var w mongo.WriteModel = mongo.NewReplaceOneModel().
				SetFilter(bson.D{{Key: "_id", Value: d.id}}).SetReplacement(d.body).SetUpsert(true)
			if d.set {
				w = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: d.id}}).
					SetUpdate(bson.D{{Key: "$set", Value: d.body}})
			}
			byColl[d.coll] = append(byColl[d.coll], w)
			n++
		}
	}
	if err := c.flush(ctx, byColl, order); err != nil {
		return err
	}
	c.written += n
	return nil
}

func (c *copier) flush(ctx context.Context, byColl map[string][]mongo.WriteModel, order []string) error {
	for _, coll := range order {
		if _, err := c.db.Collection(coll).BulkWrite(ctx, byColl[coll], options.BulkWrite().SetOrdered(false)); err != nil {
			return err
		}
	}
	return nil
}
