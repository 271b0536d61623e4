package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/internal/keylock"
	"github.com/switchboardhq/switchboard/models"
)

// Stores are the persistence interfaces the inbox needs.
type Stores struct {
	Members       models.MemberStore
	Bots          models.BotStore
	Subscribers   models.SubscriberStore
	Conversations models.ConversationStore
	Messages      models.MessageStore
	Notes         models.NoteStore
	Events        models.ProcessedEventStore
	CRM           models.CRMStore
	Flows         models.FlowStore
	Stats         models.StatsStore
	Files         models.FileStore
	// Jobs queues the native bots' sends; nil: every bot is the engine's.
	Jobs models.JobStore
}

// Service applies the live-chat rules of the brief. Every method takes the
// caller and checks what their role allows.
type Service struct {
	st  Stores
	now func() time.Time
	// deleter removes a native bot's message on its messenger.
	deleter Deleter
	// faults is the fault point of tests (see WithFaults).
	faults func(point string) error
	// stepByStep: no operation runs in one transaction (see StepByStep).
	stepByStep bool
	// events serialises the deliveries of one event within this process.
	events keylock.Set
	// running are the chat operations this process is running (see settle).
	running runningOps
}

// Deleter removes a sent message of a native bot from the subscriber's
// chat on the messenger; a refusal is the agent's error to see.
type Deleter func(ctx context.Context, bot *models.Bot, sub *models.Subscriber, m *models.Message) error

// WithDeleter plugs in the messengers' deletion of native bots' messages.
func (s *Service) WithDeleter(d Deleter) *Service {
	s.deleter = d
	return s
}

// New returns the service; now is the clock (time.Now when nil).
func New(st Stores, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func forbidden(what string) error {
	return models.Errorf(models.CodeForbidden, "your role may not %s", what)
}

// requireAdmin allows admins only.
func requireAdmin(p models.Principal, what string) error {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return forbidden(what)
	}
	return nil
}

// requireAgent allows admins and employees: the roles that handle chats.
func requireAgent(p models.Principal, what string) error {
	if !p.IsMember() || !p.Role.CanHandleChats() {
		return forbidden(what)
	}
	return nil
}

// canSee reports whether the caller may see the conversation: everyone
// but followers sees all chats; a follower sees the chats they follow.
func canSee(p models.Principal, c *models.Conversation) bool {
	if !p.IsMember() || p.Role != models.RoleFollower {
		return true
	}
	for _, f := range c.Followers {
		if f == p.MemberID {
			return true
		}
	}
	return false
}

// conversation loads a chat the caller may see; others are not found.
func (s *Service) conversation(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	c, err := s.st.Conversations.Conversation(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if !canSee(p, c) {
		return nil, models.NotFound("conversation")
	}
	return c, nil
}

func ptr[T any](v T) *T { return &v }
