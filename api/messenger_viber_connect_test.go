package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	vbchan "github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// botCount is how many bots the admin sees.
func (me *msgEnv) botCount(admin string) int {
	me.t.Helper()
	r := me.call("GET", "/v1/bots", admin, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Bot }
	r.JSON(me.t, &l)
	return len(l.Items)
}

// wantField wants a 400 problem (the API's answer to every invalid
// input; the README's Messengers section says 422) naming field with a
// message containing text.
func wantField(t *testing.T, r resp, field, text string) {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	p := r.Problem(t)
	for _, f := range p.Errors {
		if f.Field == field && strings.Contains(f.Message, text) {
			return
		}
	}
	t.Fatalf("problem %+v, want field %s saying %q", p, field, text)
}

// Without a public URL Viber cannot reach the server: the bot is refused,
// naming channel, and nothing is stored or registered.
func TestViberConnectNeedsPublicURL(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	r := me.call("POST", "/v1/bots", tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Support",
		"credentials": map[string]string{"auth_token": viberfake.Token}})
	wantField(t, r, "channel", "SWITCHBOARD_PUBLIC_URL")
	if n := me.botCount(tm.admin.AccessToken); n != 0 || me.vb.Webhook(viberfake.Token) != "" {
		t.Fatalf("%d bots stored, webhook %q, want none", n, me.vb.Webhook(viberfake.Token))
	}
}

// A token Viber does not know is refused naming credentials.auth_token;
// a good one registers the webhook (answering Viber's signed check) for
// the event types Switchboard handles; disconnecting removes it.
func TestViberConnectWebhookAndDisconnect(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	for name, creds := range map[string]map[string]string{
		"unknown token": {"auth_token": "4a5f1c0de0a1b2c3-not-a-viber-token"},
		"empty token":   {"auth_token": " "},
	} {
		r := me.call("POST", "/v1/bots", tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Support", "credentials": creds})
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: HTTP %d %s", name, r.StatusCode, r.Body)
		}
		wantField(t, r, "credentials.auth_token", "")
	}
	if n := me.botCount(tm.admin.AccessToken); n != 0 || me.vb.Webhook(viberfake.Token) != "" {
		t.Fatalf("refusals left %d bots, webhook %q", n, me.vb.Webhook(viberfake.Token))
	}

	b := me.viberBot(tm.admin.AccessToken, nil)
	c := b.Connection
	if c == nil || c.State != models.ConnConnected || c.Transport != models.TransportWebhook || b.Delivery != models.DeliveryNative {
		t.Fatalf("bot %+v connection %+v", b, c)
	}
	hook := me.vb.Webhook(viberfake.Token)
	if hook != me.public+"/v1/hooks/viber/"+tm.admin.Workspace.ID+"/"+b.ID || c.WebhookURL != hook {
		t.Fatalf("webhook %q (connection says %q)", hook, c.WebhookURL)
	}
	if got := me.vb.EventTypes(viberfake.Token); !slices.Equal(got, vbchan.EventTypes) ||
		!slices.Contains(got, "delivered") || !slices.Contains(got, "seen") || !slices.Contains(got, "failed") ||
		!slices.Contains(got, "subscribed") || !slices.Contains(got, "unsubscribed") || !slices.Contains(got, "conversation_started") {
		t.Fatalf("event types %v", got)
	}
	if c.Account != "switchboardfake" {
		t.Fatalf("account %q, want the bot's URI", c.Account)
	}
	// Viber's check, sent again as it is at set_webhook: answered 200 and
	// not stored as an update.
	me.vbPost([]byte(`{"event":"webhook","timestamp":1764950000000,"chat_hostname":"SN-FAKE_","message_token":5491623847362519999}`))
	me.updatesDone(tm.admin.AccessToken, b.ID, 0)

	r := me.call("POST", "/v1/bots/"+b.ID+"/disconnect", tm.admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var d models.Bot
	r.JSON(t, &d)
	if d.Connection == nil || d.Connection.State != models.ConnDisconnected || me.vb.Webhook(viberfake.Token) != "" {
		t.Fatalf("after disconnect: connection %+v, webhook %q", d.Connection, me.vb.Webhook(viberfake.Token))
	}
	// A late signed callback to the old address is acknowledged and dropped.
	me.viberUser("late==", "Late")
	body, _ := me.vb.Message("late==", viberfake.Text("are you there?"))
	wantStatus(t, me.vbRawTo(hook, body, viberfake.Sign(viberfake.Token, body)), http.StatusOK)
	me.updatesDone(tm.admin.AccessToken, b.ID, 0)
	if subs := me.subscribers(tm.admin.AccessToken, b.ID); len(subs) != 0 {
		t.Fatalf("a disconnected bot stored %+v", subs)
	}

	// Reconnecting with another account's token: Viber's check comes
	// signed with the new token before it is stored, and is answered.
	const token2 = "5b6a2d1ef1b2c3d4-second0viber0token-1e2f3a4b5c6d7e8f"
	me.vb.AddAccount(token2, "pa:2", "Second", "second")
	r = me.call("POST", "/v1/bots/"+b.ID+"/connect", tm.admin.AccessToken, map[string]any{"credentials": map[string]string{"auth_token": token2}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &d)
	if d.Connection == nil || d.Connection.State != models.ConnConnected || me.vb.Webhook(token2) != hook {
		t.Fatalf("after reconnect: connection %+v, webhook %q", d.Connection, me.vb.Webhook(token2))
	}
	body, _ = me.vb.Message("late==", viberfake.Text("hello again"))
	if code, err := me.vb.Post(context.Background(), token2, body); err != nil || code != http.StatusOK {
		t.Fatalf("a callback signed with the new token: %d %v", code, err)
	}
	wantStatus(t, me.vbRawTo(hook, body, viberfake.Sign(viberfake.Token, body)), http.StatusUnauthorized)
	me.updatesDone(tm.admin.AccessToken, b.ID, 1)
}
