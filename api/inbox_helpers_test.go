package api_test

import (
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// team is a workspace with an admin, two employees, a follower and an API key.
type team struct {
	admin, emp1, emp2, follower tokens
	key                         string
}

func (e *env) team() team {
	e.t.Helper()
	var t team
	t.admin = e.admin("admin@example.com")
	t.emp1 = e.member(t.admin.AccessToken, "emp1@example.com", models.RoleEmployee)
	t.emp2 = e.member(t.admin.AccessToken, "emp2@example.com", models.RoleEmployee)
	t.follower = e.member(t.admin.AccessToken, "fol@example.com", models.RoleFollower)
	r := e.call("POST", "/v1/api-keys", t.admin.AccessToken, map[string]string{"name": "engine"})
	wantStatus(e.t, r, http.StatusCreated)
	var k struct{ Secret string }
	r.JSON(e.t, &k)
	t.key = k.Secret
	return t
}

// bot connects a bot as the admin.
func (e *env) bot(admin string, body map[string]any) models.Bot {
	e.t.Helper()
	r := e.call("POST", "/v1/bots", admin, body)
	wantStatus(e.t, r, http.StatusCreated)
	var b models.Bot
	r.JSON(e.t, &b)
	return b
}

type eventResult struct {
	Duplicate      bool             `json:"duplicate"`
	SubscriberID   string           `json:"subscriber_id"`
	ConversationID string           `json:"conversation_id"`
	MessageID      string           `json:"message_id"`
	Replies        []models.Message `json:"replies"`
}

// event posts one event with the API key and wants 200.
func (e *env) event(key, botID string, ev map[string]any) eventResult {
	e.t.Helper()
	r := e.call("POST", "/v1/bots/"+botID+"/events", key, ev)
	wantStatus(e.t, r, http.StatusOK)
	var res eventResult
	r.JSON(e.t, &res)
	return res
}

// say is a subscriber's text message event.
func say(id, subscriber, text string) map[string]any {
	return map[string]any{"id": id, "type": "message", "subscriber": map[string]any{"id": subscriber, "name": "Sub " + subscriber},
		"message": map[string]any{"id": "m-" + id, "text": text}}
}

func openChat(id, subscriber string) map[string]any {
	return map[string]any{"id": id, "type": "open_chat", "subscriber": map[string]any{"id": subscriber, "name": "Sub " + subscriber}}
}

type convView struct {
	models.Conversation
	ReplyWindowOpen       bool       `json:"reply_window_open"`
	ReplyWindowEndsAt     *time.Time `json:"reply_window_ends_at"`
	AutomationPausedUntil *time.Time `json:"automation_paused_until"`
	Muted                 bool       `json:"muted"`
}

func (e *env) conv(token, id string) convView {
	e.t.Helper()
	r := e.call("GET", "/v1/conversations/"+id, token, nil)
	wantStatus(e.t, r, http.StatusOK)
	var c convView
	r.JSON(e.t, &c)
	return c
}

func (e *env) history(token, convID, query string) []models.Message {
	e.t.Helper()
	r := e.call("GET", "/v1/conversations/"+convID+"/messages"+query, token, nil)
	wantStatus(e.t, r, http.StatusOK)
	var l struct{ Items []models.Message }
	r.JSON(e.t, &l)
	return l.Items
}

// events returns the timeline events of a history, oldest first.
func events(msgs []models.Message) []string {
	var out []string
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == models.KindEvent {
			out = append(out, msgs[i].Event)
		}
	}
	return out
}

func ids(ts ...tokens) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Member.ID
	}
	return out
}
