package models

import (
	"context"
	"time"
)

// Flow is a named sequence of bot messages stored per bot.
type Flow struct {
	ID        string     `json:"id" bson:"_id"`
	BotID     string     `json:"bot_id" bson:"bot_id"`
	Name      string     `json:"name" bson:"name"`
	Steps     []FlowStep `json:"steps" bson:"steps"`
	CreatedAt time.Time  `json:"created_at" bson:"created_at"`
	Stamp     `bson:",inline"`
}

// FlowStep is one message of a flow.
type FlowStep struct {
	Text string `json:"text" bson:"text"`
}

// ActiveFlow is the flow a subscriber is in, with the messages still to come.
type ActiveFlow struct {
	FlowID    string     `json:"flow_id" bson:"flow_id"`
	Name      string     `json:"name" bson:"name"`
	StartedAt time.Time  `json:"started_at" bson:"started_at"`
	StartedBy string     `json:"started_by,omitempty" bson:"started_by,omitempty"`
	Pending   []FlowStep `json:"pending" bson:"pending"`
}

// CommandKind is what the bot engine is asked to do.
type CommandKind string

// Commands for the bot engine.
const (
	CommandSendMessage   CommandKind = "send_message"   // deliver a queued agent message
	CommandDeleteMessage CommandKind = "delete_message" // delete a Telegram bot message
	CommandStartFlow     CommandKind = "start_flow"
	CommandStopFlow      CommandKind = "stop_flow"
	CommandPause         CommandKind = "pause_automation" // until PausedUntil; null resumes
	CommandDisable       CommandKind = "disable_subscriber"
	CommandEnable        CommandKind = "enable_subscriber"
)

// Command is one instruction for the bot engine, read in change-feed order.
type Command struct {
	ID           string      `json:"id" bson:"_id"`
	BotID        string      `json:"bot_id" bson:"bot_id"`
	SubscriberID string      `json:"subscriber_id" bson:"subscriber_id"`
	Kind         CommandKind `json:"kind" bson:"kind"`
	FlowID       string      `json:"flow_id,omitempty" bson:"flow_id,omitempty"`
	MessageID    string      `json:"message_id,omitempty" bson:"message_id,omitempty"`
	Text         string      `json:"text,omitempty" bson:"text,omitempty"`
	PausedUntil  *time.Time  `json:"paused_until,omitempty" bson:"paused_until,omitempty"`
	By           string      `json:"by,omitempty" bson:"by,omitempty"`
	CreatedAt    time.Time   `json:"created_at" bson:"created_at"`
	Stamp        `bson:",inline"`
}

// FlowStore persists flows and the bot-engine commands.
type FlowStore interface {
	CreateFlow(ctx context.Context, f *Flow) error
	Flow(ctx context.Context, ws, id string) (*Flow, error)
	Flows(ctx context.Context, ws, botID string) ([]*Flow, error)
	UpdateFlow(ctx context.Context, ws, id string, name *string, steps *[]FlowStep) (*Flow, error)
	DeleteFlow(ctx context.Context, ws, id string) error
	// SetActiveFlow sets (nil clears) the subscriber's active flow.
	SetActiveFlow(ctx context.Context, ws, subscriberID string, a *ActiveFlow) (*Subscriber, error)
	// AddCommand records a command for the bot engine.
	AddCommand(ctx context.Context, c *Command) error
	// BotCommands lists a bot's commands with after < seq <= upTo, oldest first.
	BotCommands(ctx context.Context, ws, botID string, after, upTo int64, limit int) ([]*Command, error)
	// SafeSeq is the change feed's high-water mark of ws.
	SafeSeq(ctx context.Context, ws string) (int64, error)
}
