package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// ConversationStatus is where a chat stands.
type ConversationStatus string

// Conversation statuses. A subscriber's conversation is "idle" while the bot
// handles them alone; it opens by the rules of the brief and closes by hand.
const (
	StatusIdle   ConversationStatus = "idle"
	StatusOpen   ConversationStatus = "open"
	StatusClosed ConversationStatus = "closed"
)

// Conversation is the chat with one subscriber of one bot.
type Conversation struct {
	ID           string             `json:"id" bson:"_id"`
	BotID        string             `json:"bot_id" bson:"bot_id"`
	SubscriberID string             `json:"subscriber_id" bson:"subscriber_id"`
	Channel      Channel            `json:"channel" bson:"channel"`
	Status       ConversationStatus `json:"status" bson:"status"`
	// SubscriberName is copied from the subscriber for lists and search.
	SubscriberName string   `json:"subscriber_name" bson:"subscriber_name"`
	NameKey        string   `json:"-" bson:"name_key"`
	AssigneeID     string   `json:"assignee_id,omitempty" bson:"assignee_id,omitempty"`
	Followers      []string `json:"followers" bson:"followers"`
	Tags           []string `json:"tags" bson:"tags"`
	MutedBy        []string `json:"-" bson:"muted_by"`
	// FollowSeq records, per member, the sequence of the last change to
	// whether they follow the chat: delta-sync sends a follower the chat
	// they gained, and deletes the chat they lost, on their next pull.
	FollowSeq map[string]int64 `json:"-" bson:"follow_seq,omitempty"`
	// ReadSeq is the sequence of the write that last cleared the red dot:
	// the push gateway sends badge updates for that write.
	ReadSeq int64 `json:"-" bson:"read_seq,omitempty"`
	// Unread is the red dot: subscriber messages no member has read yet.
	Unread             bool       `json:"unread" bson:"unread"`
	UnreadCount        int        `json:"unread_count" bson:"unread_count"`
	LastMessagePreview string     `json:"last_message_preview" bson:"last_message_preview"`
	LastMessageAt      *time.Time `json:"last_message_at,omitempty" bson:"last_message_at,omitempty"`
	LastInboundAt      *time.Time `json:"-" bson:"last_inbound_at,omitempty"`
	StartedAt          *time.Time `json:"started_at,omitempty" bson:"started_at,omitempty"`
	// WelcomedAt is the creation time of the subscriber record the chat
	// last welcomed (counted, greeted): a deleted subscriber who comes
	// back is a new record, welcomed again.
	WelcomedAt *time.Time `json:"-" bson:"welcomed_at,omitempty"`
	// EverOpened records that the first opening (deal, round-robin) happened.
	EverOpened bool      `json:"-" bson:"ever_opened"`
	Links      []Link    `json:"links" bson:"links"`
	CreatedAt  time.Time `json:"created_at" bson:"created_at"`
	// Activity orders the list: the last message, or creation.
	Activity time.Time `json:"-" bson:"activity"`
	// Pending are the chat's operations that have begun and not ended,
	// by id; PendingN counts them, so that a recovery pass finds the chats
	// that have some without reading every chat.
	Pending  map[string]*PendingOp `json:"-" bson:"pending,omitempty"`
	PendingN int                   `json:"-" bson:"pending_n,omitempty"`
	Stamp    `bson:",inline"`
}

// Link ties a chat to an external task or project by reference.
type Link struct {
	Kind  string `json:"kind" bson:"kind"`
	Ref   string `json:"ref" bson:"ref"`
	Title string `json:"title,omitempty" bson:"title,omitempty"`
}

// ConversationUpdate lists fields that may change; nil means unchanged.
type ConversationUpdate struct {
	Status         *ConversationStatus
	SubscriberName *string
	AssigneeID     *string // "" unassigns
	Followers      *[]string
	// AddFollower and RemoveFollower change one member's following in
	// place (not by rewriting the list), recording the change's sequence.
	AddFollower, RemoveFollower string
	Tags                        *[]string
	MutedBy                     *[]string
	Unread                      *bool
	UnreadCount                 *int
	AddUnread                   bool // Unread = true and UnreadCount + 1
	// MarkRead clears the red dot (Unread false, UnreadCount 0) and
	// records the write's sequence as ReadSeq.
	MarkRead           bool
	LastMessagePreview *string
	LastMessageAt      *time.Time
	LastInboundAt      *time.Time
	StartedAt          *time.Time
	EverOpened         *bool
	WelcomedAt         *time.Time
	Links              *[]Link
	Activity           *time.Time
	// ExpectStatus, when set, applies the update only in that status.
	ExpectStatus ConversationStatus
	// AddPending records an operation as begun, in the same single-document
	// write as the rest of the update (see PendingOp).
	AddPending *PendingOp
	// ClearPending records the operation with this id as ended. It applies
	// only while the chat records that operation: an operation cleared
	// already is not-found, and nothing else changes. Alone in an update
	// it changes nothing a client sees, so it takes no new sequence and
	// enters no change log: devices are not sent the chat again.
	ClearPending string
}

// Group is an agent's view of the chats.
type Group string

// The agent groups of the brief, beside the Open / Closed / All tabs.
const (
	GroupMine       Group = "mine"
	GroupUnassigned Group = "unassigned"
	GroupOthers     Group = "others"
	GroupClosed     Group = "closed"
)

// ConversationFilter selects chats of one workspace.
type ConversationFilter struct {
	Statuses    []ConversationStatus // empty: any
	AssigneeID  *string              // "" for unassigned
	NotAssignee string               // others': assigned, not to this member
	FollowerID  string               // only chats this member follows
	BotID       string
	Channel     Channel
	Tag         string
	NamePrefix  string
	UnreadOnly  bool
	Page        Page
}

