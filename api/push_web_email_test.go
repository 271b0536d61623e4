package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/email"
	"github.com/switchboardhq/switchboard/push/email/smtpfake"
	"github.com/switchboardhq/switchboard/push/webpush"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

func TestWebPushSubscriptionAlertAndHygiene(t *testing.T) {
	fake := webpushfake.New(t)
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	fake.ExpectKey(pub)
	// The fake push service is on loopback: private targets are allowed.
	sender, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subject: "mailto:ops@example.com", AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	pe := newPushEnv(t, push.Config{}, map[push.Provider]push.Sender{push.ProviderWebPush: sender}, func(g *push.Gateway, o *apiOptions) {
		g.CheckWebPush, o.VAPIDPublicKey = sender.ValidSubscription, pub
	})
	tm, bot := pe.shop()
	r := pe.call("GET", "/v1/push/vapid-public-key", "", nil)
	wantStatus(t, r, http.StatusOK)
	var k struct {
		PublicKey string `json:"public_key"`
	}
	r.JSON(t, &k)
	if k.PublicKey != pub {
		t.Fatalf("served key %q", k.PublicKey)
	}
	sub := fake.Subscribe()
	gone := fake.Subscribe()
	reg := func(s *webpushfake.Subscription, token string) {
		pe.device(token, map[string]any{"kind": "webpush", "name": "Firefox",
			"subscription": map[string]any{"endpoint": s.Endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": s.P256dh, "auth": s.Auth}}})
	}
	reg(sub, tm.emp1.AccessToken)
	reg(gone, tm.emp2.AccessToken)
	// A subscription with a broken key is refused, naming the field.
	r = pe.call("POST", "/v1/push/devices", tm.emp1.AccessToken, map[string]any{"kind": "webpush",
		"subscription": map[string]any{"endpoint": sub.Endpoint, "keys": map[string]string{"p256dh": "AAAA", "auth": sub.Auth}}})
	wantStatus(t, r, http.StatusBadRequest)
	if p := r.Problem(t); len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Field, "p256dh") {
		t.Fatalf("problem %+v", p)
	}
	fake.Reply(gone, webpushfake.Reply{Status: http.StatusGone})

	pe.event(tm.key, bot.ID, say("e1", "s1", "Bonjour"))
	res := pe.event(tm.key, bot.ID, openChat("e2", "s1"))
	pe.step()
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].SubscriptionID != sub.ID {
		t.Fatalf("push service got %+v", msgs)
	}
	var payload map[string]any
	if err := json.Unmarshal(msgs[0].Plaintext, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["conversation_id"] != res.ConversationID || payload["body"] != "Bonjour" ||
		payload["url"] != "https://app.example.com/chats/"+res.ConversationID || msgs[0].Topic == "" || msgs[0].Urgency != "high" || msgs[0].TTL <= 0 {
		t.Fatalf("decrypted payload %s, headers topic %q urgency %q ttl %d", msgs[0].Plaintext, msgs[0].Topic, msgs[0].Urgency, msgs[0].TTL)
	}
	if len(pe.devices(tm.emp2.AccessToken)) != 0 {
		t.Fatal("a 410 subscription was kept")
	}
	// A read sends no silent update to browsers (they must show every push).
	wantStatus(t, pe.call("POST", "/v1/conversations/"+res.ConversationID+"/read", tm.admin.AccessToken, nil), http.StatusOK)
	pe.step()
	if len(fake.Messages()) != 1 {
		t.Fatal("a badge update went to a browser")
	}
	// The test push reports the provider's answer.
	dev := pe.devices(tm.emp1.AccessToken)[0]
	r = pe.call("POST", "/v1/push/devices/"+dev.ID+"/test", tm.emp1.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var tr struct {
		Outcome string `json:"outcome"`
	}
	r.JSON(t, &tr)
	if tr.Outcome != "sent" {
		t.Fatalf("test push %s", r.Body)
	}
	fake.Reply(sub, webpushfake.Reply{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	r = pe.call("POST", "/v1/push/devices/"+dev.ID+"/test", tm.emp1.AccessToken, nil)
	if !strings.Contains(string(r.Body), `"outcome":"retry"`) || !strings.Contains(string(r.Body), webpush.ReasonRateLimited) {
		t.Fatalf("test push under 429: %s", r.Body)
	}
	fake.Reply(sub, webpushfake.Reply{Status: http.StatusNotFound})
	r = pe.call("POST", "/v1/push/devices/"+dev.ID+"/test", tm.emp1.AccessToken, nil)
	if !strings.Contains(string(r.Body), `"removed":true`) || len(pe.devices(tm.emp1.AccessToken)) != 0 {
		t.Fatalf("test push to a gone subscription: %s", r.Body)
	}
}

func TestEmailAtMostOncePerHour(t *testing.T) {
	smtp := smtpfake.New(t, smtpfake.WithAuth("mailer", "pw"))
	sender, err := email.New(email.Config{URL: smtp.URL(), From: "alerts@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	pe := newPushEnv(t, push.Config{}, map[push.Provider]push.Sender{push.ProviderEmail: sender})
	tm, bot := pe.shop()
	// Only emp1 keeps email on.
	for _, tok := range []string{tm.admin.AccessToken, tm.emp2.AccessToken} {
		wantStatus(t, pe.call("PATCH", "/v1/push/preferences", tok, map[string]any{"events": map[string]any{"new_chat": map[string]bool{"email": false}}}), http.StatusOK)
	}
	open := func(s, text string) {
		pe.event(tm.key, bot.ID, say("a"+s, s, text))
		pe.event(tm.key, bot.ID, openChat("b"+s, s))
		pe.step()
	}
	open("s1", "My parcel <never> came")
	if a := pe.alerts(tm.admin.AccessToken, ""); len(a) != 1 {
		t.Fatalf("alerts %+v", a)
	} else if len(smtp.Messages()) == 0 {
		t.Fatalf("no email; deliveries %+v", a[0].Deliveries)
	}
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "emp1@example.com" || !strings.Contains(msgs[0].Text, "My parcel <never> came") ||
		strings.Contains(msgs[0].HTML, "<never>") || msgs[0].User != "mailer" {
		t.Fatalf("emails %+v", msgs)
	}
	pe.inboxClock.Advance(59 * time.Minute)
	open("s2", "second")
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d emails within the hour", n)
	}
	pe.inboxClock.Advance(2 * time.Minute)
	open("s3", "third")
	if msgs := smtp.Messages(); len(msgs) != 2 || !strings.Contains(msgs[1].Text, "third") {
		t.Fatalf("after the hour: %d emails", len(msgs))
	}
	// A temporary SMTP refusal is retried; the outcome is visible.
	smtp.Reject("emp1@example.com", 451, "try later")
	pe.inboxClock.Advance(2 * time.Hour)
	open("s4", "fourth")
	a := pe.alerts(tm.admin.AccessToken, "?limit=1")[0]
	if a.Deliveries[0].Kind != "email" || a.Deliveries[0].State != models.DeliveryPending || !strings.Contains(a.Deliveries[0].Reason, "451") {
		t.Fatalf("delivery under 451: %+v", a.Deliveries)
	}
	smtp.Reject("emp1@example.com", 0, "")
	pe.inboxClock.Advance(time.Minute)
	pe.step()
	if len(smtp.Messages()) != 3 {
		t.Fatalf("the retry did not send: %d emails", len(smtp.Messages()))
	}
}

// createCrash is the alert store of a process that dies while storing
// its first alert.
type createCrash struct {
	models.AlertStore
	fails int
}

func (c *createCrash) CreateAlerts(ctx context.Context, a []*models.Alert) ([]bool, error) {
	if c.fails > 0 {
		c.fails--
		return nil, errors.New("process died")
	}
	return c.AlertStore.CreateAlerts(ctx, a)
}

// TestEmailSurvivesACrashAfterItsSlot: the hour's email slot is taken
// before the alert is stored; a crash in between must not lose the email.
func TestEmailSurvivesACrashAfterItsSlot(t *testing.T) {
	smtp := smtpfake.New(t)
	sender, err := email.New(email.Config{URL: smtp.URL(), From: "alerts@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	pe := newPushEnv(t, push.Config{}, nil)
	tm, bot := pe.shop()
	st := pe.stors
	st.Alerts = &createCrash{AlertStore: st.Alerts, fails: 1}
	g := push.New(st, push.Config{AppURL: "https://app.example.com"}, map[push.Provider]push.Sender{push.ProviderEmail: sender}, pe.inboxClock.Now, nil)
	pe.event(tm.key, bot.ID, say("e1", "s1", "lost?"))
	pe.event(tm.key, bot.ID, openChat("e2", "s1"))
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the first dispatch dies storing the alert; the second repeats it
		if _, err := g.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, m := range smtp.Messages() {
		got[m.To[0]]++
	}
	for _, to := range []string{"admin@example.com", "emp1@example.com", "emp2@example.com"} {
		if got[to] != 1 {
			t.Fatalf("emails after the crash: %v, want one each to the admin and both employees", got)
		}
	}
}
