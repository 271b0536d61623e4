package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/models"
)

// PipelineInput describes a pipeline; stage ids are kept when given, made otherwise.
type PipelineInput struct {
	Name   *string
	Stages *[]models.Stage
}

func checkStages(stages []models.Stage) ([]models.Stage, error) {
	if len(stages) == 0 {
		return nil, models.Invalid("a pipeline needs stages", models.FieldError{Field: "stages", Message: "must list at least one stage"})
	}
	seen := map[string]bool{}
	out := make([]models.Stage, len(stages))
	for i, st := range stages {
		if st.ID == "" {
			st.ID = models.NewID()
		}
		if seen[st.ID] {
			return nil, models.Invalid("bad stages", models.FieldError{Field: "stages[" + strconv.Itoa(i) + "].id", Message: "is listed twice"})
		}
		seen[st.ID] = true
		out[i] = st
	}
	return out, nil
}

// CreatePipeline adds a pipeline (admins only).
func (s *Service) CreatePipeline(ctx context.Context, p models.Principal, in PipelineInput) (*models.Pipeline, error) {
	if err := requireAdmin(p, "change pipelines"); err != nil {
		return nil, err
	}
	if in.Name == nil || in.Stages == nil {
		return nil, models.Invalid("name and stages are required", models.FieldError{Field: "stages", Message: "is required"})
	}
	stages, err := checkStages(*in.Stages)
	if err != nil {
		return nil, err
	}
	pl := &models.Pipeline{ID: models.NewID(), Name: *in.Name, Stages: stages, Stamp: models.Stamp{WS: p.WS}}
	if err := s.st.CRM.CreatePipeline(ctx, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

// UpdatePipeline renames a pipeline or replaces its ordered stages (admins only).
func (s *Service) UpdatePipeline(ctx context.Context, p models.Principal, id string, in PipelineInput) (*models.Pipeline, error) {
	if err := requireAdmin(p, "change pipelines"); err != nil {
		return nil, err
	}
	if _, err := s.st.CRM.Pipeline(ctx, p.WS, id); err != nil {
		return nil, err
	}
	if in.Stages != nil {
		stages, err := checkStages(*in.Stages)
		if err != nil {
			return nil, err
		}
		in.Stages = &stages
	}
	return s.st.CRM.UpdatePipeline(ctx, p.WS, id, in.Name, in.Stages)
}

// DeletePipeline removes a pipeline (admins only).
func (s *Service) DeletePipeline(ctx context.Context, p models.Principal, id string) error {
	if err := requireAdmin(p, "change pipelines"); err != nil {
		return err
	}
	return s.st.CRM.DeletePipeline(ctx, p.WS, id)
}

// Pipelines lists the pipelines; every member reads them.
func (s *Service) Pipelines(ctx context.Context, p models.Principal) ([]*models.Pipeline, error) {
	return s.st.CRM.Pipelines(ctx, p.WS)
}

// Pipeline returns one pipeline.
func (s *Service) Pipeline(ctx context.Context, p models.Principal, id string) (*models.Pipeline, error) {
	return s.st.CRM.Pipeline(ctx, p.WS, id)
}

// stageOf checks that stage belongs to pipeline; "" means its first stage.
func (s *Service) stageOf(ctx context.Context, ws, pipelineID, stageID, field string) (string, error) {
	pl, err := s.st.CRM.Pipeline(ctx, ws, pipelineID)
	if models.IsNotFound(err) {
		return "", models.Invalid("bad pipeline", models.FieldError{Field: "pipeline_id", Message: "is not a pipeline of this workspace"})
	}
	if err != nil {
		return "", err
	}
	if stageID == "" {
		return pl.Stages[0].ID, nil
	}
	if !pl.HasStage(stageID) {
		return "", models.Invalid("bad stage", models.FieldError{Field: field, Message: "is not a stage of the pipeline"})
	}
	return stageID, nil
}

// DealInput is an agent's new deal.
type DealInput struct {
	PipelineID     string
	StageID        string
	Name           string
	Amount         float64
	Currency       string
	SubscriberID   string
	ConversationID string
}

// CreateDeal adds a deal (admins and employees).
func (s *Service) CreateDeal(ctx context.Context, p models.Principal, in DealInput) (*models.Deal, error) {
	if err := requireAgent(p, "change deals"); err != nil {
		return nil, err
	}
	stage, err := s.stageOf(ctx, p.WS, in.PipelineID, in.StageID, "stage_id")
	if err != nil {
		return nil, err
	}
	if in.SubscriberID != "" {
		if _, err := s.st.Subscribers.Subscriber(ctx, p.WS, in.SubscriberID); err != nil {
			return nil, models.Invalid("bad contact", models.FieldError{Field: "subscriber_id", Message: "is not a subscriber of this workspace"})
		}
	}
	if in.ConversationID != "" {
		c, err := s.st.Conversations.Conversation(ctx, p.WS, in.ConversationID)
		if err != nil {
			return nil, models.Invalid("bad chat", models.FieldError{Field: "conversation_id", Message: "is not a chat of this workspace"})
		}
		if in.SubscriberID == "" {
			in.SubscriberID = c.SubscriberID
		}
	}
	d := &models.Deal{ID: models.NewID(), PipelineID: in.PipelineID, StageID: stage, Name: in.Name, Amount: in.Amount,
		Currency: strings.ToUpper(in.Currency), SubscriberID: in.SubscriberID, ConversationID: in.ConversationID, Stamp: models.Stamp{WS: p.WS}}
	if err := s.st.CRM.CreateDeal(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateDeal changes a deal's stage, name, amount or currency (admins and employees).
func (s *Service) UpdateDeal(ctx context.Context, p models.Principal, id string, upd models.DealUpdate) (*models.Deal, error) {
	if err := requireAgent(p, "change deals"); err != nil {
		return nil, err
	}
	d, err := s.st.CRM.Deal(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if upd.StageID != nil {
		if _, err := s.stageOf(ctx, p.WS, d.PipelineID, *upd.StageID, "stage_id"); err != nil {
			return nil, err
		}
	}
	if upd.Currency != nil {
		upd.Currency = ptr(strings.ToUpper(*upd.Currency))
	}
	return s.st.CRM.UpdateDeal(ctx, p.WS, id, upd)
}

// DeleteDeal removes a deal (admins and employees).
func (s *Service) DeleteDeal(ctx context.Context, p models.Principal, id string) error {
	if err := requireAgent(p, "change deals"); err != nil {
		return err
	}
	return s.st.CRM.DeleteDeal(ctx, p.WS, id)
}

// Deal returns one deal; followers see the deals of chats they follow.
func (s *Service) Deal(ctx context.Context, p models.Principal, id string) (*models.Deal, error) {
	d, err := s.st.CRM.Deal(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if p.Role == models.RoleFollower {
		if _, err := s.subscriberFor(ctx, p, d.SubscriberID); err != nil {
			return nil, models.NotFound("deal")
		}
	}
	return d, nil
}

// Deals lists deals; a follower must name a subscriber whose chat they follow.
func (s *Service) Deals(ctx context.Context, p models.Principal, f models.DealFilter) ([]*models.Deal, error) {
	if p.Role == models.RoleFollower {
		if f.SubscriberID == "" {
			return nil, models.Invalid("followers list the deals of one subscriber", models.FieldError{Field: "subscriber_id", Message: "is required for followers"})
		}
		if _, err := s.subscriberFor(ctx, p, f.SubscriberID); err != nil {
			return nil, err
		}
	}
	return s.st.CRM.Deals(ctx, p.WS, f)
}

// autoDeal creates the deal of a chat's first opening in the bot's
// pipeline, if the bot has one. Its id derives from the chat, so it is
// created once whatever happens.
func (s *Service) autoDeal(ctx context.Context, bot *models.Bot, sub *models.Subscriber, c *models.Conversation) error {
	if bot.PipelineID == "" {
		return nil
	}
	stage, err := s.stageOf(ctx, bot.WS, bot.PipelineID, bot.StageID, "stage_id")
	if models.ErrorCode(err) == models.CodeInvalid {
		return nil // the pipeline was deleted since; no deal
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte("deal\x00" + c.ID))
	d := &models.Deal{ID: "d" + hex.EncodeToString(sum[:16]), PipelineID: bot.PipelineID, StageID: stage,
		Name: sub.Name, SubscriberID: sub.ID, ConversationID: c.ID, Stamp: models.Stamp{WS: bot.WS}}
	if d.Name == "" {
		d.Name = "Chat " + s.now().UTC().Format("2006-01-02")
	}
	err = s.st.CRM.CreateDeal(ctx, d)
	if models.ErrorCode(err) == models.CodeConflict {
		return nil
	}
	return err
}

// SetLinks replaces the chat's links to external tasks and projects (admins, employees).
func (s *Service) SetLinks(ctx context.Context, p models.Principal, id string, links []models.Link) (*models.Conversation, error) {
	if err := requireAgent(p, "link chats"); err != nil {
		return nil, err
	}
	if _, err := s.conversation(ctx, p, id); err != nil {
		return nil, err
	}
	return s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{Links: &links})
}
