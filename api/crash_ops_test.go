package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// faultPoints is the inbox's fault point in a test: armed with n, the
// n-th write point reached fails, as if the process died right after
// that write.
type faultPoints struct {
	mu    sync.Mutex
	n     int
	hits  int
	fired string
}

func (f *faultPoints) point(p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits++
	if f.n > 0 && f.hits == f.n {
		f.fired = p
		return errors.New("process died")
	}
	return nil
}

func (f *faultPoints) arm(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.hits, f.fired = n, 0, ""
}

// crashRun is one operation run to death at every fault point in turn.
type crashRun struct {
	prepare func(n int)      // before the operation, without faults (may be nil)
	op      func(n int) resp // the operation
	repeat  func(n int) resp // its redelivery or retry
	check   func(n int)      // the state after the repeat
	// recovered (may be nil) checks the state the recovery pass alone
	// left, before the repeat, after a crash at point fired.
	recovered func(n int, fired string)
	// answered409 accepts a 409 for a retried request that the recovery
	// pass completed first (a chat closed already is not closed again).
	answered409 bool
}

// crashEverywhere runs an operation once per fault point it passes,
// dying at that point each time (it must then answer 500), then repeats
// it as a redelivery or retry would (which must succeed) and checks the
// state. On every other point the start-up recovery pass runs before the
// repeat. It returns the points it crashed at.
func crashEverywhere(t *testing.T, e *env, c crashRun) []string {
	t.Helper()
	f := &faultPoints{}
	e.inbox.WithFaults(f.point)
	defer e.inbox.WithFaults(nil)
	var points []string
	for n := 1; ; n++ {
		if n > 60 {
			t.Fatal("the operation never ran through")
		}
		if c.prepare != nil {
			c.prepare(n)
		}
		f.arm(n)
		r := c.op(n)
		fired := f.fired
		f.arm(0)
		if fired == "" {
			if r.StatusCode >= 300 {
				t.Fatalf("operation %d without a crash: %d %s", n, r.StatusCode, r.Body)
			}
			return points
		}
		points = append(points, fired)
		if r.StatusCode != http.StatusInternalServerError {
			t.Fatalf("crash after %s answered %d %s", fired, r.StatusCode, r.Body)
		}
		recovered := n%2 == 0
		if recovered {
			if _, err := e.inbox.Recover(context.Background()); err != nil {
				t.Fatalf("recover after %s: %v", fired, err)
			}
			if c.recovered != nil {
				c.recovered(n, fired)
			}
		}
		if r := c.repeat(n); r.StatusCode >= 300 && !(recovered && c.answered409 && r.StatusCode == http.StatusConflict) {
			t.Fatalf("repeat after a crash at %s: %d %s", fired, r.StatusCode, r.Body)
		}
		c.check(n)
	}
}

// countEvents counts a history's timeline entries of event.
func countEvents(msgs []models.Message, event string) int {
	n := 0
	for _, m := range msgs {
		if m.Kind == models.KindEvent && m.Event == event {
			n++
		}
	}
	return n
}

func countTexts(msgs []models.Message, text string) int {
	n := 0
	for _, m := range msgs {
		if m.Text == text {
			n++
		}
	}
	return n
}

func (e *env) totals(token, botID string) botStats {
	e.t.Helper()
	r := e.call("GET", "/v1/bots/"+botID+"/stats", token, nil)
	wantStatus(e.t, r, http.StatusOK)
	var st botStats
	r.JSON(e.t, &st)
	return st
}

