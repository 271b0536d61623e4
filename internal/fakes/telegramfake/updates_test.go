package telegramfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func updatesOf(t *testing.T, a answer) []Update {
	t.Helper()
	var ups []Update
	if a.status != 200 || json.Unmarshal(a.Result, &ups) != nil {
		t.Fatalf("getUpdates: %+v", a)
	}
	return ups
}

func TestGetUpdatesOffsetAndLimit(t *testing.T) {
	s := New(t, token)
	ann := User{ID: 42, FirstName: "Ann"}
	sent := callJSON(t, s, "sendMessage", `{"chat_id": 42, "text": "alert"}`)
	var alert Message
	_ = json.Unmarshal(sent.Result, &alert)
	u1 := s.UserSends(42, ann, "/start abc")
	u2 := s.UserReplies(42, ann, alert.MessageID, "on my way")
	u3 := s.UserPresses(42, ann, alert.MessageID, "cl:c1")
	if u2.UpdateID != u1.UpdateID+1 || u3.UpdateID != u2.UpdateID+1 {
		t.Fatalf("update ids %d %d %d", u1.UpdateID, u2.UpdateID, u3.UpdateID)
	}
	ups := updatesOf(t, callJSON(t, s, "getUpdates", `{"limit": 2}`))
	if len(ups) != 2 || ups[0].Message.Text != "/start abc" || ups[1].Message.ReplyToMessage.MessageID != alert.MessageID {
		t.Fatalf("first page: %+v", ups)
	}
	if ups[1].Message.MessageID != alert.MessageID+2 {
		t.Fatalf("message ids are not shared in the chat: %d", ups[1].Message.MessageID)
	}
	// Without an offset nothing is confirmed.
	if again := updatesOf(t, callJSON(t, s, "getUpdates", `{}`)); len(again) != 3 {
		t.Fatalf("unconfirmed: %d updates", len(again))
	}
	ups = updatesOf(t, callJSON(t, s, "getUpdates", `{"offset": `+strconv.FormatInt(u2.UpdateID+1, 10)+`}`))
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "cl:c1" ||
		ups[0].CallbackQuery.Message.ReplyMarkup != nil || ups[0].CallbackQuery.Message.Text != "alert" {
		t.Fatalf("callback: %+v", ups)
	}
	a := callJSON(t, s, "answerCallbackQuery", `{"callback_query_id": "`+ups[0].CallbackQuery.ID+`", "text": "Closed"}`)
	if a.status != 200 || string(a.Result) != "true" {
		t.Fatalf("answer: %+v", a)
	}
	if a := callJSON(t, s, "answerCallbackQuery", `{"callback_query_id": "`+ups[0].CallbackQuery.ID+`"}`); a.status != 400 {
		t.Fatalf("second answer: %+v", a)
	}
	if got := s.Answers(); len(got) != 1 || got[0].Text != "Closed" {
		t.Fatalf("answers: %+v", got)
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	s := New(t, token)
	done := make(chan []Update)
	go func() {
		resp, err := http.Post(s.URL()+"/bot"+token+"/getUpdates", "application/json", strings.NewReader(`{"timeout": 30}`))
		if err != nil {
			done <- nil
			return
		}
		defer resp.Body.Close()
		var a answer
		data, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(data, &a)
		var ups []Update
		_ = json.Unmarshal(a.Result, &ups)
		done <- ups
	}()
	for s.Calls("getUpdates") == 0 {
		time.Sleep(time.Millisecond)
	}
	s.UserSends(7, User{ID: 7, FirstName: "Bo"}, "hello")
	if ups := <-done; len(ups) != 1 || ups[0].Message.Text != "hello" {
		t.Fatalf("long poll: %+v", ups)
	}
}

func TestWebhookDelivery(t *testing.T) {
	s := New(t, token)
	s.SetWebhookRetryDelay(time.Millisecond)
	var mu sync.Mutex
	var got []string
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusInternalServerError) // delivered again later
			return
		}
		var u Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		got = append(got, r.Header.Get("X-Telegram-Bot-Api-Secret-Token")+" "+u.Message.Text)
	}))
	defer hook.Close()
	if a := callJSON(t, s, "setWebhook", `{"url": "`+hook.URL+`/tg", "secret_token": "s3cret_-x"}`); a.status != 200 {
		t.Fatalf("setWebhook: %+v", a)
	}
	if a := callJSON(t, s, "getUpdates", `{}`); a.status != 409 || !strings.Contains(a.Description, "webhook is active") {
		t.Fatalf("getUpdates with a webhook: %+v", a)
	}
	s.UserSends(9, User{ID: 9, FirstName: "Cy"}, "one")
	s.UserSends(9, User{ID: 9, FirstName: "Cy"}, "two")
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if got[0] != "s3cret_-x one" || got[1] != "s3cret_-x two" || calls != 3 {
		t.Fatalf("delivered %q in %d calls", got, calls)
	}
}

