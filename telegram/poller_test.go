package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

// testPoller polls c with one-second long polls and millisecond backoff.
func testPoller(c *Client) *Poller {
	p := NewPoller(c)
	p.Timeout, p.MinBackoff, p.MaxBackoff = time.Second, time.Millisecond, 4*time.Millisecond
	p.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return p
}

// run starts p and returns the updates it hands over and Run's result.
func run(ctx context.Context, p *Poller) (<-chan Update, <-chan error) {
	ups := make(chan Update, 100)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(_ context.Context, u Update) { ups <- u }) }()
	return ups, done
}

func TestPollerReceivesAndStops(t *testing.T) {
	fake, c := newTest(t)
	ctx := context.Background()
	// A webhook left over: getUpdates would conflict until it is deleted.
	if err := c.SetWebhook(ctx, SetWebhookParams{URL: "https://switchboard.example/telegram"}); err != nil {
		t.Fatal(err)
	}
	ann := telegramfake.User{ID: 42, FirstName: "Ann"}
	sent, err := c.SendMessage(ctx, sample(42))
	if err != nil {
		t.Fatal(err)
	}
	fake.UserSends(42, ann, "/start code_1")
	ctx, cancel := context.WithCancel(ctx)
	ups, done := run(ctx, testPoller(c))
	if u := <-ups; u.Message == nil || u.Message.Text != "/start code_1" || u.Message.Chat.ID != 42 {
		t.Fatalf("first update: %+v", u)
	}
	// Updates arriving during a long poll are handed over in order.
	fake.UserReplies(42, ann, sent.MessageID, "on my way")
	fake.UserPresses(42, ann, sent.MessageID, "as:"+"c1")
	u := <-ups
	if u.Message == nil || u.Message.ReplyToMessage == nil || u.Message.ReplyToMessage.MessageID != sent.MessageID {
		t.Fatalf("reply: %+v", u)
	}
	u = <-ups
	if q := u.CallbackQuery; q == nil || q.Data != "as:"+"c1" || q.Message.MessageID != sent.MessageID || q.From.ID != 42 {
		t.Fatalf("press: %+v", u)
	}
	cancel() // ends the long poll in flight
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if fake.Calls("deleteWebhook") == 0 {
		t.Fatal("the webhook was not deleted")
	}
	// The handled updates were confirmed: a new poller gets none of them.
	fake.UserSends(42, ann, "later")
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ups2, done2 := run(ctx2, testPoller(c))
	if u := <-ups2; u.Message == nil || u.Message.Text != "later" {
		t.Fatalf("after a restart: %+v", u)
	}
	cancel2()
	<-done2
}

func TestPollerBacksOffOnErrors(t *testing.T) {
	fake, c := newTest(t)
	fake.FailMethod("deleteWebhook", 502, 2)
	fake.FailMethod("getUpdates", 500, 3)
	fake.UserSends(7, telegramfake.User{ID: 7, FirstName: "Bo"}, "hello")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ups, done := run(ctx, testPoller(c))
	if u := <-ups; u.Message.Text != "hello" {
		t.Fatalf("update: %+v", u)
	}
	cancel()
	<-done
	if fake.Calls("deleteWebhook") != 3 || fake.Calls("getUpdates") < 4 {
		t.Fatalf("deleteWebhook %d, getUpdates %d calls", fake.Calls("deleteWebhook"), fake.Calls("getUpdates"))
	}
}

func TestPollerStopsOnRefusedToken(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: "1:revoked", BaseURL: fake.URL()})
	var api *APIError
	if err := testPoller(c).Run(context.Background(), func(context.Context, Update) {}); !errors.As(err, &api) || api.Code != 401 {
		t.Fatalf("Run = %v", err)
	}
}

func TestPollerStopsWhileBackingOff(t *testing.T) {
	fake, c := newTest(t)
	fake.FailMethod("getUpdates", 429, 1) // retry_after 1 s
	p := testPoller(c)
	ctx, cancel := context.WithCancel(context.Background())
	_, done := run(ctx, p)
	for fake.Calls("getUpdates") == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}
