package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestBotsAdminOnlyCredentialsHidden(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	r := e.call("POST", "/v1/bots", tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop",
		"credentials": map[string]string{"token": "123456:SECRET-TOKEN-ABCD"}, "queue": ids(tm.emp1, tm.emp2)})
	wantStatus(t, r, http.StatusCreated)
	if strings.Contains(string(r.Body), "SECRET") {
		t.Fatalf("credentials returned in full: %s", r.Body)
	}
	var b models.Bot
	r.JSON(t, &b)
	if b.CredentialsHint["token"] != "…ABCD" || len(b.Queue) != 2 || b.Seq == 0 {
		t.Fatalf("bot %+v", b)
	}
	for _, who := range []tokens{tm.emp1, tm.follower} {
		wantStatus(t, e.call("GET", "/v1/bots/"+b.ID, who.AccessToken, nil), http.StatusOK)
		wantStatus(t, e.call("GET", "/v1/bots", who.AccessToken, nil), http.StatusOK)
		wantStatus(t, e.call("POST", "/v1/bots", who.AccessToken, map[string]any{"channel": "viber", "name": "X"}), http.StatusForbidden)
		wantStatus(t, e.call("PATCH", "/v1/bots/"+b.ID, who.AccessToken, map[string]any{"name": "Mine"}), http.StatusForbidden)
		wantStatus(t, e.call("DELETE", "/v1/bots/"+b.ID, who.AccessToken, nil), http.StatusForbidden)
	}
	wantStatus(t, e.call("GET", "/v1/bots/"+b.ID, tm.key, nil), http.StatusOK)
	for name, c := range map[string]struct {
		method, path string
		body         map[string]any
		field        string
	}{
		"unknown channel":   {"POST", "/v1/bots", map[string]any{"channel": "icq", "name": "X"}, "channel"},
		"missing name":      {"POST", "/v1/bots", map[string]any{"channel": "viber"}, "name"},
		"follower in queue": {"POST", "/v1/bots", map[string]any{"channel": "viber", "name": "X", "queue": ids(tm.follower)}, "queue[0]"},
		"stranger in queue": {"PATCH", "/v1/bots/" + b.ID, map[string]any{"queue": []string{"nobody"}}, "queue[0]"},
		"channel change":    {"PATCH", "/v1/bots/" + b.ID, map[string]any{"channel": "viber"}, "channel"},
		"dotted credential": {"PATCH", "/v1/bots/" + b.ID, map[string]any{"credentials": map[string]string{"a.b": "x"}}, "credentials[a.b]"},
		"$ credential":      {"POST", "/v1/bots", map[string]any{"channel": "viber", "name": "X", "credentials": map[string]string{"$where": "x"}}, "credentials[$where]"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.call(c.method, c.path, tm.admin.AccessToken, c.body)
			wantStatus(t, r, http.StatusBadRequest)
			if p := r.Problem(t); len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Fatalf("errors %+v, want %s", p.Errors, c.field)
			}
		})
	}
	r = e.call("GET", "/v1/bots/"+b.ID, tm.admin.AccessToken, nil)
	var again models.Bot
	r.JSON(t, &again)
	if again.Name != "Shop" || again.Seq != b.Seq {
		t.Fatalf("refused changes landed: %+v", again)
	}
}

