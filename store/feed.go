package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/internal/keylock"
	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// feed is the one place that writes syncable documents. Every insert,
// update and soft delete goes through it, and it stamps ws, seq, deleted and
// updated_at (models.Stamp).
//
// A sequence is reserved before the write by inserting {_id: "<ws>:<seq>"}
// into seq_reservations; the unique _id makes two writers never share a
// sequence on any engine (FerretDB v1 does not make findAndModify's $inc
// atomic; a unique insert is). Candidates are the highest reservation plus
// one, so the reserved set is always 1..max without holes and a new
// reservation is always above every earlier one. The reservation is in
// flight until its write ends, recorded by inserting the same _id into
// seq_done, or until its lease ends: the write runs with the lease end as
// its deadline, and readers pass an unfinished reservation only a skew
// margin after that. A hole (a candidate whose insert failed while a
// higher one succeeded) is plugged by the reader with a reservation of its
// own, so a late insert for it fails and retries above. Completion is an insert rather than an update because FerretDB
// v1 rewrites existing rows at a cost that grows with the collection.
type feed struct {
	reservations *mongo.Collection
	done         *mongo.Collection
	now          func() time.Time
	lease        time.Duration
	skew         time.Duration
	afterReserve func(ws string, seq int64)
	onFinish     func(ws string) // see DB.OnChange
	idOnly       bool            // see DB.idOnly

	mu        sync.Mutex
	next      map[string]int64      // per workspace: the next sequence to try
	safe      map[string]int64      // per workspace: the last high-water mark found
	walkLocks keylock.Set           // one mark walk per workspace at a time
	lastWalk  map[string]walkResult // per workspace
	// persisted is, per workspace, the mark last saved to sync_marks;
	// persistEvery is how far the mark rises between saves.
	persisted    map[string]int64
	persistEvery int64
	docs         keylock.Set // per-document write locks
}

type reservation struct {
	ID         string    `bson:"_id"`
	WS         string    `bson:"ws"`
	Seq        int64     `bson:"seq"`
	ReservedAt time.Time `bson:"reserved_at"`
	LeaseUntil time.Time `bson:"lease_until"`
	Plug       bool      `bson:"plug,omitempty"`
	// Table and Doc name the document the write is for, so that a reader
	// passing a reservation whose writer died can log what landed.
	Table string `bson:"table,omitempty"`
	Doc   string `bson:"doc,omitempty"`
}

// logEntry is one record of seq_done: a finished (or abandoned) write. Rec
// is the document as that write left it, without its secret fields, for
// the tables the apps sync; delta-sync reads pages of these.
type logEntry struct {
	ID    string   `bson:"_id"`
	WS    string   `bson:"ws"`
	Seq   int64    `bson:"seq"`
	Table string   `bson:"table"`
	Doc   string   `bson:"doc"`
	Rec   bson.Raw `bson:"rec,omitempty"`
	// Created marks the write that inserted the document.
	Created bool `bson:"created,omitempty"`
}

func newFeed(db *mongo.Database, now func() time.Time, lease, skew time.Duration) *feed {
	return &feed{reservations: db.Collection(colSeqReservations), done: db.Collection(colSeqDone),
		now: now, lease: lease, skew: skew, next: map[string]int64{}, safe: map[string]int64{}, lastWalk: map[string]walkResult{}, persisted: map[string]int64{}}
}

func reservationID(ws string, seq int64) string { return fmt.Sprintf("%s:%d", ws, seq) }

// errLeaseEnded is returned when a reservation's lease ended before its
// write: readers may already have passed the sequence, so it must not land.
var errLeaseEnded = errors.New("change-feed reservation expired before the write")

