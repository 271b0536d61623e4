package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/push"
)

// TestPushAloneDispatchesOnWrites: a gateway alone on its store (the
// embedded store) polls no log: it reads a workspace's log when this
// process wrote to it, and still alerts every chat exactly once.
func TestPushAloneDispatchesOnWrites(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	g := push.New(m.stors, push.Config{Holder: "alone", Alone: true, AppURL: "https://app.example.com", PollInterval: time.Hour},
		map[push.Provider]push.Sender{push.ProviderFCM: m.fcmSender}, time.Now, nil)
	m.db.OnChange(func(ws string) { m.hub.Notify(ws); g.Notify(ws) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); g.Run(ctx) }()
	const chats = 5
	for i := 0; i < chats; i++ {
		s := fmt.Sprintf("s%d", i)
		m.event(tm.key, bot.ID, say("a"+s, s, "hi"))
		m.event(tm.key, bot.ID, openChat("b"+s, s))
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(m.fcmTo("emp1-phone")) < chats && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	per := map[string]int{}
	for _, r := range m.fcmTo("emp1-phone") {
		per[r.Data["conversation_id"]]++
	}
	if len(per) != chats {
		t.Fatalf("%d chats alerted without a poll, want %d", len(per), chats)
	}
	for id, n := range per {
		if n != 1 {
			t.Fatalf("chat %s alerted %d times", id, n)
		}
	}
}
