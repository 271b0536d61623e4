package models

import (
	"context"
	"time"
)

// Sender says who wrote a message.
type Sender string

// Message senders.
const (
	SenderSubscriber Sender = "subscriber"
	SenderBot        Sender = "bot"
	SenderAgent      Sender = "agent"
	SenderSystem     Sender = "system" // timeline events: opened, closed, assigned, ...
)

// MessageKind is what a message carries.
type MessageKind string

// Message kinds.
const (
	KindText         MessageKind = "text"
	KindFile         MessageKind = "file"
	KindPhoto        MessageKind = "photo"
	KindButton       MessageKind = "button"        // a clicked button, shown as the subscriber's message
	KindStoryMention MessageKind = "story_mention" // Instagram
	KindEvent        MessageKind = "event"         // a timeline event
	KindAudio        MessageKind = "audio"
	KindVoice        MessageKind = "voice"
	KindVideo        MessageKind = "video"
	KindSticker      MessageKind = "sticker"
	KindLocation     MessageKind = "location" // Location says where; Text may name the place
	KindContact      MessageKind = "contact"  // Contact holds the card
)

// DeliveryStatus is an outbound message's progress.
type DeliveryStatus string

// Delivery statuses. Agent messages start queued: a channel sender (the
// messengers work) moves them on; status events from the channel do too.
const (
	DeliveryQueued    DeliveryStatus = "queued"
	DeliverySent      DeliveryStatus = "sent"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryRead      DeliveryStatus = "read"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Rank orders statuses so that a late "delivered" never undoes "read".
func (s DeliveryStatus) Rank() int {
	switch s {
	case DeliverySent:
		return 1
	case DeliveryDelivered:
		return 2
	case DeliveryRead:
		return 3
	case DeliveryFailed:
		return 4
	}
	return 0
}

// Message is one entry of a chat's history.
type Message struct {
	ID             string      `json:"id" bson:"_id"`
	ConversationID string      `json:"conversation_id" bson:"conversation_id"`
	SubscriberID   string      `json:"subscriber_id" bson:"subscriber_id"`
	BotID          string      `json:"bot_id" bson:"bot_id"`
	Sender         Sender      `json:"sender" bson:"sender"`
	AuthorID       string      `json:"author_id,omitempty" bson:"author_id,omitempty"`
	Kind           MessageKind `json:"kind" bson:"kind"`
	Text           string      `json:"text,omitempty" bson:"text,omitempty"`
	TextKey        string      `json:"-" bson:"text_key,omitempty"`
	Event          string      `json:"event,omitempty" bson:"event,omitempty"`
	// Target is the member a timeline event is about (assigned, follower added, ...).
	Target string `json:"target,omitempty" bson:"target,omitempty"`
	// Opening marks the timeline entries of a chat's opening (its
	// "assigned" entry then tells of the queue's choice, which the
	// new-chat alert carries). The server's own: never sent to clients.
	Opening    bool           `json:"-" bson:"opening,omitempty"`
	File       *Attachment    `json:"file,omitempty" bson:"file,omitempty"`
	ReplyTo    string         `json:"reply_to,omitempty" bson:"reply_to,omitempty"`
	ExternalID string         `json:"external_id,omitempty" bson:"external_id,omitempty"`
	Status     DeliveryStatus `json:"status,omitempty" bson:"status,omitempty"`
	Reactions  []string       `json:"reactions" bson:"reactions"`
	Referral   *Referral      `json:"referral,omitempty" bson:"referral,omitempty"`
	Template   string         `json:"template,omitempty" bson:"template,omitempty"`
	Tag        string         `json:"tag,omitempty" bson:"tag,omitempty"`
	// Error is the messenger's reason a send failed (status failed).
	Error string `json:"error,omitempty" bson:"error,omitempty"`
	// EditedAt is when the subscriber last edited the message.
	EditedAt *time.Time `json:"edited_at,omitempty" bson:"edited_at,omitempty"`
	Location *Location  `json:"location,omitempty" bson:"location,omitempty"`
	Contact  *Contact   `json:"contact,omitempty" bson:"contact,omitempty"`
	// RequestHash fingerprints an agent send, to tell a retry from a
	// different message reusing the same Idempotency-Key.
	RequestHash string    `json:"-" bson:"request_hash,omitempty"`
	CreatedAt   time.Time `json:"created_at" bson:"created_at"`
	// Pos orders the history: the creation time, then insertion order.
	Pos   string `json:"-" bson:"pos"`
	Stamp `bson:",inline"`
}

// Attachment is a file or photo carried by a message.
type Attachment struct {
	Name     string `json:"name" bson:"name"`
	MimeType string `json:"mime_type,omitempty" bson:"mime_type,omitempty"`
	Size     int64  `json:"size,omitempty" bson:"size,omitempty"`
	// URL is where the bytes are: /v1/files/<id> once stored.
	URL string `json:"url,omitempty" bson:"url,omitempty"`
	// Pending marks an inbound file still being fetched from the messenger.
	Pending bool `json:"pending,omitempty" bson:"pending,omitempty"`
	// Ref is the messenger's reference to fetch the file by (Telegram
	// file_id, Viber media URL). The server's own: never sent to clients.
	Ref string `json:"-" bson:"ref,omitempty"`
}

// Location is a shared place.
type Location struct {
	Latitude  float64 `json:"latitude" bson:"latitude"`
	Longitude float64 `json:"longitude" bson:"longitude"`
	Title     string  `json:"title,omitempty" bson:"title,omitempty"`
	Address   string  `json:"address,omitempty" bson:"address,omitempty"`
}

// Contact is a shared contact card.
type Contact struct {
	Name  string `json:"name" bson:"name"`
	Phone string `json:"phone,omitempty" bson:"phone,omitempty"`
}

// MessageUpdate lists message fields that may change.
type MessageUpdate struct {
	Status     *DeliveryStatus
	ExternalID *string
	Reactions  *[]string
	// Error is the reason of a failed send.
	Error *string
	// Text and EditedAt apply a subscriber's edit.
	Text     *string
	EditedAt *time.Time
	// File replaces the attachment (an inbound file fetched).
	File *Attachment
}

// MessageFilter pages one conversation's history, newest first.
type MessageFilter struct {
	ConversationID string
	// Before and After are message ids; at most one is used.
	Before string
	After  string
	// Query matches text case-insensitively.
	Query string
	Limit int
}

// MessageStore persists messages.
type MessageStore interface {
	// CreateMessage inserts m; an existing id is CodeConflict, so a
	// deterministic id makes a redelivery harmless.
	CreateMessage(ctx context.Context, ws string, m *Message) error
	Message(ctx context.Context, ws, id string) (*Message, error)
	MessageByExternalID(ctx context.Context, ws, botID, externalID string) (*Message, error)
	Messages(ctx context.Context, ws string, f MessageFilter) ([]*Message, error)
	UpdateMessage(ctx context.Context, ws, id string, upd MessageUpdate) (*Message, error)
	DeleteMessage(ctx context.Context, ws, id string) error
}
