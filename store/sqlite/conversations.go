package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
)

var _ models.ConversationStore = (*Store)(nil)

// convDoc holds the chat fields no query filters or sorts on, the
// server's own ones included (muted_by, follow_seq, read_seq, ...), which
// the JSON of models.Conversation leaves out. Times are Unix milliseconds.
type convDoc struct {
	SubscriberName     string           `json:"subscriber_name"`
	Tags               []string         `json:"tags"`
	MutedBy            []string         `json:"muted_by"`
	FollowSeq          map[string]int64 `json:"follow_seq,omitempty"`
	ReadSeq            int64            `json:"read_seq,omitempty"`
	UnreadCount        int              `json:"unread_count,omitempty"`
	LastMessagePreview string           `json:"last_message_preview,omitempty"`
	LastMessageAt      *int64           `json:"last_message_at,omitempty"`
	LastInboundAt      *int64           `json:"last_inbound_at,omitempty"`
	StartedAt          *int64           `json:"started_at,omitempty"`
	WelcomedAt         *int64           `json:"welcomed_at,omitempty"`
	EverOpened         bool             `json:"ever_opened,omitempty"`
	Links              []models.Link    `json:"links"`
	CSeq               int64            `json:"cseq,omitempty"`
}

// pendingDoc is the pending operations as stored: BSON, the encoding the
// MongoDB store keeps them in, so that every field of an operation's
// message (its position, request hash, opening flag) survives.
type pendingDoc struct {
	Ops map[string]*models.PendingOp `bson:"ops"`
}

const convCols = `id, ws, bot_id, subscriber_id, channel, status, assignee_id, name_key, unread, activity, followers,
	pending_n, pending, seq, deleted, created_at, updated_at, doc`

func scanConversation(r scanner) (*models.Conversation, error) {
	var c models.Conversation
	var activity, created, updated int64
	var followers, doc string
	var pending []byte
	if err := r.Scan(&c.ID, &c.WS, &c.BotID, &c.SubscriberID, &c.Channel, &c.Status, &c.AssigneeID, &c.NameKey, &c.Unread,
		&activity, &followers, &c.PendingN, &pending, &c.Seq, &c.Deleted, &created, &updated, &doc); err != nil {
		return nil, err
	}
	var d convDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("conversation %s: doc: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(followers), &c.Followers); err != nil {
		return nil, fmt.Errorf("conversation %s: followers: %w", c.ID, err)
	}
	if len(pending) > 0 {
		var p pendingDoc
		if err := bson.Unmarshal(pending, &p); err != nil {
			return nil, fmt.Errorf("conversation %s: pending: %w", c.ID, err)
		}
		c.Pending = p.Ops
	}
	c.SubscriberName, c.Tags, c.MutedBy, c.FollowSeq, c.ReadSeq = d.SubscriberName, d.Tags, d.MutedBy, d.FollowSeq, d.ReadSeq
	c.UnreadCount, c.LastMessagePreview, c.EverOpened, c.Links, c.CSeq = d.UnreadCount, d.LastMessagePreview, d.EverOpened, d.Links, d.CSeq
	c.LastMessageAt, c.LastInboundAt = fromMSRef(d.LastMessageAt), fromMSRef(d.LastInboundAt)
	c.StartedAt, c.WelcomedAt = fromMSRef(d.StartedAt), fromMSRef(d.WelcomedAt)
	for _, s := range []*[]string{&c.Followers, &c.Tags, &c.MutedBy} {
		if *s == nil {
			*s = []string{}
		}
	}
	if c.Links == nil {
		c.Links = []models.Link{}
	}
	c.Activity, c.CreatedAt, c.UpdatedAt = fromMS(activity), fromMS(created), fromMS(updated)
	return &c, nil
}

// putConversation writes the whole chat, and its follower and tag rows.
func putConversation(tx *Tx, c *models.Conversation, insert bool) error {
	return putConversationWith(tx, c, insert, true)
}

