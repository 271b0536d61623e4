package sqlite

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// EnsureConversation returns the subscriber's chat (created false; a
// tombstone too, as on the MongoDB store) or inserts c, created now, with
// its sequence and change-log entry (created true), in one transaction:
// concurrent calls create it once. An id held by another workspace's chat
// is the typed not-found. An existing chat is read without the write lock.
func (s *Store) EnsureConversation(ctx context.Context, c *models.Conversation) (*models.Conversation, bool, error) {
	at := s.nowMS()
	cp := *c
	cp.CreatedAt, cp.Activity = at, at
	cp.NameKey = strings.ToLower(cp.SubscriberName)
	for _, l := range []*[]string{&cp.Followers, &cp.Tags, &cp.MutedBy} {
		if *l == nil {
			*l = []string{}
		}
	}
	if cp.Links == nil {
		cp.Links = []models.Link{}
	}
	cp.LastMessageAt, cp.LastInboundAt, cp.StartedAt, cp.WelcomedAt = msTime(cp.LastMessageAt), msTime(cp.LastInboundAt), msTime(cp.StartedAt), msTime(cp.WelcomedAt)
	if !s.batched(ctx) {
		// Most calls find the chat: they read it from the reader pool
		// without taking the write lock; only a missing one goes to the
		// writer, which looks again.
		got, err := scanConversation(s.rd(ctx).QueryRowContext(ctx, `SELECT `+convCols+` FROM conversations WHERE ws = ? AND subscriber_id = ?`, cp.WS, cp.SubscriberID))
		if err == nil {
			return got, false, nil
		}
		if !isNoRows(err) {
			return nil, false, s.fail(err, "conversation")
		}
	}
	var out *models.Conversation
	created := false
	err := s.WithTx(ctx, func(tx *Tx) error {
		got, err := scanConversation(tx.QueryRow(`SELECT `+convCols+` FROM conversations WHERE ws = ? AND subscriber_id = ?`, cp.WS, cp.SubscriberID))
		if err == nil {
			out = got
			return nil
		}
		if !isNoRows(err) {
			return err
		}
		var elsewhere int
		if err := tx.QueryRow(`SELECT count(*) FROM conversations WHERE id = ?`, cp.ID).Scan(&elsewhere); err != nil {
			return err
		}
		if elsewhere > 0 {
			return models.NotFound("conversation")
		}
		seq, err := tx.Stamp(cp.WS)
		if err != nil {
			return err
		}
		cp.Stamp = models.Stamp{WS: cp.WS, Seq: seq, UpdatedAt: at, CSeq: seq}
		if err := putConversation(tx, &cp, true); err != nil {
			return err
		}
		if err := tx.Log(cp.WS, models.Change{Seq: seq, Table: models.TableConversations, ID: cp.ID, Created: true,
			Record: logConversation(&cp)}); err != nil {
			return err
		}
		out, created = &cp, true
		return nil
	})
	if err != nil {
		return nil, false, s.fail(err, "conversation")
	}
	return out, created, nil
}

// Conversation returns the live chat id of ws or the typed not-found.
func (s *Store) Conversation(ctx context.Context, ws, id string) (*models.Conversation, error) {
	return conversations.read(ctx, s, ws, id)
}

// ConversationBySubscriber returns the subscriber's live chat, whose id
// derives from the subscriber's, or the typed not-found.
func (s *Store) ConversationBySubscriber(ctx context.Context, ws, subscriberID string) (*models.Conversation, error) {
	return s.Conversation(ctx, ws, models.ConversationID(subscriberID))
}

// UpdateConversation applies upd to the live chat id of ws with a new
// sequence, logged, in one transaction, and returns the new state. It is
// refused with the typed not-found, taking no sequence, when the chat is
// not in upd.ExpectStatus, already records upd.AddPending or does not
// record upd.ClearPending. An update that only clears a pending operation
// is written in place with no sequence and no log entry: it changes
// nothing a client sees.
func (s *Store) UpdateConversation(ctx context.Context, ws, id string, upd models.ConversationUpdate) (*models.Conversation, error) {
	if rest := upd; upd.ClearPending != "" {
		rest.ClearPending = ""
		if rest == (models.ConversationUpdate{}) {
			return s.clearPending(ctx, ws, id, upd.ClearPending)
		}
	}
	// The follower and tag rows are rewritten only when the update
	// changes them; most updates (a message, a read, a status) do not.
	rows := false
	tb := conversations
	tb.put = func(tx *Tx, c *models.Conversation, insert bool) error {
		return putConversationWith(tx, c, insert, rows)
	}
	return tb.update(ctx, s, ws, id, func(c *models.Conversation, seq int64) error {
		followers, tags, follow := slices.Clone(c.Followers), slices.Clone(c.Tags), maps.Clone(c.FollowSeq)
		if err := applyConversation(c, upd, seq); err != nil {
			return err
		}
		rows = !slices.Equal(followers, c.Followers) || !slices.Equal(tags, c.Tags) || !maps.Equal(follow, c.FollowSeq)
		return nil
	})
}

