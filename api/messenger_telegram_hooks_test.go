package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// tgTextUpdate is a Telegram update of user chatID writing text.
func tgTextUpdate(updateID, chatID, messageID int64, text string) []byte {
	return []byte(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,`+
		`"from":{"id":%d,"is_bot":false,"first_name":"Hook"},"chat":{"id":%d,"type":"private","first_name":"Hook"},"text":%q}}`,
		updateID, messageID, time.Now().Unix(), chatID, chatID, text))
}

// webhookBot is a bot connected by webhook, with its workspace and secret.
func webhookBot(t *testing.T) (*msgEnv, team, models.Bot, string) {
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, nil)
	return me, tm, b, me.secret(tm.admin.Workspace.ID, b)
}

// The same update delivered twice creates one message; the second
// delivery is acknowledged.
func TestTelegramHookRedelivery(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	ws, admin := tm.admin.Workspace.ID, tm.admin.AccessToken
	body := tgTextUpdate(990000001, 7101, 1, "una vez")
	wantStatus(t, me.hook(ws, b, secret, body), http.StatusOK)
	me.waitMessage(t, admin, b.ID, 7101, "the message", fromSubscriber(models.KindText))
	wantStatus(t, me.hook(ws, b, secret, body), http.StatusOK)
	// A later update of the chat, processed after the redelivery would
	// have been, shows when the worker is past it.
	wantStatus(t, me.hook(ws, b, secret, tgTextUpdate(990000002, 7101, 2, "dos")), http.StatusOK)
	me.waitMessage(t, admin, b.ID, 7101, "the later message", func(m models.Message) bool { return m.Text == "dos" })
	eventually(t, "both updates done", func() bool { return len(me.updates(admin, b.ID, "done")) == 2 })
	n := 0
	for _, m := range me.chatHistory(admin, b.ID, 7101) {
		if m.Sender == models.SenderSubscriber && m.Text == "una vez" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the redelivered update made %d messages, want 1", n)
	}
	if all := me.updates(admin, b.ID, ""); len(all) != 2 {
		t.Fatalf("%d updates stored, want 2", len(all))
	}
}

// A forged or missing secret is 401 and leaves no trace; malformed JSON
// with the right secret is 400; an unknown bot is 404; a body over the
// limit 413.
func TestTelegramHookRefusals(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	ws, admin := tm.admin.Workspace.ID, tm.admin.AccessToken
	body := tgTextUpdate(990000101, 7201, 1, "forged")
	for name, s := range map[string]string{"forged": strings.Repeat("x", len(secret)), "missing": "", "prefix": secret[:len(secret)-1]} {
		r := me.hook(ws, b, s, body)
		wantStatus(t, r, http.StatusUnauthorized)
		if p := r.Problem(t); p.Status != http.StatusUnauthorized {
			t.Fatalf("%s secret: problem %+v", name, p)
		}
	}
	if ups := me.updates(admin, b.ID, ""); len(ups) != 0 {
		t.Fatalf("refused requests stored %d updates", len(ups))
	}

	r := me.hook(ws, b, secret, []byte(`{"update_id": 990000102, "message": {`))
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "body" {
		t.Fatalf("malformed JSON: problem %+v, want the body named", p)
	}
	wantStatus(t, me.hook(ws, b, secret, []byte(`{"message": {}}`)), http.StatusBadRequest)

	unknown := b
	unknown.ID = models.NewID()
	wantStatus(t, me.hook(ws, unknown, secret, body), http.StatusNotFound)
	wantStatus(t, me.hook(models.NewID(), b, secret, body), http.StatusNotFound)

	// The limit is 1 MiB: a body of exactly that passes the size check.
	pad := func(n int) []byte {
		head := []byte(`{"update_id":990000103,"pad":"`)
		out := append(head, bytes.Repeat([]byte("a"), n-len(head)-2)...)
		return append(out, '"', '}')
	}
	wantStatus(t, me.hook(ws, b, secret, pad(1<<20+1)), http.StatusRequestEntityTooLarge)
	wantStatus(t, me.hook(ws, b, secret, pad(1<<20)), http.StatusOK)
	if ups := me.updates(admin, b.ID, ""); len(ups) != 1 || ups[0].Key != "990000103" {
		t.Fatalf("updates %+v, want only the one at the limit", ups)
	}
}

// An update of a kind Switchboard does not handle is acknowledged and
// ignored: done, no message.
func TestTelegramHookUnknownKind(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	ws, admin := tm.admin.Workspace.ID, tm.admin.AccessToken
	post := fmt.Sprintf(`{"update_id":990000201,"channel_post":{"message_id":5,"date":%d,"chat":{"id":-1009,"type":"channel","title":"News"},"text":"hi"}}`, time.Now().Unix())
	poll := `{"update_id":990000202,"poll":{"id":"p1","question":"?","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}`
	wantStatus(t, me.hook(ws, b, secret, []byte(post)), http.StatusOK)
	wantStatus(t, me.hook(ws, b, secret, []byte(poll)), http.StatusOK)
	eventually(t, "both updates done", func() bool { return len(me.updates(admin, b.ID, "done")) == 2 })
	r := me.call("GET", "/v1/subscribers?bot_id="+b.ID, admin, nil)
	wantStatus(t, r, http.StatusOK)
	var l struct{ Items []models.Subscriber }
	r.JSON(t, &l)
	if len(l.Items) != 0 {
		t.Fatalf("ignored updates made subscribers %+v", l.Items)
	}
	// An edit of a message Switchboard never saw is ignored too.
	edit := fmt.Sprintf(`{"update_id":990000203,"edited_message":{"message_id":77,"date":%d,"edit_date":%d,`+
		`"from":{"id":7501,"is_bot":false,"first_name":"Ed"},"chat":{"id":7501,"type":"private","first_name":"Ed"},"text":"edited"}}`,
		time.Now().Unix()-60, time.Now().Unix())
	wantStatus(t, me.hook(ws, b, secret, []byte(edit)), http.StatusOK)
	eventually(t, "the edit done", func() bool { return len(me.updates(admin, b.ID, "done")) == 3 })
	if f := me.updates(admin, b.ID, "failed"); len(f) != 0 {
		t.Fatalf("failed updates %+v", f)
	}
	for _, m := range me.chatHistory(admin, b.ID, 7501) {
		if m.Sender == models.SenderSubscriber {
			t.Fatalf("an edit of an unknown message made %+v", m)
		}
	}
}

// A disconnected bot's verified updates are acknowledged and dropped.
func TestTelegramHookDisconnectedBot(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	ws, admin := tm.admin.Workspace.ID, tm.admin.AccessToken
	wantStatus(t, me.call("POST", "/v1/bots/"+b.ID+"/disconnect", admin, nil), http.StatusOK)
	wantStatus(t, me.hook(ws, b, secret, tgTextUpdate(990000301, 7301, 1, "anyone?")), http.StatusOK)
	if ups := me.updates(admin, b.ID, ""); len(ups) != 0 {
		t.Fatalf("a disconnected bot stored %d updates", len(ups))
	}
}

// An update that cannot be applied is kept failed with its error; the
// admin's retry queues it again.
func TestTelegramHookFailedUpdateRetry(t *testing.T) {
	t.Parallel()
	me, tm, b, secret := webhookBot(t)
	ws, admin := tm.admin.Workspace.ID, tm.admin.AccessToken
	// Valid JSON with an update_id, but not a Telegram update: the
	// message is a string.
	wantStatus(t, me.hook(ws, b, secret, []byte(`{"update_id":990000401,"message":"hello"}`)), http.StatusOK)
	var failed models.InboundUpdate
	eventually(t, "the update fails", func() bool {
		ups := me.updates(admin, b.ID, "failed")
		if len(ups) == 1 {
			failed = ups[0]
		}
		return len(ups) == 1
	})
	if failed.Error == "" || failed.ProcessedAt == nil || !strings.Contains(failed.Error, "raw") {
		t.Fatalf("failed update %+v, want its error kept", failed)
	}
	me.inboxClock.Advance(time.Minute)
	r := me.call("POST", "/v1/bots/"+b.ID+"/updates/"+failed.ID+"/retry", admin, nil)
	wantStatus(t, r, http.StatusOK)
	var u models.InboundUpdate
	r.JSON(t, &u)
	if u.State != models.UpdatePending {
		t.Fatalf("retried update is %s, want pending", u.State)
	}
	eventually(t, "the retried update is processed again", func() bool {
		ups := me.updates(admin, b.ID, "failed")
		return len(ups) == 1 && ups[0].ProcessedAt.After(*failed.ProcessedAt)
	})
	// Only failed updates can be retried; others are a conflict.
	wantStatus(t, me.hook(ws, b, secret, tgTextUpdate(990000402, 7401, 1, "ok")), http.StatusOK)
	eventually(t, "the good update done", func() bool { return len(me.updates(admin, b.ID, "done")) == 1 })
	done := me.updates(admin, b.ID, "done")[0]
	wantStatus(t, me.call("POST", "/v1/bots/"+b.ID+"/updates/"+done.ID+"/retry", admin, nil), http.StatusConflict)
}