// putConversationWith writes the whole chat, and its follower and tag
// rows when rows is set or the chat is new (an update that leaves
// Followers, FollowSeq and Tags as they were leaves their rows too).
func putConversationWith(tx *Tx, c *models.Conversation, insert, rows bool) error {
	doc, err := json.Marshal(convDoc{SubscriberName: c.SubscriberName, Tags: c.Tags, MutedBy: c.MutedBy, FollowSeq: c.FollowSeq,
		ReadSeq: c.ReadSeq, UnreadCount: c.UnreadCount, LastMessagePreview: c.LastMessagePreview,
		LastMessageAt: msRef(c.LastMessageAt), LastInboundAt: msRef(c.LastInboundAt), StartedAt: msRef(c.StartedAt),
		WelcomedAt: msRef(c.WelcomedAt), EverOpened: c.EverOpened, Links: c.Links, CSeq: c.CSeq})
	if err != nil {
		return err
	}
	followers, err := json.Marshal(c.Followers)
	if err != nil {
		return err
	}
	var pending []byte
	c.PendingN = len(c.Pending)
	if c.PendingN > 0 {
		if pending, err = bson.Marshal(pendingDoc{Ops: c.Pending}); err != nil {
			return err
		}
	}
	args := []any{c.ID, c.WS, c.BotID, c.SubscriberID, string(c.Channel), string(c.Status), c.AssigneeID, c.NameKey, c.Unread,
		ms(c.Activity), string(followers), c.PendingN, pending, c.Seq, c.Deleted, ms(c.CreatedAt), ms(c.UpdatedAt), string(doc)}
	if insert {
		_, err = tx.Exec(`INSERT INTO conversations (`+convCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE conversations SET id = ?, ws = ?, bot_id = ?, subscriber_id = ?, channel = ?, status = ?,
			assignee_id = ?, name_key = ?, unread = ?, activity = ?, followers = ?, pending_n = ?, pending = ?, seq = ?,
			deleted = ?, created_at = ?, updated_at = ?, doc = ? WHERE id = ?`, append(args, c.ID)...)
	}
	if err != nil || !(insert || rows) {
		return err
	}
	return putConversationRows(tx, c, insert)
}

// putConversationRows rewrites the chat's rows of conversation_followers
// (its followers, and every member whose following has a recorded
// change) and conversation_tags.
func putConversationRows(tx *Tx, c *models.Conversation, insert bool) error {
	if !insert {
		for _, table := range []string{"conversation_followers", "conversation_tags"} {
			if _, err := tx.Exec(`DELETE FROM `+table+` WHERE conversation_id = ?`, c.ID); err != nil {
				return err
			}
		}
	}
	rows := map[string]bool{}
	for _, m := range c.Followers {
		rows[m] = true
	}
	for m := range c.FollowSeq {
		rows[m] = rows[m] || false
	}
	for m, following := range rows {
		if _, err := tx.Exec(`INSERT INTO conversation_followers (conversation_id, member_id, ws, following, seq) VALUES (?, ?, ?, ?, ?)`,
			c.ID, m, c.WS, following, c.FollowSeq[m]); err != nil {
			return err
		}
	}
	for _, tag := range c.Tags {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO conversation_tags (conversation_id, tag, ws) VALUES (?, ?, ?)`, c.ID, tag, c.WS); err != nil {
			return err
		}
	}
	return nil
}

// convLog is a chat as its change-log entry records it: the record the
// apps see plus what delta-sync and the push gateway read of it (who
// muted it, the sequences of follower changes and of the last read, the
// subscriber's last message time, the operations under way, from which
// the gateway tells an opening from a message in an open chat). The
// operations are kept as BSON, as in the row: their JSON would leave out
// fields of a message inside one.
type convLog struct {
	*models.Conversation
	MutedBy       []string         `json:"muted_by"`
	FollowSeq     map[string]int64 `json:"follow_seq,omitempty"`
	ReadSeq       int64            `json:"read_seq,omitempty"`
	LastInboundAt *time.Time       `json:"last_inbound_at,omitempty"`
	Activity      time.Time        `json:"activity"`
	CSeq          int64            `json:"cseq,omitempty"`
	WelcomedAt    *time.Time       `json:"welcomed_at,omitempty"`
	EverOpened    bool             `json:"ever_opened,omitempty"`
	Pending       []byte           `json:"pending,omitempty"`
}

func logConversation(c *models.Conversation) any {
	l := convLog{Conversation: c, MutedBy: c.MutedBy, FollowSeq: c.FollowSeq, ReadSeq: c.ReadSeq,
		LastInboundAt: c.LastInboundAt, Activity: c.Activity, CSeq: c.CSeq, WelcomedAt: c.WelcomedAt, EverOpened: c.EverOpened}
	if len(c.Pending) > 0 {
		l.Pending, _ = bson.Marshal(pendingDoc{Ops: c.Pending}) // a map of plain values always marshals
	}
	return l
}

// conversationFromLog reads a chat's change-log record (see convLog).
func conversationFromLog(raw []byte) (*models.Conversation, error) {
	l := convLog{Conversation: &models.Conversation{}}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	c := l.Conversation
	c.MutedBy, c.FollowSeq, c.ReadSeq, c.LastInboundAt, c.Activity, c.CSeq = l.MutedBy, l.FollowSeq, l.ReadSeq, l.LastInboundAt, l.Activity, l.CSeq
	c.WelcomedAt, c.EverOpened = l.WelcomedAt, l.EverOpened
	if len(l.Pending) > 0 {
		var d pendingDoc
		if err := bson.Unmarshal(l.Pending, &d); err != nil {
			return nil, err
		}
		c.Pending, c.PendingN = d.Ops, len(d.Ops)
	}
	return c, nil
}

var conversations = synced[models.Conversation]{table: models.TableConversations, kind: "conversation", cols: convCols,
	scan: scanConversation, put: putConversation, logged: logConversation,
	stamp: func(c *models.Conversation) *models.Stamp { return &c.Stamp }, id: func(c *models.Conversation) string { return c.ID }}

// convByID is the live chat id of ws, read in tx.
func convByID(tx *Tx, ws, id string) (*models.Conversation, error) {
	c, err := conversations.get(tx.ctx, tx.tx, ws, id)
	if err == sql.ErrNoRows {
		return nil, models.NotFound("conversation")
	}
	return c, err
}
