package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// An agent's text is at most 512 characters: 513 is refused naming text
// (400, as every invalid input in this API) and nothing is sent.
func TestTelegramOutboundTextBound(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken
	u := tgUser(9101, "Len")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
	r := me.call("POST", "/v1/conversations/"+chat.ID+"/messages", emp, map[string]any{"text": strings.Repeat("ñ", 513)})
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != "text" {
		t.Fatalf("problem %+v, want text named", p)
	}
	m := me.reply(t, emp, chat.ID, map[string]any{"text": strings.Repeat("ñ", 512)})
	me.waitStatus(t, emp, chat.ID, m.ID, models.DeliverySent)
	if s := me.tg.Sent(u.ID); len(s) != 1 || s[0].Plain != strings.Repeat("ñ", 512) {
		t.Fatalf("Telegram got %+v, want the one 512-character text", s)
	}
}

// Files an agent sends reach Telegram as multipart uploads with the same
// bytes: a photo by sendPhoto, anything else by sendDocument.
func TestTelegramOutboundFiles(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken
	u := tgUser(9201, "Doc")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "mándame la factura")
	for i, c := range []struct {
		name  string
		data  []byte
		field string
	}{{"plano.png", tgPNG, "photo"}, {"factura.pdf", tgPDF, "document"}} {
		r := me.upload(emp, chat.ID, c.name, c.data)
		wantStatus(t, r, http.StatusCreated)
		var f models.File
		r.JSON(t, &f)
		m := me.reply(t, emp, chat.ID, map[string]any{"file_id": f.ID})
		me.waitStatus(t, emp, chat.ID, m.ID, models.DeliverySent)
		sent := me.tg.Sent(u.ID)
		if len(sent) != i+1 {
			t.Fatalf("Telegram got %d messages, want %d", len(sent), i+1)
		}
		got := sent[i].File
		if got == nil || got.Field != c.field || got.Name != c.name || !bytes.Equal(got.Data, c.data) {
			t.Fatalf("%s arrived as %+v, want a %s upload of the same bytes", c.name, got, c.field)
		}
	}
	if me.tg.Calls("sendPhoto") != 1 || me.tg.Calls("sendDocument") != 1 {
		t.Fatalf("sendPhoto %d, sendDocument %d calls", me.tg.Calls("sendPhoto"), me.tg.Calls("sendDocument"))
	}
}

