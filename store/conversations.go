package store

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.ConversationStore = (*DB)(nil)

// EnsureConversation returns the subscriber's conversation, creating c if needed.
func (d *DB) EnsureConversation(ctx context.Context, c *models.Conversation) (*models.Conversation, bool, error) {
	now := d.nowMS()
	c.CreatedAt, c.Activity = now, now
	c.NameKey = strings.ToLower(c.SubscriberName)
	for _, s := range []*[]string{&c.Followers, &c.Tags, &c.MutedBy} {
		if *s == nil {
			*s = []string{}
		}
	}
	if c.Links == nil {
		c.Links = []models.Link{}
	}
	return ensure(ctx, d, colConversations, c.WS, c.ID,
		bson.D{{Key: "ws", Value: c.WS}, {Key: "subscriber_id", Value: c.SubscriberID}}, c, &c.Stamp, "conversation")
}

// Conversation returns a live conversation of ws.
func (d *DB) Conversation(ctx context.Context, ws, id string) (*models.Conversation, error) {
	var c models.Conversation
	if err := d.byID(ctx, colConversations, ws, id, &c, "conversation"); err != nil {
		return nil, err
	}
	return &c, nil
}

// ConversationBySubscriber returns the subscriber's live conversation,
// whose id derives from the subscriber's.
func (d *DB) ConversationBySubscriber(ctx context.Context, ws, subscriberID string) (*models.Conversation, error) {
	return d.Conversation(ctx, ws, models.ConversationID(subscriberID))
}

func conversationFilter(ws string, f models.ConversationFilter) bson.D {
	q := live(ws)
	if len(f.Statuses) > 0 {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: f.Statuses}}})
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == "" {
			q = append(q, bson.E{Key: "assignee_id", Value: bson.D{{Key: "$exists", Value: false}}})
		} else {
			q = append(q, bson.E{Key: "assignee_id", Value: *f.AssigneeID})
		}
	}
	if f.NotAssignee != "" {
		q = append(q, bson.E{Key: "assignee_id", Value: bson.D{{Key: "$exists", Value: true}, {Key: "$ne", Value: f.NotAssignee}}})
	}
	if f.FollowerID != "" {
		q = append(q, bson.E{Key: "followers", Value: f.FollowerID})
	}
	if f.BotID != "" {
		q = append(q, bson.E{Key: "bot_id", Value: f.BotID})
	}
	if f.Channel != "" {
		q = append(q, bson.E{Key: "channel", Value: f.Channel})
	}
	if f.Tag != "" {
		q = append(q, bson.E{Key: "tags", Value: f.Tag})
	}
	if f.NamePrefix != "" {
		q = append(q, bson.E{Key: "name_key", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(strings.ToLower(f.NamePrefix))}}})
	}
	if f.UnreadOnly {
		q = append(q, bson.E{Key: "unread", Value: true})
	}
	return q
}

// Conversations lists chats newest activity first. The cursor encodes the
// last chat's activity time and id.
func (d *DB) Conversations(ctx context.Context, ws string, f models.ConversationFilter) ([]*models.Conversation, string, error) {
	q := conversationFilter(ws, f)
	if f.Page.Cursor != "" {
		at, id, err := models.ParseChatListCursor(f.Page.Cursor)
		if err != nil {
			return nil, "", models.Invalid("bad paging", models.FieldError{Field: "cursor", Message: "is not a cursor this API returned"})
		}
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "activity", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "activity", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: id}}}},
		}})
	}
	out := []*models.Conversation{}
	if f.Page.Limit <= 0 {
		return out, "", nil
	}
	if err := d.findAll(ctx, colConversations, q, &out, options.Find().
		SetSort(bson.D{{Key: "activity", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Page.Limit+1))); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Page.Limit {
		out = out[:f.Page.Limit]
		last := out[len(out)-1]
		next = models.ChatListCursor(last.Activity, last.ID)
	}
	return out, next, nil
}

// tallyBatch lets one round trip carry the tallies of a large workspace:
// each is a few bytes, and the server's default first batch is only 101.
const tallyBatch = 20_000

// ConversationTallies returns the status, assignee and unread flag of
// every chat f selects, in one query.
func (d *DB) ConversationTallies(ctx context.Context, ws string, f models.ConversationFilter) ([]models.ConversationTally, error) {
	out := []models.ConversationTally{}
	err := d.findAll(ctx, colConversations, conversationFilter(ws, f), &out,
		options.Find().SetBatchSize(tallyBatch).
			SetProjection(bson.D{{Key: "status", Value: 1}, {Key: "assignee_id", Value: 1}, {Key: "unread", Value: 1}, {Key: "followers", Value: 1}, {Key: "_id", Value: 0}}))
	return out, err
}

