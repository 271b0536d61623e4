package api

import (
	"context"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// Inbox is what the handlers need of the live-chat rules.
type Inbox interface {
	// Now is the inbox's clock, for values derived at read time.
	Now() time.Time
	CreateBot(ctx context.Context, p models.Principal, in inbox.BotInput) (*models.Bot, error)
	UpdateBot(ctx context.Context, p models.Principal, id string, in inbox.BotInput) (*models.Bot, error)
	DeleteBot(ctx context.Context, p models.Principal, id string) error
	Bot(ctx context.Context, p models.Principal, id string) (*models.Bot, error)
	Bots(ctx context.Context, p models.Principal) ([]*models.Bot, error)
	Ingest(ctx context.Context, p models.Principal, botID string, ev inbox.Event) (*inbox.EventResult, error)

	Conversations(ctx context.Context, p models.Principal, in inbox.ListInput) ([]*models.Conversation, string, error)
	Counts(ctx context.Context, p models.Principal) (*inbox.Counts, error)
	Conversation(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	OpenManually(ctx context.Context, p models.Principal, subscriberID string) (*models.Conversation, error)
	Close(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	Reopen(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	MarkRead(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	Assign(ctx context.Context, p models.Principal, id, memberID string) (*models.Conversation, error)
	SetFollower(ctx context.Context, p models.Principal, id, memberID string, follow bool) (*models.Conversation, error)
	SetTags(ctx context.Context, p models.Principal, id string, tags []string) (*models.Conversation, error)
	SetMuted(ctx context.Context, p models.Principal, id string, muted bool) (*models.Conversation, error)

	History(ctx context.Context, p models.Principal, f models.MessageFilter) ([]*models.Message, error)
	Send(ctx context.Context, p models.Principal, convID string, in inbox.SendInput) (*models.Message, bool, error)
	DeleteMessage(ctx context.Context, p models.Principal, convID, msgID string) error
	RetrySend(ctx context.Context, p models.Principal, convID, msgID string, confirmPaid bool) (*models.Message, error)

	Subscriber(ctx context.Context, p models.Principal, id string) (*models.Subscriber, error)
	Subscribers(ctx context.Context, p models.Principal, f models.SubscriberFilter) ([]*models.Subscriber, string, error)
	EditSubscriber(ctx context.Context, p models.Principal, id string, in inbox.SubscriberEdit) (*models.Subscriber, error)
	Automation(ctx context.Context, p models.Principal, id string, action inbox.PauseAction) (*models.Subscriber, error)
	SetDisabled(ctx context.Context, p models.Principal, id string, disabled bool) (*models.Subscriber, error)
	DeleteSubscriber(ctx context.Context, p models.Principal, id string) error

	CreatePipeline(ctx context.Context, p models.Principal, in inbox.PipelineInput) (*models.Pipeline, error)
	UpdatePipeline(ctx context.Context, p models.Principal, id string, in inbox.PipelineInput) (*models.Pipeline, error)
	DeletePipeline(ctx context.Context, p models.Principal, id string) error
	Pipelines(ctx context.Context, p models.Principal) ([]*models.Pipeline, error)
	Pipeline(ctx context.Context, p models.Principal, id string) (*models.Pipeline, error)
	CreateDeal(ctx context.Context, p models.Principal, in inbox.DealInput) (*models.Deal, error)
	UpdateDeal(ctx context.Context, p models.Principal, id string, upd models.DealUpdate) (*models.Deal, error)
	DeleteDeal(ctx context.Context, p models.Principal, id string) error
	Deal(ctx context.Context, p models.Principal, id string) (*models.Deal, error)
	Deals(ctx context.Context, p models.Principal, f models.DealFilter) ([]*models.Deal, error)
	SetLinks(ctx context.Context, p models.Principal, id string, links []models.Link) (*models.Conversation, error)

	CreateFlow(ctx context.Context, p models.Principal, botID string, in inbox.FlowInput) (*models.Flow, error)
	UpdateFlow(ctx context.Context, p models.Principal, id string, in inbox.FlowInput) (*models.Flow, error)
	DeleteFlow(ctx context.Context, p models.Principal, id string) error
	Flows(ctx context.Context, p models.Principal, botID string) ([]*models.Flow, error)
	StartFlow(ctx context.Context, p models.Principal, subscriberID, flowID string) (*models.Subscriber, error)
	StopFlow(ctx context.Context, p models.Principal, subscriberID string) (*models.Subscriber, error)
	Commands(ctx context.Context, p models.Principal, botID string, after int64, limit int) ([]*models.Command, int64, error)

	Upload(ctx context.Context, p models.Principal, convID, name string, r io.Reader) (*models.File, error)
	Download(ctx context.Context, p models.Principal, id string, w func(*models.File) io.Writer) error
	Stats(ctx context.Context, p models.Principal, botID string, from, to time.Time) (*inbox.BotStats, error)

	Notes(ctx context.Context, p models.Principal, subscriberID string) ([]*models.Note, error)
	AddNote(ctx context.Context, p models.Principal, subscriberID, text string) (*models.Note, error)
	EditNote(ctx context.Context, p models.Principal, id, text string) (*models.Note, error)
	DeleteNote(ctx context.Context, p models.Principal, id string) error
}