// clearPending removes the chat's record of operation op, with no
// sequence: not-found when the live chat does not record it.
func (s *Store) clearPending(ctx context.Context, ws, id, op string) (*models.Conversation, error) {
	var out *models.Conversation
	err := s.WithTx(ctx, func(tx *Tx) error {
		c, err := convByID(tx, ws, id)
		if err != nil {
			return err
		}
		if c.Pending[op] == nil {
			return models.NotFound("conversation")
		}
		delete(c.Pending, op)
		if err := putConversationWith(tx, c, false, false); err != nil {
			return err
		}
		if len(c.Pending) == 0 {
			c.Pending = nil
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "conversation")
	}
	return out, nil
}

// applyConversation changes c as upd says, seq being the write's
// sequence, or refuses with the typed not-found.
func applyConversation(c *models.Conversation, upd models.ConversationUpdate, seq int64) error {
	if upd.ExpectStatus != "" && c.Status != upd.ExpectStatus {
		return models.NotFound("conversation")
	}
	if op := upd.AddPending; op != nil && c.Pending[op.ID] != nil {
		return models.NotFound("conversation") // begun once
	}
	if upd.ClearPending != "" && c.Pending[upd.ClearPending] == nil {
		return models.NotFound("conversation")
	}
	if upd.Status != nil {
		c.Status = *upd.Status
	}
	if upd.SubscriberName != nil {
		c.SubscriberName, c.NameKey = *upd.SubscriberName, strings.ToLower(*upd.SubscriberName)
	}
	if upd.AssigneeID != nil {
		c.AssigneeID = *upd.AssigneeID
	}
	if upd.Followers != nil {
		c.Followers = slices.Clone(*upd.Followers)
	}
	follow := func(m string, on bool) {
		if on && !slices.Contains(c.Followers, m) { // kept in its place if there, as $addToSet does
			c.Followers = append(c.Followers, m)
		}
		if !on {
			c.Followers = slices.DeleteFunc(c.Followers, func(f string) bool { return f == m })
		}
		if c.FollowSeq == nil {
			c.FollowSeq = map[string]int64{}
		}
		c.FollowSeq[m] = seq
	}
	if m := upd.AddFollower; m != "" {
		follow(m, true)
	}
	if m := upd.RemoveFollower; m != "" {
		follow(m, false)
	}
	if upd.Tags != nil {
		c.Tags = slices.Clone(*upd.Tags)
	}
	if upd.MutedBy != nil {
		c.MutedBy = slices.Clone(*upd.MutedBy)
	}
	if upd.Unread != nil {
		c.Unread = *upd.Unread
	}
	if upd.UnreadCount != nil {
		c.UnreadCount = *upd.UnreadCount
	}
	if upd.MarkRead {
		c.Unread, c.UnreadCount, c.ReadSeq = false, 0, seq
	}
	if upd.AddUnread {
		c.Unread = true
		c.UnreadCount++
	}
	if op := upd.AddPending; op != nil {
		op.At = op.At.UTC().Truncate(time.Millisecond)
		stored, err := storedOp(op)
		if err != nil {
			return err
		}
		if c.Pending == nil {
			c.Pending = map[string]*models.PendingOp{}
		}
		c.Pending[op.ID] = stored
	}
	if upd.ClearPending != "" {
		delete(c.Pending, upd.ClearPending)
	}
	if upd.LastMessagePreview != nil {
		c.LastMessagePreview = *upd.LastMessagePreview
	}
	for dst, v := range map[**time.Time]*time.Time{&c.LastMessageAt: upd.LastMessageAt, &c.LastInboundAt: upd.LastInboundAt,
		&c.StartedAt: upd.StartedAt, &c.WelcomedAt: upd.WelcomedAt} {
		if v != nil {
			*dst = msTime(v)
		}
	}
	if upd.EverOpened != nil {
		c.EverOpened = *upd.EverOpened
	}
	if upd.Links != nil {
		c.Links = slices.Clone(*upd.Links)
	}
	if upd.Activity != nil {
		c.Activity = *msTime(upd.Activity)
	}
	return nil
}

// storedOp is op as the chat keeps it (a BSON round trip: times to the
// millisecond, as on the MongoDB store).
func storedOp(op *models.PendingOp) (*models.PendingOp, error) {
	raw, err := bson.Marshal(op)
	if err != nil {
		return nil, err
	}
	var out models.PendingOp
	return &out, bson.Unmarshal(raw, &out)
}
