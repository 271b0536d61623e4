package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// An employee deletes their Telegram reply of a minute ago: the console
// asks first, the message leaves the page and the history, and Telegram
// deletes it. A reply sent 49 hours ago (the inbox clock, which stamps
// messages and judges the 48 hours, is set back while it is sent) has no
// Delete button, and the server refuses to delete it. The follower, who
// has the chat open meanwhile, gets no Delete button at all and sees the
// deleted reply go without a reload. The bot's reply in the chat of a Telegram bot
// run by an external engine is deleted the same way, and the engine is
// told to delete it on Telegram (a delete_message command naming
// Telegram's message id).
func TestBrowserChatDelete(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	emp := tm.emp1.AccessToken
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	u := tgUser(7401, "Teo")
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hola")
	inbound := subscriberMessage(t, me.history(emp, chat.ID, ""))
	me.chatFollow(t, tm, chat.ID, tm.follower)

	me.inboxClock.Advance(-49 * time.Hour)
	old := me.reply(t, emp, chat.ID, map[string]any{"text": "respuesta de anteayer"})
	me.waitStatus(t, emp, chat.ID, old.ID, models.DeliverySent)
	me.inboxClock.Advance(49*time.Hour + time.Minute) // the fresh reply is the newest message
	fresh := me.reply(t, emp, chat.ID, map[string]any{"text": "borrar esto"})
	me.waitStatus(t, emp, chat.ID, fresh.ID, models.DeliverySent)
	chatTelegramSent(t, me, u.ID, "borrar esto")
	// A Telegram bot run by an external engine: its bot's reply, reported
	// through the events API, is deleted through the engine's command feed.
	engine := me.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Engine bot"})
	sub := map[string]any{"id": "tg-eng-1", "name": "Eva Motor"}
	me.event(tm.key, engine.ID, map[string]any{"id": "eo", "type": "open_chat", "subscriber": sub})
	botMsg := me.event(tm.key, engine.ID, map[string]any{"id": "eb", "type": "bot_message", "subscriber": sub,
		"message": map[string]any{"id": "tg-ext-99", "text": "Mensaje del bot"}})

	// The follower has the chat open while the employee deletes.
	ftb := me.chatSignedIn(t, tm.follower, "follower")
	ftb.chatOpen(chat.ID)
	ftb.chatWaitText("the reply to be deleted", chatMsg(fresh.ID, ".text"), "borrar esto")
	ftb.chatWaitText("the old reply", chatMsg(old.ID, ".text"), "respuesta de anteayer")
	ftb.chatNoWriteControls()

	t.Run("employee", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.emp1, "employee")
		tb.chatOpen(chat.ID)
		tb.wait(chatMsg(fresh.ID, "button.delete"))
		tb.chatWaitText("the old reply", chatMsg(old.ID, ".text"), "respuesta de anteayer")
		if tb.present(chatMsg(old.ID, "button.delete")) {
			t.Errorf("a reply older than 48 hours has a Delete button")
		}
		if tb.present(chatMsg(inbound.ID, "button.delete")) {
			t.Errorf("the subscriber's message has a Delete button")
		}
		eval[bool](tb, fmt.Sprintf(`document.querySelector(%s).scrollIntoView(); true`, jsString("#chat "+msgSel(old.ID))))
		tb.shot("delete-offered")
		// The page's confirm() is answered yes, and what it asked is kept.
		eval[bool](tb, `window.confirm = (m) => { window.__asked = m; return true; }; true`)
		tb.click(chatMsg(fresh.ID, "button.delete"))
		tb.chatWaitGone("the deleted reply leaves the page", "#chat "+msgSel(fresh.ID))
		if asked := eval[string](tb, `window.__asked || ''`); asked == "" {
			t.Errorf("the console deleted without asking")
		}
		i := slices.IndexFunc(me.tg.Sent(u.ID), func(s telegramfake.SentMessage) bool { return s.Plain == "borrar esto" })
		if i < 0 || !me.tg.Sent(u.ID)[i].Deleted {
			t.Fatalf("Telegram's copy of the reply is not deleted: %+v", me.tg.Sent(u.ID))
		}
		if _, ok := me.message(emp, chat.ID, fresh.ID); ok {
			t.Errorf("the deleted reply is still in the server's history")
		}
		tb.shot("deleted")
		wantStatus(t, me.call("DELETE", "/v1/conversations/"+chat.ID+"/messages/"+old.ID, emp, nil), http.StatusConflict)

		tb.chatOpen(botMsg.ConversationID)
		tb.click(chatMsg(botMsg.MessageID, "button.delete"))
		tb.chatWaitGone("the bot's deleted reply leaves the page", "#chat "+msgSel(botMsg.MessageID))
		cmds := me.commands(tm.key, engine.ID, 0, 100).Items
		if !slices.ContainsFunc(cmds, func(c models.Command) bool {
			return c.Kind == models.CommandDeleteMessage && c.MessageID == botMsg.MessageID && c.Text == "tg-ext-99"
		}) {
			t.Fatalf("the engine is not told to delete the bot's message: %+v", cmds)
		}
	})

	// The deletion reaches the follower's open chat at its next poll.
	ftb.chatWaitGone("the deleted reply leaves the follower's page without a reload", "#chat "+msgSel(fresh.ID))
	ftb.chatWaitText("the rest of the history stays", chatMsg(old.ID, ".text"), "respuesta de anteayer")
	if !ftb.present("#chat " + msgSel(inbound.ID)) {
		t.Errorf("the subscriber's message left the follower's page with the deleted reply")
	}
	ftb.shot("deleted-live")
}
