package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.BotStore = (*DB)(nil)

// CreateBot inserts b through the change feed.
func (d *DB) CreateBot(ctx context.Context, b *models.Bot) error {
	b.CreatedAt = d.nowMS()
	return mapErr(d.feed.insert(ctx, d.db.Collection(colBots), b.WS, b, &b.Stamp), "bot")
}

// Bot returns a live bot of workspace ws.
func (d *DB) Bot(ctx context.Context, ws, id string) (*models.Bot, error) {
	var b models.Bot
	if err := d.byID(ctx, colBots, ws, id, &b, "bot"); err != nil {
		return nil, err
	}
	return &b, nil
}

// Bots lists the live bots of ws by name.
func (d *DB) Bots(ctx context.Context, ws string) ([]*models.Bot, error) {
	out := []*models.Bot{}
	err := d.findAll(ctx, colBots, live(ws), &out, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	return out, err
}

// UpdateBot applies upd through the change feed; CountInitiated adds one
// to that month's count with $inc (under the bot's write lock on FerretDB). An update of the
// round-robin position alone is not a change of the bot (the position is
// the server's and never synced): it is written in place, with no new
// sequence, so assigning chats does not send the bot to every device.
func (d *DB) UpdateBot(ctx context.Context, ws, id string, upd models.BotUpdate) (*models.Bot, error) {
	if upd.QueueNext != nil && upd.Name == nil && upd.Credentials == nil && upd.CredentialsHint == nil && upd.Queue == nil &&
		upd.PipelineID == nil && upd.StageID == nil && upd.Greeting == nil && upd.AutoReply == nil &&
		upd.Delivery == nil && upd.OpenOn == nil && upd.Connection == nil && upd.CountInitiated == "" {
		return d.moveQueue(ctx, ws, id, *upd.QueueNext, upd.QueueMoved)
	}
	var set bson.D
	add := func(k string, v any) { set = append(set, bson.E{Key: k, Value: v}) }
	if upd.Name != nil {
		add("name", *upd.Name)
	}
	if upd.Credentials != nil {
		add("credentials", upd.Credentials)
		add("credentials_hint", upd.CredentialsHint)
	}
	var ch change
	if upd.Queue != nil {
		add("queue", *upd.Queue)
		ch.inc = bson.D{{Key: "queue_moves", Value: int64(1)}} // an opening under way moves it no more
	}
	if upd.QueueNext != nil {
		add("queue_next", *upd.QueueNext)
	}
	if upd.PipelineID != nil {
		add("pipeline_id", *upd.PipelineID)
	}
	if upd.StageID != nil {
		add("stage_id", *upd.StageID)
	}
	if upd.Greeting != nil {
		add("greeting", *upd.Greeting)
	}
	if upd.AutoReply != nil {
		add("auto_reply", *upd.AutoReply)
	}
	if upd.Delivery != nil {
		add("delivery", *upd.Delivery)
	}
	if upd.OpenOn != nil {
		add("open_on", *upd.OpenOn)
	}
	if upd.Connection != nil {
		add("connection", upd.Connection) // the whole connection, its secret included
	}
	if upd.CountInitiated != "" { // $inc: concurrent counts all land
		ch.inc = append(ch.inc, bson.E{Key: "initiated." + upd.CountInitiated, Value: 1})
	}
	var b models.Bot
	ch.set = set
	if err := d.feed.update(ctx, d.db.Collection(colBots), ws, id, ch, &b); err != nil {
		return nil, mapErr(err, "bot")
	}
	return &b, nil
}

// moveQueue sets the live bot's round-robin position, outside the change
// feed, under the bot's write lock, counting the move; when moved is set,
// only while the bot has moved that many times (not-found otherwise).
func (d *DB) moveQueue(ctx context.Context, ws, id string, next int, moved *int64) (*models.Bot, error) {
	unlock := d.feed.lockDoc(colBots, id)
	defer unlock()
	b, err := d.Bot(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	filter := bson.D{{Key: "_id", Value: id}}
	if moved != nil {
		if b.QueueMoves != *moved {
			return nil, notFound("bot")
		}
		if !d.idOnly { // another instance may move it meanwhile
			was := bson.D{{Key: "$eq", Value: *moved}}
			if *moved == 0 {
				was = bson.D{{Key: "$in", Value: bson.A{int64(0), nil}}}
			}
			filter = append(filter, bson.E{Key: "queue_moves", Value: was})
		}
	}
	res, err := d.db.Collection(colBots).UpdateOne(ctx, filter, bson.D{
		{Key: "$set", Value: bson.D{{Key: "queue_next", Value: next}}},
		{Key: "$inc", Value: bson.D{{Key: "queue_moves", Value: int64(1)}}}})
	if err != nil {
		return nil, mapErr(err, "bot")
	}
	if res.MatchedCount == 0 {
		return nil, notFound("bot")
	}
	b.QueueNext = next
	b.QueueMoves++
	return b, nil
}

// DeleteBot soft-deletes the bot.
func (d *DB) DeleteBot(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colBots, ws, id)
}

// NativeBots lists the live native bots of every workspace.
func (d *DB) NativeBots(ctx context.Context) ([]*models.Bot, error) {
	out := []*models.Bot{}
	err := d.findAll(ctx, colBots, bson.D{{Key: "deleted", Value: false}, {Key: "delivery", Value: string(models.DeliveryNative)}}, &out,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	return out, err
}
