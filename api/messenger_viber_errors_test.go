package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// Viber's refusals of a send are classified: an unsubscribed receiver
// fails the message (bot_blocked) after one call; tooManyRequests and
// HTTP 5xx are retried until sent; a revoked token fails the message and
// breaks the bot.
func TestViberSendErrors(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	users := []string{"iVy0==", "jOe0==", "kIm0==", "lEa0=="}
	chats := map[string]string{}
	for _, u := range users {
		me.viberUser(u, "User "+u[:3])
		me.vbSays(u, viberfake.Text("hi"))
		chats[u] = me.chatOf(tm.emp1.AccessToken, b.ID, u).ID
	}
	// Each new subscriber's profile is read once; the failures below are
	// programmed for the sends alone.
	eventually(t, "the profiles are read", func() bool { return me.vb.Calls("get_user_details") == len(users) })
	me.updatesDone(tm.admin.AccessToken, b.ID, len(users))

	// retried waits for message id of chat to be sent, moving the runner's
	// clock so that its retries fall due.
	retried := func(chat, id string) models.Message {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			for _, m := range me.history(tm.emp1.AccessToken, chat, "") {
				if m.ID == id && m.Status != models.DeliveryQueued {
					return m
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %s was never retried to the end", id)
			}
			me.inboxClock.Advance(3 * time.Second)
			time.Sleep(20 * time.Millisecond)
		}
	}
	calls := func() int { return me.vb.Calls("send_message") }

	// Not subscribed (Viber status 6): failed, never retried.
	me.vb.SetSubscribed(users[0], false)
	m := me.reply(me.t, tm.emp1.AccessToken, chats[users[0]], map[string]any{"text": "are you there?"})
	m = me.waitMsg(tm.emp1.AccessToken, chats[users[0]], "the send fails", byID(m.ID, models.DeliveryFailed))
	if !strings.HasPrefix(m.Error, "bot_blocked") || calls() != 1 {
		t.Fatalf("unsubscribed receiver: error %q after %d calls, want bot_blocked after 1", m.Error, calls())
	}

	// tooManyRequests (12), twice: retried, then sent.
	me.vb.FailNext(viberfake.StatusTooManyRequests, 2)
	m = me.reply(me.t, tm.emp1.AccessToken, chats[users[1]], map[string]any{"text": "rate limited"})
	if m = retried(chats[users[1]], m.ID); m.Status != models.DeliverySent || calls() != 4 {
		t.Fatalf("after tooManyRequests: %q (%s) after %d calls, want sent after 3 more", m.Status, m.Error, calls())
	}

	// HTTP 502, twice: retried, then sent.
	me.vb.FailHTTP(http.StatusBadGateway, 2)
	m = me.reply(me.t, tm.emp1.AccessToken, chats[users[2]], map[string]any{"text": "through a bad gateway"})
	if m = retried(chats[users[2]], m.ID); m.Status != models.DeliverySent || calls() != 7 {
		t.Fatalf("after HTTP 502: %q (%s) after %d calls, want sent after 3 more", m.Status, m.Error, calls())
	}
	if s := me.vb.Sent(); len(s) != 2 || field(s[0].Body, "text") != "rate limited" || field(s[1].Body, "text") != "through a bad gateway" {
		t.Fatalf("Viber accepted %+v", s)
	}

	// The token revoked: the message fails and the bot is broken.
	me.vb.RevokeToken(viberfake.Token)
	m = me.reply(me.t, tm.emp1.AccessToken, chats[users[3]], map[string]any{"text": "anyone?"})
	m = me.waitMsg(tm.emp1.AccessToken, chats[users[3]], "the send fails", byID(m.ID, models.DeliveryFailed))
	if !strings.HasPrefix(m.Error, "unauthorized") || calls() != 8 {
		t.Fatalf("revoked token: error %q after %d calls", m.Error, calls())
	}
	r := me.call("GET", "/v1/bots/"+b.ID, tm.admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var got models.Bot
	r.JSON(t, &got)
	if got.Connection == nil || got.Connection.State != models.ConnBroken || got.Connection.LastError == "" {
		t.Fatalf("bot connection %+v, want broken with Viber's words", got.Connection)
	}
}
