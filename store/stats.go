package store

import (
	"errors"

	"context"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.StatsStore = (*DB)(nil)

// AddBotStats adds d to the bot's totals and day bucket. The bucket is
// marked dirty rather than given a new sequence: StampDirtyStats stamps
// dirty buckets for delta-sync on a short interval, so a busy bot costs
// one sequence per interval, not one per message. Both documents are
// changed under this process's lock for the bot's totals (FerretDB's $inc
// is not atomic across concurrent callers; MongoDB's is).
func (d *DB) AddBotStats(ctx context.Context, ws, botID string, at time.Time, delta models.StatsDelta) error {
	totalID := ws + ":" + botID + ":total"
	unlock := d.feed.lockDoc(colBotStats, totalID)
	defer unlock()
	coll := d.db.Collection(colBotStats)
	var total models.BotTotals
	err := retryUpsert(func() error {
		return coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: totalID}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "subscribers", Value: delta.Subscribers}}},
				{Key: "$setOnInsert", Value: bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: "total"}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&total)
	})
	if err != nil {
		return err
	}
	day := at.UTC().Format("2006-01-02")
	dayID := ws + ":" + botID + ":" + day
	unlockDay := d.feed.lockDoc(colBotStats, dayID)
	defer unlockDay()
	inc := bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "new_subscribers", Value: delta.NewSubscribers}}
	set := bson.D{{Key: "dirty", Value: true}}
	onInsert := bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: day},
		{Key: "deleted", Value: false}, {Key: "seq", Value: int64(0)}, {Key: "updated_at", Value: d.now().UTC()}}
	if day >= d.now().UTC().Format("2006-01-02") {
		// Today's bucket holds the running total.
		set = append(set, bson.E{Key: "total_subscribers", Value: total.Subscribers})
	} else {
		// A backdated event: its day counts the subscribers as of that day
		// (the day before's total, when the bucket is new), and so does
		// every later day already counted.
		base, err := d.pastTotal(ctx, ws, botID, day)
		if err != nil {
			return err
		}
		if base < 0 {
			inc = append(inc, bson.E{Key: "total_subscribers", Value: delta.Subscribers})
		} else {
			onInsert = append(onInsert, bson.E{Key: "total_subscribers", Value: base + delta.Subscribers})
		}
		if delta.Subscribers != 0 {
			if _, err := coll.UpdateMany(ctx, bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID},
				{Key: "day", Value: bson.D{{Key: "$gt", Value: day}, {Key: "$lt", Value: "total"}}}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "total_subscribers", Value: delta.Subscribers}}},
					{Key: "$set", Value: bson.D{{Key: "dirty", Value: true}}}}); err != nil {
				return mapErr(err, "statistics")
			}
		}
	}
	return retryUpsert(func() error {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: dayID}},
			bson.D{{Key: "$inc", Value: inc}, {Key: "$set", Value: set}, {Key: "$setOnInsert", Value: onInsert}},
			options.UpdateOne().SetUpsert(true))
		return err
	})
}

// pastTotal returns -1 when ws's bot has a bucket for day, otherwise the
// subscriber total of its latest bucket before day (0 without one).
func (d *DB) pastTotal(ctx context.Context, ws, botID, day string) (int64, error) {
	coll := d.db.Collection(colBotStats)
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: ws + ":" + botID + ":" + day}})
	if err != nil {
		return 0, internal(err)
	}
	if n > 0 {
		return -1, nil
	}
	var prev models.BotStatsBucket
	err = coll.FindOne(ctx, bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: bson.D{{Key: "$lt", Value: day}}}},
		options.FindOne().SetSort(bson.D{{Key: "day", Value: -1}})).Decode(&prev)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, internal(err)
	}
	return prev.TotalSubscribers, nil
}

// retryUpsert runs an upsert again when a concurrent upsert from another
// instance inserted the document first.
func retryUpsert(f func() error) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := f()
		if err == nil || !isDuplicate(err) {
			return mapErr(err, "statistics")
		}
	}
	return internal(context.DeadlineExceeded)
}

// StampDirtyStats gives every day bucket changed since its last stamp a
// new sequence (through the change feed, which logs the bucket as it is),
// and clears its dirty mark in the same write. A bucket's first stamp is
// logged as its creation (devices have never seen it); it is made only
// while the bucket still has no sequence, so two stampers never both log it.
func (d *DB) StampDirtyStats(ctx context.Context) (int, error) {
	var dirty []struct {
		ID  string `bson:"_id"`
		WS  string `bson:"ws"`
		Seq int64  `bson:"seq"`
	}
	if err := d.findAll(ctx, colBotStats, bson.D{{Key: "dirty", Value: true}}, &dirty,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "ws", Value: 1}, {Key: "seq", Value: 1}})); err != nil {
		return 0, err
	}
	n := 0
	for _, b := range dirty {
		ch := change{set: bson.D{{Key: "dirty", Value: false}}}
		if b.Seq == 0 {
			ch.cond, ch.created, ch.seqFields = bson.D{{Key: "seq", Value: int64(0)}}, true, []string{"cseq"}
		}
		err := d.feed.update(ctx, d.db.Collection(colBotStats), b.WS, b.ID, ch, nil)
		if errors.Is(err, mongo.ErrNoDocuments) && b.Seq == 0 {
			// Stamped meanwhile by another stamper: stamp it again as a change.
			err = d.feed.update(ctx, d.db.Collection(colBotStats), b.WS, b.ID, change{set: bson.D{{Key: "dirty", Value: false}}}, nil)
		}
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return n, mapErr(err, "statistics")
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

// BotTotals returns the bot's totals (zero when it has none yet).
func (d *DB) BotTotals(ctx context.Context, ws, botID string) (*models.BotTotals, error) {
	var t models.BotTotals
	err := d.findOne(ctx, colBotStats, bson.D{{Key: "_id", Value: ws + ":" + botID + ":total"}}, &t, "statistics")
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	return &t, nil
}

// BotDays returns the bot's day buckets in [from, to], oldest first.
func (d *DB) BotDays(ctx context.Context, ws, botID, from, to string) ([]*models.BotDayStats, error) {
	out := []*models.BotDayStats{}
	err := d.findAll(ctx, colBotStats, bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID},
		{Key: "day", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}}, &out,
		options.Find().SetSort(bson.D{{Key: "day", Value: 1}}).SetLimit(400))
	return out, err
}
