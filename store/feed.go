package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// feed is the one place that writes syncable documents. Every insert,
// update and soft delete goes through it, and it stamps ws, seq, deleted and
// updated_at (models.Stamp).
//
// Sequences are reserved before the write: each reservation is a document
// {_id: "<ws>:<seq>"} in the seq_reservations collection, inserted under its
// unique _id, so two writers never share a sequence on any engine (FerretDB
// v1 does not make findAndModify's $inc atomic; a unique insert is). The
// reservation stays "in flight" until the write lands (done) or its lease
// expires, which is what SafeSeq reads: a change-feed reader must not pass a
// sequence whose write may still land.
type feed struct {
	reservations *mongo.Collection
	now          func() time.Time
	lease        time.Duration
	afterReserve func(ws string, seq int64)

	mu   sync.Mutex
	next map[string]int64 // per workspace: the next sequence to try
	docs [64]sync.Mutex   // striped per-document write locks
}

type reservation struct {
	ID         string    `bson:"_id"`
	WS         string    `bson:"ws"`
	Seq        int64     `bson:"seq"`
	Done       bool      `bson:"done"`
	LeaseUntil time.Time `bson:"lease_until"`
}

func newFeed(db *mongo.Database, now func() time.Time, lease time.Duration) *feed {
	return &feed{reservations: db.Collection(colSeqReservations), now: now, lease: lease, next: map[string]int64{}}
}

// reserve takes the next free sequence of workspace ws and records it as
// in flight until release.
func (f *feed) reserve(ctx context.Context, ws string) (int64, error) {
	for attempt := 0; attempt < 1000; attempt++ {
		seq, err := f.candidate(ctx, ws)
		if err != nil {
			return 0, err
		}
		r := reservation{ID: fmt.Sprintf("%s:%d", ws, seq), WS: ws, Seq: seq, LeaseUntil: f.now().Add(f.lease).UTC()}
		_, err = f.reservations.InsertOne(ctx, r)
		if err == nil {
			if f.afterReserve != nil {
				f.afterReserve(ws, seq)
			}
			return seq, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return 0, fmt.Errorf("reserve sequence: %w", err)
		}
		// Another instance took it: re-read the highest reservation.
		f.mu.Lock()
		delete(f.next, ws)
		f.mu.Unlock()
	}
	return 0, errors.New("reserve sequence: too much contention")
}

// candidate hands out sequences from an in-process counter, seeded from the
// highest reservation in the database.
func (f *feed) candidate(ctx context.Context, ws string) (int64, error) {
	f.mu.Lock()
	n, ok := f.next[ws]
	if ok {
		f.next[ws] = n + 1
		f.mu.Unlock()
		return n, nil
	}
	f.mu.Unlock()
	var top reservation
	err := f.reservations.FindOne(ctx, bson.D{{Key: "ws", Value: ws}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&top)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("read sequence: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, ok := f.next[ws]; ok && cur > top.Seq+1 {
		f.next[ws] = cur + 1
		return cur, nil
	}
	f.next[ws] = top.Seq + 2
	return top.Seq + 1, nil
}

// release marks a reservation done: its write has landed or never will.
// If this fails the lease still frees readers when it expires.
func (f *feed) release(ctx context.Context, ws string, seq int64) {
	_, _ = f.reservations.UpdateOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: fmt.Sprintf("%s:%d", ws, seq)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}})
}

// safeSeq is the highest sequence of ws below which no write can still
// land: one less than the lowest unexpired in-flight reservation, or the
// highest reservation when none is in flight.
func (f *feed) safeSeq(ctx context.Context, ws string) (int64, error) {
	var low reservation
	err := f.reservations.FindOne(ctx,
		bson.D{{Key: "ws", Value: ws}, {Key: "done", Value: false}, {Key: "lease_until", Value: bson.D{{Key: "$gt", Value: f.now().UTC()}}}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: 1}})).Decode(&low)
	if err == nil {
		return low.Seq - 1, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	var top reservation
	err = f.reservations.FindOne(ctx, bson.D{{Key: "ws", Value: ws}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&top)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return top.Seq, err
}

// lockDoc serialises writes to one document within this process. FerretDB
// v1 applies an update as read-then-replace, so two concurrent updates of
// one document could lose one; the embedded store is single-process, and
// MongoDB's own updates are atomic across instances.
func (f *feed) lockDoc(coll, id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(coll + "\x00" + id))
	m := &f.docs[h.Sum32()%uint32(len(f.docs))]
	m.Lock()
	return m.Unlock
}