// OpKind names a chat operation that takes more than one write.
type OpKind string

// The multi-write chat operations.
const (
	OpWelcome  OpKind = "welcome"  // a new subscriber: counted, greeted
	OpOpen     OpKind = "open"     // opened: "opened" (and "assigned") entry, queue, deal, auto-reply
	OpReopen   OpKind = "reopen"   // reopened: "reopened" entry, auto-reply
	OpClose    OpKind = "close"    // closed: "closed" entry
	OpAssign   OpKind = "assign"   // assigned: "assigned" entry
	OpUnassign OpKind = "unassign" // unassigned: "unassigned" entry
	OpFollow   OpKind = "follow"   // follower added: "follower_added" entry
	OpUnfollow OpKind = "unfollow" // follower removed: "follower_removed" entry
	OpMessage  OpKind = "message"  // a subscriber or bot message: stored, counted (and the chat reopened)
	OpSend     OpKind = "send"     // an agent message: stored, counted, commanded, automation paused
)

// PendingOp is a multi-write chat operation that has begun and not ended.
// It is written in the same single-document update as the operation's
// first change to the chat, so the chat never shows the change without
// the record of what is left to do. Every later write is idempotent by an
// id derived from the operation's, and the last one clears the record:
// whoever touches the chat next (a redelivered event, a retried request,
// the recovery pass at start) finishes the operation first, exactly once.
type PendingOp struct {
	ID     string    `json:"id" bson:"id"`
	Kind   OpKind    `json:"kind" bson:"kind"`
	Actor  string    `json:"actor,omitempty" bson:"actor,omitempty"`   // the member who acted; "" for the bot
	Target string    `json:"target,omitempty" bson:"target,omitempty"` // the member the operation is about
	At     time.Time `json:"at" bson:"at"`
	// Event is the id of the event the operation comes from, if any.
	Event string `json:"event,omitempty" bson:"event,omitempty"`
	// First marks a chat's first opening (its deal); Assigned an opening
	// that assigned the chat from the bot's queue, moving the queue from
	// QueueFrom to QueueTo.
	First     bool `json:"first,omitempty" bson:"first,omitempty"`
	Assigned  bool `json:"assigned,omitempty" bson:"assigned,omitempty"`
	QueueFrom int  `json:"queue_from,omitempty" bson:"queue_from,omitempty"`
	QueueTo   int  `json:"queue_to,omitempty" bson:"queue_to,omitempty"`
	// QueueMoves is the bot's count of queue moves when the opening
	// picked its manager: the move applies only from that count.
	QueueMoves int64 `json:"queue_moves,omitempty" bson:"queue_moves,omitempty"`
	// Reopen marks a subscriber message that reopens the closed chat.
	Reopen bool `json:"reopen,omitempty" bson:"reopen,omitempty"`
	// Message is the message a message or send operation stores.
	Message *Message `json:"message,omitempty" bson:"message,omitempty"`
	// PausedUntil is the automation pause an agent message causes.
	PausedUntil *time.Time `json:"paused_until,omitempty" bson:"paused_until,omitempty"`
}

// ConversationTally is what the counts need of a chat, or of N chats
// that share it.
type ConversationTally struct {
	Status     ConversationStatus `bson:"status"`
	AssigneeID string             `bson:"assignee_id"`
	Unread     bool               `bson:"unread"`
	Followers  []string           `bson:"followers"`
	// N is how many chats share this tally; 0 counts as one.
	N int `bson:"-"`
}

// Chats is how many chats t stands for.
func (t ConversationTally) Chats() int64 { return int64(max(t.N, 1)) }

// ConversationStore persists conversations.
type ConversationStore interface {
	// EnsureConversation returns the subscriber's conversation, creating c
	// when there is none; c.ID must be ConversationID(c.SubscriberID).
	EnsureConversation(ctx context.Context, c *Conversation) (*Conversation, bool, error)
	Conversation(ctx context.Context, ws, id string) (*Conversation, error)
	ConversationBySubscriber(ctx context.Context, ws, subscriberID string) (*Conversation, error)
	// Conversations lists newest activity first, then by id descending,
	// f.Page.Limit at a time (a limit of 0 or less lists nothing); the
	// cursor is opaque, and one this store did not make is CodeInvalid.
	Conversations(ctx context.Context, ws string, f ConversationFilter) ([]*Conversation, string, error)
	// ConversationTallies returns what counting needs of every chat f
	// selects, in one query.
	ConversationTallies(ctx context.Context, ws string, f ConversationFilter) ([]ConversationTally, error)
	UpdateConversation(ctx context.Context, ws, id string, upd ConversationUpdate) (*Conversation, error)
	// PendingConversations returns up to limit live chats, of any
	// workspace, that record a pending operation, with ids above after, by
	// id (none for a limit of 0 or less).
	PendingConversations(ctx context.Context, after string, limit int) ([]*Conversation, error)
}

// OpEntryID is the id of the message (a timeline entry, a reply) that
// operation opID of chat convID writes as what ("timeline:opened", ...):
// derived, so that each is written once however often the operation is
// finished, and found by whoever knows the operation.
func OpEntryID(ws, convID, opID, what string) string {
	sum := sha256.Sum256([]byte(ws + "\x00" + convID + "\x00" + opID + "\x00" + what))
	return "e" + hex.EncodeToString(sum[:16])
}

// OpeningEntry is the timeline entry ("opened" or "reopened") that op
// writes when it opens its chat; "" for an operation that does not.
func (op *PendingOp) OpeningEntry() string {
	switch {
	case op.Kind == OpOpen:
		return "opened"
	case op.Kind == OpReopen, op.Kind == OpMessage && op.Reopen:
		return "reopened"
	}
	return ""
}
