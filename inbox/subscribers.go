package inbox

import (
	"context"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Subscriber returns a subscriber whose chat the caller may see.
func (s *Service) Subscriber(ctx context.Context, p models.Principal, id string) (*models.Subscriber, error) {
	return s.subscriberFor(ctx, p, id)
}

// SubscriberEdit is what agents change on a subscriber: the CRM contact
// fields (names, phone, email; an empty string clears one), variables and tags.
type SubscriberEdit struct {
	FirstName *string
	LastName  *string
	Phone     *string
	Email     *string
	Variables map[string]string
	Tags      *[]string
}

// EditSubscriber changes contact fields, variables and tags.
func (s *Service) EditSubscriber(ctx context.Context, p models.Principal, id string, in SubscriberEdit) (*models.Subscriber, error) {
	if err := requireAgent(p, "edit subscribers"); err != nil {
		return nil, err
	}
	if _, err := s.subscriberFor(ctx, p, id); err != nil {
		return nil, err
	}
	return s.st.Subscribers.UpdateSubscriber(ctx, p.WS, id, models.SubscriberUpdate{FirstName: in.FirstName,
		LastName: in.LastName, Phone: in.Phone, Email: in.Email, Variables: in.Variables, Tags: in.Tags})
}

// PauseAction is a control of the automation pause.
type PauseAction string

// Pause controls of the brief.
const (
	PauseExtend PauseAction = "extend" // "+60 min"
	PauseResume PauseAction = "resume" // "resume automation"
)

// Automation extends or ends the subscriber's automation pause.
func (s *Service) Automation(ctx context.Context, p models.Principal, id string, action PauseAction) (*models.Subscriber, error) {
	if err := requireAgent(p, "control automation"); err != nil {
		return nil, err
	}
	sub, err := s.subscriberFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var until *time.Time
	switch action {
	case PauseExtend:
		t := ExtendPause(sub.AutomationPausedUntil, s.now().UTC())
		until = &t
	case PauseResume:
	default:
		return nil, models.Invalid("bad action", models.FieldError{Field: "action", Message: "must be extend or resume"})
	}
	sub, err = s.st.Subscribers.UpdateSubscriber(ctx, p.WS, id, models.SubscriberUpdate{AutomationPausedUntil: &until})
	if err != nil {
		return nil, err
	}
	return sub, s.pauseCommand(ctx, p, sub, until)
}

// SetDisabled stops (or allows again) bot messages to the subscriber.
func (s *Service) SetDisabled(ctx context.Context, p models.Principal, id string, disabled bool) (*models.Subscriber, error) {
	if err := requireAgent(p, "disable subscribers"); err != nil {
		return nil, err
	}
	if _, err := s.subscriberFor(ctx, p, id); err != nil {
		return nil, err
	}
	sub, err := s.st.Subscribers.UpdateSubscriber(ctx, p.WS, id, models.SubscriberUpdate{Disabled: &disabled})
	if err != nil {
		return nil, err
	}
	kind := models.CommandEnable
	if disabled {
		kind = models.CommandDisable
	}
	return sub, s.command(ctx, p, &models.Command{BotID: sub.BotID, SubscriberID: sub.ID, Kind: kind})
}

// DeleteSubscriber removes a subscriber from the audience.
func (s *Service) DeleteSubscriber(ctx context.Context, p models.Principal, id string) error {
	if err := requireAgent(p, "delete subscribers"); err != nil {
		return err
	}
	sub, err := s.subscriberFor(ctx, p, id)
	if err != nil {
		return err
	}
	// Counted first, once per subscriber record: a retry after a failure
	// between the two writes finishes the delete without counting twice.
	key, at := "delete:"+sub.ID+":"+strconv.FormatInt(sub.Seq, 10), s.now()
	if err := s.st.Stats.AddBotStatsOnce(ctx, p.WS, sub.BotID, at, models.StatsDelta{Subscribers: -1}, key); err != nil {
		return err
	}
	if err := s.after("delete-subscriber:counted"); err != nil {
		return err
	}
	if err := s.st.Subscribers.DeleteSubscriber(ctx, p.WS, id); err != nil {
		return err
	}
	s.st.Stats.ReleaseBotStatsKey(p.WS, sub.BotID, at, key)
	return nil
}

// Subscribers searches the audience by name (followers see only the
// subscribers of chats they follow); f.IDs, when set, narrows it further.
func (s *Service) Subscribers(ctx context.Context, p models.Principal, f models.SubscriberFilter) ([]*models.Subscriber, string, error) {
	if p.Role == models.RoleFollower {
		convs, _, err := s.st.Conversations.Conversations(ctx, p.WS, models.ConversationFilter{FollowerID: p.MemberID, Page: models.Page{Limit: 1000}})
		if err != nil {
			return nil, "", err
		}
		asked := map[string]bool{}
		for _, id := range f.IDs {
			asked[id] = true
		}
		visible := []string{}
		for _, c := range convs {
			if len(f.IDs) == 0 || asked[c.SubscriberID] {
				visible = append(visible, c.SubscriberID)
			}
		}
		if len(visible) == 0 {
			return []*models.Subscriber{}, "", nil
		}
		f.IDs = visible
	}
	return s.st.Subscribers.Subscribers(ctx, p.WS, f)
}
