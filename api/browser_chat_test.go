package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// The chat screen's scenarios: the actions and the history search (this
// file), the history (browser_chat_history_test.go), deleting messages
// (browser_chat_delete_test.go) and replying (browser_chat_reply_test.go).

// chatSignedIn opens a tab named role signed in as member who. The sign-in
// form is a built feature here: it is waited for (within browserWait),
// never skipped as missing on a slow machine.
func (me *msgEnv) chatSignedIn(t *testing.T, who tokens, role string) *tab {
	t.Helper()
	tb := openTab(t, me.http.URL, role)
	pw := memberPassword
	if who.Member.Role == models.RoleAdmin {
		pw = adminPassword
	}
	tb.open("/")
	tb.wait("form#login input[name=email]")
	tb.fill("form#login input[name=email]", who.Member.Email)
	tb.fill("form#login input[name=password]", pw)
	tb.click("form#login button[type=submit]")
	tb.waitFor("the inbox after signing in", `document.querySelector('#inbox-list') !== null`)
	return tb
}

// chatMemberName is how the console names a member: the name, else the email.
func chatMemberName(who tokens) string {
	if who.Member.Name != "" {
		return who.Member.Name
	}
	return who.Member.Email
}

// chatMsg is sel inside the message id of the open chat.
func chatMsg(id, sel string) string { return "#chat " + msgSel(id) + " " + sel }

