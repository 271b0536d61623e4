package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.FlowStore = (*DB)(nil)

// CreateFlow inserts f through the change feed.
func (d *DB) CreateFlow(ctx context.Context, f *models.Flow) error {
	f.CreatedAt = d.nowMS()
	return mapErr(d.feed.insert(ctx, d.db.Collection(colFlows), f.WS, f, &f.Stamp), "flow")
}

// Flow returns a live flow of ws.
func (d *DB) Flow(ctx context.Context, ws, id string) (*models.Flow, error) {
	var f models.Flow
	if err := d.byID(ctx, colFlows, ws, id, &f, "flow"); err != nil {
		return nil, err
	}
	return &f, nil
}

// Flows lists a bot's flows by name.
func (d *DB) Flows(ctx context.Context, ws, botID string) ([]*models.Flow, error) {
	out := []*models.Flow{}
	err := d.findAll(ctx, colFlows, live(ws, bson.E{Key: "bot_id", Value: botID}), &out,
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	return out, err
}

// UpdateFlow renames a flow or replaces its steps.
func (d *DB) UpdateFlow(ctx context.Context, ws, id string, name *string, steps *[]models.FlowStep) (*models.Flow, error) {
	var set bson.D
	if name != nil {
		set = append(set, bson.E{Key: "name", Value: *name})
	}
	if steps != nil {
		set = append(set, bson.E{Key: "steps", Value: *steps})
	}
	var f models.Flow
	if err := d.feed.update(ctx, d.db.Collection(colFlows), ws, id, change{set: set}, &f); err != nil {
		return nil, mapErr(err, "flow")
	}
	return &f, nil
}

// DeleteFlow soft-deletes the flow.
func (d *DB) DeleteFlow(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colFlows, ws, id)
}

// SetActiveFlow sets or clears the subscriber's active flow.
func (d *DB) SetActiveFlow(ctx context.Context, ws, subscriberID string, a *models.ActiveFlow) (*models.Subscriber, error) {
	ch := change{set: bson.D{{Key: "active_flow", Value: a}}}
	if a == nil {
		ch = change{unset: bson.D{{Key: "active_flow", Value: ""}}}
	}
	var s models.Subscriber
	if err := d.feed.update(ctx, d.db.Collection(colSubscribers), ws, subscriberID, ch, &s); err != nil {
		return nil, mapErr(err, "subscriber")
	}
	return &s, nil
}

// AddCommand records c through the change feed, so it gets a sequence.
func (d *DB) AddCommand(ctx context.Context, c *models.Command) error {
	c.CreatedAt = d.nowMS()
	return mapErr(d.feed.insert(ctx, d.db.Collection(colCommands), c.WS, c, &c.Stamp), "command")
}

// BotCommands lists a bot's commands in (after, upTo], oldest first.
func (d *DB) BotCommands(ctx context.Context, ws, botID string, after, upTo int64, limit int) ([]*models.Command, error) {
	out := []*models.Command{}
	err := d.findAll(ctx, colCommands, live(ws, bson.E{Key: "bot_id", Value: botID},
		bson.E{Key: "seq", Value: bson.D{{Key: "$gt", Value: after}, {Key: "$lte", Value: upTo}}}), &out,
		options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(int64(limit)))
	return out, err
}
