package sqlite

import (
	"context"
	"encoding/json"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.CRMStore = (*Store)(nil)

const pipelineCols = `id, ws, name, stages, seq, deleted, created_at, updated_at`

func scanPipeline(r scanner) (*models.Pipeline, error) {
	var p models.Pipeline
	var stages string
	var created, updated int64
	if err := r.Scan(&p.ID, &p.WS, &p.Name, &stages, &p.Seq, &p.Deleted, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(stages), &p.Stages); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

func putPipeline(tx *Tx, p *models.Pipeline, insert bool) error {
	stages, err := json.Marshal(p.Stages)
	if err != nil {
		return err
	}
	args := []any{p.ID, p.WS, p.Name, string(stages), p.Seq, p.Deleted, ms(p.CreatedAt), ms(p.UpdatedAt)}
	if insert {
		_, err = tx.Exec(`INSERT INTO pipelines (`+pipelineCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE pipelines SET id = ?, ws = ?, name = ?, stages = ?, seq = ?, deleted = ?, created_at = ?,
			updated_at = ? WHERE id = ?`, append(args, p.ID)...)
	}
	return err
}

var pipelines = synced[models.Pipeline]{table: models.TablePipelines, kind: "pipeline", cols: pipelineCols,
	scan: scanPipeline, put: putPipeline,
	stamp: func(p *models.Pipeline) *models.Stamp { return &p.Stamp }, id: func(p *models.Pipeline) string { return p.ID }}

const dealCols = `id, ws, pipeline_id, stage_id, subscriber_id, conversation_id, name, amount, currency, seq, deleted, created_at, updated_at`

func scanDeal(r scanner) (*models.Deal, error) {
	var d models.Deal
	var created, updated int64
	if err := r.Scan(&d.ID, &d.WS, &d.PipelineID, &d.StageID, &d.SubscriberID, &d.ConversationID, &d.Name, &d.Amount,
		&d.Currency, &d.Seq, &d.Deleted, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return &d, nil
}

func putDeal(tx *Tx, d *models.Deal, insert bool) error {
	args := []any{d.ID, d.WS, d.PipelineID, d.StageID, d.SubscriberID, d.ConversationID, d.Name, d.Amount, d.Currency,
		d.Seq, d.Deleted, ms(d.CreatedAt), ms(d.UpdatedAt)}
	var err error
	if insert {
		_, err = tx.Exec(`INSERT INTO deals (`+dealCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE deals SET id = ?, ws = ?, pipeline_id = ?, stage_id = ?, subscriber_id = ?, conversation_id = ?,
			name = ?, amount = ?, currency = ?, seq = ?, deleted = ?, created_at = ?, updated_at = ? WHERE id = ?`, append(args, d.ID)...)
	}
	return err
}

var deals = synced[models.Deal]{table: models.TableDeals, kind: "deal", cols: dealCols, scan: scanDeal, put: putDeal,
	stamp: func(d *models.Deal) *models.Stamp { return &d.Stamp }, id: func(d *models.Deal) string { return d.ID }}

// CreatePipeline inserts p, created now, with its sequence and change-log
// entry; an id in use is CodeConflict.
func (s *Store) CreatePipeline(ctx context.Context, p *models.Pipeline) error {
	at := s.nowMS()
	p.CreatedAt = at
	return pipelines.create(ctx, s, p.WS, p, at)
}

// Pipeline returns the live pipeline id of ws or the typed not-found.
func (s *Store) Pipeline(ctx context.Context, ws, id string) (*models.Pipeline, error) {
	return pipelines.read(ctx, s, ws, id)
}

// Pipelines lists the live pipelines of ws by name, then id; never nil.
func (s *Store) Pipelines(ctx context.Context, ws string) ([]*models.Pipeline, error) {
	return pipelines.list(ctx, s, ws, "", "name, id")
}

// UpdatePipeline renames the live pipeline id of ws and/or replaces its
// stages (nil leaves a field), with a new sequence, logged.
func (s *Store) UpdatePipeline(ctx context.Context, ws, id string, name *string, stages *[]models.Stage) (*models.Pipeline, error) {
	return pipelines.update(ctx, s, ws, id, func(p *models.Pipeline, _ int64) error {
		if name != nil {
			p.Name = *name
		}
		if stages != nil {
			p.Stages = *stages
		}
		return nil
	})
}

// DeletePipeline leaves the live pipeline id of ws a logged tombstone; an
// unknown or deleted pipeline is the typed not-found.
func (s *Store) DeletePipeline(ctx context.Context, ws, id string) error {
	return pipelines.remove(ctx, s, ws, id)
}

// CreateDeal inserts d, created now, with its sequence and change-log
// entry; an id in use is CodeConflict.
func (s *Store) CreateDeal(ctx context.Context, d *models.Deal) error {
	at := s.nowMS()
	d.CreatedAt = at
	return deals.create(ctx, s, d.WS, d, at)
}

// Deal returns the live deal id of ws or the typed not-found.
func (s *Store) Deal(ctx context.Context, ws, id string) (*models.Deal, error) {
	return deals.read(ctx, s, ws, id)
}

// Deals lists the live deals of ws matching every non-empty field of f,
// newest first (then by id, descending), at most 1,000; never nil.
func (s *Store) Deals(ctx context.Context, ws string, f models.DealFilter) ([]*models.Deal, error) {
	conds, args := whereEq(nil, nil, "pipeline_id", f.PipelineID, "subscriber_id", f.SubscriberID, "conversation_id", f.ConversationID)
	return deals.list(ctx, s, ws, and(conds), "created_at DESC, id DESC", args...)
}

// UpdateDeal applies upd to the live deal id of ws with a new sequence,
// logged.
func (s *Store) UpdateDeal(ctx context.Context, ws, id string, upd models.DealUpdate) (*models.Deal, error) {
	return deals.update(ctx, s, ws, id, func(d *models.Deal, _ int64) error {
		if upd.StageID != nil {
			d.StageID = *upd.StageID
		}
		if upd.Name != nil {
			d.Name = *upd.Name
		}
		if upd.Amount != nil {
			d.Amount = *upd.Amount
		}
		if upd.Currency != nil {
			d.Currency = *upd.Currency
		}
		return nil
	})
}

// DeleteDeal leaves the live deal id of ws a logged tombstone; an unknown
// or deleted deal is the typed not-found.
func (s *Store) DeleteDeal(ctx context.Context, ws, id string) error {
	return deals.remove(ctx, s, ws, id)
}
