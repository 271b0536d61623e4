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

// ensure inserts doc through the feed unless a live document matches
// unique; it returns the stored document in out and whether it was created.
func (d *DB) ensure(ctx context.Context, coll, ws string, unique bson.D, doc, out any, kind string) (bool, error) {
	err := d.findOne(ctx, coll, unique, out, kind)
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
	if err := d.findOne(ctx, coll, unique, out, kind); err != nil {
		return false, err
	}
	return ierr == nil, nil
}
