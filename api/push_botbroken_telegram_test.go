package api_test

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/push"
)

// TestBotBrokenOnTheNotificationsBot: the notifications bot tells a
// linked admin of a bot's break, headed "Bot disconnected", with no Open
// or chat buttons; an employee's linked chat hears nothing; a reply to
// that alert answers no chat.
func TestBotBrokenOnTheNotificationsBot(t *testing.T) {
	te := newTelegramEnv(t)
	tm, bot := te.storeShop()
	ann := telegramfake.User{ID: 7001, FirstName: "Ann", Username: "ann"}
	bob := telegramfake.User{ID: 7002, FirstName: "Bob", Username: "bob"}
	te.link(tm.admin.AccessToken, ann.ID, ann)
	te.link(tm.emp1.AccessToken, bob.ID, bob)
	linked := len(te.fake.Sent(bob.ID))

	te.breakBot(tm.admin.Workspace.ID, bot.ID, "Unauthorized")
	te.step()
	got := te.lastSent(ann.ID)
	want := push.BotBrokenTitle + "\nShop · Telegram\n\nBot Shop is disconnected: Telegram refused its token (Unauthorized). Reconnect it in Settings → Bots."
	if got.Plain != want || got.ReplyMarkup != nil || !strings.HasPrefix(got.Text, "<b>"+push.BotBrokenTitle+"</b>") {
		t.Fatalf("admin's Telegram alert %q (markup %+v), want %q and no buttons", got.Plain, got.ReplyMarkup, want)
	}
	if n := len(te.fake.Sent(bob.ID)); n != linked {
		t.Fatalf("the employee's chat got %d messages after the break", n-linked)
	}
	te.deliver(te.fake.UserReplies(ann.ID, ann, got.MessageID, "on it"))
	if a := te.lastSent(ann.ID).Plain; a != "Reply to an alert message to answer its chat." {
		t.Fatalf("a reply to the bot alert answered %q", a)
	}
	if alerts := te.botAlerts(tm.admin.AccessToken); len(alerts) != 1 || alerts[0].Deliveries[0].Kind != "telegram" || alerts[0].Deliveries[0].ProviderID == "" {
		t.Fatalf("bot alerts %+v", alerts)
	}
}
