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
	// CSeq is the sequence of the write that created the record (0 for a
	// record stored before it was kept, or one not yet in the change feed).
	CSeq int64 `json:"-" bson:"cseq,omitempty"`
}

// Tombstone reports whether the record is deleted.
func (s Stamp) Tombstone() bool { return s.Deleted }

// Stamps returns the record's change-feed stamp.
func (s Stamp) Stamps() Stamp { return s }

// Page bounds a list request. Cursor is opaque to clients.
type Page struct {
	Limit  int
	Cursor string
}
