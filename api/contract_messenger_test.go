package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/clients/goclient"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// contractEnv is the contract tests' server (see newContractEnv) with its
// native messenger connections, reachable as a msgEnv.
type contractEnv struct {
	*tgEnv
	me *msgEnv
}

// contractChat is the Telegram user whose chat the contract tests use.
var contractChat = tgUser(8801, "Contract")

// contractViberUser is the Viber user whose chat gets an agent's file.
const contractViberUser = "cOntract0=="

// nativeBody is the createBot body of a native bot of channel on the fakes.
func nativeBody(channel models.Channel) map[string]any {
	creds := map[string]string{"token": nativeToken}
	if channel == models.ChannelViber {
		creds = map[string]string{"auth_token": viberfake.Token}
	}
	return map[string]any{"channel": channel, "name": "Native " + string(channel), "credentials": creds}
}

// workspaceID is the caller's workspace.
func (me *msgEnv) workspaceID(token string) string {
	me.t.Helper()
	r := me.call("GET", "/v1/workspace", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var w models.Workspace
	r.JSON(me.t, &w)
	return w.ID
}

// failedUpdate waits for bot botID's update that could not be applied
// (one whose "message" is a string, posted to its webhook) and returns
// its id.
func (me *msgEnv) failedUpdate(t testing.TB, admin, botID string) string {
	t.Helper()
	var id string
	eventually(t, "the update fails", func() bool {
		if ups := me.updates(admin, botID, "failed"); len(ups) > 0 {
			id = ups[0].ID
		}
		return id != ""
	})
	return id
}

// unparsableUpdate is a Telegram update that passes intake (stored, 200)
// but fails processing: its message is a string.
var unparsableUpdate = []byte(`{"update_id":990000401,"message":"hello"}`)

// failedReply opens contractChat with bot b, makes Telegram refuse it,
// waits for an agent's reply to fail, then lets the chat through again.
// It returns the chat and the failed message.
func (me *msgEnv) failedReply(t testing.TB, admin, ws string, b models.Bot) (convID, msgID string) {
	t.Helper()
	wantStatus(t, me.hook(ws, b, me.tg.Webhook().Secret, tgTextUpdate(990000500, contractChat.ID, 1, "hi")), http.StatusOK)
	eventually(t, "the Telegram chat opens", func() bool {
		s, ok := me.subscriberOf(admin, b.ID, contractChat.ID)
		if ok {
			convID = models.ConversationID(s.ID)
		}
		return ok && me.call("GET", "/v1/conversations/"+convID, admin, nil).StatusCode == http.StatusOK
	})
	me.tg.Block(contractChat.ID)
	m := me.reply(t, admin, convID, map[string]any{"text": "are you there?"})
	me.waitStatus(t, admin, convID, m.ID, models.DeliveryFailed)
	me.tg.UserUnblocks(contractChat.ID, contractChat)
	return convID, m.ID
}

// signedMediaURL has an agent send a file to contractViberUser's chat with
// Viber bot b and returns the signed URL Viber received for it.
func (me *msgEnv) signedMediaURL(t testing.TB, admin string, b models.Bot) *url.URL {
	t.Helper()
	me.viberUser(contractViberUser, "Contract Viber")
	me.vbSays(contractViberUser, viberfake.Text("send me the invoice"))
	chat := me.chatOf(admin, b.ID, contractViberUser)
	r := me.upload(admin, chat.ID, "invoice.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 500)...))
	wantStatus(t, r, http.StatusCreated)
	var f models.File
	r.JSON(t, &f)
	me.reply(t, admin, chat.ID, map[string]any{"file_id": f.ID})
	var media string
	eventually(t, "Viber receives the file", func() bool {
		for _, s := range me.vb.Sent() {
			if m, ok := field(s.Body, "media").(string); ok && strings.HasPrefix(m, me.public+"/v1/media/") {
				media = m
			}
		}
		return media != ""
	})
	u, err := url.Parse(media)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// mediaParams splits a signed media URL into the signedMedia operation's
// workspace, file id and query.
func mediaParams(u *url.URL) (ws, id string, q goclient.SignedMediaParams) {
	ws, id = path.Base(path.Dir(u.Path)), path.Base(u.Path)
	return ws, id, goclient.SignedMediaParams{Exp: u.Query().Get("exp"), Sig: u.Query().Get("sig")}
}

// telegramSecret sends the webhook secret Telegram was given.
func telegramSecret(secret string) goclient.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		return nil
	}
}

// contractMessengersGo drives the native messenger operations through the
// Go client: bots on the fakes connected, disconnected and reconnected, a
// Telegram webhook delivery, a failed update retried, a failed reply
// retried and a file fetched by its signed URL.
func contractMessengersGo(t *testing.T, c *goclient.ClientWithResponses, me *msgEnv, adminToken string) {
	ctx := context.Background()
	admin := bearer(adminToken)
	creds := func(k, v string) *map[string]string { return &map[string]string{k: v} }
	tgBot := ok[*goclient.CreateBotResponse](t, "createBot", 201)(c.CreateBotWithResponse(ctx, goclient.BotCreate{Channel: goclient.ChannelTelegram,
		Name: "Native telegram", Credentials: creds("token", nativeToken)}, admin)).JSON201
	vbBot := ok[*goclient.CreateBotResponse](t, "createBot", 201)(c.CreateBotWithResponse(ctx, goclient.BotCreate{Channel: goclient.ChannelViber,
		Name: "Native viber", Credentials: creds("auth_token", viberfake.Token)}, admin)).JSON201
	ok[*goclient.DisconnectBotResponse](t, "disconnectBot", 200)(c.DisconnectBotWithResponse(ctx, vbBot.Id, admin))
	ok[*goclient.ReconnectBotResponse](t, "reconnectBot", 200)(c.ReconnectBotWithResponse(ctx, vbBot.Id, goclient.ReconnectBotJSONRequestBody{}, admin))

	ws := me.workspaceID(adminToken)
	secret := telegramSecret(me.tg.Webhook().Secret)
	hook := func(body []byte) {
		t.Helper()
		ok[*goclient.MessengerWebhookResponse](t, "messengerWebhook", 200)(c.MessengerWebhookWithBodyWithResponse(ctx, "telegram", ws, tgBot.Id,
			"application/json", bytes.NewReader(body), secret))
	}
	hook(tgTextUpdate(990000400, 8802, 1, "hello by webhook"))
	hook(unparsableUpdate)
	failed := me.failedUpdate(t, adminToken, tgBot.Id)
	ok[*goclient.ListBotUpdatesResponse](t, "listBotUpdates", 200)(c.ListBotUpdatesWithResponse(ctx, tgBot.Id,
		&goclient.ListBotUpdatesParams{State: ptr(goclient.ListBotUpdatesParamsStateFailed)}, admin))
	ok[*goclient.RetryBotUpdateResponse](t, "retryBotUpdate", 200)(c.RetryBotUpdateWithResponse(ctx, tgBot.Id, failed, admin))

	b := models.Bot{ID: tgBot.Id}
	convID, msgID := me.failedReply(t, adminToken, ws, b)
	ok[*goclient.RetryMessageResponse](t, "retryMessage", 201)(c.RetryMessageWithResponse(ctx, convID, msgID, goclient.RetryMessageJSONRequestBody{}, admin))

	mws, id, q := mediaParams(me.signedMediaURL(t, adminToken, models.Bot{ID: vbBot.Id}))
	ok[*goclient.SignedMediaResponse](t, "signedMedia", 200)(c.SignedMediaWithResponse(ctx, mws, id, &q))
}

// tsFixtures prepares on the TypeScript script's native bots what its
// calls need (see Fixtures in clients/ts/src/contract.ts): the Telegram
// webhook's secret and an update to post with it, a failed update, a
// failed reply and the signed URL of an agent's file sent to Viber.
func (me *msgEnv) tsFixtures(t *testing.T, admin string, native nativeBots) map[string]any {
	t.Helper()
	ws := me.workspaceID(admin)
	tgBot := models.Bot{ID: native.Telegram}
	secret := me.tg.Webhook().Secret
	wantStatus(t, me.hook(ws, tgBot, secret, unparsableUpdate), http.StatusOK)
	failed := me.failedUpdate(t, admin, tgBot.ID)
	convID, msgID := me.failedReply(t, admin, ws, tgBot)
	media := me.signedMediaURL(t, admin, models.Bot{ID: native.Viber})
	return map[string]any{"workspace": ws, "telegram_secret": secret, "telegram_update": json.RawMessage(tgTextUpdate(990000400, 8802, 1, "hello by webhook")),
		"failed_update": failed, "conversation": convID, "failed_message": msgID, "media_url": media.String()}
}
