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

// Page bounds a list request. Cursor is opaque to clients.
type Page struct {
	Limit  int
	Cursor string
}

// Clamp returns p with Limit inside 1..max, using def when unset.
func (p Page) Clamp(def, max int) Page {
	if p.Limit <= 0 {
		p.Limit = def
	}
	if p.Limit > max {
		p.Limit = max
	}
	return p
}
