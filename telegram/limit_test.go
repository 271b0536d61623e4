package telegram

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

// hourly is a rate so slow that a second message is never due in a test:
// its waits are refused at once when the context's deadline is nearer.
const hourly = 1.0 / 3600

// soon is a context whose deadline no hourly wait fits in.
func soon(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPerChatLimit(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: hourly})
	if _, err := c.SendMessage(soon(t), sample(1)); err != nil {
		t.Fatalf("first message: %v", err)
	}
	if _, err := c.SendMessage(soon(t), sample(1)); !errors.As(err, new(*RateError)) {
		t.Fatalf("second message to the chat: %v", err)
	}
	if err := c.Reply(soon(t), 1, "hi"); !errors.Is(err, errDeadline) {
		t.Fatalf("reply to the chat: %v", err)
	}
	if _, err := c.EditMessageReplyMarkup(soon(t), 1, 1, nil); !errors.As(err, new(*RateError)) {
		t.Fatalf("edit in the chat: %v", err)
	}
	if _, err := c.SendMessage(soon(t), sample(2)); err != nil {
		t.Fatalf("another chat is held up: %v", err)
	}
	if len(fake.Sent(1)) != 1 || len(fake.Sent(2)) != 1 || fake.Calls("sendMessage") != 2 {
		t.Fatalf("sent %d and %d in %d calls", len(fake.Sent(1)), len(fake.Sent(2)), fake.Calls("sendMessage"))
	}
}

func TestGlobalLimit(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: hourly, PerChatRate: 1e6})
	if err := c.Reply(soon(t), 1, "first"); err != nil {
		t.Fatal(err)
	}
	var re *RateError
	if err := c.Reply(soon(t), 2, "second"); !errors.As(err, &re) || re.ChatID != 0 {
		t.Fatalf("second message: %v", err)
	}
	if fake.Calls("sendMessage") != 1 {
		t.Fatalf("%d calls", fake.Calls("sendMessage"))
	}
}

func TestLimitWaitEndsWithContext(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: testToken, BaseURL: fake.URL(), PerChatRate: hourly})
	if err := c.Reply(context.Background(), 1, "first"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Reply(ctx, 1, "second") }() // waits: no deadline to refuse it
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	if err := c.Reply(ctx, 2, "cancelled before"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if fake.Calls("sendMessage") != 1 {
		t.Fatalf("%d calls", fake.Calls("sendMessage"))
	}
}

// TestPerChatSerialised sends to two chats from many goroutines: each
// chat's messages go one after another (ids 1..n in the chat) and all of
// them go.
func TestPerChatSerialised(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.SendMessage(context.Background(), sample(int64(1+i%2))); err != nil {
				t.Errorf("send %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for _, chat := range []int64{1, 2} {
		sent := fake.Sent(chat)
		if len(sent) != 10 {
			t.Fatalf("chat %d got %d", chat, len(sent))
		}
		for i, m := range sent {
			if m.MessageID != int64(i+1) {
				t.Fatalf("chat %d message %d has id %d", chat, i, m.MessageID)
			}
		}
	}
}

func TestLimiterMapIsBounded(t *testing.T) {
	l := newLimiter(1e6, hourly, 8)
	clock := time.Now()
	l.now = func() time.Time { return clock }
	ctx := soon(t)
	for chat := range int64(100) {
		if err := l.wait(ctx, chat); err != nil {
			t.Fatal(err)
		}
	}
	// Every chat just sent, so none is idle: the sweeps keep them all.
	if n := l.size(); n != 100 {
		t.Fatalf("%d chats tracked, want 100 (all busy)", n)
	}
	// Two hours later every limiter is full again: the next new chat
	// sweeps them all.
	clock = clock.Add(2 * time.Hour)
	if err := l.wait(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if n := l.size(); n != 1 {
		t.Fatalf("%d chats after the sweep, want 1", n)
	}
	// A chat swept while idle acts as before: one message now, the next
	// an hour later.
	if err := l.wait(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if err := l.wait(ctx, 5); !errors.Is(err, errDeadline) {
		t.Fatalf("second message of a fresh chat: %v", err)
	}
	// Below the bound nothing is swept, idle or not.
	clock = clock.Add(2 * time.Hour)
	for chat := range int64(6) {
		if err := l.wait(ctx, 2000+chat); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.size(); n != 8 {
		t.Fatalf("%d chats, want 8", n)
	}
	// At the bound the idle ones (1000 and 5) go, the busy ones stay.
	if err := l.wait(ctx, 3000); err != nil {
		t.Fatal(err)
	}
	if n := l.size(); n != 7 {
		t.Fatalf("%d chats after reaching the bound, want 7", n)
	}
}

// TestFloodControlPausesEveryChat: after a 429 with retry_after, no
// message goes to any chat until that time has passed; a send that cannot
// wait that long fails at once, without a call.
func TestFloodControlPausesEveryChat(t *testing.T) {
	fake := telegramfake.New(t, testToken)
	c := New(Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6})
	start := time.Now()
	c.lim.now = func() time.Time { return start }
	fake.RateLimit(1, 30, 1)
	var api *APIError
	if err := c.Reply(context.Background(), 1, "flood"); !errors.As(err, &api) || api.RetryAfter != 30*time.Second {
		t.Fatalf("first message: %v", err)
	}
	short, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Reply(short, 2, "another chat"); !errors.Is(err, errDeadline) {
		t.Fatalf("another chat during the pause: %v", err)
	}
	if fake.Calls("sendMessage") != 1 {
		t.Fatalf("%d calls during the pause", fake.Calls("sendMessage"))
	}
	c.lim.now = func() time.Time { return start.Add(31 * time.Second) }
	if err := c.Reply(short, 2, "after the pause"); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
	if len(fake.Sent(2)) != 1 {
		t.Fatalf("chat 2 got %d messages", len(fake.Sent(2)))
	}
}
