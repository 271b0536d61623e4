package api_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// instance is another process's gateway on the same database, with its
// own FCM sender speaking to the same fake.
func (m *mobile) instance(t *testing.T, holder string, state models.PushStateStore, now func() time.Time) *push.Gateway {
	fs := map[push.Provider]push.Sender{push.ProviderFCM: m.fcmSender}
	st := m.stors
	if state != nil {
		st.State = state
	}
	return push.New(st, push.Config{Holder: holder, AppURL: "https://app.example.com", PollInterval: 10 * time.Millisecond}, fs, now, nil)
}

func TestPushDeliversAfterACrashBeforeAnyAlertExisted(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1")) // the chat opened; the process died before the gateway ran
	restarted := m.instance(t, "restarted", nil, m.inboxClock.Now)
	if _, err := restarted.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := m.fcmTo("emp1-phone"); len(got) != 1 || got[0].Data["event"] != "new_chat" {
		t.Fatalf("after the restart emp1 got %+v", got)
	}
}

func TestPushDeliversAfterACrashMidFanOut(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.device(tm.emp2.AccessToken, map[string]any{"kind": "fcm", "token": "emp2-phone"})
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	ctx := context.Background()
	// Instance A stores the alert and takes its lease, then dies before sending.
	if n := m.g.DispatchAll(ctx); n != 1 {
		t.Fatalf("dispatch stored %d alerts, want 1", n)
	}
	due, err := m.stors.Alerts.DueAlerts(ctx, m.inboxClock.Now(), 10, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	if held, err := m.stors.Alerts.ClaimAlerts(ctx, due, m.inboxClock.Now(), m.cfg.Lease); len(held) != 1 || err != nil {
		t.Fatalf("claim %v %v", held, err)
	}
	// Instance B leaves it alone while A's lease holds...
	b := m.instance(t, "b", nil, m.inboxClock.Now)
	if n, _ := b.Step(ctx); n != 0 || len(m.fcm.Messages()) != 0 {
		t.Fatalf("B sent %d alerts under A's lease", n)
	}
	// ...and delivers every device once the lease has run out.
	m.inboxClock.Advance(m.cfg.Lease + time.Second)
	if n, _ := b.Step(ctx); n != 1 {
		t.Fatalf("B sent %d alerts after the lease, want 1", n)
	}
	b.Step(ctx)
	if len(m.fcmTo("emp1-phone")) != 1 || len(m.fcmTo("emp2-phone")) != 1 {
		t.Fatalf("pushes after the takeover: %d, %d; want 1 each", len(m.fcmTo("emp1-phone")), len(m.fcmTo("emp2-phone")))
	}
}

// cursorCrash is the state store of a process that dies after storing a
// page's alerts and before moving its cursor, the first times.
type cursorCrash struct {
	models.PushStateStore
	mu    sync.Mutex
	fails int
}

func (c *cursorCrash) SavePushCursor(ctx context.Context, ws string, seq int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fails > 0 {
		c.fails--
		return errors.New("process died")
	}
	return c.PushStateStore.SavePushCursor(ctx, ws, seq)
}

func TestPushRepeatedPageMakesNoDuplicates(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	crashy := &cursorCrash{PushStateStore: m.stors.State, fails: 2}
	g := m.instance(t, "crashy", crashy, m.inboxClock.Now)
	ctx := context.Background()
	for i := 0; i < 4; i++ { // the page is read three times before the cursor moves
		if _, err := g.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.fcmTo("emp1-phone"); len(got) != 1 {
		t.Fatalf("emp1 got %d pushes from one event read three times", len(got))
	}
	if a := m.alerts(tm.admin.AccessToken, ""); len(a) != 1 {
		t.Fatalf("%d alerts stored", len(a))
	}
}

func TestPushInstancesShareTheWork(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	const chats = 20
	for i := 0; i < chats; i++ {
		s := fmt.Sprintf("s%d", i)
		m.event(tm.key, bot.ID, say("a"+s, s, "hi"))
		m.event(tm.key, bot.ID, openChat("b"+s, s))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, name := range []string{"one", "two", "three"} {
		g := m.instance(t, name, nil, time.Now)
		wg.Add(1)
		go func() { defer wg.Done(); g.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(m.fcmTo("emp1-phone")) < chats && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait() // every instance stops on shutdown
	per := map[string]int{}
	for _, r := range m.fcmTo("emp1-phone") {
		per[r.Data["conversation_id"]]++
	}
	if len(per) != chats {
		t.Fatalf("%d chats alerted, want %d", len(per), chats)
	}
	for id, n := range per {
		if n != 1 {
			t.Fatalf("chat %s alerted %d times by three instances", id, n)
		}
	}
}

// TestPushStaleListingSendsNothingTwice: an instance that listed an alert,
// then waited past the lease while another instance sent and finished it,
// must not send it again from its stale copy.
func TestPushStaleListingSendsNothingTwice(t *testing.T) {
	m, tm, stale := oneChatListed(t) // B lists...
	ctx := context.Background()
	m.step() // ...A sends and finishes...
	m.inboxClock.Advance(2 * m.cfg.Lease)
	b := m.instance(t, "b", nil, m.inboxClock.Now)
	if _, err := b.ProcessBatch(ctx, stale); err != nil { // ...and B wakes up long after
		t.Fatal(err)
	}
	if got := m.fcmTo("emp1-phone"); len(got) != 1 {
		t.Fatalf("emp1 got %d pushes, want 1", len(got))
	}
	if a := m.alerts(tm.admin.AccessToken, ""); len(a) != 1 || a[0].State != models.AlertDone || a[0].Deliveries[0].Attempts != 1 {
		t.Fatalf("alert after the stale attempt: %+v", a)
	}
}

// slowSender is an FCM sender whose every answer takes took on the
// injected clock.
type slowSender struct {
	push.Sender
	clock interface{ Advance(time.Duration) }
	took  time.Duration
}

func (s slowSender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	s.clock.Advance(s.took)
	return s.Sender.Send(ctx, d, n)
}

// TestPushSendsNothingPastItsLease: a slow provider must not make a
// worker send after its lease may have passed to another instance: no
// send starts later than Lease*3/4-SendTimeout into the lease. What is
// left stays due, untried, for the next lease.
func TestPushSendsNothingPastItsLease(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	for _, tok := range []string{"p1", "p2", "p3"} {
		m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": tok})
	}
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	slow := slowSender{Sender: m.fcmSender, clock: m.inboxClock, took: 10 * time.Second} // Lease 60s, SendTimeout 30s
	cfg := push.Config{AppURL: "https://app.example.com", Concurrency: map[push.Provider]int{push.ProviderFCM: 1}}
	g := push.New(m.stors, cfg, map[push.Provider]push.Sender{push.ProviderFCM: slow}, m.inboxClock.Now, nil)
	ctx := context.Background()
	if _, err := g.Step(ctx); err != nil {
		t.Fatal(err)
	}
	// One at a time: sends start at 0s and 10s; at 20s the lease has less
	// than SendTimeout and a quarter of itself (for the writes) left, so
	// the third waits.
	if n := len(m.fcm.Messages()); n != 2 {
		t.Fatalf("%d sent under one lease, want 2", n)
	}
	a := m.alerts(tm.admin.AccessToken, "")[0]
	var left []models.Delivery
	for _, d := range a.Deliveries {
		if d.State == models.DeliveryPending {
			left = append(left, d)
		}
	}
	if a.State != models.AlertPending || len(left) != 1 || left[0].Attempts != 0 || left[0].NextAt != nil {
		t.Fatalf("after the first lease: %+v", a)
	}
	if _, err := g.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(m.fcm.Messages()); n != 3 {
		t.Fatalf("%d sent after the next lease, want 3", n)
	}
	if a := m.alerts(tm.admin.AccessToken, "")[0]; a.State != models.AlertDone {
		t.Fatalf("alert after the next lease: %+v", a)
	}
}

// TestPushStartsNoSendAfterShutdown: a batch whose context ended (the
// gateway is stopping) starts no send; its alert stays due, untried.
func TestPushStartsNoSendAfterShutdown(t *testing.T) {
	m, tm, due := oneChatListed(t)
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := m.g.ProcessBatch(stopped, due); n != 1 || err != nil {
		t.Fatalf("batch held %d alerts, %v", n, err)
	}
	if n := len(m.fcm.Messages()); n != 0 {
		t.Fatalf("%d sends started after shutdown", n)
	}
	if a := m.alerts(tm.admin.AccessToken, "")[0]; a.State != models.AlertPending || a.Deliveries[0].Attempts != 0 {
		t.Fatalf("alert after the stopped batch: %+v", a)
	}
	m.step() // the restarted gateway sends it
	if n := len(m.fcm.Messages()); n != 1 {
		t.Fatalf("%d sent after restart, want 1", n)
	}
}

// oneChatListed is a shop whose emp1 has one phone, one new chat's alert
// dispatched, and the due listing that holds it.
func oneChatListed(t *testing.T) (*mobile, team, []*models.Alert) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	ctx := context.Background()
	m.g.DispatchAll(ctx)
	due, err := m.stors.Alerts.DueAlerts(ctx, m.inboxClock.Now(), 10, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	return m, tm, due
}
