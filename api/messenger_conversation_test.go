package api_test

import (
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// A whole conversation with a real protocol on both sides: a subscriber
// writes to a native Telegram bot, the chat opens (assigned by the queue),
// the agent replies, the messenger receives the reply with its quote, and
// the reply's status reaches the history. Once by long polling, once by
// webhook.
func TestTelegramWholeConversation(t *testing.T) {
	t.Parallel()
	for _, webhooks := range []bool{false, true} {
		name := map[bool]string{false: "polling", true: "webhook"}[webhooks]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			me := newMessengerEnv(t, msgOptions{webhooks: webhooks})
			tm := me.team()
			b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
			if b.Connection == nil || b.Connection.State != models.ConnConnected || string(b.Connection.Transport) != name {
				t.Fatalf("connection %+v, want connected by %s", b.Connection, name)
			}
			if b.Delivery != models.DeliveryNative || b.OpenOn != models.OpenOnMessage {
				t.Fatalf("delivery %q open_on %q", b.Delivery, b.OpenOn)
			}
			ana := telegramfake.User{ID: 5001, FirstName: "Ana", LastName: "Ruiz", Username: "anaruiz"}
			u := me.tg.UserSends(5001, ana, "Hola, ¿tienen envío a Lima?")
			var chat models.Conversation
			eventually(t, "the chat opens", func() bool {
				for _, c := range me.chats(tm.emp1.AccessToken) {
					if c.BotID == b.ID {
						chat = c
						return c.Status == models.StatusOpen
					}
				}
				return false
			})
			if chat.AssigneeID != tm.emp1.Member.ID || chat.SubscriberName != "Ana Ruiz" {
				t.Fatalf("chat %+v, want Ana's, assigned to emp1", chat)
			}
			hist := me.history(tm.emp1.AccessToken, chat.ID, "")
			var inbound *models.Message
			for i := range hist {
				if hist[i].Sender == models.SenderSubscriber {
					inbound = &hist[i]
				}
			}
			if inbound == nil || inbound.Text != "Hola, ¿tienen envío a Lima?" {
				t.Fatalf("history %+v", hist)
			}
			r := me.call("POST", "/v1/conversations/"+chat.ID+"/messages", tm.emp1.AccessToken,
				map[string]string{"text": "¡Sí! Enviamos a todo Perú.", "reply_to": inbound.ID})
			wantStatus(t, r, http.StatusCreated)
			var reply models.Message
			r.JSON(t, &reply)
			// The answer is the message as stored: queued, or already sent
			// when the worker was quicker than the answer.
			if reply.Status != models.DeliveryQueued && reply.Status != models.DeliverySent {
				t.Fatalf("reply status %q, want queued (or sent)", reply.Status)
			}
			eventually(t, "Telegram receives the reply", func() bool { return len(me.tg.Sent(5001)) == 1 })
			sent := me.tg.Sent(5001)[0]
			if sent.Plain != "¡Sí! Enviamos a todo Perú." || sent.ReplyTo != u.Message.MessageID {
				t.Fatalf("sent %+v, want the reply quoting message %d", sent, u.Message.MessageID)
			}
			// The agent's app hears of the reply's status by delta-sync
			// (its first sync may come before or after the send).
			dev := newReplica()
			dev.sync(me.env, tm.emp1.AccessToken, nil)
			eventually(t, "the reply's status reaches the app", func() bool {
				dev.sync(me.env, tm.emp1.AccessToken, nil)
				rec := dev.tables[models.TableMessages][reply.ID]
				return rec != nil && rec["status"] == string(models.DeliverySent) && rec["external_id"] != ""
			})
			if len(dev.problems) > 0 {
				t.Fatalf("the app's sync logged problems: %v", dev.problems)
			}
		})
	}
}
