package webpush

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

// TestTopicOfAChatIsTheDocumentedHash: a chat's alert carries the collapse
// key chat-<id>, which for every chat id is longer than the 32 characters
// RFC 8030 allows a Topic, so the push service receives the README's
// derivation: the unpadded base64url of the first 24 bytes of the key's
// SHA-256, the same for every alert of the chat.
func TestTopicOfAChatIsTheDocumentedHash(t *testing.T) {
	chat := models.ConversationID(models.SubscriberID("ws1", "bot1", "42"))
	key := push.CollapseKey(&models.Alert{ConversationID: chat, Event: models.EventNewChat})
	if key != "chat-"+chat || len(key) <= maxTopic {
		t.Fatalf("collapse key %q (%d characters)", key, len(key))
	}
	sum := sha256.Sum256([]byte(key))
	want := base64.RawURLEncoding.EncodeToString(sum[:24])

	fake := webpushfake.New(t) // refuses a Topic RFC 8030 forbids
	s := newSender(t)
	sub := fake.Subscribe()
	for _, ev := range []models.AlertEvent{models.EventNewChat, models.EventChatMessage} {
		n := sendNote()
		n.CollapseKey = push.CollapseKey(&models.Alert{ConversationID: chat, Event: ev})
		if r := s.Send(context.Background(), sub.Device(), n); r.Outcome != push.OutcomeSent {
			t.Fatalf("Send = %+v; rejections %v", r, fake.Rejections())
		}
	}
	for _, m := range fake.Messages() {
		if m.Topic != want {
			t.Errorf("Topic %q, want %q", m.Topic, want)
		}
	}
}
