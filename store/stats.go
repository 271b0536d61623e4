package store

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.StatsStore = (*DB)(nil)

// AddBotStats adds d to the bot's day bucket and totals. Each counter
// document is changed under this process's lock for it (FerretDB's $inc is
// not atomic across concurrent callers; MongoDB's is).
func (d *DB) AddBotStats(ctx context.Context, ws, botID string, at time.Time, delta models.StatsDelta) error {
	day := at.UTC().Format("2006-01-02")
	if delta.Sent != 0 || delta.Received != 0 || delta.NewSubscribers != 0 {
		if err := d.inc(ctx, ws+":"+botID+":"+day, bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: day}},
			bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "new_subscribers", Value: delta.NewSubscribers}}); err != nil {
			return err
		}
	}
	return d.inc(ctx, ws+":"+botID+":total", bson.D{{Key: "ws", Value: ws}, {Key: "bot_id", Value: botID}, {Key: "day", Value: "total"}},
		bson.D{{Key: "sent", Value: delta.Sent}, {Key: "received", Value: delta.Received}, {Key: "subscribers", Value: delta.Subscribers}})
}

func (d *DB) inc(ctx context.Context, id string, onInsert, inc bson.D) error {
	unlock := d.feed.lockDoc(colBotStats, id)
	defer unlock()
	coll := d.db.Collection(colBotStats)
	for attempt := 0; attempt < 3; attempt++ {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$inc", Value: inc}, {Key: "$setOnInsert", Value: onInsert}}, options.UpdateOne().SetUpsert(true))
		if err == nil || !isDuplicate(err) { // a concurrent upsert from another instance inserted first: retry as an update
			return mapErr(err, "statistics")
		}
	}
	return internal(context.DeadlineExceeded)
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
