package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/switchboardhq/switchboard/models"
)

// The admin writes a reply at the limit. The counter counts code points
// as the server does (an emoji is one, though two UTF-16 units): at 513
// it shows the excess and Send is disabled, and Ctrl+Enter sends nothing;
// at 512 Ctrl+Enter sends it, and Telegram gets exactly that text. The
// reply pauses the bot's automation: the pause shows with the server's
// end, "+60 min" moves it an hour on and "resume" ends it; a pause set
// by another agent shows without a reload.
func TestBrowserChatReplyLimitPause(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, map[string]any{"queue": ids(tm.admin)})
	u := tgUser(7501, "Iris")
	chat, _ := me.openTelegramChat(t, tm.admin, b, u, "hola")

	tb := me.chatSignedIn(t, tm.admin, "admin")
	tb.chatOpen(chat.ID)
	if !tb.present("#automation-pause[hidden]") {
		t.Errorf("the automation pause shows before any manual reply")
	}
	// 512 code points in 768 UTF-16 units.
	text := strings.Repeat("ñ", 256) + strings.Repeat("😀", 255) + "👍"
	if utf8.RuneCountInString(text) != 512 {
		t.Fatal("the test's text is not 512 code points")
	}
	counter := func(want string) string {
		return fmt.Sprintf(`document.querySelector('#reply-counter').textContent.trim() === %s`, jsString(want))
	}
	tb.fill("textarea#reply", text+"😀")
	tb.waitFor("the counter shows 513 of 512", counter("513/512"))
	if !eval[bool](tb, `document.querySelector('#reply-counter').classList.contains('over') && document.querySelector('button#send').disabled`) {
		t.Errorf("at 513 the counter is not marked over the limit, or Send is enabled")
	}
	tb.shot("over-limit")
	tb.chatPress("textarea#reply", kb.Enter, chromedp.ModifierCtrl)

	tb.fill("textarea#reply", text)
	tb.waitFor("the counter shows 512 of 512", counter("512/512"))
	if !eval[bool](tb, `!document.querySelector('#reply-counter').classList.contains('over') && !document.querySelector('button#send').disabled`) {
		t.Errorf("at 512 the counter is marked over the limit, or Send is disabled")
	}
	tb.shot("at-limit")
	tb.chatPress("textarea#reply", kb.Enter, chromedp.ModifierCtrl)
	chatTelegramSent(t, me, u.ID, text)
	if n := len(me.tg.Sent(u.ID)); n != 1 {
		t.Fatalf("Telegram got %d messages, want only the 512-character one (the 513 one must not be sent)", n)
	}
	tb.waitFor("the reply box is emptied", counter("0/512"))

	// The pause the reply started.
	paused := func() time.Time {
		c := me.conv(admin, chat.ID)
		if c.AutomationPausedUntil == nil {
			t.Fatal("the server has no automation pause")
		}
		return *c.AutomationPausedUntil
	}
	shows := func(until time.Time) string {
		return fmt.Sprintf(`(() => { const p = document.querySelector('#automation-pause');
  return !!p && !p.hidden && Date.parse(p.dataset.until) === %d; })()`, until.UnixMilli())
	}
	first := paused()
	tb.waitFor("the pause shows the server's end", shows(first))
	tb.shot("paused")
	tb.click("#pause-extend")
	tb.waitFor("+60 min moves the pause an hour on", shows(first.Add(time.Hour)))
	if got := paused(); !got.Equal(first.Add(time.Hour)) {
		t.Fatalf("the server's pause ends at %v after +60 min, want %v", got, first.Add(time.Hour))
	}
	tb.click("#pause-resume")
	tb.waitFor("resume hides the pause", `document.querySelector('#automation-pause').hidden`)
	if c := me.conv(admin, chat.ID); c.AutomationPausedUntil != nil && c.AutomationPausedUntil.After(me.inboxClock.Now()) {
		t.Fatalf("the server's automation is still paused until %v after resume", c.AutomationPausedUntil)
	}
	tb.shot("resumed")

	// Another agent pauses it again (the pause is the subscriber's): the
	// open chat shows it at its next poll, without a reload.
	wantStatus(t, me.call("POST", "/v1/subscribers/"+chat.SubscriberID+"/automation", tm.emp1.AccessToken, map[string]string{"action": "extend"}), http.StatusOK)
	tb.waitFor("the pause set elsewhere shows", shows(paused()))
}

// chatWrittenAt opens a chat of bot botID whose subscriber last wrote at at,
// through the events API, and returns the event's result.
func (me *msgEnv) chatWrittenAt(t *testing.T, key, botID, subID, name string, at time.Time) eventResult {
	t.Helper()
	sub := map[string]any{"id": subID, "name": name}
	me.event(key, botID, map[string]any{"id": subID + "-open", "type": "open_chat", "subscriber": sub, "at": at})
	return me.event(key, botID, map[string]any{"id": subID + "-msg", "type": "message", "subscriber": sub, "at": at,
		"message": map[string]any{"id": subID + "-m", "text": "hola, ¿siguen ahí?"}})
}

// chatAgentMessage is the chat's agent message with text, if any.
func (me *msgEnv) chatAgentMessage(token, convID, text string) (models.Message, bool) {
	me.t.Helper()
	for _, m := range me.history(token, convID, "") {
		if m.Sender == models.SenderAgent && m.Text == text {
			return m, true
		}
	}
	return models.Message{}, false
}

