package models

import (
	"context"
	"time"
)

// Note is a team note on a subscriber; it is never sent to them.
type Note struct {
	ID           string     `json:"id" bson:"_id"`
	SubscriberID string     `json:"subscriber_id" bson:"subscriber_id"`
	AuthorID     string     `json:"author_id" bson:"author_id"`
	Text         string     `json:"text" bson:"text"`
	CreatedAt    time.Time  `json:"created_at" bson:"created_at"`
	EditedAt     *time.Time `json:"edited_at,omitempty" bson:"edited_at,omitempty"`
	Stamp        `bson:",inline"`
}

// NoteStore persists notes.
type NoteStore interface {
	CreateNote(ctx context.Context, ws string, n *Note) error
	Note(ctx context.Context, ws, id string) (*Note, error)
	// Notes lists a subscriber's notes, newest first.
	Notes(ctx context.Context, ws, subscriberID string) ([]*Note, error)
	UpdateNoteText(ctx context.Context, ws, id, text string, at time.Time) (*Note, error)
	DeleteNote(ctx context.Context, ws, id string) error
}

// ProcessedEventStore remembers which channel events were applied, so a
// redelivered event changes nothing.
type ProcessedEventStore interface {
	// EventProcessed reports whether the event key was recorded.
	EventProcessed(ctx context.Context, key string) (bool, error)
	// RecordEvent records the event key; recording twice is not an error.
	RecordEvent(ctx context.Context, ws, key string) error
}
