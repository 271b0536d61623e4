package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.SyncStore = (*DB)(nil)

// syncedTables are the collections whose log entries carry the record, for
// delta-sync; their names are the sync table names.
var syncedTables = map[string]bool{}

// recordTypes makes an empty model of each synced table.
var recordTypes = map[string]func() any{
	models.TableBots:          func() any { return new(models.Bot) },
	models.TableSubscribers:   func() any { return new(models.Subscriber) },
	models.TableConversations: func() any { return new(models.Conversation) },
	models.TableMessages:      func() any { return new(models.Message) },
	models.TableNotes:         func() any { return new(models.Note) },
	models.TableDeals:         func() any { return new(models.Deal) },
	models.TablePipelines:     func() any { return new(models.Pipeline) },
	models.TableMembers:       func() any { return new(models.Member) },
	models.TableBotStats:      func() any { return new(models.BotStatsBucket) },
}

func init() {
	for t := range recordTypes {
		syncedTables[t] = true
	}
}

// privateFields never enter the change log: secrets stay in their record.
var privateFields = map[string][]string{
	colMembers: {"password_hash", "invite_hash", "invite_expiry"},
	colBots:    {"credentials"},
}

// publicRecord returns rec without the table's private fields.
func publicRecord(table string, rec bson.Raw) bson.Raw {
	drop := privateFields[table]
	if len(drop) == 0 {
		return rec
	}
	var d bson.D
	if err := bson.Unmarshal(rec, &d); err != nil {
		return nil
	}
	kept := d[:0]
	for _, e := range d {
		secret := false
		for _, k := range drop {
			secret = secret || e.Key == k
		}
		if !secret {
			kept = append(kept, e)
		}
	}
	out, err := bson.Marshal(kept)
	if err != nil {
		return nil
	}
	return out
}

func decodeRecord(table string, raw bson.Raw) (any, error) {
	mk, ok := recordTypes[table]
	if !ok {
		return nil, fmt.Errorf("%q is not a synced table", table)
	}
	v := mk()
	return v, bson.Unmarshal(raw, v)
}

// ReservedSeq returns the highest sequence reserved in workspace ws.
func (d *DB) ReservedSeq(ctx context.Context, ws string) (int64, error) {
	var top reservation
	err := d.db.Collection(colSeqReservations).FindOne(ctx, bson.D{{Key: "ws", Value: ws}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&top)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, internal(err)
	}
	return top.Seq, nil
}