// Each class of Telegram error: permanent ones fail the message at once
// with the reason, passing ones are retried until sent.
func TestTelegramOutboundErrors(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken

	t.Run("blocked", func(t *testing.T) {
		u := tgUser(9301, "Blk")
		chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
		me.tg.Block(u.ID)
		before := me.tg.Calls("sendMessage")
		m := me.reply(t, emp, chat.ID, map[string]any{"text": "¿sigues ahí?"})
		m = me.waitStatus(t, emp, chat.ID, m.ID, models.DeliveryFailed)
		if !strings.HasPrefix(m.Error, "bot_blocked") {
			t.Fatalf("error %q, want bot_blocked", m.Error)
		}
		if n := me.tg.Calls("sendMessage") - before; n != 1 {
			t.Fatalf("%d sendMessage calls, want 1 (no retry of a permanent error)", n)
		}
	})

	t.Run("chat not found", func(t *testing.T) {
		u := tgUser(9302, "Gone")
		chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
		me.tg.ChatNotFound(u.ID)
		m := me.reply(t, emp, chat.ID, map[string]any{"text": "hola"})
		m = me.waitStatus(t, emp, chat.ID, m.ID, models.DeliveryFailed)
		if !strings.HasPrefix(m.Error, "chat_not_found") {
			t.Fatalf("error %q, want chat_not_found", m.Error)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		u := tgUser(9303, "Fast")
		chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
		me.tg.RateLimit(u.ID, 1, 2)
		before := me.tg.Calls("sendMessage")
		m := me.reply(t, emp, chat.ID, map[string]any{"text": "despacio"})
		me.nudge(t, "the rate-limited message is sent", func() bool {
			got, _ := me.message(emp, chat.ID, m.ID)
			return got.Status == models.DeliverySent
		})
		if n := me.tg.Calls("sendMessage") - before; n != 3 {
			t.Fatalf("%d sendMessage calls, want 3 (two 429s, then sent)", n)
		}
		if s := me.tg.Sent(u.ID); len(s) != 1 || s[0].Plain != "despacio" {
			t.Fatalf("Telegram got %+v", s)
		}
	})

	t.Run("server error", func(t *testing.T) {
		u := tgUser(9304, "Five")
		chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
		me.tg.Fail(u.ID, http.StatusBadGateway, 2)
		before := me.tg.Calls("sendMessage")
		m := me.reply(t, emp, chat.ID, map[string]any{"text": "otra vez"})
		me.nudge(t, "the message is sent after the 502s", func() bool {
			got, _ := me.message(emp, chat.ID, m.ID)
			return got.Status == models.DeliverySent
		})
		if n := me.tg.Calls("sendMessage") - before; n != 3 {
			t.Fatalf("%d sendMessage calls, want 3", n)
		}
	})
}

// A revoked token fails the message ("unauthorized"), breaks the bot
// with the messenger's words, and fails later sends at once; connecting
// again with a new token repairs it, and the failed message's retry is
// a new message that arrives.
func TestTelegramOutboundRevokedToken(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken
	u := tgUser(9401, "Rev")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")

	me.tg.Revoke(nativeToken)
	m := me.reply(t, emp, chat.ID, map[string]any{"text": "primero"})
	m = me.waitStatus(t, emp, chat.ID, m.ID, models.DeliveryFailed)
	if !strings.HasPrefix(m.Error, "unauthorized") {
		t.Fatalf("error %q, want unauthorized", m.Error)
	}
	got := me.getBot(admin, b.ID)
	if got.Connection == nil || got.Connection.State != models.ConnBroken || got.Connection.LastError == "" || got.Connection.LastErrorAt == nil {
		t.Fatalf("connection %+v, want broken with the last error", got.Connection)
	}
	if strings.Contains(got.Connection.LastError, nativeToken) {
		t.Fatal("the last error shows the token")
	}
	m2 := me.reply(t, emp, chat.ID, map[string]any{"text": "segundo"})
	m2 = me.waitStatus(t, emp, chat.ID, m2.ID, models.DeliveryFailed)
	if !strings.HasPrefix(m2.Error, "unauthorized") {
		t.Fatalf("error %q, want unauthorized", m2.Error)
	}

	const newToken = "110201543:BBnewTokenFromBotFatherAfterRevoke0"
	fresh := me.tg.AddBot(newToken, me.tg.Bot())
	r := me.call("POST", "/v1/bots/"+b.ID+"/connect", admin, map[string]any{"credentials": map[string]string{"token": newToken}})
	wantStatus(t, r, http.StatusOK)
	var rb models.Bot
	r.JSON(t, &rb)
	if rb.Connection == nil || rb.Connection.State != models.ConnConnected {
		t.Fatalf("connection %+v, want connected again", rb.Connection)
	}
	r = me.call("POST", "/v1/conversations/"+chat.ID+"/messages/"+m.ID+"/retry", emp, nil)
	wantStatus(t, r, http.StatusCreated)
	var again models.Message
	r.JSON(t, &again)
	if again.ID == m.ID || again.Status == models.DeliveryFailed || again.Text != "primero" {
		t.Fatalf("retry %+v, want a new message with the same text, queued (or already sent)", again)
	}
	me.waitStatus(t, emp, chat.ID, again.ID, models.DeliverySent)
	if s := fresh.Sent(u.ID); len(s) != 1 || s[0].Plain != "primero" {
		t.Fatalf("Telegram got %+v, want the retried message", s)
	}
	// Only a failed message can be retried.
	wantStatus(t, me.call("POST", "/v1/conversations/"+chat.ID+"/messages/"+again.ID+"/retry", emp, nil), http.StatusConflict)
}

// Deleting an agent's sent message within 48 hours deletes it on
// Telegram; later it is 409 and Telegram is not called.
func TestTelegramOutboundDelete(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken
	u := tgUser(9501, "Del")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hi")
	m1 := me.reply(t, emp, chat.ID, map[string]any{"text": "oops"})
	m2 := me.reply(t, emp, chat.ID, map[string]any{"text": "keep"})
	me.waitStatus(t, emp, chat.ID, m1.ID, models.DeliverySent)
	me.waitStatus(t, emp, chat.ID, m2.ID, models.DeliverySent)

	wantStatus(t, me.call("DELETE", "/v1/conversations/"+chat.ID+"/messages/"+m1.ID, emp, nil), http.StatusNoContent)
	if me.tg.Calls("deleteMessage") != 1 {
		t.Fatalf("%d deleteMessage calls, want 1", me.tg.Calls("deleteMessage"))
	}
	// The two replies may reach Telegram in either order (sends run in
	// parallel): the deleted one is told by its text.
	deleted := map[string]bool{}
	for _, s := range me.tg.Sent(u.ID) {
		deleted[s.Plain] = s.Deleted
	}
	if len(deleted) != 2 || !deleted["oops"] || deleted["keep"] {
		t.Fatalf("Telegram's messages %+v, want the first deleted", me.tg.Sent(u.ID))
	}

	me.inboxClock.Advance(48*time.Hour + time.Minute)
	r := me.call("DELETE", "/v1/conversations/"+chat.ID+"/messages/"+m2.ID, emp, nil)
	wantStatus(t, r, http.StatusConflict)
	if me.tg.Calls("deleteMessage") != 1 {
		t.Fatal("deleteMessage was called past 48 hours")
	}
}

// Replies reach the subscriber in the order they were written, even when
// the first is refused for a while (429 with retry_after): the later ones
// wait for it.
func TestTelegramRepliesKeepTheirOrder(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	u := tgUser(9310, "Orden")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hola")
	me.tg.RateLimit(u.ID, 1, 1)
	texts := []string{"uno", "dos", "tres", "cuatro"}
	var sent []models.Message
	for _, text := range texts {
		sent = append(sent, me.reply(t, tm.emp1.AccessToken, chat.ID, map[string]any{"text": text}))
	}
	me.nudge(t, "every reply is sent", func() bool {
		for _, m := range sent {
			if got, _ := me.message(tm.emp1.AccessToken, chat.ID, m.ID); got.Status != models.DeliverySent {
				return false
			}
		}
		return true
	})
	var got []string
	for _, s := range me.tg.Sent(u.ID) {
		got = append(got, s.Plain)
	}
	if !slices.Equal(got, texts) {
		t.Fatalf("Telegram got the replies as %q, want %q", got, texts)
	}
}