// chatWaitText waits until the first element matching sel contains want.
func (tb *tab) chatWaitText(what, sel, want string) {
	tb.t.Helper()
	tb.waitFor(what, fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.includes(%s)`, jsString(sel), jsString(want)))
}

// chatWaitGone waits until no element matches sel.
func (tb *tab) chatWaitGone(what, sel string) {
	tb.t.Helper()
	tb.waitFor(what, fmt.Sprintf(`document.querySelector(%s) === null`, jsString(sel)))
}

// chatPress types key (with modifiers) into the focused field sel.
func (tb *tab) chatPress(sel, key string, mods ...chromedp.Modifier) {
	tb.t.Helper()
	tb.do("press a key in "+sel, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...)))
}

// chatOpen clicks conversation id's inbox row until its chat shows (a
// poll may redraw the row under the click), failing the test when it does
// not within browserWait (unlike openChatIn, which may skip).
func (tb *tab) chatOpen(id string) {
	tb.t.Helper()
	opened := fmt.Sprintf(`(document.querySelector('#chat') || {dataset: {}}).dataset.chatId === %s`, jsString(id))
	deadline := time.Now().Add(browserWait)
	for {
		tb.click(rowSel(id))
		if tb.until(opened, 2*time.Second) {
			return
		}
		if time.Now().After(deadline) {
			tb.shot("failed")
			tb.t.Fatalf("chat %s does not open", id)
		}
	}
}

// chatFollow makes member who follow conversation id (as the admin).
func (me *msgEnv) chatFollow(t *testing.T, tm team, id string, who tokens) {
	t.Helper()
	wantStatus(t, me.call("PUT", "/v1/conversations/"+id+"/followers/"+who.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
}

// chatWriteControls are the chat's controls a follower must not get.
var chatWriteControls = []string{"#assign-me", "#close-chat", "#reopen-chat", "textarea#reply", "button#send", "input#attach",
	"#template", "#human-agent", "#automation-pause button", "#chat button.delete", "#chat button.retry", "#chat .msg-tools button"}

// chatNoWriteControls fails the test for each write control the page shows.
func (tb *tab) chatNoWriteControls() {
	tb.t.Helper()
	for _, sel := range chatWriteControls {
		if tb.present(sel) {
			tb.t.Errorf("a follower sees the write control %s", sel)
		}
	}
}

// The chat's actions by role. The admin closes the chat and reopens it:
// each time the timeline shows the event with the admin's name and the
// server has the new state. An employee assigns the chat to themself
// (the event names them) and mutes and unmutes it for themself. The
// follower, who follows the chat, sees the history with its events but
// no write control, and may still mute it for themself.
func TestBrowserChatActions(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	chat, _ := me.openTelegramChat(t, tm.emp1, b, tgUser(7101, "Lia"), "necesito ayuda")
	other, _ := me.openTelegramChat(t, tm.emp1, b, tgUser(7102, "Otto"), "otra consulta") // not followed
	me.inboxClock.Advance(time.Minute)
	me.chatFollow(t, tm, chat.ID, tm.follower)

	t.Run("admin closes and reopens", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.admin, "admin")
		tb.chatOpen(chat.ID)
		tb.wait("#close-chat")
		if tb.present("#reopen-chat") {
			t.Errorf("an open chat offers Reopen")
		}
		tb.shot("open")
		me.inboxClock.Advance(time.Minute) // the timeline's events get times of their own
		tb.click("#close-chat")
		tb.chatWaitText("the timeline shows who closed the chat", "#chat [data-event=closed]", chatMemberName(tm.admin))
		tb.wait("#reopen-chat")
		if tb.present("#close-chat") {
			t.Errorf("a closed chat still offers Close")
		}
		if c := me.conv(tm.admin.AccessToken, chat.ID); c.Status != models.StatusClosed {
			t.Fatalf("the server has the chat %s after Close", c.Status)
		}
		tb.shot("closed")
		me.inboxClock.Advance(time.Minute)
		tb.click("#reopen-chat")
		tb.chatWaitText("the timeline shows who reopened the chat", "#chat [data-event=reopened]", chatMemberName(tm.admin))
		tb.wait("#close-chat")
		if c := me.conv(tm.admin.AccessToken, chat.ID); c.Status != models.StatusOpen {
			t.Fatalf("the server has the chat %s after Reopen", c.Status)
		}
		if got := events(me.history(tm.admin.AccessToken, chat.ID, "")); !slices.Contains(got, "closed") || !slices.Contains(got, "reopened") {
			t.Errorf("the server's timeline is %v, want closed and reopened in it", got)
		}
		tb.shot("reopened")
	})

	t.Run("employee assigns to self and mutes", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.emp2, "employee")
		tb.chatOpen(chat.ID)
		me.inboxClock.Advance(time.Minute)
		tb.click("#assign-me")
		tb.waitFor("the assignment event names the employee twice (assignee and who assigned)",
			fmt.Sprintf(`[...document.querySelectorAll('#chat [data-event=assigned]')].some(e => e.textContent.split(%s).length === 3)`, jsString(chatMemberName(tm.emp2))))
		tb.chatWaitGone("Assign to me goes once the chat is the employee's", "#assign-me")
		tb.chatWaitText("the head names the assignee", "#chat .chat-sub", chatMemberName(tm.emp2))
		if c := me.conv(tm.emp2.AccessToken, chat.ID); c.AssigneeID != tm.emp2.Member.ID {
			t.Fatalf("the server has assignee %q, want the employee", c.AssigneeID)
		}
		tb.shot("assigned")

		tb.click("#mute")
		tb.waitFor("the mute button shows the chat muted", `document.querySelector('#mute').getAttribute('aria-pressed') === 'true'`)
		if c := me.conv(tm.emp2.AccessToken, chat.ID); !c.Muted {
			t.Fatalf("the server has the chat not muted for the employee after Mute")
		}
		if c := me.conv(tm.admin.AccessToken, chat.ID); c.Muted {
			t.Errorf("muting for the employee muted the chat for the admin")
		}
		tb.shot("muted")
		tb.click("#mute")
		tb.waitFor("the mute button shows the chat unmuted", `document.querySelector('#mute').getAttribute('aria-pressed') === 'false'`)
		if c := me.conv(tm.emp2.AccessToken, chat.ID); c.Muted {
			t.Fatalf("the server has the chat muted after Unmute")
		}
	})

	t.Run("follower reads only", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.follower, "follower")
		tb.chatOpen(chat.ID)
		tb.chatWaitText("the follower sees who closed the chat", "#chat [data-event=closed]", chatMemberName(tm.admin))
		tb.waitFor("and who took it", fmt.Sprintf(`[...document.querySelectorAll('#chat [data-event=assigned]')].some(e => e.textContent.includes(%s))`, jsString(chatMemberName(tm.emp2))))
		tb.chatNoWriteControls()
		tb.shot("follower")
		tb.click("#mute")
		tb.waitFor("the follower's mute", `document.querySelector('#mute').getAttribute('aria-pressed') === 'true'`)
		if c := me.conv(tm.follower.AccessToken, chat.ID); !c.Muted {
			t.Fatalf("the server has the chat not muted for the follower")
		}
		if tb.present(rowSel(other.ID)) {
			t.Errorf("the follower's inbox lists a chat they do not follow")
		}
		tb.open("/chats/" + other.ID)
		tb.wait("#chat-missing")
		if tb.present("#chat") {
			t.Errorf("the follower sees a chat they do not follow")
		}
		tb.shot("not-followed")
	})
}

// chatLastSubscriberText is the text of the last subscriber message shown.
const chatLastSubscriberText = `([...document.querySelectorAll('#chat [data-sender=subscriber] .text')].pop() || {}).textContent`

// Search in the history finds a message older than the page the chat
// opens on (the newest 50), shows only what matches, and an emptied
// search brings the newest messages back.
func TestBrowserChatSearch(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	shop := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop"})
	sub := map[string]any{"id": "s-search", "name": "Rosa Quispe"}
	me.event(tm.key, shop.ID, map[string]any{"id": "o", "type": "open_chat", "subscriber": sub})
	base := time.Now().Add(-time.Hour)
	needle := me.event(tm.key, shop.ID, map[string]any{"id": "e0", "type": "message", "subscriber": sub, "at": base,
		"message": map[string]any{"id": "m0", "text": "¿Hacen envíos a Cusco?"}})
	for i := 1; i <= 50; i++ {
		me.event(tm.key, shop.ID, map[string]any{"id": "e" + strconv.Itoa(i), "type": "message", "subscriber": sub,
			"at": base.Add(time.Duration(i) * time.Second), "message": map[string]any{"id": "m" + strconv.Itoa(i), "text": "mensaje " + strconv.Itoa(i)}})
	}
	if slices.ContainsFunc(me.history(tm.admin.AccessToken, needle.ConversationID, "?limit=50"), func(m models.Message) bool { return m.ID == needle.MessageID }) {
		t.Fatal("the old message is in the newest page; the search would prove nothing")
	}

	tb := me.chatSignedIn(t, tm.emp1, "employee")
	tb.chatOpen(needle.ConversationID)
	tb.waitFor("the newest message is the last subscriber message shown", chatLastSubscriberText+` === "mensaje 50"`)
	tb.fill("#history-search", "cusco")
	tb.chatPress("#history-search", kb.Enter)
	tb.chatWaitText("the search finds the old message", chatMsg(needle.MessageID, ".text"), "¿Hacen envíos a Cusco?")
	if n := eval[int](tb, `document.querySelectorAll('#chat [data-message-id]').length`); n != 1 {
		t.Errorf("the search shows %d messages, want only the match", n)
	}
	tb.shot("search")
	tb.fill("#history-search", "")
	tb.chatPress("#history-search", kb.Enter)
	tb.waitFor("an empty search shows the newest again", chatLastSubscriberText+` === "mensaje 50"`)
	tb.chatWaitGone("the old message leaves with the search", "#chat "+msgSel(needle.MessageID))
}

// chatTelegramSent is the message Telegram got with text plain.
func chatTelegramSent(t *testing.T, me *msgEnv, chatID int64, plain string) telegramfake.SentMessage {
	t.Helper()
	var out telegramfake.SentMessage
	eventually(t, "Telegram gets "+plain, func() bool {
		i := slices.IndexFunc(me.tg.Sent(chatID), func(s telegramfake.SentMessage) bool { return s.Plain == plain })
		if i >= 0 {
			out = me.tg.Sent(chatID)[i]
		}
		return i >= 0
	})
	return out
}