// TestCrashAnywhereInOpeningANewChat: an open_chat event of a new
// subscriber (welcome, round-robin, deal, auto-reply) dies after each of
// its writes in turn; the redelivery (or the recovery pass, then the
// redelivery) completes it exactly once: one "opened" and one "assigned"
// entry, one greeting, one auto-reply, one deal, the queue moved once, the
// counters counted once, and the new-chat alert made from the log.
func TestCrashAnywhereInOpeningANewChat(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm := m.team()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.device(tm.emp2.AccessToken, map[string]any{"kind": "fcm", "token": "emp2-phone"})
	r := m.call("POST", "/v1/pipelines", tm.admin.AccessToken, map[string]any{"name": "Sales", "stages": []map[string]string{{"name": "New"}}})
	wantStatus(t, r, http.StatusCreated)
	var pl models.Pipeline
	r.JSON(t, &pl)
	b := m.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "Shop", "greeting": "Hi!",
		"auto_reply": "An agent will answer soon", "queue": ids(tm.emp1, tm.emp2), "pipeline_id": pl.ID})
	ev := func(n int) map[string]any { return openChat(fmt.Sprintf("open-%d", n), fmt.Sprintf("sub-%d", n)) }
	post := func(n int) resp { return m.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, ev(n)) }
	queue := []string{tm.emp1.Member.ID, tm.emp2.Member.ID}
	chatOf := func(n int) string {
		return models.ConversationID(models.SubscriberID(tm.admin.Workspace.ID, b.ID, fmt.Sprintf("sub-%d", n)))
	}
	// Once the opening has begun, the recovery pass alone finishes it.
	recovered := func(n int, fired string) {
		if !strings.HasPrefix(fired, "open:") {
			return
		}
		h := m.history(tm.admin.AccessToken, chatOf(n), "?limit=200")
		if countEvents(h, "opened") != 1 || countTexts(h, "An agent will answer soon") != 1 {
			t.Fatalf("chat %d after a crash at %s and the recovery pass: %v", n, fired, events(h))
		}
	}
	points := crashEverywhere(t, m.env, crashRun{op: post, repeat: post, recovered: recovered, check: func(n int) {
		res := m.event(tm.key, b.ID, ev(n)) // a further redelivery changes nothing
		if !res.Duplicate {
			t.Fatalf("chat %d: the event was not recorded as applied", n)
		}
		chat := m.conv(tm.admin.AccessToken, chatOf(n))
		h := m.history(tm.admin.AccessToken, chat.ID, "?limit=100")
		if countEvents(h, "opened") != 1 || countEvents(h, "assigned") != 1 || countTexts(h, "Hi!") != 1 || countTexts(h, "An agent will answer soon") != 1 {
			t.Fatalf("chat %d history: %+v", n, events(h))
		}
		if chat.Status != models.StatusOpen || chat.AssigneeID != queue[(n-1)%2] {
			t.Fatalf("chat %d: %s, assigned to %q, want %q (the queue moved once per chat)", n, chat.Status, chat.AssigneeID, queue[(n-1)%2])
		}
		r := m.call("GET", "/v1/deals?conversation_id="+chat.ID, tm.admin.AccessToken, nil)
		var deals struct{ Items []models.Deal }
		r.JSON(t, &deals)
		if len(deals.Items) != 1 {
			t.Fatalf("chat %d has %d deals", n, len(deals.Items))
		}
		st := m.totals(tm.admin.AccessToken, b.ID)
		if st.Totals.Subscribers != int64(n) || st.Totals.Sent != int64(2*n) || len(st.Days) != 1 || st.Days[0].NewSubscribers != int64(n) || st.Days[0].Sent != int64(2*n) {
			t.Fatalf("after %d chats: totals %+v, days %+v", n, st.Totals, st.Days)
		}
		m.g.DispatchAll(context.Background())
		alerts := 0
		for _, a := range m.alerts(tm.admin.AccessToken, "") {
			if a.ConversationID == chat.ID && a.Event == models.EventNewChat {
				alerts++
			}
		}
		if alerts != 1 {
			for _, a := range m.alerts(tm.admin.AccessToken, "") {
				t.Logf("alert %+v", a)
			}
			t.Logf("chat %s history %v", chat.ID, events(h))
			t.Fatalf("chat %d has %d new-chat alerts", n, alerts)
		}
	}})
	if len(points) < 10 {
		t.Fatalf("only %d fault points: %v", len(points), points)
	}
	t.Logf("died after each of: %v", points)
}

