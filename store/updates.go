package store

import (
	"context"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.UpdateStore = (*DB)(nil)

// SaveUpdate stores u as pending, received now when ReceivedAt is zero,
// then queues its JobUpdate job due at once: two writes, as the store has
// no transactions. An id stored already is left as it is (created false)
// and, while pending, queued again: a messenger's redelivery after a
// crash between the two writes is what queues it then.
func (d *DB) SaveUpdate(ctx context.Context, u *models.InboundUpdate) (bool, error) {
	now := d.nowMS()
	if u.ReceivedAt.IsZero() {
		u.ReceivedAt = now
	}
	u.ReceivedAt = u.ReceivedAt.UTC().Truncate(time.Millisecond)
	u.State = models.UpdatePending
	if u.Raw == nil {
		u.Raw = []byte{}
	}
	coll := d.db.Collection(colUpdates)
	_, err := coll.InsertOne(ctx, u)
	created := err == nil
	switch {
	case isDuplicate(err):
		var was models.InboundUpdate
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: u.ID}}).Decode(&was); err != nil {
			return false, mapErr(err, "update")
		}
		if was.State != models.UpdatePending {
			return false, nil
		}
	case err != nil:
		return false, internal(err)
	}
	if err := d.QueueJob(ctx, models.JobUpdate, u.ID, u.WS, models.AtOnce); err != nil {
		return false, err
	}
	return created, nil
}

// InboundUpdate returns update id of ws or the typed not-found.
func (d *DB) InboundUpdate(ctx context.Context, ws, id string) (*models.InboundUpdate, error) {
	var u models.InboundUpdate
	if err := d.db.Collection(colUpdates).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u); err != nil {
		return nil, mapErr(err, "update")
	}
	if u.WS != ws {
		return nil, notFound("update")
	}
	return &u, nil
}

// InboundUpdates lists ws's updates of f.BotID, of f.State when set,
// newest first (then by id, descending), up to f.Limit (none when 0 or
// less); never nil.
func (d *DB) InboundUpdates(ctx context.Context, ws string, f models.UpdateFilter) ([]*models.InboundUpdate, error) {
	filter := bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: f.BotID}}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: f.State})
	}
	out := []*models.InboundUpdate{}
	opts := options.Find().SetSort(bson.D{{Key: "received_at", Value: -1}, {Key: "_id", Value: -1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	if err := d.findAll(ctx, colUpdates, filter, &out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

// SetUpdateOutcome records o on update id of ws (its processed time is
// o.At) and returns the new state; a pending outcome then queues the
// update's job due at once. Unknown: the typed not-found.
func (d *DB) SetUpdateOutcome(ctx context.Context, ws, id string, o models.UpdateOutcome) (*models.InboundUpdate, error) {
	if _, err := d.InboundUpdate(ctx, ws, id); err != nil {
		return nil, err
	}
	var u models.InboundUpdate
	err := d.db.Collection(colUpdates).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: o.State}, {Key: "error", Value: o.Error},
			{Key: "attempts", Value: o.Attempts}, {Key: "processed_at", Value: o.At.UTC().Truncate(time.Millisecond)}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, notFound("update")
	}
	if err != nil {
		return nil, internal(err)
	}
	if o.State == models.UpdatePending {
		if err := d.QueueJob(ctx, models.JobUpdate, id, ws, models.AtOnce); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// PurgeUpdates deletes the done updates received before cutoff and
// reports how many.
func (d *DB) PurgeUpdates(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := d.db.Collection(colUpdates).DeleteMany(ctx, bson.D{{Key: "state", Value: models.UpdateDone},
		{Key: "received_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
	if err != nil {
		return 0, internal(err)
	}
	return int(res.DeletedCount), nil
}
