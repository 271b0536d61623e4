package models

import (
	"context"
	"time"
)

// Channel is the messenger a bot lives on.
type Channel string

// The supported channels.
const (
	ChannelTelegram  Channel = "telegram"
	ChannelWhatsApp  Channel = "whatsapp"
	ChannelInstagram Channel = "instagram"
	ChannelMessenger Channel = "messenger"
	ChannelViber     Channel = "viber"
	ChannelLiveChat  Channel = "livechat"
)

// Valid reports whether c is a supported channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelTelegram, ChannelWhatsApp, ChannelInstagram, ChannelMessenger, ChannelViber, ChannelLiveChat:
		return true
	}
	return false
}

// Bot is a chatbot connected to a workspace. Credentials are stored but
// never returned in full: the API shows CredentialsHint only.
type Bot struct {
	ID              string            `json:"id" bson:"_id"`
	Channel         Channel           `json:"channel" bson:"channel"`
	Name            string            `json:"name" bson:"name"`
	Credentials     map[string]string `json:"-" bson:"credentials"`
	CredentialsHint map[string]string `json:"credentials" bson:"credentials_hint"`
	// Queue is the ordered round-robin list of managers for new chats.
	Queue []string `json:"queue" bson:"queue"`
	// QueueNext is the index in Queue of the next manager to try.
	QueueNext int `json:"-" bson:"queue_next"`
	// QueueMoves counts the moves of the queue (and its replacements): an
	// opening moves it only from the count it picked at, so finishing an
	// opening again cannot move it twice.
	QueueMoves int64     `json:"-" bson:"queue_moves,omitempty"`
	PipelineID string    `json:"pipeline_id,omitempty" bson:"pipeline_id,omitempty"`
	StageID    string    `json:"stage_id,omitempty" bson:"stage_id,omitempty"`
	Greeting   string    `json:"greeting" bson:"greeting"`
	AutoReply  string    `json:"auto_reply" bson:"auto_reply"`
	CreatedAt  time.Time `json:"created_at" bson:"created_at"`
	Stamp      `bson:",inline"`
}

// BotUpdate lists the bot fields that may change; nil means unchanged.
type BotUpdate struct {
	Name            *string
	Credentials     map[string]string // replaces all credentials when not nil
	CredentialsHint map[string]string
	Queue           *[]string
	QueueNext       *int
	// QueueMoved, with QueueNext alone, applies the move only while the
	// bot's QueueMoves is this (not-found otherwise), counting one more.
	QueueMoved *int64
	PipelineID *string
	StageID    *string
	Greeting   *string
	AutoReply  *string
}

// BotStore persists bots.
type BotStore interface {
	CreateBot(ctx context.Context, b *Bot) error
	// Bot returns a live bot of workspace ws or a not-found error.
	Bot(ctx context.Context, ws, id string) (*Bot, error)
	// Bots lists the workspace's live bots by name.
	Bots(ctx context.Context, ws string) ([]*Bot, error)
	UpdateBot(ctx context.Context, ws, id string, upd BotUpdate) (*Bot, error)
	DeleteBot(ctx context.Context, ws, id string) error
}
