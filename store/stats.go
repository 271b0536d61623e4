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
	inc, set, onInsert, err := d.dayUpdate(ctx, ws, botID, day, delta, total.Subscribers)
	if err != nil {
		return err
	}
	if err := d.countLaterDays(ctx, ws, botID, day, delta.Subscribers, ""); err != nil {
		return err
	}
	return retryUpsert(func() error {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: dayID}},
			bson.D{{Key: "$inc", Value: inc}, {Key: "$set", Value: set}, {Key: "$setOnInsert", Value: onInsert}},
			options.UpdateOne().SetUpsert(true))
		return err
	})
}

// dayUpdate is the $inc, $set and $setOnInsert that count delta in the
// bot's bucket of day, given the bot's running subscriber total after it.
// Today's bucket holds the running total; a backdated event's bucket
// counts the subscribers as of its own day (the day before's total, when
// the bucket is new).
func (d *DB) dayUpdate(ctx context.Context, ws, botID, day string, delta models.StatsDelta, total int64) (inc, set, onInsert bson.D, err error) {
	inc = bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "new_subscribers", Value: delta.NewSubscribers}}
	set = bson.D{{Key: "dirty", Value: true}}
	onInsert = bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: day},
		{Key: "deleted", Value: false}, {Key: "seq", Value: int64(0)}, {Key: "updated_at", Value: d.now().UTC()}}
	if day >= d.now().UTC().Format("2006-01-02") {
		return inc, append(set, bson.E{Key: "total_subscribers", Value: total}), onInsert, nil
	}
	base, err := d.pastTotal(ctx, ws, botID, day)
	if err != nil {
		return nil, nil, nil, err
	}
	if base < 0 {
		inc = append(inc, bson.E{Key: "total_subscribers", Value: delta.Subscribers})
	} else {
		onInsert = append(onInsert, bson.E{Key: "total_subscribers", Value: base + delta.Subscribers})
	}
	return inc, set, onInsert, nil
}

// countLaterDays adds n subscribers to the bot's buckets after day (a
// backdated event's change counts in every later day already counted).
// With a once-key k, a bucket that records k is left alone and one that
// does not records it in the same write, so a repeat counts nothing twice.
func (d *DB) countLaterDays(ctx context.Context, ws, botID, day string, n int64, k string) error {
	if n == 0 || day >= d.now().UTC().Format("2006-01-02") {
		return nil
	}
	filter := bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID},
		{Key: "day", Value: bson.D{{Key: "$gt", Value: day}, {Key: "$lt", Value: "total"}}}}
	set := bson.D{{Key: "dirty", Value: true}}
	if k != "" {
		filter = append(filter, bson.E{Key: "once." + k, Value: bson.D{{Key: "$exists", Value: false}}})
		set = append(set, bson.E{Key: "once." + k, Value: true})
	}
	_, err := d.db.Collection(colBotStats).UpdateMany(ctx, filter,
		bson.D{{Key: "$inc", Value: bson.D{{Key: "total_subscribers", Value: n}}}, {Key: "$set", Value: set}})
	return mapErr(err, "statistics")
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
