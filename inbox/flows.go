package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// FlowInput describes a flow; nil fields stay as they are on update.
type FlowInput struct {
	Name  *string
	Steps *[]models.FlowStep
}

// CreateFlow stores a flow for a bot (admins only).
func (s *Service) CreateFlow(ctx context.Context, p models.Principal, botID string, in FlowInput) (*models.Flow, error) {
	if err := requireAdmin(p, "change flows"); err != nil {
		return nil, err
	}
	if _, err := s.st.Bots.Bot(ctx, p.WS, botID); err != nil {
		return nil, err
	}
	if in.Name == nil || in.Steps == nil {
		return nil, models.Invalid("name and steps are required", models.FieldError{Field: "steps", Message: "is required"})
	}
	f := &models.Flow{ID: models.NewID(), BotID: botID, Name: *in.Name, Steps: *in.Steps, Stamp: models.Stamp{WS: p.WS}}
	if err := s.st.Flows.CreateFlow(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// UpdateFlow renames a flow or replaces its steps (admins only).
func (s *Service) UpdateFlow(ctx context.Context, p models.Principal, id string, in FlowInput) (*models.Flow, error) {
	if err := requireAdmin(p, "change flows"); err != nil {
		return nil, err
	}
	if _, err := s.st.Flows.Flow(ctx, p.WS, id); err != nil {
		return nil, err
	}
	return s.st.Flows.UpdateFlow(ctx, p.WS, id, in.Name, in.Steps)
}

// DeleteFlow removes a flow (admins only).
func (s *Service) DeleteFlow(ctx context.Context, p models.Principal, id string) error {
	if err := requireAdmin(p, "change flows"); err != nil {
		return err
	}
	return s.st.Flows.DeleteFlow(ctx, p.WS, id)
}

// Flows lists a bot's flows.
func (s *Service) Flows(ctx context.Context, p models.Principal, botID string) ([]*models.Flow, error) {
	if _, err := s.st.Bots.Bot(ctx, p.WS, botID); err != nil {
		return nil, err
	}
	return s.st.Flows.Flows(ctx, p.WS, botID)
}

// StartFlow puts the subscriber in a flow of their bot, replacing any
// active one, and asks the bot engine to run it.
func (s *Service) StartFlow(ctx context.Context, p models.Principal, subscriberID, flowID string) (*models.Subscriber, error) {
	if err := requireAgent(p, "start flows"); err != nil {
		return nil, err
	}
	sub, err := s.subscriberFor(ctx, p, subscriberID)
	if err != nil {
		return nil, err
	}
	f, err := s.st.Flows.Flow(ctx, p.WS, flowID)
	if err != nil || f.BotID != sub.BotID {
		return nil, models.Invalid("bad flow", models.FieldError{Field: "flow_id", Message: "is not a flow of the subscriber's bot"})
	}
	if sub.Disabled {
		return nil, models.Errorf(models.CodeConflict, "the subscriber is disabled: the bot sends them nothing")
	}
	now := s.now().UTC()
	pending := append([]models.FlowStep{}, f.Steps...)
	sub, err = s.st.Flows.SetActiveFlow(ctx, p.WS, subscriberID, &models.ActiveFlow{FlowID: f.ID, Name: f.Name, StartedAt: now, StartedBy: p.MemberID, Pending: pending})
	if err != nil {
		return nil, err
	}
	return sub, s.command(ctx, p, &models.Command{BotID: sub.BotID, SubscriberID: sub.ID, Kind: models.CommandStartFlow, FlowID: f.ID})
}

// StopFlow ends the subscriber's active flow with its pending messages.
func (s *Service) StopFlow(ctx context.Context, p models.Principal, subscriberID string) (*models.Subscriber, error) {
	if err := requireAgent(p, "stop flows"); err != nil {
		return nil, err
	}
	sub, err := s.subscriberFor(ctx, p, subscriberID)
	if err != nil {
		return nil, err
	}
	if sub.ActiveFlow == nil {
		return nil, models.Errorf(models.CodeConflict, "the subscriber is in no flow")
	}
	flowID := sub.ActiveFlow.FlowID
	if sub, err = s.st.Flows.SetActiveFlow(ctx, p.WS, subscriberID, nil); err != nil {
		return nil, err
	}
	return sub, s.command(ctx, p, &models.Command{BotID: sub.BotID, SubscriberID: sub.ID, Kind: models.CommandStopFlow, FlowID: flowID})
}

// command records an instruction for the bot engine.
func (s *Service) command(ctx context.Context, p models.Principal, c *models.Command) error {
	c.ID, c.WS, c.By = models.NewID(), p.WS, p.MemberID
	return s.st.Flows.AddCommand(ctx, c)
}

// Commands returns a bot's commands after the cursor (a change-feed
// sequence), never past the feed's high-water mark, so a command whose
// write lands late is not skipped. It also returns the next cursor.
func (s *Service) Commands(ctx context.Context, p models.Principal, botID string, after int64, limit int) ([]*models.Command, int64, error) {
	if p.IsMember() {
		return nil, 0, forbidden("read the bot engine's commands (use an API key)")
	}
	if _, err := s.st.Bots.Bot(ctx, p.WS, botID); err != nil {
		return nil, 0, err
	}
	upTo, err := s.st.Flows.SafeSeq(ctx, p.WS)
	if err != nil {
		return nil, 0, err
	}
	if after >= upTo {
		return []*models.Command{}, after, nil
	}
	cmds, err := s.st.Flows.BotCommands(ctx, p.WS, botID, after, upTo, limit)
	if err != nil {
		return nil, 0, err
	}
	next := upTo
	if len(cmds) == limit {
		next = cmds[len(cmds)-1].Seq
	}
	return cmds, next, nil
}

// pauseCommand tells the engine about an automation pause change.
func (s *Service) pauseCommand(ctx context.Context, p models.Principal, sub *models.Subscriber, until *time.Time) error {
	return s.command(ctx, p, &models.Command{BotID: sub.BotID, SubscriberID: sub.ID, Kind: models.CommandPause, PausedUntil: until})
}
