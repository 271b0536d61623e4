package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

const testToken = "123456:AAE-secret_Token-value"

// newTest starts a fake Bot API and a client for it, with rate limits high
// enough not to slow the tests.
func newTest(t *testing.T) (*telegramfake.Server, *Client) {
	t.Helper()
	fake := telegramfake.New(t, testToken)
	return fake, New(Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6})
}

// sample is a message like the notifications bot's alerts: HTML, no link
// preview, a URL and a callback button.
func sample(chatID int64) SendMessageParams {
	return SendMessageParams{ChatID: chatID, Text: "<b>Ann</b> New chat\n\nIs my order shipped?", ParseMode: "HTML",
		LinkPreviewOptions: &LinkPreviewOptions{IsDisabled: true},
		ReplyMarkup: &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
			{{Text: "Open", URL: "https://app.switchboard.example/chats/c1"}},
			{{Text: "Close", CallbackData: "cl:c1"}},
		}}}
}

func TestGetMe(t *testing.T) {
	fake, c := newTest(t)
	me, err := c.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !me.IsBot || me.Username != fake.Bot().Username || me.ID != fake.Bot().ID {
		t.Fatalf("getMe = %+v", me)
	}
}

func TestSendMessageAndReply(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	p := sample(42)
	m, err := c.SendMessage(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != 1 || m.Chat.ID != 42 || m.Chat.Type != "private" || m.Date == 0 || m.ReplyMarkup == nil {
		t.Fatalf("message = %+v", m)
	}
	if err := c.Reply(ctx, 42, "  Linked to <Acme>  "); err != nil {
		t.Fatal(err)
	}
	if err := c.Reply(ctx, 42, strings.Repeat("x", MaxMessageLen+10)); err != nil {
		t.Fatal(err)
	}
	if err := c.Reply(ctx, 42, " "); err == nil {
		t.Fatal("an empty reply was sent")
	}
	sent := fake.Sent(42)
	if len(sent) != 3 || sent[0].ParseMode != "HTML" || !sent[0].LinkPreviewDisabled {
		t.Fatalf("sent = %+v", sent)
	}
	if sent[1].Text != "Linked to <Acme>" || sent[1].ParseMode != "" || sent[1].ReplyMarkup != nil {
		t.Fatalf("reply = %+v", sent[1])
	}
	if n := UTF16Len(sent[2].Plain); n != MaxMessageLen || !strings.HasSuffix(sent[2].Plain, Ellipsis) {
		t.Fatalf("long reply: %d units", n)
	}
}

func TestCallbackAnswerAndEdit(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	m, err := c.SendMessage(ctx, sample(42))
	if err != nil {
		t.Fatal(err)
	}
	u := fake.UserPresses(42, telegramfake.User{ID: 42, FirstName: "Ann"}, m.MessageID, "cl:"+"c1")
	if err := c.AnswerCallbackQuery(ctx, AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "Chat closed."}); err != nil {
		t.Fatal(err)
	}
	if a := fake.Answers(); len(a) != 1 || a[0].Text != "Chat closed." {
		t.Fatalf("answers = %+v", a)
	}
	edited, err := c.EditMessageReplyMarkup(ctx, 42, m.MessageID, nil)
	if err != nil || edited == nil || edited.ReplyMarkup != nil {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if fake.Sent(42)[0].ReplyMarkup != nil {
		t.Fatal("the buttons are still there")
	}
	again, err := c.EditMessageReplyMarkup(ctx, 42, m.MessageID, nil)
	if err != nil || again != nil {
		t.Fatalf("removing removed buttons = %+v, %v; want nil, nil", again, err)
	}
	markup := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{{{Text: "Open", URL: "https://app.example/c/1"}}}}
	if edited, err = c.EditMessageReplyMarkup(ctx, 42, m.MessageID, markup); err != nil || edited.ReplyMarkup == nil {
		t.Fatalf("new buttons = %+v, %v", edited, err)
	}
	if _, err := c.EditMessageReplyMarkup(ctx, 42, 999, nil); err == nil {
		t.Fatal("editing a missing message succeeded")
	}
}

func TestUpdatesAndWebhooks(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	if err := c.SetWebhook(ctx, SetWebhookParams{URL: "https://switchboard.example/telegram", SecretToken: "abc_DEF-1",
		AllowedUpdates: []string{"message", "callback_query"}}); err != nil {
		t.Fatal(err)
	}
	var api *APIError
	if _, err := c.GetUpdates(ctx, GetUpdatesParams{}); !errors.As(err, &api) || api.Code != http.StatusConflict {
		t.Fatalf("getUpdates with a webhook: %v", err)
	}
	if err := c.DeleteWebhook(ctx, true); err != nil {
		t.Fatal(err)
	}
	sent := fake.UserSends(42, telegramfake.User{ID: 42, FirstName: "Ann", Username: "ann"}, "hello")
	ups, err := c.GetUpdates(ctx, GetUpdatesParams{Timeout: 1, Limit: 10, AllowedUpdates: []string{"message", "callback_query"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].UpdateID != sent.UpdateID || ups[0].Message.Text != "hello" ||
		ups[0].Message.From.Username != "ann" || ups[0].Message.Chat.ID != 42 {
		t.Fatalf("updates = %+v", ups)
	}
	ups, err = c.GetUpdates(ctx, GetUpdatesParams{Offset: sent.UpdateID + 1})
	if err != nil || len(ups) != 0 {
		t.Fatalf("after the offset: %+v, %v", ups, err)
	}
}

func TestErrorsNeverHoldTheToken(t *testing.T) {
	fake, _ := newTest(t)
	wrong := New(Config{Token: "999:wrong", BaseURL: fake.URL()})
	var api *APIError
	if _, err := wrong.GetMe(context.Background()); !errors.As(err, &api) || api.Code != 401 || api.Description != "Unauthorized" {
		t.Fatalf("wrong token: %v", err)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer proxy.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		base    string
		ctx     context.Context
		network bool
		code    int
	}{
		{"connection refused", closed.URL, context.Background(), true, 0},
		{"bad base URL", "http://[::1", context.Background(), true, 0},
		{"cancelled", fake.URL(), ctx, true, 0},
		{"not the API's answer", proxy.URL, context.Background(), false, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Token: testToken, BaseURL: tt.base})
			_, err := c.GetMe(tt.ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "secret_Token") {
				t.Fatalf("the error names the token: %v", err)
			}
			var ne *NetworkError
			if errors.As(err, &ne) != tt.network {
				t.Fatalf("network error %v: %v", tt.network, err)
			}
			if !tt.network && (!errors.As(err, &api) || api.Code != tt.code) {
				t.Fatalf("error = %v, want code %d", err, tt.code)
			}
		})
	}
	c := New(Config{Token: testToken, BaseURL: fake.URL()})
	if _, err := c.GetMe(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled call is not context.Canceled: %v", err)
	}
}
