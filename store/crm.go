package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.CRMStore = (*DB)(nil)

// CreatePipeline inserts p through the change feed.
func (d *DB) CreatePipeline(ctx context.Context, p *models.Pipeline) error {
	p.CreatedAt = d.nowMS()
	return mapErr(d.feed.insert(ctx, d.db.Collection(colPipelines), p.WS, p, &p.Stamp), "pipeline")
}

// Pipeline returns a live pipeline of ws.
func (d *DB) Pipeline(ctx context.Context, ws, id string) (*models.Pipeline, error) {
	var p models.Pipeline
	if err := d.byID(ctx, colPipelines, ws, id, &p, "pipeline"); err != nil {
		return nil, err
	}
	return &p, nil
}

// Pipelines lists the live pipelines of ws by name.
func (d *DB) Pipelines(ctx context.Context, ws string) ([]*models.Pipeline, error) {
	out := []*models.Pipeline{}
	err := d.findAll(ctx, colPipelines, live(ws), &out, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	return out, err
}

// UpdatePipeline renames a pipeline or replaces its stages.
func (d *DB) UpdatePipeline(ctx context.Context, ws, id string, name *string, stages *[]models.Stage) (*models.Pipeline, error) {
	var set bson.D
	if name != nil {
		set = append(set, bson.E{Key: "name", Value: *name})
	}
	if stages != nil {
		set = append(set, bson.E{Key: "stages", Value: *stages})
	}
	var p models.Pipeline
	if err := d.feed.update(ctx, d.db.Collection(colPipelines), ws, id, change{set: set}, &p); err != nil {
		return nil, mapErr(err, "pipeline")
	}
	return &p, nil
}

// DeletePipeline soft-deletes the pipeline.
func (d *DB) DeletePipeline(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colPipelines, ws, id)
}

// CreateDeal inserts d through the change feed.
func (d *DB) CreateDeal(ctx context.Context, deal *models.Deal) error {
	deal.CreatedAt = d.nowMS()
	err := d.feed.insert(ctx, d.db.Collection(colDeals), deal.WS, deal, &deal.Stamp)
	if isDuplicate(err) {
		return models.Errorf(models.CodeConflict, "deal already exists")
	}
	return mapErr(err, "deal")
}

// Deal returns a live deal of ws.
func (d *DB) Deal(ctx context.Context, ws, id string) (*models.Deal, error) {
	var deal models.Deal
	if err := d.byID(ctx, colDeals, ws, id, &deal, "deal"); err != nil {
		return nil, err
	}
	return &deal, nil
}

// Deals lists deals of ws, newest first.
func (d *DB) Deals(ctx context.Context, ws string, f models.DealFilter) ([]*models.Deal, error) {
	q := live(ws)
	for k, v := range map[string]string{"pipeline_id": f.PipelineID, "subscriber_id": f.SubscriberID, "conversation_id": f.ConversationID} {
		if v != "" {
			q = append(q, bson.E{Key: k, Value: v})
		}
	}
	out := []*models.Deal{}
	err := d.findAll(ctx, colDeals, q, &out, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(1000))
	return out, err
}

// UpdateDeal applies upd through the change feed.
func (d *DB) UpdateDeal(ctx context.Context, ws, id string, upd models.DealUpdate) (*models.Deal, error) {
	var set bson.D
	if upd.StageID != nil {
		set = append(set, bson.E{Key: "stage_id", Value: *upd.StageID})
	}
	if upd.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *upd.Name})
	}
	if upd.Amount != nil {
		set = append(set, bson.E{Key: "amount", Value: *upd.Amount})
	}
	if upd.Currency != nil {
		set = append(set, bson.E{Key: "currency", Value: *upd.Currency})
	}
	var deal models.Deal
	if err := d.feed.update(ctx, d.db.Collection(colDeals), ws, id, change{set: set}, &deal); err != nil {
		return nil, mapErr(err, "deal")
	}
	return &deal, nil
}

// DeleteDeal soft-deletes the deal.
func (d *DB) DeleteDeal(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colDeals, ws, id)
}