func TestIngestOpensChatsRoundRobin(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	emp3 := e.member(tm.admin.AccessToken, "emp3@example.com", models.RoleEmployee)
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "Shop", "greeting": "Hi!",
		"auto_reply": "An agent will answer soon", "queue": ids(tm.emp1, emp3, tm.emp2)})
	wantStatus(t, e.call("PATCH", "/v1/members/"+emp3.Member.ID, tm.admin.AccessToken, map[string]string{"status": "deactivated"}), http.StatusOK)

	first := e.event(tm.key, b.ID, say("ev1", "wa-1", "Hello, I need help"))
	if len(first.Replies) != 1 || first.Replies[0].Text != "Hi!" || first.Replies[0].Status != models.DeliveryQueued {
		t.Fatalf("greeting: %+v", first.Replies)
	}
	c := e.conv(tm.admin.AccessToken, first.ConversationID)
	if c.Status != models.StatusIdle || !c.Unread || c.UnreadCount != 1 || c.LastMessagePreview != "Hello, I need help" || !c.ReplyWindowOpen {
		t.Fatalf("after the first message: %+v", c)
	}
	opened := e.event(tm.key, b.ID, openChat("ev2", "wa-1"))
	if len(opened.Replies) != 1 || opened.Replies[0].Text != "An agent will answer soon" {
		t.Fatalf("auto-reply: %+v", opened.Replies)
	}
	c = e.conv(tm.admin.AccessToken, first.ConversationID)
	if c.Status != models.StatusOpen || c.AssigneeID != tm.emp1.Member.ID || c.StartedAt == nil {
		t.Fatalf("opened chat: %+v", c)
	}
	if got := events(e.history(tm.admin.AccessToken, c.ID, "")); strings.Join(got, ",") != "opened,assigned" {
		t.Fatalf("timeline %v", got)
	}
	// The deactivated emp3 is skipped; the queue goes round.
	want := []string{tm.emp2.Member.ID, tm.emp1.Member.ID, tm.emp2.Member.ID}
	for i, sub := range []string{"wa-2", "wa-3", "wa-4"} {
		res := e.event(tm.key, b.ID, openChat("open-"+sub, sub))
		if got := e.conv(tm.admin.AccessToken, res.ConversationID).AssigneeID; got != want[i] {
			t.Fatalf("chat %d went to %s, want %s", i+2, got, want[i])
		}
	}
	// An empty queue leaves new chats unassigned.
	lonely := e.bot(tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Lonely"})
	res := e.event(tm.key, lonely.ID, openChat("l1", "vb-1"))
	if c := e.conv(tm.admin.AccessToken, res.ConversationID); c.AssigneeID != "" || c.Status != models.StatusOpen {
		t.Fatalf("empty queue: %+v", c)
	}
}

func TestRedeliveredEventChangesNothing(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Bot", "greeting": "Hi"})
	ev := say("ev-1", "tg-1", "hello")
	first := e.event(tm.key, b.ID, ev)
	before := e.conv(tm.admin.AccessToken, first.ConversationID)
	second := e.event(tm.key, b.ID, ev)
	if !second.Duplicate || first.Duplicate {
		t.Fatalf("duplicate flags: first %v second %v", first.Duplicate, second.Duplicate)
	}
	after := e.conv(tm.admin.AccessToken, first.ConversationID)
	if after.Seq != before.Seq || after.UnreadCount != 1 {
		t.Fatalf("redelivery changed the chat: %+v -> %+v", before, after)
	}
	if n := len(e.history(tm.admin.AccessToken, first.ConversationID, "")); n != 2 { // greeting + message
		t.Fatalf("%d messages after a redelivery, want 2", n)
	}
}

