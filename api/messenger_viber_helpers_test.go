package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// viberBot connects a native Viber bot with the fake's account token.
func (me *msgEnv) viberBot(admin string, extra map[string]any) models.Bot {
	me.t.Helper()
	body := map[string]any{"channel": "viber", "name": "Support", "credentials": map[string]string{"auth_token": viberfake.Token}}
	for k, v := range extra {
		body[k] = v
	}
	return me.bot(admin, body)
}

// vbPost posts a callback to the bot's webhook, signed as Viber signs
// it, and wants 200.
func (me *msgEnv) vbPost(body []byte) {
	me.t.Helper()
	code, err := me.vb.Post(context.Background(), viberfake.Token, body)
	if err != nil || code != http.StatusOK {
		me.t.Fatalf("callback %s: HTTP %d, %v", body, code, err)
	}
}

// vbRaw posts body to the registered webhook with signature sig ("" no
// header) and returns the response.
func (me *msgEnv) vbRaw(body []byte, sig string) resp {
	me.t.Helper()
	return me.vbRawTo(me.vb.Webhook(viberfake.Token), body, sig)
}

// vbRawTo posts body to url with signature sig ("" no header).
func (me *msgEnv) vbRawTo(url string, body []byte, sig string) resp {
	me.t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		me.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Viber-Content-Signature", sig)
	}
	return me.do(req)
}

// vbSays posts a message callback of user uid and returns its token.
func (me *msgEnv) vbSays(uid string, m viberfake.Msg) int64 {
	me.t.Helper()
	body, tok := me.vb.Message(uid, m)
	me.vbPost(body)
	return tok
}

// viberUser adds a subscribed user to the fake.
func (me *msgEnv) viberUser(uid, name string) {
	me.vb.AddUser(viberfake.User{ID: uid, Name: name, Country: "PE", Language: "es", Subscribed: true})
}

// chatOf waits for the bot's chat with subscriber uid to exist (seen by
// token) and returns it.
func (me *msgEnv) chatOf(token, botID, uid string) models.Conversation {
	me.t.Helper()
	sub := me.viberSubscriber(token, botID, uid)
	var chat models.Conversation
	eventually(me.t, "the chat of "+uid+" exists", func() bool {
		for _, c := range me.chats(token) {
			if c.BotID == botID && c.SubscriberID == sub.ID {
				chat = c
				return true
			}
		}
		return false
	})
	return chat
}

// subscribers lists the bot's subscribers.
func (me *msgEnv) subscribers(token, botID string) []models.Subscriber {
	me.t.Helper()
	r := me.call("GET", "/v1/subscribers?bot_id="+botID, token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Subscriber }
	r.JSON(me.t, &l)
	return l.Items
}

// subscriberOf waits for the bot's subscriber uid and returns it.
func (me *msgEnv) viberSubscriber(token, botID, uid string) models.Subscriber {
	me.t.Helper()
	var out models.Subscriber
	eventually(me.t, "subscriber "+uid+" is stored", func() bool {
		for _, s := range me.subscribers(token, botID) {
			if s.ExternalID == uid {
				out = s
				return true
			}
		}
		return false
	})
	return out
}

// waitMsg waits until the chat has a message satisfying ok and returns it.
func (me *msgEnv) waitMsg(token, convID, what string, ok func(models.Message) bool) models.Message {
	me.t.Helper()
	var out models.Message
	eventually(me.t, what, func() bool {
		for _, m := range me.history(token, convID, "") {
			if ok(m) {
				out = m
				return true
			}
		}
		return false
	})
	return out
}

// byExternal matches the subscriber's message with the Viber token tok.
func byExternal(tok int64) func(models.Message) bool {
	return func(m models.Message) bool { return m.ExternalID == viberfake.TokenText(tok) }
}

// byID matches message id in the given status ("" any).
func byID(id string, st models.DeliveryStatus) func(models.Message) bool {
	return func(m models.Message) bool { return m.ID == id && (st == "" || m.Status == st) }
}

// updatesDone waits until the bot has n updates, all applied (a failed
// one fails the test).
func (me *msgEnv) updatesDone(admin, botID string, n int) {
	me.t.Helper()
	eventually(me.t, "the updates are processed", func() bool {
		r := me.call("GET", "/v1/bots/"+botID+"/updates", admin, nil)
		wantStatus(me.t, r, http.StatusOK)
		var l struct{ Items []models.InboundUpdate }
		r.JSON(me.t, &l)
		for _, u := range l.Items {
			if u.State == models.UpdatePending {
				return false
			}
			if u.State != models.UpdateDone {
				me.t.Fatalf("update %s (%s) is %s: %s", u.ID, u.Key, u.State, u.Error)
			}
		}
		return len(l.Items) == n
	})
}

// sentTo waits for the fake to have accepted n messages and returns them.
func (me *msgEnv) sentTo(t testing.TB, n int) []viberfake.Sent {
	t.Helper()
	eventually(t, "Viber receives the messages", func() bool { return len(me.vb.Sent()) >= n })
	s := me.vb.Sent()
	if len(s) != n {
		t.Fatalf("Viber received %d messages, want %d: %+v", len(s), n, s)
	}
	return s
}

// field reads a nested string field of a sent message's body.
func field(body map[string]any, path string) any {
	var cur any = body
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}
