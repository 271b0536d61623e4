package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/telegram"
	"github.com/switchboardhq/switchboard/push/tgbot"
	tg "github.com/switchboardhq/switchboard/telegram"
)

const tgToken = "123456:test-token"

// tgEnv is a push env whose Telegram bot talks to a loopback Bot API and
// takes updates on its webhook.
type tgEnv struct {
	*pushEnv
	fake *telegramfake.Server
}

func newTelegramEnv(t *testing.T) *tgEnv {
	fake := telegramfake.New(t, tgToken)
	client := tg.New(tg.Config{Token: tgToken, BaseURL: fake.URL(), GlobalRate: 1000, PerChatRate: 1000})
	var bot *tgbot.Bot
	pe := newPushEnv(t, push.Config{TelegramBot: fake.Bot().Username},
		map[push.Provider]push.Sender{push.ProviderTelegram: telegram.NewSender(client)},
		func(g *push.Gateway, o *apiOptions) {
			bot = tgbot.New(g, client)
			o.TelegramSecret = "webhook-secret"
			o.TelegramWebhook = bot.HandleJSON
		})
	return &tgEnv{pushEnv: pe, fake: fake}
}

// deliver posts an update to the webhook as Telegram does.
func (te *tgEnv) deliver(u telegramfake.Update) {
	te.t.Helper()
	raw, _ := json.Marshal(u)
	req, _ := http.NewRequest("POST", te.http.URL+"/v1/push/telegram/webhook", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "webhook-secret")
	wantStatus(te.t, te.do(req), http.StatusOK)
}

// link links a member's Telegram chat through the deep-link code.
func (te *tgEnv) link(token string, chatID int64, user telegramfake.User) {
	te.t.Helper()
	r := te.call("POST", "/v1/push/telegram/link", token, nil)
	wantStatus(te.t, r, http.StatusCreated)
	var l struct{ Code, URL string }
	r.JSON(te.t, &l)
	if l.URL != "https://t.me/"+te.fake.Bot().Username+"?start="+l.Code {
		te.t.Fatalf("deep link %q", l.URL)
	}
	te.deliver(te.fake.UserSends(chatID, user, "/start "+l.Code))
}

func (te *tgEnv) lastSent(chatID int64) telegramfake.SentMessage {
	te.t.Helper()
	sent := te.fake.Sent(chatID)
	if len(sent) == 0 {
		te.t.Fatalf("nothing sent to chat %d", chatID)
	}
	return sent[len(sent)-1]
}

