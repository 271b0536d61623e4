package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	tg "github.com/switchboardhq/switchboard/telegram"
)

func device(chatID int64) *models.Device {
	return &models.Device{ID: "d1", Kind: models.DeviceTelegram, TelegramChatID: chatID}
}

func TestSendClassifiesTelegramAnswers(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	var skew atomic.Int64
	c := tg.New(tg.Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	s := NewSender(c)
	fake.Block(2)
	fake.RateLimit(3, 17, 1)
	fake.ChatNotFound(4)
	fake.Fail(5, 500, 1)
	fake.Fail(6, 400, 1)
	fake.Fail(7, 502, 1)
	tests := []struct {
		name   string
		chat   int64
		want   push.Result
		deltaN int // sendMessage calls made
	}{
		{"sent", 1, push.Result{Outcome: push.OutcomeSent, Status: 200, ProviderID: "1"}, 1},
		{"sent again", 1, push.Result{Outcome: push.OutcomeSent, Status: 200, ProviderID: "2"}, 1},
		{"blocked", 2, push.Result{Outcome: push.OutcomeGone, Status: 403, Reason: "Forbidden: bot was blocked by the user"}, 1},
		{"chat not found", 4, push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "Bad Request: chat not found"}, 1},
		{"server error", 5, push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "Internal Server Error"}, 1},
		{"bad request", 6, push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "Bad Request: simulated failure"}, 1},
		{"bad gateway", 7, push.Result{Outcome: push.OutcomeRetry, Status: 502, Reason: "Bad Gateway"}, 1},
		{"rate limited", 3, push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "Too Many Requests: retry after 17", RetryAfter: 17 * time.Second}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fake.Calls("sendMessage")
			if got := s.Send(context.Background(), device(tt.chat), &pushNote); got != tt.want {
				t.Fatalf("Send = %+v\nwant   %+v", got, tt.want)
			}
			if n := fake.Calls("sendMessage") - before; n != tt.deltaN {
				t.Fatalf("%d calls, want %d", n, tt.deltaN)
			}
		})
	}
	// Flood control holds every message until retry_after has passed.
	skew.Store(int64(18 * time.Second))
	if got := s.Send(context.Background(), device(3), &pushNote); got.Outcome != push.OutcomeSent || got.ProviderID != "1" {
		t.Fatalf("after the rate limit: %+v", got)
	}
}

func TestSendWithoutCalling(t *testing.T) {
	fake, c := newTest(t)
	s := NewSender(c)
	silent := pushNote
	silent.Event, silent.Silent = models.EventBadge, true
	if got := s.Send(context.Background(), device(1), &silent); got.Outcome != push.OutcomeFailed || got.Reason != ReasonSilent {
		t.Fatalf("silent: %+v", got)
	}
	d := device(1)
	d.Kind = models.DeviceFCM
	if got := s.Send(context.Background(), d, &pushNote); got.Outcome != push.OutcomeFailed {
		t.Fatalf("fcm device: %+v", got)
	}
	if got := s.Send(context.Background(), device(0), &pushNote); got.Outcome != push.OutcomeFailed {
		t.Fatalf("no chat: %+v", got)
	}
	if n := fake.Calls("sendMessage"); n != 0 {
		t.Fatalf("%d calls", n)
	}
}

func TestSendNetworkError(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	s := NewSender(tg.New(tg.Config{Token: testToken, BaseURL: down.URL}))
	got := s.Send(context.Background(), device(1), &pushNote)
	if got.Outcome != push.OutcomeRetry || got.Status != 0 || got.Reason == "" || got.ProviderID != "" {
		t.Fatalf("network error: %+v", got)
	}
}

func TestClassify(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	_, netErr := tg.New(tg.Config{Token: testToken, BaseURL: down.URL}).SendMessage(context.Background(), tg.SendMessageParams{ChatID: 1, Text: "x"})
	fake := telegramfake.New(t, testToken)
	slow := tg.New(tg.Config{Token: testToken, BaseURL: fake.URL(), PerChatRate: 1.0 / 3600})
	soon, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var rateErr error
	for range 2 {
		_, rateErr = slow.SendMessage(soon, tg.SendMessageParams{ChatID: 5, Text: "x"})
	}
	if !errors.As(netErr, new(*tg.NetworkError)) || !errors.As(rateErr, new(*tg.RateError)) {
		t.Fatalf("errors %v, %v", netErr, rateErr)
	}
	tests := []struct {
		name string
		msg  *tg.Message
		err  error
		want push.Result
	}{
		{"sent", &tg.Message{MessageID: 981}, nil, push.Result{Outcome: push.OutcomeSent, Status: 200, ProviderID: "981"}},
		{"429", nil, &tg.APIError{Code: 429, Description: "Too Many Requests: retry after 5", RetryAfter: 5 * time.Second},
			push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "Too Many Requests: retry after 5", RetryAfter: 5 * time.Second}},
		{"429 mentioning a block is still retried", nil, &tg.APIError{Code: 429, Description: "bot was blocked by the user"},
			push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "bot was blocked by the user"}},
		{"503 mentioning chat not found is still retried", nil, &tg.APIError{Code: 503, Description: "chat not found"},
			push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "chat not found"}},
		{"blocked", nil, &tg.APIError{Code: 403, Description: "Forbidden: bot was blocked by the user"},
			push.Result{Outcome: push.OutcomeGone, Status: 403, Reason: "Forbidden: bot was blocked by the user"}},
		{"deactivated", nil, &tg.APIError{Code: 403, Description: "Forbidden: user is deactivated"},
			push.Result{Outcome: push.OutcomeGone, Status: 403, Reason: "Forbidden: user is deactivated"}},
		{"other 403", nil, &tg.APIError{Code: 403, Description: "Forbidden: bot can't send messages to bots"},
			push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "Forbidden: bot can't send messages to bots"}},
		{"chat not found", nil, &tg.APIError{Code: 400, Description: "Bad Request: chat not found"},
			push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "Bad Request: chat not found"}},
		{"too long", nil, &tg.APIError{Code: 400, Description: "Bad Request: message is too long"},
			push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "Bad Request: message is too long"}},
		{"unauthorized", nil, &tg.APIError{Code: 401, Description: "Unauthorized"},
			push.Result{Outcome: push.OutcomeFailed, Status: 401, Reason: "Unauthorized"}},
		{"no description", nil, &tg.APIError{Code: 500},
			push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "HTTP 500"}},
		{"network", nil, netErr,
			push.Result{Outcome: push.OutcomeRetry, Reason: netErr.Error()}},
		{"rate wait cut short", nil, rateErr,
			push.Result{Outcome: push.OutcomeRetry, Reason: "telegram: waiting for chat 5's rate limit: the wait would exceed the context's deadline"}},
		{"other error", nil, errors.New("telegram sendMessage: decoding the result: bad"),
			push.Result{Outcome: push.OutcomeFailed, Reason: "telegram sendMessage: decoding the result: bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.msg, tt.err); got != tt.want {
				t.Fatalf("Classify = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
}
