package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// A whole Viber conversation through the API and the fake: a subscriber
// writes, the chat opens (assigned by the queue), the agent's reply
// reaches Viber under the agent's name, and Viber's delivered, seen and
// failed callbacks move the replies' statuses (never back).
func TestViberWholeConversation(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	if b.Delivery != models.DeliveryNative || b.OpenOn != models.OpenOnMessage {
		t.Fatalf("delivery %q open_on %q", b.Delivery, b.OpenOn)
	}
	const ana = "01234567890A="
	me.viberUser(ana, "Ana Ruiz")
	tok := me.vbSays(ana, viberfake.Text("Hola, ¿tienen envío a Lima?"))
	chat := me.chatOf(tm.emp1.AccessToken, b.ID, ana)
	eventually(t, "the chat opens", func() bool { return me.conv(tm.emp1.AccessToken, chat.ID).Status == models.StatusOpen })
	c := me.conv(tm.emp1.AccessToken, chat.ID)
	if c.AssigneeID != tm.emp1.Member.ID || c.SubscriberName != "Ana Ruiz" || c.Channel != models.ChannelViber || !c.ReplyWindowOpen {
		t.Fatalf("chat %+v, want Ana's, assigned to emp1, window open", c)
	}
	in := me.waitMsg(tm.emp1.AccessToken, chat.ID, "the subscriber's message", byExternal(tok))
	if in.Sender != models.SenderSubscriber || in.Kind != models.KindText || in.Text != "Hola, ¿tienen envío a Lima?" {
		t.Fatalf("inbound %+v", in)
	}

	// send replies one at a time and returns each with Viber's token.
	send := func(text string) (models.Message, int64) {
		t.Helper()
		n := len(me.vb.Sent())
		m := me.reply(me.t, tm.emp1.AccessToken, chat.ID, map[string]any{"text": text})
		if m.Status != models.DeliveryQueued || m.Tag != "" {
			t.Fatalf("reply %+v, want queued, untagged", m)
		}
		s := me.sentTo(t, n+1)[n]
		if field(s.Body, "sender.name") != tm.emp1.Member.Name || field(s.Body, "text") != text ||
			field(s.Body, "receiver") != ana || field(s.Body, "type") != "text" || s.Token != viberfake.Token {
			t.Fatalf("Viber received %+v, want %q from %q", s, text, tm.emp1.Member.Name)
		}
		m = me.waitMsg(tm.emp1.AccessToken, chat.ID, "the reply is sent", byID(m.ID, models.DeliverySent))
		if m.ExternalID != viberfake.TokenText(s.MessageToken) {
			t.Fatalf("external id %q, want Viber's token %d exactly", m.ExternalID, s.MessageToken)
		}
		return m, s.MessageToken
	}

	r1, t1 := send("¡Sí! Enviamos a todo Perú.")
	me.vbPost(me.vb.Receipt("delivered", t1, ana))
	me.waitMsg(tm.emp1.AccessToken, chat.ID, "delivered", byID(r1.ID, models.DeliveryDelivered))
	me.vbPost(me.vb.Receipt("seen", t1, ana))
	me.waitMsg(tm.emp1.AccessToken, chat.ID, "read", byID(r1.ID, models.DeliveryRead))

	// Seen overtaking delivered: the late delivered does not move it back.
	r2, t2 := send("El envío tarda 3 días.")
	me.vbPost(me.vb.Receipt("seen", t2, ana))
	me.waitMsg(tm.emp1.AccessToken, chat.ID, "read", byID(r2.ID, models.DeliveryRead))
	me.vbPost(me.vb.Receipt("delivered", t2, ana))

	r3, t3 := send("¿Algo más?")
	me.vbPost(me.vb.Failed(t3, ana, "the user's device does not support this message"))
	f := me.waitMsg(tm.emp1.AccessToken, chat.ID, "failed", byID(r3.ID, models.DeliveryFailed))
	if !strings.Contains(f.Error, "the user's device does not support this message") {
		t.Fatalf("failed with %q, want Viber's reason", f.Error)
	}
	// 1 message + 2 + 2 + 1 receipts, all applied.
	me.updatesDone(tm.admin.AccessToken, b.ID, 6)
	for _, m := range me.history(tm.emp1.AccessToken, chat.ID, "") {
		if m.ID == r2.ID && m.Status != models.DeliveryRead {
			t.Fatalf("a late delivered moved a read message back to %q", m.Status)
		}
	}
	if n := len(me.vb.Sent()); n != 3 {
		t.Fatalf("Viber received %d messages, want 3", n)
	}

	// A sender's name is cut to Viber's 28 characters (not bytes).
	long := "Марія-Тереза Олександрівна Шевченко-Ковальчук"
	wantStatus(t, me.call("PATCH", "/v1/members/"+tm.admin.Member.ID, tm.admin.AccessToken, map[string]any{"name": long}), http.StatusOK)
	me.reply(me.t, tm.admin.AccessToken, chat.ID, map[string]any{"text": "one more thing"})
	if got := field(me.sentTo(t, 4)[3].Body, "sender.name"); got != string([]rune(long)[:28]) {
		t.Fatalf("sender.name %q, want the name's first 28 characters", got)
	}
}