// TestCrashAnywhereInASubscriberMessage: a subscriber message to a closed
// chat (stored, counted, unread counted, the chat reopened with its entry
// and auto-reply) dies after each write in turn; the redelivery completes
// it exactly once.
func TestCrashAnywhereInASubscriberMessage(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "auto_reply": "Back soon"})
	first := e.event(tm.key, b.ID, say("first", "s1", "hello"))
	e.event(tm.key, b.ID, openChat("open", "s1"))
	base := e.totals(tm.admin.AccessToken, b.ID).Totals
	ev := func(n int) map[string]any { return say(fmt.Sprintf("msg-%d", n), "s1", fmt.Sprintf("text %d", n)) }
	prepare := func(n int) {
		wantStatus(t, e.call("POST", "/v1/conversations/"+first.ConversationID+"/read", tm.emp1.AccessToken, nil), http.StatusOK)
		c := e.conv(tm.emp1.AccessToken, first.ConversationID)
		if c.Status == models.StatusOpen {
			wantStatus(t, e.call("POST", "/v1/conversations/"+first.ConversationID+"/close", tm.emp1.AccessToken, nil), http.StatusOK)
		}
	}
	post := func(n int) resp { return e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, ev(n)) }
	crashEverywhere(t, e, crashRun{prepare: prepare, op: post, repeat: post, check: func(n int) {
		c := e.conv(tm.emp1.AccessToken, first.ConversationID)
		h := e.history(tm.admin.AccessToken, first.ConversationID, "?limit=200")
		if countTexts(h, fmt.Sprintf("text %d", n)) != 1 || c.UnreadCount != 1 || c.Status != models.StatusOpen {
			t.Fatalf("message %d: %d copies, unread %d, %s", n, countTexts(h, fmt.Sprintf("text %d", n)), c.UnreadCount, c.Status)
		}
		if got := countEvents(h, "reopened"); got != n {
			t.Fatalf("after %d messages to a closed chat: %d reopened entries", n, got)
		}
		if got := countTexts(h, "Back soon"); got != n+1 {
			t.Fatalf("after %d reopenings: %d auto-replies", n, got)
		}
		st := e.totals(tm.admin.AccessToken, b.ID).Totals
		if st.Received != base.Received+int64(n) || st.Sent != base.Sent+int64(n) {
			t.Fatalf("after %d messages: %+v (from %+v)", n, st, base)
		}
	}})
}