// reserve takes the next sequence of workspace ws and records it as in
// flight. It returns the lease end, after which the write must not start.
func (f *feed) reserve(ctx context.Context, ws, table, id string) (int64, time.Time, error) {
	for attempt := 0; attempt < 1000; attempt++ {
		seq, err := f.candidate(ctx, ws)
		if err != nil {
			return 0, time.Time{}, err
		}
		now := f.now().UTC()
		until := now.Add(f.lease)
		_, err = f.reservations.InsertOne(ctx, reservation{ID: reservationID(ws, seq), WS: ws, Seq: seq, ReservedAt: now, LeaseUntil: until, Table: table, Doc: id})
		if err == nil {
			if f.afterReserve != nil {
				f.afterReserve(ws, seq)
			}
			return seq, until, nil
		}
		// Taken by another writer or plugged by a reader, or the insert
		// failed: either way re-read the highest reservation next time, so
		// this process never leaves its own counter past a hole.
		f.mu.Lock()
		delete(f.next, ws)
		f.mu.Unlock()
		if !mongo.IsDuplicateKeyError(err) {
			return 0, time.Time{}, fmt.Errorf("reserve sequence: %w", err)
		}
	}
	return 0, time.Time{}, errors.New("reserve sequence: too much contention")
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

// finish records that the reservation's write has ended, landed or not,
// which document it was for and, when it landed, the document as it left
// it (rec): seq_done doubles as the change log, so a reader lists the
// changes after a sequence, with their records, in one query.
// If this fails the lease still frees readers when it ends, and the
// reader passing it logs the document then (see repair).
func (f *feed) finish(ctx context.Context, ws string, seq int64, table, id string, rec bson.Raw, created bool) {
	e := logEntry{ID: reservationID(ws, seq), WS: ws, Seq: seq, Table: table, Doc: id, Created: created && rec != nil}
	if rec != nil && syncedTables[table] {
		e.Rec = publicRecord(table, rec)
	}
	_, _ = f.done.InsertOne(context.WithoutCancel(ctx), e)
	if f.onFinish != nil {
		f.onFinish(ws)
	}
}

// begin reserves a sequence for a write. The write must use the returned
// context, whose deadline is the lease end, and call end with the written
// document (nil when nothing landed) when it is over.
//
// A write whose outcome is unknown (an error other than "no match" or a
// duplicate key: the server may still apply it) ends with unsure set: it
// is not logged, and the reader passing its lease logs what landed.
func (f *feed) begin(ctx context.Context, ws, table, id string) (context.Context, int64, func(rec bson.Raw, created, unsure bool), error) {
	seq, until, err := f.reserve(ctx, ws, table, id)
	if err != nil {
		return nil, 0, nil, err
	}
	if !f.now().Before(until) {
		f.finish(ctx, ws, seq, table, id, nil, false)
		return nil, 0, nil, errLeaseEnded
	}
	wctx, cancel := context.WithDeadline(ctx, until)
	return wctx, seq, func(rec bson.Raw, created, unsure bool) {
		cancel()
		if !unsure {
			f.finish(ctx, ws, seq, table, id, rec, created)
		}
	}, nil
}

// insert stamps doc (a struct) for workspace ws, inserts it and, once it
// landed, fills stamp (the doc's own Stamp) so that callers need not read
// the document back.
func (f *feed) insert(ctx context.Context, coll *mongo.Collection, ws string, doc any, stamp *models.Stamp) error {
	return f.insertWith(ctx, coll, ws, doc, stamp, nil)
}

// insertWith is insert with more fields derived from the reserved sequence.
func (f *feed) insertWith(ctx context.Context, coll *mongo.Collection, ws string, doc any, stamp *models.Stamp, derive func(seq int64) bson.D) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return err
	}
	id := ""
	for _, e := range d {
		if e.Key == "_id" {
			id, _ = e.Value.(string)
		}
	}
	wctx, seq, end, err := f.begin(ctx, ws, coll.Name(), id)
	if err != nil {
		return err
	}
	var rec bson.Raw
	unsure := false
	defer func() { end(rec, true, unsure) }()
	at := f.now().UTC().Truncate(time.Millisecond) // what BSON keeps
	d = setFields(d, bson.E{Key: "ws", Value: ws}, bson.E{Key: "seq", Value: seq}, bson.E{Key: "cseq", Value: seq},
		bson.E{Key: "deleted", Value: false}, bson.E{Key: "updated_at", Value: at})
	if derive != nil {
		d = setFields(d, derive(seq)...)
	}
	if _, err = coll.InsertOne(wctx, d); err != nil {
		unsure = !mongo.IsDuplicateKeyError(err)
		return err
	}
	rec, _ = bson.Marshal(d)
	*stamp = models.Stamp{WS: ws, Seq: seq, UpdatedAt: at, CSeq: seq}
	return nil
}

