// Package store implements the models' store interfaces on MongoDB through
// the official driver (v2): the engine for teams that outgrow one machine
// (several API instances, replica sets, sharding). It runs on MongoDB 6+
// and on FerretDB, the stand-in its tests run against: single-document
// atomic updates and unique indexes only, no transactions and no change
// streams. The default embedded store is store/sqlite.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Options configures a connection to the database.
type Options struct {
	URI            string        // mongodb:// or mongodb+srv:// connection string
	Database       string        // database name
	ConnectTimeout time.Duration // how long Open waits for the server to answer
	// Registerer, when set, receives the database command metrics.
	Registerer prometheus.Registerer
	// Now is the clock used for timestamps; time.Now when nil.
	Now func() time.Time
	// SeqLease is how long a reserved change-feed sequence may stay in
	// flight before readers pass it (a writer that died); default 10s.
	SeqLease time.Duration
	// SeqSkew is the clock-skew margin readers add to a lease before passing
	// an unfinished reservation, and the age at which they plug a hole; default 1s.
	SeqSkew time.Duration
	// AfterReserve, when set, runs after a writer reserved a sequence and
	// before it writes: tests use it to hold a writer in between.
	AfterReserve func(ws string, seq int64)
	// MarkPersistEvery is how far the high-water mark rises between saves
	// of it, which a restarted process walks up from; default 1000.
	MarkPersistEvery int64
	// Prepare, when set, runs after the indexes are created: the test
	// stand-in (internal/fakes/ferretdb) adds the index FerretDB needs to
	// find documents by id.
	Prepare func(ctx context.Context, db *mongo.Database) error
}

// DB is an open database with Switchboard's collections. It implements the
// store interfaces of package models.
type DB struct {
	client   *mongo.Client
	db       *mongo.Database
	now      func() time.Time
	commands atomic.Int64
	feed     *feed
	// idOnly is set on FerretDB, which uses an index only for a filter of
	// exactly {_id: ...}: lookups and updates by id then filter on _id alone
	// and check the rest in Go, under the per-document lock.
	idOnly bool
	// manyMu serialises multi-document updates on FerretDB, which holds a
	// SQLite connection per matched document until the command ends: a few
	// at once exhaust its pool and stall the whole store.
	manyMu sync.Mutex
	// once holds the counters' once-keys whose operations ended (see AddBotStatsOnce).
	once onceBook
}

// Open connects, checks that the server answers within ConnectTimeout and
// creates the indexes. Errors name the setting to fix.
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Database == "" {
		opt.Database = "switchboard"
	}
	if opt.ConnectTimeout <= 0 {
		opt.ConnectTimeout = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SeqLease <= 0 {
		opt.SeqLease = 10 * time.Second
	}
	if opt.SeqSkew <= 0 {
		opt.SeqSkew = time.Second
	}
	d := &DB{now: opt.Now}
	metrics := newCommandMetrics(opt.Registerer)
	monitor := &event.CommandMonitor{
		Started: func(context.Context, *event.CommandStartedEvent) { d.commands.Add(1) },
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			metrics.observe(e.CommandName, "ok", e.Duration)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			metrics.observe(e.CommandName, "error", e.Duration)
		},
	}
	co := options.Client().ApplyURI(opt.URI).
		SetMonitor(monitor).
		SetServerSelectionTimeout(opt.ConnectTimeout).
		SetConnectTimeout(opt.ConnectTimeout)
	if err := co.Validate(); err != nil {
		return nil, fmt.Errorf("SWITCHBOARD_MONGODB_URI is not a valid MongoDB connection string (%v); use the form mongodb://user:pass@host:27017/?replicaSet=rs0", err)
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("SWITCHBOARD_MONGODB_URI is not usable (%v); use the form mongodb://user:pass@host:27017/?replicaSet=rs0", err)
	}
	pctx, cancel := context.WithTimeout(ctx, opt.ConnectTimeout)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("cannot reach MongoDB at %s within %s (%v); check SWITCHBOARD_MONGODB_URI, that the server runs and that this host may connect to it",
			RedactURI(opt.URI), opt.ConnectTimeout, err)
	}
	d.client = client
	d.db = client.Database(opt.Database)
	var info bson.M
	if err := d.db.RunCommand(pctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err == nil {
		_, d.idOnly = info["ferretdbVersion"]
	}
	d.feed = newFeed(d.db, d.now, opt.SeqLease, opt.SeqSkew)
	d.feed.idOnly = d.idOnly
	d.feed.afterReserve = opt.AfterReserve
	d.feed.persistEvery = opt.MarkPersistEvery
	if d.feed.persistEvery <= 0 {
		d.feed.persistEvery = 1000
	}
	if err := d.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("create indexes in database %q: %w", opt.Database, err)
	}
	if opt.Prepare != nil {
		if err := opt.Prepare(ctx, d.db); err != nil {
			_ = client.Disconnect(context.Background())
			return nil, fmt.Errorf("index ids in database %q: %w", opt.Database, err)
		}
	}
	return d, nil
}

// Close disconnects from the server, waiting for in-use connections up to ctx's deadline.
func (d *DB) Close(ctx context.Context) error {
	return d.client.Disconnect(ctx)
}

// Ping reports whether the primary answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.client.Ping(ctx, readpref.Primary())
}

// Commands returns how many database commands this DB has sent since Open:
// the round-trip count used by benchmarks and tests.
func (d *DB) Commands() int64 { return d.commands.Load() }

// Drop deletes the whole database. Meant for tests.
func (d *DB) Drop(ctx context.Context) error { return d.db.Drop(ctx) }

// RedactURI returns uri without its password, for messages and logs.
func RedactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// mapErr turns driver errors into application errors: no documents is the
// typed not-found of kind, a duplicate key is a conflict, anything else is internal.
func mapErr(err error, kind string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return notFound(kind)
	case mongo.IsDuplicateKeyError(err):
		return conflict(kind)
	default:
		return internal(err)
	}
}

var _ models.Store = (*DB)(nil)