// TestCrashAnywhereInAnAgentReply: an agent reply with an Idempotency-Key
// (stored, counted, commanded to the engine, automation paused) dies
// after each write in turn; the client's retry completes it once.
func TestCrashAnywhereInAnAgentReply(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG"})
	chat := e.event(tm.key, b.ID, say("first", "s1", "hello"))
	base := e.totals(tm.admin.AccessToken, b.ID).Totals
	send := func(n int) resp {
		req, _ := http.NewRequest("POST", e.http.URL+"/v1/conversations/"+chat.ConversationID+"/messages",
			strings.NewReader(fmt.Sprintf(`{"text": "reply %d"}`, n)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tm.emp1.AccessToken)
		req.Header.Set("Idempotency-Key", fmt.Sprintf("key-%d", n))
		return e.do(req)
	}
	crashEverywhere(t, e, crashRun{op: send, repeat: send, check: func(n int) {
		h := e.history(tm.admin.AccessToken, chat.ConversationID, "?limit=200")
		var id string
		for _, m := range h {
			if m.Text == fmt.Sprintf("reply %d", n) {
				id = m.ID
			}
		}
		if countTexts(h, fmt.Sprintf("reply %d", n)) != 1 {
			t.Fatalf("reply %d stored %d times", n, countTexts(h, fmt.Sprintf("reply %d", n)))
		}
		cmds := 0
		for _, c := range e.commands(tm.key, b.ID, 0, 500).Items {
			if c.Kind == models.CommandSendMessage && c.MessageID == id {
				cmds++
			}
		}
		if cmds != 1 {
			t.Fatalf("reply %d has %d send commands", n, cmds)
		}
		if st := e.totals(tm.admin.AccessToken, b.ID).Totals; st.Sent != base.Sent+int64(n) {
			t.Fatalf("after %d replies: sent %d (from %d)", n, st.Sent, base.Sent)
		}
		var s models.Subscriber
		e.call("GET", "/v1/subscribers/"+chat.SubscriberID, tm.emp1.AccessToken, nil).JSON(t, &s)
		if s.AutomationPausedUntil == nil {
			t.Fatalf("reply %d left the automation running", n)
		}
	}})
}

// TestCrashAnywhereInAgentChatChanges: close, reopen, assign and follower
// changes die after each write in turn; the retried request completes
// each once and answers as the first would have.
func TestCrashAnywhereInAgentChatChanges(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "auto_reply": "Back soon"})
	chat := e.event(tm.key, b.ID, say("first", "s1", "hello"))
	e.event(tm.key, b.ID, openChat("open", "s1"))
	path := "/v1/conversations/" + chat.ConversationID
	hist := func() []models.Message { return e.history(tm.admin.AccessToken, chat.ConversationID, "?limit=200") }
	call := func(method, p string, body any) func(int) resp {
		return func(int) resp { return e.call(method, path+p, tm.emp1.AccessToken, body) }
	}

	closes := countEvents(hist(), "closed")
	crashEverywhere(t, e, crashRun{op: call("POST", "/close", nil), repeat: call("POST", "/close", nil), answered409: true, check: func(n int) {
		if got := countEvents(hist(), "closed"); got != closes+1 || e.conv(tm.emp1.AccessToken, chat.ConversationID).Status != models.StatusClosed {
			t.Fatalf("close: %d closed entries, want %d", got, closes+1)
		}
		wantStatus(t, e.call("POST", path+"/reopen", tm.emp1.AccessToken, nil), http.StatusOK)
		closes++
	}})
	// The last run went through: the chat is closed.
	reopens, replies := countEvents(hist(), "reopened"), countTexts(hist(), "Back soon")
	crashEverywhere(t, e, crashRun{op: call("POST", "/reopen", nil), repeat: call("POST", "/reopen", nil), answered409: true, check: func(n int) {
		h := hist()
		if countEvents(h, "reopened") != reopens+1 || countTexts(h, "Back soon") != replies+1 {
			t.Fatalf("reopen: %d reopened entries (want %d), %d auto-replies (want %d)", countEvents(h, "reopened"), reopens+1, countTexts(h, "Back soon"), replies+1)
		}
		wantStatus(t, e.call("POST", path+"/close", tm.emp1.AccessToken, nil), http.StatusOK)
		reopens, replies = reopens+1, replies+1
	}})

	assigned := countEvents(hist(), "assigned")
	who := func(n int) string { return []string{tm.emp1.Member.ID, tm.emp2.Member.ID}[n%2] }
	assign := func(n int) resp {
		return e.call("PUT", path+"/assignee", tm.emp1.AccessToken, map[string]string{"member_id": who(n)})
	}
	crashEverywhere(t, e, crashRun{op: assign, repeat: assign, check: func(n int) {
		if got := countEvents(hist(), "assigned"); got != assigned+1 || e.conv(tm.emp1.AccessToken, chat.ConversationID).AssigneeID != who(n) {
			t.Fatalf("assign: %d assigned entries, want %d", got, assigned+1)
		}
		assigned++
	}})

	added := countEvents(hist(), "follower_added")
	follow := func(int) resp {
		return e.call("PUT", path+"/followers/"+tm.follower.Member.ID, tm.emp1.AccessToken, nil)
	}
	crashEverywhere(t, e, crashRun{op: follow, repeat: follow, check: func(n int) {
		if got := countEvents(hist(), "follower_added"); got != added+1 {
			t.Fatalf("follow: %d follower_added entries, want %d", got, added+1)
		}
		wantStatus(t, e.call("DELETE", path+"/followers/"+tm.follower.Member.ID, tm.emp1.AccessToken, nil), http.StatusOK)
		added++
	}})
}

