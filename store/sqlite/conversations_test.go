package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestConversationLogCarriesWhatSyncReads: a chat's change-log record
// carries, beside what the apps see, what delta-sync and the push gateway
// read of it (muted_by, follow_seq, read_seq, last_inbound_at, and the
// operations under way, which tell the gateway an opening from a message
// in an open chat); conversationFromLog reads it back.
func TestConversationLogCarriesWhatSyncReads(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	c := &models.Conversation{ID: "c1", BotID: "b1", SubscriberID: "s1", Channel: models.ChannelTelegram, Status: models.StatusOpen,
		SubscriberName: "Ann", Stamp: models.Stamp{WS: "ws1"}}
	if _, _, err := s.EnsureConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	at := s.nowMS()
	up, err := s.UpdateConversation(ctx, "ws1", "c1", models.ConversationUpdate{AddFollower: "m1", MutedBy: &[]string{"m2"},
		MarkRead: true, LastInboundAt: &at, AddPending: &models.PendingOp{ID: "op1", Kind: models.OpOpen, Actor: "m3"}})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.LogEntries(ctx, "ws1", 1, 10, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("log %+v, %v; want the update", entries, err)
	}
	got, err := conversationFromLog(entries[0].Record)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || got.Seq != up.Seq || got.FollowSeq["m1"] != up.Seq || got.ReadSeq != up.Seq || strings.Join(got.MutedBy, ",") != "m2" ||
		strings.Join(got.Followers, ",") != "m1" || got.LastInboundAt == nil || !got.LastInboundAt.Equal(at) || got.Pending["op1"] == nil ||
		got.Pending["op1"].Kind != models.OpOpen || got.Pending["op1"].Actor != "m3" ||
		!got.Activity.Equal(up.Activity) || got.CSeq != 1 {
		t.Fatalf("logged %+v, want %+v with its operation under way", got, up)
	}
}
