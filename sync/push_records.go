package sync

import (
	"bytes"
	"context"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// The checks of each pushable record: they load what the record refers
// to through the inbox, find conflicts and queue the steps that apply it.

func (c *pushCheck) message(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("reply to chats"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	convID, okConv := c.required(path, r, "conversation_id")
	text, okText := c.text(path, r, inbox.MaxTextLen)
	replyTo, _, okReply := str(r, "reply_to")
	if !okReply {
		c.bad(path+".reply_to", "must be a message id")
	}
	if !okID || !okConv || !okText || !okReply {
		return nil
	}
	done, err := c.existing(ctx, path, models.TableMessages, id, func(rec any) bool {
		m := rec.(*models.Message)
		return m.AuthorID == c.me.ID && m.ConversationID == convID
	})
	if err != nil || done {
		c.created = append(c.created, models.TableMessages+" "+id)
		return err
	}
	conv, err := c.s.inbox.Conversation(ctx, c.p, convID)
	if err == nil {
		// A chat whose subscriber was deleted takes no more messages.
		_, err = c.s.inbox.Subscriber(ctx, c.p, conv.SubscriberID)
	}
	if err != nil {
		return c.fieldErr(path+".conversation_id", err)
	}
	if err := inbox.CheckWindow(conv.Channel, conv.LastInboundAt, c.s.now(), "", ""); err != nil {
		return c.fieldErr(path, err)
	}
	if replyTo != "" {
		recs, err := c.s.st.Records(ctx, c.p.WS, models.TableMessages, "_id", []string{replyTo})
		if err != nil {
			return err
		}
		if len(recs) == 0 || recs[0].(*models.Message).ConversationID != convID {
			c.bad(path+".reply_to", "is not a message of this chat")
			return nil
		}
	}
	c.created = append(c.created, models.TableMessages+" "+id)
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, _, err := c.s.inbox.Send(ctx, c.p, convID, inbox.SendInput{ID: id, Text: text, ReplyTo: replyTo})
		return err
	})
	return nil
}

func (c *pushCheck) noteCreated(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("write notes"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	subID, okSub := c.required(path, r, "subscriber_id")
	text, okText := c.text(path, r, inbox.MaxNoteLen)
	if !okID || !okSub || !okText {
		return nil
	}
	done, err := c.existing(ctx, path, models.TableNotes, id, func(rec any) bool {
		n := rec.(*models.Note)
		return n.AuthorID == c.me.ID && n.SubscriberID == subID
	})
	if err != nil || done {
		c.created = append(c.created, models.TableNotes+" "+id)
		return err
	}
	if _, err := c.s.inbox.Subscriber(ctx, c.p, subID); err != nil {
		return c.fieldErr(path+".subscriber_id", err)
	}
	c.created = append(c.created, models.TableNotes+" "+id)
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, err := c.s.inbox.AddNoteWithID(ctx, c.p, id, subID, text)
		return err
	})
	return nil
}

func (c *pushCheck) noteUpdated(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("change notes"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	text, okText := c.text(path, r, inbox.MaxNoteLen)
	if !okID || !okText {
		return nil
	}
	n, err := c.s.inbox.EditableNote(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	own, err := c.ownCreation(ctx, models.TableNotes, id, n.Stamp)
	if err != nil {
		return err
	}
	if n.Text == text || (!own && c.conflict(path, n.Seq)) {
		return nil
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, err := c.s.inbox.EditNote(ctx, c.p, id, text)
		return err
	})
	return nil
}

func (c *pushCheck) noteDeleted(ctx context.Context, path, id string) error {
	if err := c.agent("delete notes"); err != nil {
		return err
	}
	if !models.ValidID(id) {
		c.bad(path, "must be 1 to 64 letters, digits, '-' or '_'")
		return nil
	}
	n, err := c.s.inbox.EditableNote(ctx, c.p, id)
	if models.IsNotFound(err) {
		return nil // already gone: deleting is idempotent
	}
	if err != nil {
		return err
	}
	own, err := c.ownCreation(ctx, models.TableNotes, id, n.Stamp)
	if err != nil {
		return err
	}
	if !own && c.conflict(path, n.Seq) {
		return nil
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		err := c.s.inbox.DeleteNote(ctx, c.p, id)
		if models.IsNotFound(err) {
			return nil
		}
		return err
	})
	return nil
}

// conversation applies a chat's read mark, the caller's mute and tags;
// other columns are the server's and are ignored.
func (c *pushCheck) conversation(ctx context.Context, path string, r map[string]any) error {
	id, ok := c.id(path, r)
	if !ok {
		return nil
	}
	conv, err := c.s.inbox.Conversation(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	var steps []step
	if unread, ok := c.boolean(path, r, "unread"); ok && !unread && conv.Unread {
		steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.MarkRead(ctx, c.p, id); return err })
	}
	if muted, ok := c.boolean(path, r, "muted"); ok && muted != contains(conv.MutedBy, c.me.ID) {
		steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.SetMuted(ctx, c.p, id, muted); return err })
	}
	if v, present := r["tags"]; present {
		if tags, ok := c.tags(path, v); ok && !sameList(tags, conv.Tags) {
			if err := c.agent("tag chats"); err != nil {
				return err
			}
			steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.SetTags(ctx, c.p, id, tags); return err })
		}
	}
	if len(steps) > 0 && !c.conflict(path, conv.Seq) {
		c.steps = append(c.steps, steps...)
	}
	return nil
}

// subscriber applies a subscriber's tags and variables.
func (c *pushCheck) subscriber(ctx context.Context, path string, r map[string]any) error {
	id, ok := c.id(path, r)
	if !ok {
		return nil
	}
	sub, err := c.s.inbox.Subscriber(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	var edit inbox.SubscriberEdit
	changed := false
	if v, present := r["tags"]; present {
		if tags, ok := c.tags(path, v); ok && !sameList(tags, sub.Tags) {
			edit.Tags, changed = &tags, true
		}
	}
	if v, present := r["variables"]; present {
		vars, ok := object(v)
		if ok && len(vars) > 100 {
			ok = false
		}
		for k, x := range vars {
			if n := utf8.RuneCountInString(k); n < 1 || n > 64 || bytes.ContainsAny([]byte(k), ".$\x00") || utf8.RuneCountInString(x) > 2000 {
				ok = false
			}
		}
		switch {
		case !ok:
			c.bad(path+".variables", "must be an object (or its JSON text) of at most 100 names of 1 to 64 characters without '.' or '$', with values of at most 2000 characters")
		default:
			// Variables merge, as in PATCH /v1/subscribers/{id}: the keys
			// whose values differ are set, others are kept.
			diff := map[string]string{}
			for k, x := range vars {
				if w, ok := sub.Variables[k]; !ok || w != x {
					diff[k] = x
				}
			}
			if len(diff) > 0 {
				edit.Variables, changed = diff, true
			}
		}
	}
	if !changed {
		return nil
	}
	if err := c.agent("edit subscribers"); err != nil {
		return err
	}
	if !c.conflict(path, sub.Seq) {
		c.steps = append(c.steps, func(ctx context.Context) error { _, err := c.s.inbox.EditSubscriber(ctx, c.p, id, edit); return err })
	}
	return nil
}
