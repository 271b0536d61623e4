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
	QueueMoves int64  `json:"-" bson:"queue_moves,omitempty"`
	PipelineID string `json:"pipeline_id,omitempty" bson:"pipeline_id,omitempty"`
	StageID    string `json:"stage_id,omitempty" bson:"stage_id,omitempty"`
	Greeting   string `json:"greeting" bson:"greeting"`
	AutoReply  string `json:"auto_reply" bson:"auto_reply"`
	// Delivery says who talks to the messenger: Switchboard itself
	// (native) or the bot engine (through the events API and command feed).
	Delivery DeliveryMode `json:"delivery,omitempty" bson:"delivery,omitempty"`
	// OpenOn says when a subscriber's message opens a chat.
	OpenOn OpenOn `json:"open_on,omitempty" bson:"open_on,omitempty"`
	// Connection is the native connection's health (nil for engine bots).
	Connection *Connection `json:"connection,omitempty" bson:"connection,omitempty"`
	// Initiated counts the messages sent outside the reply window by
	// calendar month ("2026-12"): Viber's chatbot-initiated messages.
	Initiated map[string]int `json:"-" bson:"initiated,omitempty"`
	CreatedAt time.Time      `json:"created_at" bson:"created_at"`
	Stamp     `bson:",inline"`
}

// DeliveryMode is who delivers a bot's messages.
type DeliveryMode string

// Delivery modes. An empty mode is the engine's (bots made before native
// connections).
const (
	DeliveryNative DeliveryMode = "native" // Switchboard talks to the messenger
	DeliveryEngine DeliveryMode = "engine" // the bot engine does, through the events API and command feed
)

// Native reports whether Switchboard talks to the messenger for b.
func (b *Bot) Native() bool { return b.Delivery == DeliveryNative }

// OpenOn is when a subscriber's message opens a chat.
type OpenOn string

// OpenOn values: every new subscriber message (the default of native bots),
// or only the bot engine's open_chat event (the default of engine bots).
const (
	OpenOnMessage OpenOn = "message"
	OpenOnEngine  OpenOn = "engine"
)

// Transport is how a native bot receives its updates.
type Transport string

// Transports.
const (
	TransportWebhook Transport = "webhook" // the messenger POSTs to SWITCHBOARD_PUBLIC_URL
	TransportPolling Transport = "polling" // Switchboard asks (Telegram getUpdates)
)

// ConnectionState is a native bot's health.
type ConnectionState string

// Connection states.
const (
	ConnConnected    ConnectionState = "connected"
	ConnBroken       ConnectionState = "broken" // the messenger refuses the credentials (token revoked)
	ConnDisconnected ConnectionState = "disconnected"
)

// Connection is a native bot's link with its messenger.
type Connection struct {
	State     ConnectionState `json:"state" bson:"state"`
	Transport Transport       `json:"transport,omitempty" bson:"transport,omitempty"`
	// Account is the messenger's name of the bot (Telegram @username,
	// Viber account name); AccountID its id.
	Account   string `json:"account,omitempty" bson:"account,omitempty"`
	AccountID string `json:"account_id,omitempty" bson:"account_id,omitempty"`
	// WebhookURL is where the messenger delivers updates (webhook only).
	WebhookURL string `json:"webhook_url,omitempty" bson:"webhook_url,omitempty"`
	// Secret is the webhook's secret (Telegram secret_token); never shown.
	Secret       string     `json:"-" bson:"secret,omitempty"`
	ConnectedAt  *time.Time `json:"connected_at,omitempty" bson:"connected_at,omitempty"`
	LastUpdateAt *time.Time `json:"last_update_at,omitempty" bson:"last_update_at,omitempty"`
	// LastError is the messenger's last refusal (token revoked, webhook
	// failing), with its time.
	LastError   string     `json:"last_error,omitempty" bson:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty" bson:"last_error_at,omitempty"`
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
	Delivery   *DeliveryMode
	OpenOn     *OpenOn
	// Connection replaces the connection when not nil.
	Connection *Connection
	// CountInitiated adds one to Initiated[CountInitiated] (a month).
	CountInitiated string
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
	// NativeBots lists the live native bots of every workspace (for the
	// long polls, which serve all of them).
	NativeBots(ctx context.Context) ([]*Bot, error)
}
