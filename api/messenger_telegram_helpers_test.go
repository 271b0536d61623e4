package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// tgUser is a simulated Telegram user whose private chat id is id.
func tgUser(id int64, first string) telegramfake.User {
	return telegramfake.User{ID: id, FirstName: first, Username: strings.ToLower(first) + strconv.FormatInt(id, 10)}
}

// subscriberOf returns the subscriber of Telegram chat chatID of bot botID
// (false when there is none yet).
func (me *msgEnv) subscriberOf(token, botID string, chatID int64) (models.Subscriber, bool) {
	me.t.Helper()
	r := me.call("GET", "/v1/subscribers?bot_id="+botID+"&limit=100", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Subscriber }
	r.JSON(me.t, &l)
	for _, s := range l.Items {
		if s.ExternalID == strconv.FormatInt(chatID, 10) {
			return s, true
		}
	}
	return models.Subscriber{}, false
}

// waitSubscriber waits for chat chatID's subscriber to meet cond.
func (me *msgEnv) waitSubscriber(t testing.TB, token, botID string, chatID int64, what string, cond func(models.Subscriber) bool) models.Subscriber {
	t.Helper()
	var sub models.Subscriber
	eventually(t, what, func() bool {
		s, ok := me.subscriberOf(token, botID, chatID)
		sub = s
		return ok && cond(s)
	})
	return sub
}

// chatHistory is the history (newest first) of chat chatID's conversation,
// nil while the subscriber does not exist.
func (me *msgEnv) chatHistory(token, botID string, chatID int64) []models.Message {
	me.t.Helper()
	s, ok := me.subscriberOf(token, botID, chatID)
	if !ok {
		return nil
	}
	// The MongoDB store writes a new subscriber before its chat: a chat
	// not found yet is one still being written.
	r := me.call("GET", "/v1/conversations/"+models.ConversationID(s.ID)+"/messages", token, nil)
	if r.StatusCode == http.StatusNotFound {
		return nil
	}
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Message }
	r.JSON(me.t, &l)
	return l.Items
}

// waitMessage waits for a message of chat chatID meeting cond and returns it.
func (me *msgEnv) waitMessage(t testing.TB, token, botID string, chatID int64, what string, cond func(models.Message) bool) models.Message {
	t.Helper()
	var found models.Message
	eventually(t, what, func() bool {
		for _, m := range me.chatHistory(token, botID, chatID) {
			if cond(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// fromSubscriber matches the subscriber's messages of a kind.
func fromSubscriber(kind models.MessageKind) func(models.Message) bool {
	return func(m models.Message) bool { return m.Sender == models.SenderSubscriber && m.Kind == kind }
}

// download fetches a stored file through GET /v1/files/{id}.
func (me *msgEnv) download(token, url string) []byte {
	me.t.Helper()
	r := me.call("GET", url, token, nil)
	wantStatus(me.t, r, http.StatusOK)
	return r.Body
}

// hook posts body to bot b's Telegram webhook with secret ("" none).
func (me *msgEnv) hook(ws string, b models.Bot, secret string, body []byte) resp {
	me.t.Helper()
	req, err := http.NewRequest("POST", me.http.URL+"/v1/hooks/telegram/"+ws+"/"+b.ID, bytes.NewReader(body))
	if err != nil {
		me.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	return me.do(req)
}

// secret is bot b's webhook secret, as Telegram knows it (never shown by
// the API).
func (me *msgEnv) secret(ws string, b models.Bot) string {
	me.t.Helper()
	sb, err := me.db.Bot(context.Background(), ws, b.ID)
	if err != nil || sb.Connection == nil || sb.Connection.Secret == "" {
		me.t.Fatalf("bot %s has no webhook secret (%v)", b.ID, err)
	}
	return sb.Connection.Secret
}

// updates lists bot b's stored updates (admins' view).
func (me *msgEnv) updates(admin, botID, state string) []models.InboundUpdate {
	me.t.Helper()
	q := ""
	if state != "" {
		q = "?state=" + state
	}
	r := me.call("GET", "/v1/bots/"+botID+"/updates"+q, admin, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.InboundUpdate }
	r.JSON(me.t, &l)
	return l.Items
}

// getBot reads a bot through the API.
func (me *msgEnv) getBot(token, id string) models.Bot {
	me.t.Helper()
	r := me.call("GET", "/v1/bots/"+id, token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var b models.Bot
	r.JSON(me.t, &b)
	return b
}

// tgCall calls Bot API method of token on the fake (as a test, not as the
// bot) and decodes its result into out.
func (me *msgEnv) tgCall(token, method string, out any) {
	me.t.Helper()
	res, err := http.Post(me.tg.URL()+"/bot"+token+"/"+method, "application/json", strings.NewReader("{}"))
	if err != nil {
		me.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var env struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil || !env.OK {
		me.t.Fatalf("%s: %s", method, body)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		me.t.Fatal(err)
	}
}

// webhookURL is the webhook the fake has for token ("" none).
func (me *msgEnv) webhookURL(token string) string {
	me.t.Helper()
	var info struct {
		URL string `json:"url"`
	}
	me.tgCall(token, "getWebhookInfo", &info)
	return info.URL
}

// nudge waits for cond, moving the runner's clock (the inbox clock) on
// while it does not hold, so that jobs retried later come due.
func (me *msgEnv) nudge(t testing.TB, what string, cond func() bool) {
	t.Helper()
	eventually(t, what, func() bool {
		if cond() {
			return true
		}
		me.inboxClock.Advance(5 * time.Second)
		return false
	})
}

// openChat has user write to bot b and waits for the chat to open,
// assigned to agent; it returns the conversation and the update.
func (me *msgEnv) openTelegramChat(t testing.TB, agent tokens, b models.Bot, u telegramfake.User, text string) (models.Conversation, telegramfake.Update) {
	t.Helper()
	up := me.tg.UserSends(u.ID, u, text)
	var chat models.Conversation
	eventually(t, "the chat opens", func() bool {
		s, ok := me.subscriberOf(agent.AccessToken, b.ID, u.ID)
		if !ok {
			return false
		}
		r := me.call("GET", "/v1/conversations/"+models.ConversationID(s.ID), agent.AccessToken, nil)
		if r.StatusCode == http.StatusNotFound {
			return false // being written (see chatHistory)
		}
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &chat)
		return chat.Status == models.StatusOpen && chat.AssigneeID == agent.Member.ID
	})
	return chat, up
}

// reply sends an agent's message and returns it.
func (me *msgEnv) reply(t testing.TB, token, convID string, body map[string]any) models.Message {
	t.Helper()
	r := me.call("POST", "/v1/conversations/"+convID+"/messages", token, body)
	wantStatus(t, r, http.StatusCreated)
	var m models.Message
	r.JSON(t, &m)
	return m
}

// message reads one message of a conversation from its history.
func (me *msgEnv) message(token, convID, id string) (models.Message, bool) {
	me.t.Helper()
	for _, m := range me.history(token, convID, "") {
		if m.ID == id {
			return m, true
		}
	}
	return models.Message{}, false
}

// waitStatus waits for message id to reach status and returns it.
func (me *msgEnv) waitStatus(t testing.TB, token, convID, id string, st models.DeliveryStatus) models.Message {
	t.Helper()
	var m models.Message
	eventually(t, "message "+id+" is "+string(st), func() bool {
		var ok bool
		m, ok = me.message(token, convID, id)
		return ok && m.Status == st
	})
	return m
}
