package api_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// A native Telegram chat's history as the subscriber made it on the
// Telegram fake: the admin's and an employee's replies, each named with
// its author and ticked sent; the subscriber's quote of the admin's reply,
// a button pressed under the employee's reply (a callback query, shown as
// the subscriber's message), a reaction and a document (a file link).
// The admin sees it all and answers quoting the subscriber (Telegram gets
// a reply to their message); the follower sees the same history with no
// message tools.
func TestBrowserChatHistoryTelegram(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	u := telegramfake.User{ID: 7301, FirstName: "Nora", LastName: "Vega", Username: "noravega"}
	chat, _ := me.openTelegramChat(t, tm.emp1, b, u, "hola, ¿tienen el plan anual?")
	me.chatFollow(t, tm, chat.ID, tm.follower)
	step := func() { me.inboxClock.Advance(time.Minute) } // each message its own time, so the order is the real one

	step()
	byAdmin := me.reply(t, tm.admin.AccessToken, chat.ID, map[string]any{"text": "Buenos días, sí lo tenemos"})
	me.waitStatus(t, tm.admin.AccessToken, chat.ID, byAdmin.ID, models.DeliverySent)
	step()
	byEmp := me.reply(t, tm.emp1.AccessToken, chat.ID, map[string]any{"text": "¿Lo activamos?"})
	me.waitStatus(t, tm.admin.AccessToken, chat.ID, byEmp.ID, models.DeliverySent)
	adminTG := chatTelegramSent(t, me, u.ID, "Buenos días, sí lo tenemos")
	empTG := chatTelegramSent(t, me, u.ID, "¿Lo activamos?")

	step()
	quoteUp := me.tg.UserReplies(u.ID, u, adminTG.MessageID, "perfecto, lo quiero")
	quote := me.waitMessage(t, tm.admin.AccessToken, b.ID, u.ID, "the quoting message", func(m models.Message) bool { return m.Text == "perfecto, lo quiero" })
	step()
	me.tg.UserPresses(u.ID, u, empTG.MessageID, "plan_annual")
	button := me.waitMessage(t, tm.admin.AccessToken, b.ID, u.ID, "the button press", fromSubscriber(models.KindButton))
	me.tg.UserReacts(u.ID, u, adminTG.MessageID, "👍")
	eventually(t, "the reaction is stored", func() bool {
		m, ok := me.message(tm.admin.AccessToken, chat.ID, byAdmin.ID)
		return ok && len(m.Reactions) == 1
	})
	step()
	me.tg.UserSendsMessage(u.ID, u, telegramfake.Inbound{Caption: "la factura",
		Document: &telegramfake.FileSpec{Name: "factura-0042.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 factura")}})
	doc := me.waitMessage(t, tm.admin.AccessToken, b.ID, u.ID, "the document", func(m models.Message) bool {
		return m.File != nil && m.File.Name == "factura-0042.pdf" && !m.File.Pending
	})

	check := func(tb *tab) {
		t.Helper()
		tb.chatOpen(chat.ID)
		tb.chatWaitText("the document's file link", chatMsg(doc.ID, "a.file"), "factura-0042.pdf")
		for _, c := range []struct{ what, sel, want string }{
			{"the admin's reply names the admin", chatMsg(byAdmin.ID, ".who"), chatMemberName(tm.admin)},
			{"the employee's reply names the employee", chatMsg(byEmp.ID, ".who"), chatMemberName(tm.emp1)},
			{"the subscriber's message names the subscriber", chatMsg(quote.ID, ".who"), "Nora Vega"},
			{"the quote shows the admin's reply", chatMsg(quote.ID, "blockquote.quote"), "Buenos días, sí lo tenemos"},
			{"the pressed button is the subscriber's message with its data", chatMsg(button.ID, ".text"), "plan_annual"},
			{"the reaction shows on the admin's reply", chatMsg(byAdmin.ID, ".reactions"), "👍"},
			{"the timeline names the queue's assignee", "#chat [data-event=assigned]", chatMemberName(tm.emp1)},
		} {
			tb.chatWaitText(c.what, c.sel, c.want)
		}
		for id, sender := range map[string]string{byAdmin.ID: "agent", byEmp.ID: "agent", button.ID: "subscriber", doc.ID: "subscriber"} {
			if got := eval[string](tb, fmt.Sprintf(`document.querySelector(%s).dataset.sender`, jsString("#chat "+msgSel(id)))); got != sender {
				t.Errorf("message %s has data-sender %q, want %q", id, got, sender)
			}
		}
		if !tb.present(chatMsg(button.ID, ".button-label")) {
			t.Errorf("the pressed button is not marked as a clicked button")
		}
		for _, id := range []string{byAdmin.ID, byEmp.ID} {
			if got := eval[string](tb, fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.status || ''`, jsString(chatMsg(id, ".status")))); got != "sent" {
				t.Errorf("reply %s shows status %q, want sent", id, got)
			}
		}
		if href := eval[string](tb, fmt.Sprintf(`document.querySelector(%s).getAttribute('href')`, jsString(chatMsg(doc.ID, "a.file")))); href != doc.File.URL {
			t.Errorf("the file link goes to %q, want the API's %q", href, doc.File.URL)
		}
		tb.shot("history")
	}

	t.Run("admin", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.admin, "admin")
		check(tb)
		// The admin quotes the subscriber's message in a reply: the page
		// shows the quote, and Telegram gets it as a reply to that message.
		tb.click(chatMsg(quote.ID, "button.reply-quote"))
		tb.chatWaitText("the quote bar shows the quoted message", "#quote-bar", "perfecto, lo quiero")
		tb.fill("textarea#reply", "Listo, activado")
		tb.shot("quoting")
		tb.click("button#send")
		got := chatTelegramSent(t, me, u.ID, "Listo, activado")
		if got.ReplyTo != quoteUp.Message.MessageID {
			t.Errorf("Telegram got the reply to message %d, want the subscriber's %d", got.ReplyTo, quoteUp.Message.MessageID)
		}
		reply, ok := me.chatAgentMessage(tm.admin.AccessToken, chat.ID, "Listo, activado")
		if !ok || reply.ReplyTo != quote.ID {
			t.Fatalf("the stored reply %+v does not quote the subscriber's message %s", reply, quote.ID)
		}
		tb.chatWaitText("the reply shows its quote", chatMsg(reply.ID, "blockquote.quote"), "perfecto, lo quiero")
		tb.chatWaitGone("the quote bar closes after the send", "#quote-bar:not([hidden])")
		tb.shot("quoted")
	})
	t.Run("follower", func(t *testing.T) {
		tb := me.chatSignedIn(t, tm.follower, "follower")
		check(tb)
		tb.chatNoWriteControls()
	})
}

// A chat of an Instagram bot run by an external engine (events API): the
// subscriber came from an ad and mentioned the business in a story (both
// notices show), the bot replied (named as the bot), the employee's reply
// goes from sent to delivered to read as the engine reports the receipts,
// and the subscriber's reaction to the bot's reply shows, all while the
// chat is open.
func TestBrowserChatHistoryEvents(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	ig := me.bot(tm.admin.AccessToken, map[string]any{"channel": "instagram", "name": "IG Shop"})
	sub := map[string]any{"id": "ig-77", "name": "Paula Ríos"}
	at := time.Now().Add(-10 * time.Minute)
	n := 0
	ev := func(typ string, body map[string]any) eventResult {
		n++
		e := map[string]any{"id": "ev" + strconv.Itoa(n), "type": typ, "subscriber": sub, "at": at.Add(time.Duration(n) * time.Second)}
		for k, v := range body {
			e[k] = v
		}
		return me.event(tm.key, ig.ID, e)
	}
	ev("open_chat", nil)
	ad := ev("message", map[string]any{"message": map[string]any{"id": "ig-m1", "text": "Vi el anuncio",
		"referral": map[string]any{"campaign": "Rebajas de verano", "ad_id": "ad-991", "url": "https://example.com/ad"}}})
	story := ev("message", map[string]any{"message": map[string]any{"id": "ig-m2", "kind": "story_mention",
		"file": map[string]any{"name": "story.jpg", "mime_type": "image/jpeg", "url": "https://example.com/story.jpg"}}})
	bot := ev("bot_message", map[string]any{"message": map[string]any{"id": "ig-b1", "text": "¡Gracias por mencionarnos!"}})

	tb := me.chatSignedIn(t, tm.emp1, "employee")
	tb.chatOpen(ad.ConversationID)
	tb.chatWaitText("the ad referral notice names the campaign", chatMsg(ad.MessageID, "p.notice"), "Rebajas de verano")
	tb.wait(chatMsg(story.MessageID, "p.notice"))
	if tb.text(chatMsg(story.MessageID, "p.notice")) == "" {
		t.Errorf("the story mention has an empty notice")
	}
	tb.chatWaitText("the bot's reply", chatMsg(bot.MessageID, ".text"), "¡Gracias por mencionarnos!")
	if got := eval[string](tb, fmt.Sprintf(`document.querySelector(%s).dataset.sender`, jsString("#chat "+msgSel(bot.MessageID)))); got != "bot" {
		t.Errorf("the bot's reply has data-sender %q, want bot", got)
	}
	if who := tb.text(chatMsg(bot.MessageID, ".who")); who == "" || who == chatMemberName(tm.emp1) || who == "Paula Ríos" {
		t.Errorf("the bot's reply is named %q, want the bot", who)
	}
	tb.shot("notices")

	tb.fill("textarea#reply", "Te escribo por privado")
	tb.click("button#send")
	var reply models.Message
	eventually(t, "the reply is stored", func() bool {
		for _, m := range me.history(tm.emp1.AccessToken, ad.ConversationID, "") {
			if m.Sender == models.SenderAgent && m.Text == "Te escribo por privado" {
				reply = m
				return true
			}
		}
		return false
	})
	tb.chatWaitText("the reply names the employee", chatMsg(reply.ID, ".who"), chatMemberName(tm.emp1))
	status := func(st string) string {
		return fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.status === %s`, jsString(chatMsg(reply.ID, ".status")), jsString(st))
	}
	// Each wait below is one of the console's polls.
	ev("status", map[string]any{"status": map[string]any{"message_id": reply.ID, "status": "sent"}})
	ev("status", map[string]any{"status": map[string]any{"message_id": reply.ID, "status": "delivered"}})
	tb.waitFor("the reply's tick shows delivered without a reload", status("delivered"))
	tb.shot("tick-delivered")
	ev("status", map[string]any{"status": map[string]any{"message_id": reply.ID, "status": "read"}})
	ev("reaction", map[string]any{"reaction": map[string]any{"message_id": bot.MessageID, "emoji": "❤️"}})
	tb.waitFor("the reply's tick shows read without a reload", status("read"))
	tb.chatWaitText("the reaction to the bot's reply shows without a reload", chatMsg(bot.MessageID, ".reactions"), "❤️")
	if tb.text(chatMsg(reply.ID, ".status")) == "" {
		t.Errorf("the read tick has no mark")
	}
	tb.shot("tick-read-reaction")
}
