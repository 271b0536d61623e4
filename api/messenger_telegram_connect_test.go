package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// listBots lists the workspace's bots.
func (me *msgEnv) listBots(token string) []models.Bot {
	me.t.Helper()
	r := me.call("GET", "/v1/bots", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Bot }
	r.JSON(me.t, &l)
	return l.Items
}

// A token Telegram refuses is answered naming credentials.token, and no
// bot is stored.
func TestTelegramConnectBadToken(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	admin := me.admin("admin@example.com").AccessToken
	r := me.call("POST", "/v1/bots", admin, map[string]any{"channel": "telegram", "name": "Support",
		"credentials": map[string]string{"token": "110201543:AAwrongTokenNotKnownToTelegram"}})
	// 400 like every invalid input of this API (and openapi.yaml's
	// responses of createBot), although the prose of README and
	// openapi.yaml says 422.
	wantStatus(t, r, http.StatusBadRequest)
	p := r.Problem(t)
	if len(p.Errors) == 0 || p.Errors[0].Field != "credentials.token" || !strings.Contains(p.Errors[0].Message, "Telegram") {
		t.Fatalf("problem %+v, want credentials.token named", p)
	}
	if strings.Contains(string(r.Body), "AAwrongToken") {
		t.Fatal("the answer repeats the token")
	}
	if bots := me.listBots(admin); len(bots) != 0 {
		t.Fatalf("a refused connect stored %+v", bots)
	}
	if me.tg.Webhook().URL != "" {
		t.Fatal("a refused connect set a webhook")
	}
}

// Connecting by webhook registers it with a secret and the update types
// Switchboard handles; the bot shows when it last got an update;
// disconnecting removes the webhook, reconnecting sets a new one, and
// deleting the bot removes it too.
func TestTelegramConnectWebhookLifecycle(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	admin, ws := tm.admin.AccessToken, tm.admin.Workspace.ID
	b := me.telegramBot(admin, nil)
	c := b.Connection
	if c == nil || c.State != models.ConnConnected || c.Transport != models.TransportWebhook || c.Account != me.tg.Bot().Username ||
		c.WebhookURL != me.public+"/v1/hooks/telegram/"+ws+"/"+b.ID || c.LastUpdateAt != nil {
		t.Fatalf("connection %+v", c)
	}
	hook := me.tg.Webhook()
	if hook.URL != c.WebhookURL || hook.Secret == "" || hook.Secret != me.secret(ws, b) {
		t.Fatalf("Telegram's webhook %+v, want %s with the bot's secret", hook, c.WebhookURL)
	}
	for _, k := range []string{"message", "edited_message", "callback_query", "message_reaction", "my_chat_member"} {
		if !slices.Contains(hook.AllowedUpdates, k) {
			t.Fatalf("allowed_updates %v lack %s", hook.AllowedUpdates, k)
		}
	}
	if me.webhookURL(nativeToken) != c.WebhookURL {
		t.Fatal("getWebhookInfo does not show the webhook")
	}

	u := tgUser(9601, "Web")
	me.tg.UserSends(u.ID, u, "por webhook")
	me.waitMessage(t, admin, b.ID, u.ID, "the message", fromSubscriber(models.KindText))
	eventually(t, "last_update_at", func() bool {
		got := me.getBot(admin, b.ID)
		return got.Connection != nil && got.Connection.LastUpdateAt != nil
	})

	r := me.call("POST", "/v1/bots/"+b.ID+"/disconnect", admin, nil)
	wantStatus(t, r, http.StatusOK)
	var d models.Bot
	r.JSON(t, &d)
	if d.Connection == nil || d.Connection.State != models.ConnDisconnected || d.Connection.WebhookURL != "" {
		t.Fatalf("connection %+v, want disconnected", d.Connection)
	}
	if got := me.getBot(admin, b.ID); got.Connection.State != models.ConnDisconnected {
		t.Fatalf("the bot shows %s", got.Connection.State)
	}
	if url := me.webhookURL(nativeToken); url != "" {
		t.Fatalf("Telegram still has the webhook %q", url)
	}

	r = me.call("POST", "/v1/bots/"+b.ID+"/connect", admin, map[string]any{})
	wantStatus(t, r, http.StatusOK)
	again := me.tg.Webhook()
	if again.URL != c.WebhookURL || again.Secret == "" || again.Secret == hook.Secret {
		t.Fatalf("reconnected webhook %+v, want the same URL with a new secret", again)
	}
	me.tg.UserSends(u.ID, u, "de vuelta")
	me.waitMessage(t, admin, b.ID, u.ID, "the message after reconnecting", func(m models.Message) bool { return m.Text == "de vuelta" })

	wantStatus(t, me.call("DELETE", "/v1/bots/"+b.ID, admin, nil), http.StatusNoContent)
	if url := me.webhookURL(nativeToken); url != "" {
		t.Fatalf("deleting the bot left the webhook %q", url)
	}
}

// A polling bot shows its transport and its last update too.
func TestTelegramConnectPollingHealth(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	if b.Connection == nil || b.Connection.Transport != models.TransportPolling || b.Connection.WebhookURL != "" {
		t.Fatalf("connection %+v, want polling", b.Connection)
	}
	if me.tg.Webhook().URL != "" {
		t.Fatal("a polling bot has a webhook")
	}
	u := tgUser(9701, "Poll")
	me.tg.UserSends(u.ID, u, "hola")
	eventually(t, "last_update_at", func() bool {
		got := me.getBot(admin, b.ID)
		return got.Connection != nil && got.Connection.LastUpdateAt != nil && got.Connection.State == models.ConnConnected
	})
}
