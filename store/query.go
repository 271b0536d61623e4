package store

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// live is the filter of a workspace's non-deleted records plus more.
func live(ws string, more ...bson.E) bson.D {
	return append(bson.D{{Key: "ws", Value: ws}, {Key: "deleted", Value: false}}, more...)
}

// byID decodes the live record id of workspace ws into out. On FerretDB
// it filters on _id alone (the only filter it answers from an index) and
// checks the workspace and the tombstone itself.
func (d *DB) byID(ctx context.Context, coll, ws, id string, out any, kind string) error {
	if !d.idOnly {
		return d.findOne(ctx, coll, live(ws, bson.E{Key: "_id", Value: id}), out, kind)
	}
	raw, err := d.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return mapErr(err, kind)
	}
	if !sameWorkspace(raw, ws) || isTombstone(raw) {
		return notFound(kind)
	}
	return mapErr(bson.Unmarshal(raw, out), kind)
}

func sameWorkspace(raw bson.Raw, ws string) bool {
	v, ok := raw.Lookup("ws").StringValueOK()
	return ok && v == ws
}

func isTombstone(raw bson.Raw) bool {
	v, ok := raw.Lookup("deleted").BooleanOK()
	return ok && v
}

// findOne decodes the one document matching filter into out, or returns
// the typed not-found of kind.
func (d *DB) findOne(ctx context.Context, coll string, filter bson.D, out any, kind string) error {
	return mapErr(d.db.Collection(coll).FindOne(ctx, filter).Decode(out), kind)
}

// findAll decodes every document matching filter into out (a slice pointer).
func (d *DB) findAll(ctx context.Context, coll string, filter bson.D, out any, opts ...options.Lister[options.FindOptions]) error {
	cur, err := d.db.Collection(coll).Find(ctx, filter, opts...)
	if err != nil {
		return internal(err)
	}
	if err := cur.All(ctx, out); err != nil {
		return internal(err)
	}
	return nil
}

// ensure returns the document (tombstones included) that matches unique,
// or inserts doc (whose id is id, and stamp its Stamp) through the feed and
// returns it; created reports which. On FerretDB the look-up is by id, so
// callers derive ids from what makes a document unique.
func ensure[T any](ctx context.Context, d *DB, coll, ws, id string, unique bson.D, doc *T, stamp *models.Stamp, kind string) (*T, bool, error) {
	find := func() (*T, error) {
		var out T
		if !d.idOnly {
			return &out, d.findOne(ctx, coll, unique, &out, kind)
		}
		raw, err := d.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			return nil, mapErr(err, kind)
		}
		if !sameWorkspace(raw, ws) {
			return nil, notFound(kind)
		}
		return &out, mapErr(bson.Unmarshal(raw, &out), kind)
	}
	got, err := find()
	if err == nil || !isNotFound(err) {
		return got, false, err
	}
	err = d.feed.insert(ctx, d.db.Collection(coll), ws, doc, stamp)
	if err == nil {
		return doc, true, nil
	}
	if !isDuplicate(err) {
		return nil, false, internal(err)
	}
	got, err = find() // another writer inserted it first
	return got, false, err
}

// nowMS is the store's clock at the precision BSON keeps.
func (d *DB) nowMS() time.Time { return d.now().UTC().Truncate(time.Millisecond) }