// Changes returns up to limit change-log entries of ws with after < seq <=
// upTo, by rising sequence, in one query whatever the tables involved
// (indexed on MongoDB; a scan of the log on FerretDB, whose every query
// scans: one scan per page beats one per entry).
func (d *DB) Changes(ctx context.Context, ws string, after, upTo int64, limit int) ([]models.Change, error) {
	if after >= upTo || limit <= 0 {
		return []models.Change{}, nil
	}
	var entries []logEntry
	if err := d.findAll(ctx, colSeqDone, bson.D{{Key: "ws", Value: ws},
		{Key: "seq", Value: bson.D{{Key: "$gt", Value: after}, {Key: "$lte", Value: upTo}}}}, &entries,
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(int64(limit)).SetBatchSize(int32(min(limit+1, 1<<20)))); err != nil {
		return nil, err
	}
	out := make([]models.Change, 0, len(entries))
	var err error
	for _, e := range entries {
		c := models.Change{Seq: e.Seq, Table: e.Table, ID: e.Doc, Created: e.Created}
		if e.Rec != nil && syncedTables[e.Table] {
			if c.Record, err = decodeRecord(e.Table, e.Rec); err != nil {
				return nil, internal(err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// recordFilter selects the live synced records of table whose field is
// one of values (all when field is empty).
func recordFilter(ws, table, field string, values []string) bson.D {
	f := live(ws)
	if field != "" {
		f = append(f, bson.E{Key: field, Value: bson.D{{Key: "$in", Value: values}}})
	}
	if table == colBotStats {
		f = append(f, bson.E{Key: "day", Value: bson.D{{Key: "$ne", Value: "total"}}})
	}
	return f
}

// Records returns the live records of table whose field is one of values.
func (d *DB) Records(ctx context.Context, ws, table, field string, values []string) ([]any, error) {
	mk, ok := recordTypes[table]
	if !ok {
		return nil, internal(fmt.Errorf("%q is not a synced table", table))
	}
	if field == "_id" && d.idOnly {
		// FerretDB answers only a bare {_id} from its index: look each up.
		var out []any
		for _, id := range values {
			v := mk()
			err := d.byID(ctx, table, ws, id, v, table)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return d.decodeAll(ctx, table, recordFilter(ws, table, field, values), mk)
}

// decodeAll decodes every record of table matching filter into models
// made by mk.
func (d *DB) decodeAll(ctx context.Context, table string, filter bson.D, mk func() any, opts ...options.Lister[options.FindOptions]) ([]any, error) {
	cur, err := d.db.Collection(table).Find(ctx, filter, opts...)
	if err != nil {
		return nil, internal(err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []any
	for cur.Next(ctx) {
		v := mk()
		if err := cur.Decode(v); err != nil {
			return nil, internal(err)
		}
		out = append(out, v)
	}
	return out, mapErr(cur.Err(), table)
}

// RecordsAfter returns up to limit live records of table, ids above after,
// by rising id; a limit of 0 or less is an empty page (to MongoDB a limit
// of 0 is none).
func (d *DB) RecordsAfter(ctx context.Context, ws, table, field string, values []string, after string, limit int) ([]any, error) {
	if limit <= 0 {
		return []any{}, nil
	}
	mk, ok := recordTypes[table]
	if !ok {
		return nil, internal(fmt.Errorf("%q is not a synced table", table))
	}
	f := recordFilter(ws, table, field, values)
	if field == "_id" { // one condition on _id, holding both operators
		f = recordFilter(ws, table, "", nil)
		f = append(f, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: values}, {Key: "$gt", Value: after}}})
	} else {
		f = append(f, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	return d.decodeAll(ctx, table, f, mk, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// SaveSyncCursor stores a first sync's position.
func (d *DB) SaveSyncCursor(ctx context.Context, c *models.SyncCursor) error {
	c.CreatedAt = d.now().UTC()
	_, err := d.db.Collection(colSyncCursors).InsertOne(ctx, c)
	return mapErr(err, "sync cursor")
}

// SyncCursor returns the first-sync position id.
func (d *DB) SyncCursor(ctx context.Context, id string) (*models.SyncCursor, error) {
	var c models.SyncCursor
	if err := d.findOne(ctx, colSyncCursors, bson.D{{Key: "_id", Value: id}}, &c, "sync cursor"); err != nil {
		return nil, err
	}
	return &c, nil
}

// pushedRecords is what one push created, kept beside the cursors.
type pushedRecords struct {
	ID        string    `bson:"_id"`
	WS        string    `bson:"ws"`
	MemberID  string    `bson:"member_id"`
	Base      int64     `bson:"base"`
	Pushed    []string  `bson:"pushed"`
	CreatedAt time.Time `bson:"created_at"`
}

// SavePushed records the records a member's push created.
func (d *DB) SavePushed(ctx context.Context, ws, member string, base int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := d.db.Collection(colSyncCursors).InsertOne(ctx, pushedRecords{ID: "push:" + models.NewID(), WS: ws, MemberID: member,
		Base: base, Pushed: keys, CreatedAt: d.now().UTC()})
	return mapErr(err, "sync cursor")
}

// Pushed returns the records member's pushes at bases up to upTo created.
func (d *DB) Pushed(ctx context.Context, ws, member string, upTo int64) (map[string]bool, error) {
	var rows []pushedRecords
	if err := d.findAll(ctx, colSyncCursors, bson.D{{Key: "ws", Value: ws}, {Key: "member_id", Value: member},
		{Key: "pushed", Value: bson.D{{Key: "$exists", Value: true}}}, {Key: "base", Value: bson.D{{Key: "$lte", Value: upTo}}}}, &rows); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range rows {
		for _, k := range r.Pushed {
			out[k] = true
		}
	}
	return out, nil
}

// PurgeSyncCursors deletes first-sync positions created before cutoff.
func (d *DB) PurgeSyncCursors(ctx context.Context, cutoff time.Time) error {
	_, err := d.db.Collection(colSyncCursors).DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
	return mapErr(err, "sync cursor")
}

// RecordIDs returns the ids of the records of table whose field is one of
// values, tombstones included (a device may hold a record deleted since).
func (d *DB) RecordIDs(ctx context.Context, ws, table, field string, values []string) ([]string, error) {
	var rows []struct {
		ID string `bson:"_id"`
	}
	f := bson.D{{Key: "ws", Value: ws}, {Key: field, Value: bson.D{{Key: "$in", Value: values}}}}
	if err := d.findAll(ctx, table, f, &rows,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// RecentMessages returns the live messages of the given chats (nil: all)
// within b, newest first per chat, in one query.
func (d *DB) RecentMessages(ctx context.Context, ws string, conversationIDs []string, b models.HistoryBound) ([]*models.Message, error) {
	f := live(ws)
	if conversationIDs != nil {
		f = append(f, bson.E{Key: "conversation_id", Value: bson.D{{Key: "$in", Value: conversationIDs}}})
	}
	if !b.Since.IsZero() {
		f = append(f, bson.E{Key: "created_at", Value: bson.D{{Key: "$gte", Value: b.Since.UTC()}}})
	}
	cur, err := d.db.Collection(colMessages).Find(ctx, f,
		options.Find().SetSort(bson.D{{Key: "conversation_id", Value: 1}, {Key: "pos", Value: -1}}))
	if err != nil {
		return nil, internal(err)
	}
	defer func() { _ = cur.Close(ctx) }()
	out := []*models.Message{}
	chat, n := "", 0
	for cur.Next(ctx) {
		var m models.Message
		if err := cur.Decode(&m); err != nil {
			return nil, internal(err)
		}
		if m.ConversationID != chat {
			chat, n = m.ConversationID, 0
		}
		if n++; b.PerChat > 0 && n > b.PerChat {
			continue
		}
		out = append(out, &m)
	}
	return out, mapErr(cur.Err(), "message")
}

// horizon is the record of a workspace's tombstone purge.
type horizon struct {
	ID  string    `bson:"_id"` // the workspace
	Seq int64     `bson:"seq"`
	At  time.Time `bson:"at"`
}

func readHorizon(ctx context.Context, db *mongo.Database, ws string) (int64, error) {
	var h horizon
	err := db.Collection(colSyncHorizons).FindOne(ctx, bson.D{{Key: "_id", Value: ws}}).Decode(&h)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, err
	}
	return h.Seq, nil
}

// Horizon returns the sequence at and below which ws's tombstones may be gone.
func (d *DB) Horizon(ctx context.Context, ws string) (int64, error) {
	h, err := readHorizon(ctx, d.db, ws)
	if err != nil {
		return 0, internal(err)
	}
	return h, nil
}

// PurgeTombstones deletes ws's tombstones and change-log entries of
// changes reserved before cutoff. The horizon is recorded before anything
// is deleted, so a client behind it is sent a full resync even while the
// purge runs. Reservations are kept (see below).
func (d *DB) PurgeTombstones(ctx context.Context, ws string, cutoff time.Time) (int64, error) {
	var top reservation
	err := d.db.Collection(colSeqReservations).FindOne(ctx, bson.D{{Key: "ws", Value: ws},
		{Key: "reserved_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&top)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d.Horizon(ctx, ws)
	}
	if err != nil {
		return 0, internal(err)
	}
	safe, err := d.SafeSeq(ctx, ws)
	if err != nil {
		return 0, err
	}
	h := min(top.Seq, safe)
	old, err := d.Horizon(ctx, ws)
	if err != nil || h <= old {
		return old, err
	}
	if _, err := d.db.Collection(colSyncHorizons).UpdateOne(ctx, bson.D{{Key: "_id", Value: ws}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: h}, {Key: "at", Value: d.now().UTC()}}}},
		options.UpdateOne().SetUpsert(true)); err != nil {
		return 0, internal(err)
	}
	upTo := bson.D{{Key: "$lte", Value: h}}
	for _, c := range syncable {
		if _, err := d.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "ws", Value: ws}, {Key: "deleted", Value: true}, {Key: "seq", Value: upTo}}); err != nil {
			return 0, internal(err)
		}
	}
	if _, err := d.db.Collection(colSeqDone).DeleteMany(ctx, bson.D{{Key: "ws", Value: ws}, {Key: "seq", Value: upTo}}); err != nil {
		return 0, internal(err)
	}
	// Reservations stay: another instance's cached counter may still hand
	// out a purged sequence, and only the unique reservation refuses it.
	return h, nil
}

// RecordOwner returns the workspace of record id of table, whichever it is.
func (d *DB) RecordOwner(ctx context.Context, table, id string) (string, error) {
	var row struct {
		WS string `bson:"ws"`
	}
	err := d.db.Collection(table).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "ws", Value: 1}})).Decode(&row)
	return row.WS, mapErr(err, table)
}

// WorkspaceIDs lists every workspace's id.
func (d *DB) WorkspaceIDs(ctx context.Context) ([]string, error) {
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := d.findAll(ctx, colWorkspaces, bson.D{}, &rows, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// OnChange registers f to run after every change-feed write of this DB
// ends, with the write's workspace: live pulls wake on it.
func (d *DB) OnChange(f func(ws string)) { d.feed.onFinish = f }
