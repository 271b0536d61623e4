package models

import (
	"context"
	"time"
)

// The tables the apps sync, named as in the WatermelonDB schema.
const (
	TableBots          = "bots"
	TableSubscribers   = "subscribers"
	TableConversations = "conversations"
	TableMessages      = "messages"
	TableNotes         = "notes"
	TableDeals         = "deals"
	TablePipelines     = "pipelines"
	TableMembers       = "members"
	TableBotStats      = "bot_stats"
)

// SyncTables lists every synced table, in the order answers list them.
var SyncTables = []string{TableBots, TableMembers, TablePipelines, TableSubscribers, TableConversations,
	TableMessages, TableNotes, TableDeals, TableBotStats}

// BotStatsBucket is one bot's counters for one UTC day, as the apps sync
// them: its id is "<workspace>:<bot>:<day>".
type BotStatsBucket struct {
	ID               string `json:"id" bson:"_id"`
	BotID            string `json:"bot_id" bson:"bot_id"`
	Day              string `json:"day" bson:"day"`
	Sent             int64  `json:"sent" bson:"sent"`
	Received         int64  `json:"received" bson:"received"`
	NewSubscribers   int64  `json:"new_subscribers" bson:"new_subscribers"`
	TotalSubscribers int64  `json:"total_subscribers" bson:"total_subscribers"`
	Stamp            `bson:",inline"`
}

// Change is one entry of a workspace's change log: the write with sequence
// Seq to record ID of Table. Record is the record as that write left it
// (a *Bot, *Message, ... of the table), tombstones included; it is nil
// when the write did not land.
type Change struct {
	Seq    int64
	Table  string
	ID     string
	Record any
	// Created marks the write that inserted the record.
	Created bool
}

// HistoryBound limits the messages a first sync sends: those created at or
// after Since (zero: any age), at most PerChat per chat (0: no cap).
type HistoryBound struct {
	Since   time.Time
	PerChat int
}

// SyncCursor is where a paged first sync stands: the high-water mark it
// started at (Base), the table it is in (an index into the sync's table
// order) and the last id served of it. Each page saves a new cursor.
type SyncCursor struct {
	ID        string    `bson:"_id"`
	WS        string    `bson:"ws"`
	MemberID  string    `bson:"member_id"`
	Base      int64     `bson:"base"`
	Table     int       `bson:"table"`
	After     string    `bson:"after"`
	CreatedAt time.Time `bson:"created_at"`
}

// SyncStore reads what delta-sync serves. Every method is scoped to one
// workspace; records are live (not deleted) unless said otherwise.
type SyncStore interface {
	// SafeSeq is the high-water mark: every change at or below it has
	// landed or never will.
	SafeSeq(ctx context.Context, ws string) (int64, error)
	// ReservedSeq is the highest sequence any writer reserved.
	ReservedSeq(ctx context.Context, ws string) (int64, error)
	// Changes returns up to limit log entries with after < seq <= upTo, by
	// rising sequence.
	Changes(ctx context.Context, ws string, after, upTo int64, limit int) ([]Change, error)
	// Records returns the live records of table whose field is one of
	// values; an empty field selects them all.
	Records(ctx context.Context, ws, table, field string, values []string) ([]any, error)
	// RecordsAfter is Records by rising id, at most limit of them, with
	// ids above after.
	RecordsAfter(ctx context.Context, ws, table, field string, values []string, after string, limit int) ([]any, error)
	// SaveSyncCursor stores c; SyncCursor finds it by id (not found when
	// unknown or purged); PurgeSyncCursors deletes those created before cutoff.
	SaveSyncCursor(ctx context.Context, c *SyncCursor) error
	// SavePushed records that member's push, made on a device synced up to
	// sequence base, created the records keys ("<table> <id>"); Pushed
	// returns the keys member's pushes made at bases up to upTo. Both are
	// purged with the cursors.
	SavePushed(ctx context.Context, ws, member string, base int64, keys []string) error
	Pushed(ctx context.Context, ws, member string, upTo int64) (map[string]bool, error)
	SyncCursor(ctx context.Context, id string) (*SyncCursor, error)
	PurgeSyncCursors(ctx context.Context, cutoff time.Time) error
	// RecordIDs returns the ids of the records of table whose field is one
	// of values, tombstones included.
	RecordIDs(ctx context.Context, ws, table, field string, values []string) ([]string, error)
	// RecentMessages returns the live messages of the given chats (nil: all
	// chats) within bound b, newest first per chat.
	RecentMessages(ctx context.Context, ws string, conversationIDs []string, b HistoryBound) ([]*Message, error)
	// Horizon is the sequence at and below which tombstones may have been
	// purged (0 when none were).
	Horizon(ctx context.Context, ws string) (int64, error)
	// PurgeTombstones deletes the tombstones and change-log entries of
	// changes made before cutoff, records the new horizon and returns it.
	PurgeTombstones(ctx context.Context, ws string, cutoff time.Time) (int64, error)
	// StampDirtyStats gives each statistics bucket changed since it was
	// last stamped a new sequence, so the apps receive it; it returns how
	// many it stamped.
	StampDirtyStats(ctx context.Context) (int, error)
	// RecordOwner returns the workspace of the record id of table, in any
	// workspace and tombstones included, or a not-found error.
	RecordOwner(ctx context.Context, table, id string) (string, error)
	// WorkspaceIDs lists every workspace.
	WorkspaceIDs(ctx context.Context) ([]string, error)
}
