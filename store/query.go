package store

import (
	"context"

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

// ensure inserts doc (whose id is id) through the feed unless a document,
// tombstones included, matches unique; it returns the stored document in
// out and whether it was created. On FerretDB the look-up is by id, so
// callers derive ids from what makes a document unique.
func (d *DB) ensure(ctx context.Context, coll, ws, id string, unique bson.D, doc, out any, kind string) (bool, error) {
	find := func() error {
		if !d.idOnly {
			return d.findOne(ctx, coll, unique, out, kind)
		}
		raw, err := d.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			return mapErr(err, kind)
		}
		if !sameWorkspace(raw, ws) {
			return notFound(kind)
		}
		return mapErr(bson.Unmarshal(raw, out), kind)
	}
	err := find()
	if err == nil {
		return false, nil
	}
	if !isNotFound(err) {
		return false, err
	}
	ierr := d.feed.insert(ctx, d.db.Collection(coll), ws, doc)
	if ierr != nil && !isDuplicate(ierr) {
		return false, internal(ierr)
	}
	if err := find(); err != nil {
		return false, err
	}
	return ierr == nil, nil
}
