package push

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func TestChatLogJudgesAMessageByTheChatWhenItWasWritten(t *testing.T) {
	conv := func(seq int64, st models.ConversationStatus) models.Change {
		return models.Change{Seq: seq, Record: &models.Conversation{ID: "c1", Status: st}}
	}
	said := models.Change{Seq: 10, Created: true, Record: &models.Message{ID: "m1", ConversationID: "c1", Sender: models.SenderSubscriber, Kind: models.KindText}}
	mark := func(seq int64, event string) models.Change {
		return models.Change{Seq: seq, Created: true, Record: &models.Message{ID: event, ConversationID: "c1", Sender: models.SenderSystem, Kind: models.KindEvent, Event: event}}
	}
	other := models.Change{Seq: 9, Record: &models.Conversation{ID: "c2", Status: models.StatusIdle}}
	now := func(seq int64, st models.ConversationStatus) *models.Conversation {
		return &models.Conversation{ID: "c1", Status: st, Stamp: models.Stamp{Seq: seq}}
	}
	open, idle, closed := models.StatusOpen, models.StatusIdle, models.StatusClosed
	// pending is the chat as a write that begins operation op left it.
	pending := func(seq int64, st models.ConversationStatus, op models.PendingOp) models.Change {
		return models.Change{Seq: seq, Record: &models.Conversation{ID: "c1", Status: st, Pending: map[string]*models.PendingOp{"op": &op}}}
	}
	reopening := models.PendingOp{ID: "op", Kind: models.OpMessage, Reopen: true}
	inOpenChat := models.PendingOp{ID: "op", Kind: models.OpMessage}
	nowPending := func(seq int64, op models.PendingOp) *models.Conversation {
		c := now(seq, open)
		c.Pending = map[string]*models.PendingOp{"op": &op}
		return c
	}
	cases := []struct {
		name string
		page []models.Change
		now  *models.Conversation
		want verdict
	}{
		{"idle before it (the bot's chat)", []models.Change{conv(8, idle), said, conv(11, idle)}, now(11, idle), verdictSilent},
		{"idle before it, open now: the opening carries it", []models.Change{conv(8, idle), said}, now(12, open), verdictSilent},
		{"closed before it, reopened now", []models.Change{conv(8, closed), said}, now(12, open), verdictSilent},
		{"open before it", []models.Change{conv(8, open), said}, now(12, open), verdictAlert},
		{"open before it, closed now: it was written in an open chat", []models.Change{conv(8, open), said}, now(12, closed), verdictAlert},
		{"no write of the chat since before it: the chat as it is", []models.Change{other, said}, now(7, open), verdictAlert},
		{"no write since, idle", []models.Change{said}, now(7, idle), verdictSilent},
		{"its own count (the next write) says idle, open now", []models.Change{said, conv(11, idle)}, now(12, open), verdictSilent},
		{"its own count says closed", []models.Change{said, conv(11, closed)}, now(13, open), verdictSilent},
		{"its own count says open", []models.Change{said, conv(11, open)}, now(11, open), verdictAlert},
		{"changed since, not in the page yet: read again", []models.Change{other, said}, now(12, open), verdictLater},
		{"an opening recorded after it carries it", []models.Change{conv(8, open), said, mark(12, "reopened")}, now(12, open), verdictSilent},
		{"its own write reopens the chat: the reopening carries it", []models.Change{pending(9, open, reopening), said}, now(12, open), verdictSilent},
		{"its own write reopens the chat, no write since", []models.Change{said}, nowPending(9, reopening), verdictSilent},
		{"an opening under way carries it", []models.Change{pending(9, open, models.PendingOp{ID: "op", Kind: models.OpOpen}), said}, now(12, open), verdictSilent},
		{"its own write in an open chat", []models.Change{pending(9, open, inOpenChat), said}, now(12, open), verdictAlert},
		{"an opening recorded before it does not", []models.Change{mark(7, "opened"), conv(8, open), said, mark(12, "assigned")}, now(12, open), verdictAlert},
	}
	for _, tc := range cases {
		if got := newChatLog(tc.page).judge(said.Seq, tc.now, nil); got != tc.want {
			t.Errorf("%s: verdict %d, want %d", tc.name, got, tc.want)
		}
	}
}