// The reply window by channel, as an employee sees it. Inside it the
// countdown shows the time left (Messenger, 2 h 30 min after the last
// message: 21 h and some minutes). Past it on Messenger the window shows
// closed and offers the human-agent option: a plain send is refused by
// the server (the console shows why), a send as a human agent goes out
// with the tag. Past it on WhatsApp the template field is offered instead,
// and a send with a template goes out with it. The follower of the
// WhatsApp chat gets neither, nor a reply box.
func TestBrowserChatReplyWindow(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	emp := tm.emp1.AccessToken
	fb := me.bot(tm.admin.AccessToken, map[string]any{"channel": "messenger", "name": "FB Shop"})
	wa := me.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WA Shop"})
	now := time.Now()
	inside := me.chatWrittenAt(t, tm.key, fb.ID, "fb-in", "Ines Dentro", now.Add(-150*time.Minute))
	outFB := me.chatWrittenAt(t, tm.key, fb.ID, "fb-out", "Oscar Fuera", now.Add(-30*time.Hour))
	outWA := me.chatWrittenAt(t, tm.key, wa.ID, "wa-out", "Wanda Fuera", now.Add(-25*time.Hour))
	// Past 7 days: Messenger's human-agent tag and Instagram's window are over.
	lateFB := me.chatWrittenAt(t, tm.key, fb.ID, "fb-late", "Leo Tarde", now.Add(-8*24*time.Hour))
	ig := me.bot(tm.admin.AccessToken, map[string]any{"channel": "instagram", "name": "IG Shop"})
	lateIG := me.chatWrittenAt(t, tm.key, ig.ID, "ig-late", "Lola Tarde", now.Add(-8*24*time.Hour))
	me.chatFollow(t, tm, outWA.ConversationID, tm.follower)

	t.Run("employee", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.emp1, "employee")

		tb.chatOpen(inside.ConversationID)
		tb.chatWaitText("the countdown shows the time left", "#reply-window", "21 h")
		if tb.present("#reply-window.closed") || tb.present("#human-agent") || tb.present("#template") {
			t.Errorf("inside the window the console shows it closed or offers its exceptions")
		}
		tb.shot("window-open")

		tb.chatOpen(outFB.ConversationID)
		tb.wait("#reply-window.closed")
		tb.wait("#human-agent")
		if tb.present("#template") {
			t.Errorf("a Messenger chat offers WhatsApp's template field")
		}
		tb.fill("textarea#reply", "¿Sigue interesado?")
		tb.click("button#send")
		tb.wait("#toast .toast.error")
		if _, ok := me.chatAgentMessage(emp, outFB.ConversationID, "¿Sigue interesado?"); ok {
			t.Fatalf("a plain send outside the window was stored")
		}
		tb.shot("messenger-refused")
		tb.click("#human-agent")
		tb.click("button#send")
		var sent models.Message
		eventually(t, "the human-agent reply is stored", func() bool {
			var ok bool
			sent, ok = me.chatAgentMessage(emp, outFB.ConversationID, "¿Sigue interesado?")
			return ok
		})
		if sent.Tag != "human_agent" {
			t.Errorf("the reply went with tag %q, want human_agent", sent.Tag)
		}
		tb.wait("#chat " + msgSel(sent.ID))
		tb.shot("messenger-human-agent")

		tb.chatOpen(outWA.ConversationID)
		tb.wait("#reply-window.closed")
		tb.wait("#template")
		if tb.present("#human-agent") {
			t.Errorf("a WhatsApp chat offers the human-agent option")
		}
		tb.fill("#template", "order_update")
		tb.fill("textarea#reply", "Su pedido salió hoy")
		tb.shot("whatsapp-template")
		tb.click("button#send")
		eventually(t, "the template reply is stored", func() bool {
			sent, _ = me.chatAgentMessage(emp, outWA.ConversationID, "Su pedido salió hoy")
			return sent.ID != ""
		})
		if sent.Template != "order_update" {
			t.Errorf("the reply went with template %q, want order_update", sent.Template)
		}
		tb.chatWaitText("the reply shows its template", chatMsg(sent.ID, "p.notice"), "order_update")

		// Nothing the server would take is offered past 7 days.
		for _, late := range []eventResult{lateFB, lateIG} {
			tb.chatOpen(late.ConversationID)
			tb.wait("#reply-window.closed")
			for _, sel := range []string{"#human-agent", "#template"} {
				if tb.present(sel) {
					t.Errorf("chat %s, 8 days after the subscriber wrote, offers %s", late.ConversationID, sel)
				}
			}
			me.call("POST", "/v1/conversations/"+late.ConversationID+"/messages", emp, map[string]any{"text": "hola", "tag": "human_agent"})
			if _, ok := me.chatAgentMessage(emp, late.ConversationID, "hola"); ok {
				t.Errorf("the server took a human-agent send 8 days after the subscriber wrote")
			}
		}
		tb.shot("window-over")
	})

	t.Run("follower", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.follower, "follower")
		tb.chatOpen(outWA.ConversationID)
		tb.chatWaitText("the history", "#chat [data-sender=subscriber] .text", "hola, ¿siguen ahí?")
		tb.chatNoWriteControls()
		tb.shot("follower")
	})
}