func TestTelegramLinkAlertButtonsAndReply(t *testing.T) {
	te := newTelegramEnv(t)
	tm, bot := te.shop()
	ann := telegramfake.User{ID: 5001, FirstName: "Ann", Username: "ann"}
	te.link(tm.emp1.AccessToken, ann.ID, ann)
	if got := te.lastSent(ann.ID).Plain; !strings.Contains(got, "Linked") {
		t.Fatalf("link answer %q", got)
	}
	devs := te.devices(tm.emp1.AccessToken)
	if len(devs) != 1 || devs[0].Kind != models.DeviceTelegram || devs[0].TelegramUsername != "ann" {
		t.Fatalf("devices after linking: %+v", devs)
	}
	// A code works once.
	r := te.call("POST", "/v1/push/telegram/link", tm.emp2.AccessToken, nil)
	var l struct{ Code string }
	r.JSON(t, &l)
	bob := telegramfake.User{ID: 5002, FirstName: "Bob"}
	te.deliver(te.fake.UserSends(bob.ID, bob, "/start "+l.Code))
	te.deliver(te.fake.UserSends(6000, telegramfake.User{ID: 6000, FirstName: "Eve"}, "/start "+l.Code))
	if got := te.lastSent(6000).Plain; !strings.Contains(got, "not valid") {
		t.Fatalf("second use of a code answered %q", got)
	}

	// A new unassigned chat alerts every agent: Ann gets it with buttons.
	te.event(tm.key, bot.ID, say("e1", "s1", "Where is my <order>?"))
	res := te.event(tm.key, bot.ID, openChat("e2", "s1"))
	if n := te.step(); n != 1 {
		t.Fatalf("sent %d alerts, want 1", n)
	}
	alert := te.lastSent(ann.ID)
	if !strings.Contains(alert.Plain, "Sub s1") || !strings.Contains(alert.Plain, "Where is my <order>?") || !strings.Contains(alert.Plain, "Shop") {
		t.Fatalf("alert text %q", alert.Plain)
	}
	if alert.ReplyMarkup == nil || len(alert.ReplyMarkup.InlineKeyboard) != 2 {
		t.Fatalf("alert buttons %+v", alert.ReplyMarkup)
	}

	// Buttons act with the member's permissions.
	te.deliver(te.fake.UserPresses(ann.ID, ann, alert.MessageID, "as:"+res.ConversationID))
	if c := te.conv(tm.admin.AccessToken, res.ConversationID); c.AssigneeID != tm.emp1.Member.ID {
		t.Fatalf("assign to me: assignee %q", c.AssigneeID)
	}
	te.deliver(te.fake.UserPresses(ann.ID, ann, alert.MessageID, "pa:"+res.ConversationID))
	var sub models.Subscriber
	rs := te.call("GET", "/v1/subscribers/"+res.SubscriberID, tm.admin.AccessToken, nil)
	rs.JSON(t, &sub)
	if sub.AutomationPausedUntil == nil {
		t.Fatal("+60 min did not pause the automation")
	}
	answers := te.fake.Answers()
	if len(answers) != 2 || answers[0].Text != "Assigned to you." || !strings.Contains(answers[1].Text, "60") {
		t.Fatalf("button answers %+v", answers)
	}

	// A reply to the alert reaches the subscriber's chat as Ann's message.
	reply := te.fake.UserReplies(ann.ID, ann, alert.MessageID, "It ships today")
	te.deliver(reply)
	te.deliver(reply) // Telegram redelivers: still one message
	hist := te.history(tm.admin.AccessToken, res.ConversationID, "")
	var mine []models.Message
	for _, m := range hist {
		if m.Sender == models.SenderAgent {
			mine = append(mine, m)
		}
	}
	if len(mine) != 1 || mine[0].Text != "It ships today" || mine[0].AuthorID != tm.emp1.Member.ID {
		t.Fatalf("agent messages after the reply: %+v", mine)
	}
	// Every rule of an agent reply applies: 512 characters at most.
	te.deliver(te.fake.UserReplies(ann.ID, ann, alert.MessageID, strings.Repeat("é", 513)))
	if got := te.lastSent(ann.ID).Plain; !strings.Contains(got, "512") {
		t.Fatalf("an over-long reply answered %q", got)
	}
	te.deliver(te.fake.UserReplies(ann.ID, ann, alert.MessageID, strings.Repeat("é", 512)))
	if n := len(te.history(tm.admin.AccessToken, res.ConversationID, "")); n != len(hist)+1 {
		t.Fatalf("history has %d messages, want %d (the 512-character reply only)", n, len(hist)+1)
	}
	// Close from Telegram.
	te.deliver(te.fake.UserPresses(ann.ID, ann, alert.MessageID, "cl:"+res.ConversationID))
	if c := te.conv(tm.admin.AccessToken, res.ConversationID); c.Status != models.StatusClosed {
		t.Fatalf("close: status %q", c.Status)
	}

	// A follower linked to the bot cannot act: their role says no.
	fol := telegramfake.User{ID: 5003, FirstName: "Fay"}
	te.link(tm.follower.AccessToken, fol.ID, fol)
	te.deliver(te.fake.UserPresses(fol.ID, fol, alert.MessageID, "as:"+res.ConversationID))
	if a := te.fake.Answers(); !strings.Contains(a[len(a)-1].Text, "role") && !strings.Contains(a[len(a)-1].Text, "not found") {
		t.Fatalf("a follower's button answered %q", a[len(a)-1].Text)
	}

	// Unlinking stops the alerts; a forged webhook call is refused.
	wantStatus(t, te.call("DELETE", "/v1/push/telegram/link", tm.emp1.AccessToken, nil), http.StatusNoContent)
	if len(te.devices(tm.emp1.AccessToken)) != 0 {
		t.Fatal("unlink left the device")
	}
	req, _ := http.NewRequest("POST", te.http.URL+"/v1/push/telegram/webhook", strings.NewReader(`{"update_id":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "wrong")
	wantStatus(t, te.do(req), http.StatusUnauthorized)
	// A body that is not JSON is a 400; JSON that is no Update is taken and dropped (Telegram would only resend it).
	for body, status := range map[string]int{`{"update_id":`: http.StatusBadRequest, `{"update_id":"x","message":5}`: http.StatusOK} {
		req, _ = http.NewRequest("POST", te.http.URL+"/v1/push/telegram/webhook", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "webhook-secret")
		wantStatus(t, te.do(req), status)
	}
}

func TestTelegramBlockedBotRemovesTheChat(t *testing.T) {
	te := newTelegramEnv(t)
	tm, bot := te.shop()
	ann := telegramfake.User{ID: 7001, FirstName: "Ann"}
	te.link(tm.emp1.AccessToken, ann.ID, ann)
	te.fake.Block(ann.ID)
	te.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	te.event(tm.key, bot.ID, openChat("e2", "s1"))
	te.step()
	if len(te.devices(tm.emp1.AccessToken)) != 0 {
		t.Fatal("a blocked bot's chat is still a device")
	}
	alerts := te.alerts(tm.admin.AccessToken, "")
	if len(alerts) != 1 || alerts[0].Deliveries[0].State != models.DeliveryRemoved || !strings.Contains(alerts[0].Deliveries[0].Reason, "blocked") {
		t.Fatalf("alert outcome %+v", alerts)
	}
	if te.counter("telegram", "gone") != 1 {
		t.Fatal("the gone counter did not move")
	}
}
