package models

import "time"

// Stamp is carried by every syncable document (bots, subscribers,
// conversations, messages, notes, deals, members, ...). The store sets it in
// exactly one place on every write: WS is the owning workspace, Seq rises on
// every change from a per-workspace counter, Deleted marks a tombstone (deletes
// are soft) and UpdatedAt is the time of the last change.
type Stamp struct {
	WS        string    `json:"-" bson:"ws"`
	Seq       int64     `json:"seq" bson:"seq"`
	Deleted   bool      `json:"-" bson:"deleted"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// Tombstone reports whether the record is deleted.
func (s Stamp) Tombstone() bool { return s.Deleted }

// Page bounds a list request. Cursor is opaque to clients.
type Page struct {
	Limit  int
	Cursor string
}
