package models

import (
	"context"
	"time"
)

// Pipeline is a CRM sales process with ordered stages.
type Pipeline struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	Stages    []Stage   `json:"stages" bson:"stages"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	Stamp     `bson:",inline"`
}

// Stage is one step of a pipeline.
type Stage struct {
	ID   string `json:"id" bson:"id"`
	Name string `json:"name" bson:"name"`
}

// HasStage reports whether id is one of the pipeline's stages.
func (p *Pipeline) HasStage(id string) bool {
	for _, s := range p.Stages {
		if s.ID == id {
			return true
		}
	}
	return false
}

// Deal is a CRM opportunity linked to a subscriber (the contact) and a chat.
type Deal struct {
	ID             string    `json:"id" bson:"_id"`
	PipelineID     string    `json:"pipeline_id" bson:"pipeline_id"`
	StageID        string    `json:"stage_id" bson:"stage_id"`
	Name           string    `json:"name" bson:"name"`
	Amount         float64   `json:"amount" bson:"amount"`
	Currency       string    `json:"currency" bson:"currency"`
	SubscriberID   string    `json:"subscriber_id,omitempty" bson:"subscriber_id,omitempty"`
	ConversationID string    `json:"conversation_id,omitempty" bson:"conversation_id,omitempty"`
	CreatedAt      time.Time `json:"created_at" bson:"created_at"`
	Stamp          `bson:",inline"`
}

// DealUpdate lists deal fields that may change; nil means unchanged.
type DealUpdate struct {
	StageID  *string
	Name     *string
	Amount   *float64
	Currency *string
}

// DealFilter selects deals of one workspace.
type DealFilter struct {
	PipelineID     string
	SubscriberID   string
	ConversationID string
}

// CRMStore persists pipelines and deals.
type CRMStore interface {
	CreatePipeline(ctx context.Context, p *Pipeline) error
	Pipeline(ctx context.Context, ws, id string) (*Pipeline, error)
	Pipelines(ctx context.Context, ws string) ([]*Pipeline, error)
	UpdatePipeline(ctx context.Context, ws, id string, name *string, stages *[]Stage) (*Pipeline, error)
	DeletePipeline(ctx context.Context, ws, id string) error
	// CreateDeal inserts d; an existing id is CodeConflict.
	CreateDeal(ctx context.Context, d *Deal) error
	Deal(ctx context.Context, ws, id string) (*Deal, error)
	Deals(ctx context.Context, ws string, f DealFilter) ([]*Deal, error)
	UpdateDeal(ctx context.Context, ws, id string, upd DealUpdate) (*Deal, error)
	DeleteDeal(ctx context.Context, ws, id string) error
}