// change is one update of a syncable document: the document must also
// match cond; set and inc are the $set and $inc operators.
type change struct {
	cond, set, inc, unset bson.D
	// revive lets the update reach a tombstone (to bring it back).
	revive bool
	// ops are more update operators ($addToSet, $pull, ...).
	ops bson.D
	// seqFields are set to the write's sequence (for example the sequence
	// at which a member's access to a chat changed).
	seqFields []string
	// created logs the write as the record's creation: the first write
	// of a record that was stored outside the change feed.
	created bool
}

// update applies ch to the live document id of workspace ws, stamps it
// with a new sequence and decodes the new state into out (when not nil).
// No such document returns mongo.ErrNoDocuments.
func (f *feed) update(ctx context.Context, coll *mongo.Collection, ws, id string, ch change, out any) error {
	unlock := f.lockDoc(coll.Name(), id)
	defer unlock()
	wctx, seq, end, err := f.begin(ctx, ws, coll.Name(), id)
	if err != nil {
		return err
	}
	var rec bson.Raw
	unsure := false
	defer func() { end(rec, ch.created, unsure) }()
	filter := bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: ws}}
	if !ch.revive {
		filter = append(filter, bson.E{Key: "deleted", Value: false})
	}
	filter = append(filter, ch.cond...)
	if f.idOnly {
		// FerretDB: check the conditions on the current document (this
		// process holds its lock), then update by _id alone.
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			return err
		}
		if !matches(raw, filter[1:]) {
			return mongo.ErrNoDocuments
		}
		filter = bson.D{{Key: "_id", Value: id}}
	}
	set := append(ch.set, bson.E{Key: "seq", Value: seq}, bson.E{Key: "updated_at", Value: f.now().UTC()})
	for _, k := range ch.seqFields {
		set = append(set, bson.E{Key: k, Value: seq})
	}
	doc := bson.D{{Key: "$set", Value: set}}
	if len(ch.inc) > 0 {
		doc = append(doc, bson.E{Key: "$inc", Value: ch.inc})
	}
	if len(ch.unset) > 0 {
		doc = append(doc, bson.E{Key: "$unset", Value: ch.unset})
	}
	doc = append(doc, ch.ops...)
	raw, err := coll.FindOneAndUpdate(wctx, filter, doc,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Raw()
	if err != nil {
		unsure = !errors.Is(err, mongo.ErrNoDocuments)
		return err
	}
	rec = raw
	if out == nil {
		return nil
	}
	return bson.Unmarshal(raw, out)
}

// remove soft-deletes the document id of workspace ws: it stays as a
// tombstone with a new sequence so that syncing clients learn of the delete.
func (f *feed) remove(ctx context.Context, coll *mongo.Collection, ws, id string) error {
	return f.update(ctx, coll, ws, id, change{set: bson.D{{Key: "deleted", Value: true}}}, nil)
}

// matches reports whether raw has every field of conds with an equal
// value; conditions are plain equalities of strings, booleans and int64s.
func matches(raw bson.Raw, conds bson.D) bool {
	for _, c := range conds {
		v := raw.Lookup(strings.Split(c.Key, ".")...) // a dotted key names a nested field
		switch want := c.Value.(type) {
		case bson.D: // {$exists: bool}, the one operator conditions use
			if len(want) != 1 || want[0].Key != "$exists" || want[0].Value != (v.Type != 0) {
				return false
			}
		case bool:
			got, ok := v.BooleanOK()
			if !ok || got != want {
				return false
			}
		case int64:
			got, ok := v.AsInt64OK()
			if !ok || got != want {
				return false
			}
		default:
			got, ok := v.StringValueOK()
			if !ok || got != fmt.Sprint(want) {
				return false
			}
		}
	}
	return true
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
