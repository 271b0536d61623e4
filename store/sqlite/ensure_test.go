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
