package models

import (
	"context"
	"time"
)

// UpdateState is where an inbound update stands.
type UpdateState string

// Update states. A pending update waits for the worker; a failed one kept
// failing and waits for an admin's retry; it is never dropped.
const (
	UpdatePending UpdateState = "pending"
	UpdateDone    UpdateState = "done"
	UpdateFailed  UpdateState = "failed"
)

// InboundUpdate is one update a messenger delivered (by webhook or long
// polling), stored as received before the messenger is answered. Its id
// derives from the bot and the messenger's own key (Telegram update_id,
// Viber message_token), so a redelivery finds it.
type InboundUpdate struct {
	ID      string  `json:"id" bson:"_id"`
	WS      string  `json:"-" bson:"ws"`
	BotID   string  `json:"bot_id" bson:"bot_id"`
	Channel Channel `json:"channel" bson:"channel"`
	// Key is the messenger's id of the update.
	Key string `json:"key" bson:"key"`
	// Raw is the update as received (JSON).
	Raw   []byte      `json:"-" bson:"raw"`
	State UpdateState `json:"state" bson:"state"`
	// Error is why the last processing failed (an admin may retry).
	Error       string     `json:"error,omitempty" bson:"error,omitempty"`
	Attempts    int        `json:"attempts" bson:"attempts"`
	ReceivedAt  time.Time  `json:"received_at" bson:"received_at"`
	ProcessedAt *time.Time `json:"processed_at,omitempty" bson:"processed_at,omitempty"`
}

// UpdateID is the id of bot botID's update with the messenger's key.
func UpdateID(botID, key string) string { return botID + ":" + key }

// UpdateFilter selects a bot's updates, newest first.
type UpdateFilter struct {
	BotID string
	// State selects one state ("" all).
	State UpdateState
	Limit int
}

// UpdateOutcome is the result of one processing attempt.
type UpdateOutcome struct {
	State    UpdateState
	Error    string
	Attempts int
	At       time.Time
}

// UpdateStore keeps inbound updates.
type UpdateStore interface {
	// SaveUpdate stores u (pending) and queues its JobUpdate job in one
	// step that completes on retry; an update whose id exists already is
	// left as it is (created false) and, while pending, queued again.
	SaveUpdate(ctx context.Context, u *InboundUpdate) (created bool, err error)
	// InboundUpdate returns an update of workspace ws or a not-found error.
	InboundUpdate(ctx context.Context, ws, id string) (*InboundUpdate, error)
	// InboundUpdates lists ws's updates by the filter, newest first.
	InboundUpdates(ctx context.Context, ws string, f UpdateFilter) ([]*InboundUpdate, error)
	// SetUpdateOutcome records a processing attempt's outcome; a pending
	// outcome also queues the update's job again, due at once.
	SetUpdateOutcome(ctx context.Context, ws, id string, o UpdateOutcome) (*InboundUpdate, error)
	// PurgeUpdates deletes done updates received before cutoff.
	PurgeUpdates(ctx context.Context, cutoff time.Time) (int, error)
}