func TestEventsNeedTheirOwnWorkspacesKey(t *testing.T) {
	e := newEnv(t)
	a := e.team()
	otherAdmin := e.admin("other@example.com")
	r := e.call("POST", "/v1/api-keys", otherAdmin.AccessToken, map[string]string{"name": "engine"})
	var k struct{ Secret string }
	r.JSON(t, &k)
	b := e.bot(a.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Bot"})
	wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/events", k.Secret, say("x", "tg-1", "hi")), http.StatusNotFound)
	wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/events", a.admin.AccessToken, say("x", "tg-1", "hi")), http.StatusForbidden)
	for name, body := range map[string]string{
		"unknown type":       `{"id":"1","type":"poke","subscriber":{"id":"s"}}`,
		"no subscriber":      `{"id":"1","type":"message"}`,
		"message w/o body":   `{"id":"1","type":"message","subscriber":{"id":"s"}}`,
		"status w/o message": `{"id":"1","type":"status","subscriber":{"id":"s"},"status":{"status":"read"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, e.call("POST", "/v1/bots/"+b.ID+"/events", a.key, body), http.StatusBadRequest)
		})
	}
	r = e.call("GET", "/v1/subscribers", a.admin.AccessToken, nil)
	var subs struct{ Items []models.Subscriber }
	r.JSON(t, &subs)
	if len(subs.Items) != 0 {
		t.Fatalf("refused events left subscribers: %+v", subs.Items)
	}
}

func TestClosedChatReopensToSameManager(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Bot", "queue": ids(tm.emp2, tm.emp1)})
	res := e.event(tm.key, b.ID, openChat("o1", "tg-1"))
	wantStatus(t, e.call("POST", "/v1/conversations/"+res.ConversationID+"/close", tm.emp1.AccessToken, nil), http.StatusOK)
	wantStatus(t, e.call("POST", "/v1/conversations/"+res.ConversationID+"/close", tm.emp1.AccessToken, nil), http.StatusConflict)
	// Someone else's chat opens meanwhile, moving the queue on.
	e.event(tm.key, b.ID, openChat("o2", "tg-2"))
	e.event(tm.key, b.ID, say("m1", "tg-1", "me again"))
	c := e.conv(tm.admin.AccessToken, res.ConversationID)
	if c.Status != models.StatusOpen || c.AssigneeID != tm.emp2.Member.ID {
		t.Fatalf("reopened chat: %+v", c)
	}
	msgs := e.history(tm.admin.AccessToken, c.ID, "")
	if got := strings.Join(events(msgs), ","); got != "opened,assigned,closed,reopened" {
		t.Fatalf("timeline %s", got)
	}
	for _, m := range msgs {
		if m.Event == "closed" && m.AuthorID != tm.emp1.Member.ID {
			t.Fatalf("closed by %q, want emp1", m.AuthorID)
		}
	}
}

func TestAgentSendRules(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	wa := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WA"})
	res := e.event(tm.key, wa.ID, say("w1", "wa-1", "hi"))
	conv := "/v1/conversations/" + res.ConversationID + "/messages"
	send := func(token string, body any) resp { return e.call("POST", conv, token, body) }

	for name, text := range map[string]string{"empty": "", "513 characters": strings.Repeat("a", 513), "513 emoji": strings.Repeat("😀", 513)} {
		t.Run(name, func(t *testing.T) {
			r := send(tm.emp1.AccessToken, map[string]string{"text": text})
			wantStatus(t, r, http.StatusBadRequest)
			if p := r.Problem(t); p.Errors[0].Field != "text" {
				t.Fatalf("field %q", p.Errors[0].Field)
			}
		})
	}
	r := send(tm.emp1.AccessToken, map[string]string{"text": strings.Repeat("😀", 512)})
	wantStatus(t, r, http.StatusCreated)
	var m models.Message
	r.JSON(t, &m)
	if m.Status != models.DeliveryQueued || m.Sender != models.SenderAgent || m.AuthorID != tm.emp1.Member.ID {
		t.Fatalf("sent %+v", m)
	}
	// The manual message paused the bot for an hour.
	r = e.call("GET", "/v1/subscribers/"+res.SubscriberID, tm.emp1.AccessToken, nil)
	var sub models.Subscriber
	r.JSON(t, &sub)
	if sub.AutomationPausedUntil == nil || !sub.AutomationPausedUntil.Equal(e.inboxClock.Now().Add(time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("pause %v, want an hour from now", sub.AutomationPausedUntil)
	}
	// A follower cannot reply.
	wantStatus(t, send(tm.follower.AccessToken, map[string]string{"text": "hi"}), http.StatusForbidden)

	// 24 hours after the subscriber's last message the window closes...
	e.inboxClock.Advance(24*time.Hour - time.Second)
	wantStatus(t, send(tm.emp1.AccessToken, map[string]string{"text": "still in"}), http.StatusCreated)
	e.inboxClock.Advance(time.Second)
	r = send(tm.emp1.AccessToken, map[string]string{"text": "too late"})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Problem(t).Detail, "template") {
		t.Fatalf("the refusal does not say what is allowed: %s", r.Body)
	}
	if c := e.conv(tm.emp1.AccessToken, res.ConversationID); c.ReplyWindowOpen {
		t.Fatal("chat shows the window open")
	}
	// ...except for an approved template.
	wantStatus(t, send(tm.emp1.AccessToken, map[string]string{"template": "order_update"}), http.StatusCreated)

	// Messenger: the human_agent tag works up to 7 days.
	fb := e.bot(tm.admin.AccessToken, map[string]any{"channel": "messenger", "name": "FB"})
	fres := e.event(tm.key, fb.ID, say("f1", "fb-1", "hi"))
	e.inboxClock.Advance(3 * 24 * time.Hour)
	fconv := "/v1/conversations/" + fres.ConversationID + "/messages"
	wantStatus(t, e.call("POST", fconv, tm.emp1.AccessToken, map[string]string{"text": "late"}), http.StatusConflict)
	wantStatus(t, e.call("POST", fconv, tm.emp1.AccessToken, map[string]string{"text": "late", "tag": "human_agent"}), http.StatusCreated)
	e.inboxClock.Advance(4 * 24 * time.Hour)
	wantStatus(t, e.call("POST", fconv, tm.emp1.AccessToken, map[string]string{"text": "too late", "tag": "human_agent"}), http.StatusConflict)

	// Telegram has no window.
	tg := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	tres := e.event(tm.key, tg.ID, say("t1", "tg-1", "hi"))
	e.inboxClock.Advance(90 * 24 * time.Hour)
	wantStatus(t, e.call("POST", "/v1/conversations/"+tres.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "months later"}), http.StatusCreated)
}

func TestSendIsIdempotent(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	res := e.event(tm.key, b.ID, say("t1", "tg-1", "hi"))
	post := func(text string) resp {
		req := jsonRequest("POST", e.http.URL+"/v1/conversations/"+res.ConversationID+"/messages", tm.emp1.AccessToken, `{"text":"`+text+`"}`)
		req.Header.Set("Idempotency-Key", "send-1")
		return e.do(req)
	}
	first := post("hello")
	wantStatus(t, first, http.StatusCreated)
	again := post("hello")
	wantStatus(t, again, http.StatusOK)
	var a, b2 models.Message
	first.JSON(t, &a)
	again.JSON(t, &b2)
	if a.ID != b2.ID || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry made another message: %s vs %s", a.ID, b2.ID)
	}
	wantStatus(t, post("something else"), http.StatusConflict)
	n := 0
	for _, m := range e.history(tm.emp1.AccessToken, res.ConversationID, "") {
		if m.Sender == models.SenderAgent {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d agent messages, want 1", n)
	}
}

func TestTelegramDeleteWithin48Hours(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	sub := e.event(tm.key, b.ID, say("s1", "tg-1", "hi"))
	sent := e.inboxClock.Now().UTC().Truncate(time.Millisecond) // message times are kept to the millisecond
	botMessage := func(id string, at time.Time) eventResult {
		return e.event(tm.key, b.ID, map[string]any{"id": id, "type": "bot_message", "subscriber": map[string]any{"id": "tg-1"},
			"message": map[string]any{"id": "tg-" + id, "text": "bot says"}, "at": at.Format(time.RFC3339Nano)})
	}
	early := botMessage("b1", sent)
	late := botMessage("b2", sent.Add(time.Hour))
	path := "/v1/conversations/" + sub.ConversationID + "/messages/"
	wantStatus(t, e.call("DELETE", path+sub.MessageID, tm.emp1.AccessToken, nil), http.StatusConflict) // the subscriber's own
	// Exactly 48 hours after sending: still allowed.
	e.inboxClock.Advance(sent.Add(48 * time.Hour).Sub(e.inboxClock.Now()))
	wantStatus(t, e.call("DELETE", path+early.MessageID, tm.follower.AccessToken, nil), http.StatusForbidden)
	wantStatus(t, e.call("DELETE", path+early.MessageID, tm.emp1.AccessToken, nil), http.StatusNoContent)
	// A millisecond past 48 hours: refused.
	e.inboxClock.Advance(time.Hour + time.Millisecond)
	r := e.call("DELETE", path+late.MessageID, tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Problem(t).Detail, "48 hours") {
		t.Fatalf("detail %q", r.Problem(t).Detail)
	}
	left := map[string]bool{}
	for _, m := range e.history(tm.emp1.AccessToken, sub.ConversationID, "") {
		left[m.ID] = true
	}
	if left[early.MessageID] || !left[late.MessageID] {
		t.Fatalf("history after deletes: %v", left)
	}
}
