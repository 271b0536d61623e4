package sync

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// scope is what a member may see: everything, or for a follower the
// chats they follow (their subscribers, messages, notes and deals) beside
// the workspace-wide tables.
type scope struct {
	all   bool
	me    string
	convs map[string]bool
	subs  map[string]bool
	list  []*models.Conversation
	// since is, per followed chat and per subscriber of one, the sequence
	// at which the member last started following (the latest of the
	// subscriber's chats): before it the device did not hold their records.
	since map[string]int64
}

func (s *Service) scopeOf(ctx context.Context, ws string, me *models.Member) (*scope, error) {
	if me.Role != models.RoleFollower {
		return &scope{all: true}, nil
	}
	recs, err := s.st.Records(ctx, ws, models.TableConversations, "followers", []string{me.ID})
	if err != nil {
		return nil, err
	}
	sc := &scope{me: me.ID, convs: map[string]bool{}, subs: map[string]bool{}, since: map[string]int64{}}
	for _, r := range recs {
		c := r.(*models.Conversation)
		sc.convs[c.ID], sc.subs[c.SubscriberID] = true, true
		sc.list = append(sc.list, c)
		f := c.FollowSeq[me.ID]
		sc.since[c.ID] = f
		sc.since[c.SubscriberID] = max(sc.since[c.SubscriberID], f)
	}
	return sc, nil
}

// followedSince is the sequence since which the device holds the chat
// records rec belongs to (0 for workspace-wide records and for a scope
// of everything).
func (sc *scope) followedSince(rec any) int64 {
	if sc.all {
		return 0
	}
	switch r := rec.(type) {
	case *models.Subscriber:
		return sc.since[r.ID]
	case *models.Message:
		return sc.since[r.ConversationID]
	case *models.Note:
		return sc.since[r.SubscriberID]
	case *models.Deal:
		return sc.since[r.SubscriberID]
	}
	return 0
}

// allows reports whether the scope includes rec.
func (sc *scope) allows(rec any) bool {
	if sc.all {
		return true
	}
	switch r := rec.(type) {
	case *models.Subscriber:
		return sc.subs[r.ID]
	case *models.Conversation:
		return sc.convs[r.ID]
	case *models.Message:
		return sc.convs[r.ConversationID]
	case *models.Note:
		return sc.subs[r.SubscriberID]
	case *models.Deal:
		return r.SubscriberID != "" && sc.subs[r.SubscriberID]
	}
	return true // bots, members, pipelines, statistics
}

// chatRecords are the records of chats convs (their subscribers, recent
// messages, notes and deals), as a first sync or a new follower gets them,
// less those created after upTo: their creation follows in a later delta.
func (s *Service) chatRecords(ctx context.Context, ws string, convs []*models.Conversation, upTo int64, a *answer) error {
	if len(convs) == 0 {
		return nil
	}
	convIDs, subIDs := make([]string, len(convs)), make([]string, len(convs))
	for i, c := range convs {
		convIDs[i], subIDs[i] = c.ID, c.SubscriberID
	}
	for _, q := range []struct{ table, field string }{{models.TableSubscribers, "_id"},
		{models.TableNotes, "subscriber_id"}, {models.TableDeals, "subscriber_id"}} {
		recs, err := s.st.Records(ctx, ws, q.table, q.field, subIDs)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if !createdBy(r, upTo) {
				continue
			}
			if err := a.put(q.table, r, true); err != nil {
				return err
			}
		}
	}
	msgs, err := s.st.RecentMessages(ctx, ws, convIDs, s.bound())
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if !createdBy(m, upTo) {
			continue
		}
		if err := a.put(models.TableMessages, m, true); err != nil {
			return err
		}
	}
	return nil
}

// revoke deletes chats convs and all their records from the device.
func (s *Service) revoke(ctx context.Context, ws string, convs []*models.Conversation, a *answer) error {
	if len(convs) == 0 {
		return nil
	}
	convIDs, subIDs := make([]string, len(convs)), make([]string, len(convs))
	for i, c := range convs {
		convIDs[i], subIDs[i] = c.ID, c.SubscriberID
		a.delete(models.TableConversations, c.ID)
		a.delete(models.TableSubscribers, c.SubscriberID)
	}
	for _, q := range []struct {
		table, field string
		values       []string
	}{{models.TableMessages, "conversation_id", convIDs}, {models.TableNotes, "subscriber_id", subIDs}, {models.TableDeals, "subscriber_id", subIDs}} {
		ids, err := s.st.RecordIDs(ctx, ws, q.table, q.field, q.values)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a.delete(q.table, id)
		}
	}
	return nil
}