// UpdateConversation applies upd through the change feed. An update that
// only ends a pending operation is not a change of the chat (the record
// is the server's and never reaches a client): it is written in place,
// with no new sequence, so ending an operation does not send the chat to
// every device again.
func (d *DB) UpdateConversation(ctx context.Context, ws, id string, upd models.ConversationUpdate) (*models.Conversation, error) {
	if rest := upd; upd.ClearPending != "" {
		rest.ClearPending = ""
		if rest == (models.ConversationUpdate{}) {
			return d.clearPending(ctx, ws, id, upd.ClearPending)
		}
	}
	var ch change
	add := func(k string, v any) { ch.set = append(ch.set, bson.E{Key: k, Value: v}) }
	if upd.Status != nil {
		add("status", *upd.Status)
	}
	if upd.SubscriberName != nil {
		add("subscriber_name", *upd.SubscriberName)
		add("name_key", strings.ToLower(*upd.SubscriberName))
	}
	if upd.AssigneeID != nil {
		if *upd.AssigneeID == "" {
			ch.unset = append(ch.unset, bson.E{Key: "assignee_id", Value: ""})
		} else {
			add("assignee_id", *upd.AssigneeID)
		}
	}
	if upd.Followers != nil {
		add("followers", *upd.Followers)
	}
	if upd.AddFollower != "" {
		ch.ops = append(ch.ops, bson.E{Key: "$addToSet", Value: bson.D{{Key: "followers", Value: upd.AddFollower}}})
		ch.seqFields = append(ch.seqFields, "follow_seq."+upd.AddFollower)
	}
	if upd.RemoveFollower != "" {
		ch.ops = append(ch.ops, bson.E{Key: "$pull", Value: bson.D{{Key: "followers", Value: upd.RemoveFollower}}})
		ch.seqFields = append(ch.seqFields, "follow_seq."+upd.RemoveFollower)
	}
	if upd.Tags != nil {
		add("tags", *upd.Tags)
	}
	if upd.MutedBy != nil {
		add("muted_by", *upd.MutedBy)
	}
	if upd.Unread != nil {
		add("unread", *upd.Unread)
	}
	if upd.UnreadCount != nil {
		add("unread_count", *upd.UnreadCount)
	}
	if upd.MarkRead {
		add("unread", false)
		add("unread_count", 0)
		ch.seqFields = append(ch.seqFields, "read_seq")
	}
	if upd.AddUnread {
		add("unread", true)
		ch.inc = append(ch.inc, bson.E{Key: "unread_count", Value: 1})
	}
	if op := upd.AddPending; op != nil {
		at := op.At.UTC().Truncate(time.Millisecond)
		op.At = at
		add("pending."+op.ID, op)
		ch.inc = append(ch.inc, bson.E{Key: "pending_n", Value: 1})
		// Begun once: a second beginning of it (the same event at two
		// instances at once) is refused, and finishes it instead.
		ch.cond = append(ch.cond, bson.E{Key: "pending." + op.ID, Value: bson.D{{Key: "$exists", Value: false}}})
	}
	if id := upd.ClearPending; id != "" {
		ch.unset = append(ch.unset, bson.E{Key: "pending." + id, Value: ""})
		ch.inc = append(ch.inc, bson.E{Key: "pending_n", Value: -1})
		ch.cond = append(ch.cond, bson.E{Key: "pending." + id + ".id", Value: id})
	}
	if upd.LastMessagePreview != nil {
		add("last_message_preview", *upd.LastMessagePreview)
	}
	if upd.LastMessageAt != nil {
		add("last_message_at", upd.LastMessageAt.UTC())
	}
	if upd.LastInboundAt != nil {
		add("last_inbound_at", upd.LastInboundAt.UTC())
	}
	if upd.StartedAt != nil {
		add("started_at", upd.StartedAt.UTC())
	}
	if upd.WelcomedAt != nil {
		add("welcomed_at", upd.WelcomedAt.UTC())
	}
	if upd.EverOpened != nil {
		add("ever_opened", *upd.EverOpened)
	}
	if upd.Links != nil {
		add("links", *upd.Links)
	}
	if upd.Activity != nil {
		add("activity", upd.Activity.UTC())
	}
	if upd.ExpectStatus != "" {
		ch.cond = append(ch.cond, bson.E{Key: "status", Value: upd.ExpectStatus})
	}
	var c models.Conversation
	if err := d.feed.update(ctx, d.db.Collection(colConversations), ws, id, ch, &c); err != nil {
		return nil, mapErr(err, "conversation")
	}
	return &c, nil
}

// clearPending removes the chat's record of operation op, outside the
// change feed, under the chat's write lock; not-found when the live chat
// does not record it.
func (d *DB) clearPending(ctx context.Context, ws, id, op string) (*models.Conversation, error) {
	unlock := d.feed.lockDoc(colConversations, id)
	defer unlock()
	coll := d.db.Collection(colConversations)
	filter := bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: ws}, {Key: "deleted", Value: false}, {Key: "pending." + op + ".id", Value: op}}
	if d.idOnly {
		// FerretDB: check the conditions on the current document (this
		// process holds its lock), then update by _id alone.
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if err != nil {
			return nil, mapErr(err, "conversation")
		}
		if !matches(raw, filter[1:]) {
			return nil, notFound("conversation")
		}
		filter = bson.D{{Key: "_id", Value: id}}
	}
	var c models.Conversation
	err := coll.FindOneAndUpdate(ctx, filter, bson.D{
		{Key: "$unset", Value: bson.D{{Key: "pending." + op, Value: ""}}},
		{Key: "$inc", Value: bson.D{{Key: "pending_n", Value: -1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, mapErr(err, "conversation")
	}
	return &c, nil
}

// PendingConversations returns up to limit live chats of any workspace
// that record a pending operation, with ids above after, by id. It runs
// at start, so it may scan.
func (d *DB) PendingConversations(ctx context.Context, after string, limit int) ([]*models.Conversation, error) {
	out := []*models.Conversation{}
	if limit <= 0 { // MongoDB reads a limit of 0 as none
		return out, nil
	}
	err := d.findAll(ctx, colConversations, bson.D{{Key: "pending_n", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "deleted", Value: false},
		{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
		&out, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return out, err
}