// TestCrashAnywhereInOpeningByHandAndBotMessages: an agent opening a new
// subscriber's idle chat, and the bot's own messages, die after each
// write in turn; the retry or redelivery completes each once.
func TestCrashAnywhereInOpeningByHandAndBotMessages(t *testing.T) {
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "auto_reply": "Back soon", "queue": ids(tm.emp2)})
	subOf := func(n int) eventResult {
		return e.event(tm.key, b.ID, say(fmt.Sprintf("hi-%d", n), fmt.Sprintf("s%d", n), "hello"))
	}
	subs := map[int]eventResult{}
	open := func(n int) resp {
		return e.call("POST", "/v1/conversations", tm.emp1.AccessToken, map[string]string{"subscriber_id": subs[n].SubscriberID})
	}
	byHand := crashEverywhere(t, e, crashRun{prepare: func(n int) { subs[n] = subOf(n) }, op: open, repeat: open, check: func(n int) {
		h := e.history(tm.admin.AccessToken, subs[n].ConversationID, "?limit=200")
		c := e.conv(tm.emp1.AccessToken, subs[n].ConversationID)
		if countEvents(h, "opened") != 1 || countEvents(h, "assigned") != 1 || countTexts(h, "Back soon") != 1 || c.AssigneeID != tm.emp2.Member.ID {
			t.Fatalf("opened by hand %d: %v, %d auto-replies, assigned to %q", n, events(h), countTexts(h, "Back soon"), c.AssigneeID)
		}
	}})

	chat := subs[1]
	base := e.totals(tm.admin.AccessToken, b.ID).Totals
	botSays := func(n int) resp {
		return e.call("POST", "/v1/bots/"+b.ID+"/events", tm.key, map[string]any{"id": fmt.Sprintf("bot-%d", n), "type": "bot_message",
			"subscriber": map[string]any{"id": "s1", "name": "Sub s1"}, "message": map[string]any{"id": fmt.Sprintf("bm-%d", n), "text": fmt.Sprintf("bot %d", n)}})
	}
	bot := crashEverywhere(t, e, crashRun{op: botSays, repeat: botSays, check: func(n int) {
		h := e.history(tm.admin.AccessToken, chat.ConversationID, "?limit=200")
		if countTexts(h, fmt.Sprintf("bot %d", n)) != 1 {
			t.Fatalf("bot message %d stored %d times", n, countTexts(h, fmt.Sprintf("bot %d", n)))
		}
		if st := e.totals(tm.admin.AccessToken, b.ID).Totals; st.Sent != base.Sent+int64(n) {
			t.Fatalf("after %d bot messages: sent %d (from %d)", n, st.Sent, base.Sent)
		}
	}})
	// Deleting a subscriber counts them out once, then deletes them.
	var before int64
	gone := map[int]string{}
	prepare := func(n int) {
		gone[n] = e.event(tm.key, b.ID, say(fmt.Sprintf("del-%d", n), fmt.Sprintf("d%d", n), "bye")).SubscriberID
		before = e.totals(tm.admin.AccessToken, b.ID).Totals.Subscribers
	}
	del := func(n int) resp { return e.call("DELETE", "/v1/subscribers/"+gone[n], tm.emp1.AccessToken, nil) }
	deleted := crashEverywhere(t, e, crashRun{prepare: prepare, op: del, repeat: del, check: func(n int) {
		wantStatus(t, e.call("GET", "/v1/subscribers/"+gone[n], tm.emp1.AccessToken, nil), http.StatusNotFound)
		if got := e.totals(tm.admin.AccessToken, b.ID).Totals.Subscribers; got != before-1 {
			t.Fatalf("after a delete: %d subscribers, want %d", got, before-1)
		}
	}})
	if len(byHand) < 6 || len(bot) < 4 || len(deleted) != 1 {
		t.Fatalf("fault points: by hand %v, bot message %v, delete %v", byHand, bot, deleted)
	}
	t.Logf("by hand: %v; bot message: %v", byHand, bot)
}