func TestProgrammedAnswers(t *testing.T) {
	s := New(t, token)
	s.RateLimit(1, 7, 1)
	a := callJSON(t, s, "sendMessage", `{"chat_id": 1, "text": "x"}`)
	if a.status != 429 || a.Parameters.RetryAfter != 7 || a.Description != "Too Many Requests: retry after 7" {
		t.Fatalf("rate limited: %+v", a)
	}
	if a := callJSON(t, s, "sendMessage", `{"chat_id": 1, "text": "x"}`); a.status != 200 {
		t.Fatalf("after the rate limit: %+v", a)
	}
	s.Fail(2, 502, 1)
	if a := callJSON(t, s, "sendMessage", `{"chat_id": 2, "text": "x"}`); a.status != 502 || a.ErrorCode != 502 {
		t.Fatalf("fail: %+v", a)
	}
	s.Block(3)
	if a := callJSON(t, s, "sendMessage", `{"chat_id": 3, "text": "x"}`); a.status != 403 || a.Description != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %+v", a)
	}
	s.ChatNotFound(4)
	if a := callJSON(t, s, "sendMessage", `{"chat_id": 4, "text": "x"}`); a.status != 400 || a.Description != "Bad Request: chat not found" {
		t.Fatalf("not found: %+v", a)
	}
	s.FailMethod("getMe", 500, 1)
	if a := callJSON(t, s, "getMe", `{}`); a.status != 500 {
		t.Fatalf("method failure: %+v", a)
	}
	if s.Calls("sendMessage") != 5 || len(s.Sent(1)) != 1 || len(s.Sent(3)) != 0 {
		t.Fatalf("calls %d, sent %d", s.Calls("sendMessage"), len(s.Sent(1)))
	}
}

func TestEditMessageReplyMarkup(t *testing.T) {
	s := New(t, token)
	a := callJSON(t, s, "sendMessage", `{"chat_id": 5, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "as:1"}]]}}`)
	var m Message
	_ = json.Unmarshal(a.Result, &m)
	body := `{"chat_id": 5, "message_id": ` + strconv.FormatInt(m.MessageID, 10) + `}`
	a = callJSON(t, s, "editMessageReplyMarkup", body)
	var edited Message
	if a.status != 200 || json.Unmarshal(a.Result, &edited) != nil || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edit: %+v", a)
	}
	if sent := s.Sent(5); sent[0].ReplyMarkup != nil {
		t.Fatal("the record kept the buttons")
	}
	if a := callJSON(t, s, "editMessageReplyMarkup", body); a.status != 400 || !strings.Contains(a.Description, "not modified") {
		t.Fatalf("second edit: %+v", a)
	}
	if a := callJSON(t, s, "editMessageReplyMarkup", `{"chat_id": 5, "message_id": 99}`); a.status != 400 {
		t.Fatalf("edit of nothing: %+v", a)
	}
}

func TestWebhookElsewhereIsNeverCalled(t *testing.T) {
	s := New(t, token)
	if a := callJSON(t, s, "setWebhook", `{"url": "https://switchboard.example/tg"}`); a.status != 200 {
		t.Fatalf("setWebhook: %+v", a)
	}
	s.UserSends(9, User{ID: 9, FirstName: "Cy"}, "one")
	var info struct {
		URL     string `json:"url"`
		Pending int    `json:"pending_update_count"`
	}
	a := callJSON(t, s, "getWebhookInfo", `{}`)
	if json.Unmarshal(a.Result, &info) != nil || info.URL != "https://switchboard.example/tg" || info.Pending != 1 {
		t.Fatalf("webhook info: %+v", a)
	}
	if a := callJSON(t, s, "deleteWebhook", `{}`); a.status != 200 {
		t.Fatalf("deleteWebhook: %+v", a)
	}
	if ups := updatesOf(t, callJSON(t, s, "getUpdates", `{}`)); len(ups) != 1 || ups[0].Message.Text != "one" {
		t.Fatalf("updates kept for getUpdates: %+v", ups)
	}
}