// insert stamps doc (a struct or map) for workspace ws and inserts it.
func (f *feed) insert(ctx context.Context, coll *mongo.Collection, ws string, doc any) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return err
	}
	seq, err := f.reserve(ctx, ws)
	if err != nil {
		return err
	}
	defer f.release(ctx, ws, seq)
	d = setFields(d, bson.E{Key: "ws", Value: ws}, bson.E{Key: "seq", Value: seq},
		bson.E{Key: "deleted", Value: false}, bson.E{Key: "updated_at", Value: f.now().UTC()})
	_, err = coll.InsertOne(ctx, d)
	return err
}

// update applies set to the live document id of workspace ws, stamps it
// with a new sequence and decodes the new state into out (when not nil).
// A document that is missing or deleted returns mongo.ErrNoDocuments.
func (f *feed) update(ctx context.Context, coll *mongo.Collection, ws, id string, set bson.D, out any) error {
	unlock := f.lockDoc(coll.Name(), id)
	defer unlock()
	seq, err := f.reserve(ctx, ws)
	if err != nil {
		return err
	}
	defer f.release(ctx, ws, seq)
	filter := bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: ws}, {Key: "deleted", Value: false}}
	set = append(set, bson.E{Key: "seq", Value: seq}, bson.E{Key: "updated_at", Value: f.now().UTC()})
	res := coll.FindOneAndUpdate(ctx, filter, bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	if out == nil {
		return res.Err()
	}
	return res.Decode(out)
}

// remove soft-deletes the document id of workspace ws: it stays as a
// tombstone with a new sequence so that syncing clients learn of the delete.
func (f *feed) remove(ctx context.Context, coll *mongo.Collection, ws, id string) error {
	return f.update(ctx, coll, ws, id, bson.D{{Key: "deleted", Value: true}}, nil)
}

// setFields replaces or appends the given elements of d.
func setFields(d bson.D, fields ...bson.E) bson.D {
	for _, f := range fields {
		found := false
		for i := range d {
			if d[i].Key == f.Key {
				d[i].Value = f.Value
				found = true
				break
			}
		}
		if !found {
			d = append(d, f)
		}
	}
	return d
}

// isSyncable reports whether table is one of the change-feed collections.
func isSyncable(table string) bool {
	for _, c := range syncable {
		if c == table {
			return true
		}
	}
	return false
}

// SoftDelete marks the live record id of a syncable table deleted, with a new
// sequence, so that syncing clients learn of the delete. Unknown or already
// deleted records are a not-found error.
func (d *DB) SoftDelete(ctx context.Context, table, ws, id string) error {
	if !isSyncable(table) {
		return fmt.Errorf("soft delete: %q is not a syncable table", table)
	}
	return mapErr(d.feed.remove(ctx, d.db.Collection(table), ws, id), table)
}

// StampOf returns the change-feed stamp of a record, tombstones included.
func (d *DB) StampOf(ctx context.Context, table, ws, id string) (models.Stamp, error) {
	var s models.Stamp
	err := d.db.Collection(table).FindOne(ctx, bson.D{{Key: "ws", Value: ws}, {Key: "_id", Value: id}}).Decode(&s)
	return s, mapErr(err, table)
}

// SafeSeq returns the change-feed high-water mark of workspace ws: every
// change with a sequence at or below it has landed or never will, so a
// reader may serve changes up to it and no further.
func (d *DB) SafeSeq(ctx context.Context, ws string) (int64, error) {
	s, err := d.feed.safeSeq(ctx, ws)
	if err != nil {
		return 0, internal(err)
	}
	return s, nil
}
