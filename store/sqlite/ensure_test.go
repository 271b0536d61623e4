package sqlite

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestEnsureExistingTakesNoWriteLock: finding an existing subscriber or
// chat, as every later message of a subscriber does, is one read (no
// BEGIN, no COMMIT on the writer); a missing or deleted one is still
// created in a write transaction.
func TestEnsureExistingTakesNoWriteLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openT(t, t.TempDir())
	sub := &models.Subscriber{ID: models.SubscriberID("ws1", "bot1", "x1"), BotID: "bot1", Channel: models.ChannelTelegram,
		ExternalID: "x1", Name: "X", Stamp: models.Stamp{WS: "ws1"}}
	if _, created, err := s.EnsureSubscriber(ctx, sub); err != nil || !created {
		t.Fatalf("first ensure: created %v, %v", created, err)
	}
	conv := &models.Conversation{ID: models.ConversationID(sub.ID), BotID: "bot1", SubscriberID: sub.ID, Channel: models.ChannelTelegram,
		Status: models.StatusIdle, Stamp: models.Stamp{WS: "ws1"}}
	if _, created, err := s.EnsureConversation(ctx, conv); err != nil || !created {
		t.Fatalf("first ensure: created %v, %v", created, err)
	}

	n := s.Commands()
	got, created, err := s.EnsureSubscriber(ctx, sub)
	if err != nil || created || got.ID != sub.ID {
		t.Fatalf("ensure existing subscriber: %+v, created %v, %v", got, created, err)
	}
	if d := s.Commands() - n; d != 1 {
		t.Errorf("ensuring an existing subscriber ran %d statements, want 1 read", d)
	}
	n = s.Commands()
	c, created, err := s.EnsureConversation(ctx, conv)
	if err != nil || created || c.ID != conv.ID {
		t.Fatalf("ensure existing chat: %+v, created %v, %v", c, created, err)
	}
	if d := s.Commands() - n; d != 1 {
		t.Errorf("ensuring an existing chat ran %d statements, want 1 read", d)
	}

	// A deleted subscriber who writes again comes back, written.
	if err := s.DeleteSubscriber(ctx, "ws1", sub.ID); err != nil {
		t.Fatal(err)
	}
	hw, _ := s.HighWater(ctx, "ws1")
	back, created, err := s.EnsureSubscriber(ctx, sub)
	if err != nil || !created || back.Deleted || back.Seq != hw+1 {
		t.Fatalf("ensure deleted subscriber: %+v, created %v, %v (high water was %d)", back, created, err, hw)
	}
}

// TestUpdateKeepsFollowerAndTagRows: an update that leaves a chat's
// followers and tags alone writes the chat and its log entry only (the
// follower and tag rows stay as they are, and the filters on them still
// find the chat); one that changes them rewrites them.
func TestUpdateKeepsFollowerAndTagRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openT(t, t.TempDir())
	conv := &models.Conversation{ID: models.ConversationID("sub1"), BotID: "bot1", SubscriberID: "sub1", Channel: models.ChannelTelegram,
		Status: models.StatusOpen, Followers: []string{"m1"}, Tags: []string{"vip"}, Stamp: models.Stamp{WS: "ws1"}}
	if _, _, err := s.EnsureConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	find := func(f models.ConversationFilter) int {
		t.Helper()
		f.Page.Limit = 10
		got, _, err := s.Conversations(ctx, "ws1", f)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	n := s.Commands()
	preview := "hello"
	if _, err := s.UpdateConversation(ctx, "ws1", conv.ID, models.ConversationUpdate{LastMessagePreview: &preview, AddUnread: true}); err != nil {
		t.Fatal(err)
	}
	// BEGIN, the chat, its sequence, the chat's row, its log entry, COMMIT.
	if d := s.Commands() - n; d != 6 {
		t.Errorf("a preview update ran %d statements, want 6", d)
	}
	if find(models.ConversationFilter{FollowerID: "m1"}) != 1 || find(models.ConversationFilter{Tag: "vip"}) != 1 {
		t.Fatal("the follower or tag filter lost the chat after an update that did not change them")
	}
	tags := []string{"new"}
	if _, err := s.UpdateConversation(ctx, "ws1", conv.ID, models.ConversationUpdate{AddFollower: "m2", Tags: &tags}); err != nil {
		t.Fatal(err)
	}
	if find(models.ConversationFilter{FollowerID: "m2"}) != 1 || find(models.ConversationFilter{Tag: "new"}) != 1 || find(models.ConversationFilter{Tag: "vip"}) != 0 {
		t.Fatal("the follower and tag rows do not follow the update that changed them")
	}
}
