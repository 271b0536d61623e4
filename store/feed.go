package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// feed is the one place that writes syncable documents. Every insert,
// update and soft delete goes through it, and it stamps ws, seq, deleted and
// updated_at (models.Stamp). The sequence is reserved from the workspace's
// counter before the document is written, so a reader of the change feed
// must stop at a safe high-water mark rather than at the highest seq seen.
type feed struct {
	counters *mongo.Collection
	now      func() time.Time
}

// reserve takes the next sequence number of workspace ws.
func (f *feed) reserve(ctx context.Context, ws string) (int64, error) {
	var out struct {
		Seq int64 `bson:"seq"`
	}
	err := f.counters.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: "seq:" + ws}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&out)
	if err != nil {
		return 0, fmt.Errorf("reserve sequence: %w", err)
	}
	return out.Seq, nil
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
	d = setFields(d, bson.E{Key: "ws", Value: ws}, bson.E{Key: "seq", Value: seq},
		bson.E{Key: "deleted", Value: false}, bson.E{Key: "updated_at", Value: f.now().UTC()})
	_, err = coll.InsertOne(ctx, d)
	return err
}

// update applies set to the live document of workspace ws matched by filter,
// stamps it with a new sequence and decodes the new state into out.
// A filter that matches nothing returns mongo.ErrNoDocuments.
func (f *feed) update(ctx context.Context, coll *mongo.Collection, ws string, filter bson.D, set bson.D, out any) error {
	seq, err := f.reserve(ctx, ws)
	if err != nil {
		return err
	}
	filter = append(bson.D{{Key: "ws", Value: ws}, {Key: "deleted", Value: false}}, filter...)
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
	return f.update(ctx, coll, ws, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "deleted", Value: true}}, nil)
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
