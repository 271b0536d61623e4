package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/apns/apnsfake"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

func TestPushNewChatReachesTheRightDevices(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.admin.AccessToken, map[string]any{"kind": "fcm", "token": "admin-phone"})
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.device(tm.emp2.AccessToken, map[string]any{"kind": "apns", "token": apnsToken(2), "topic": "com.example.sb"})
	m.device(tm.follower.AccessToken, map[string]any{"kind": "fcm", "token": "follower-phone"})

	m.event(tm.key, bot.ID, say("e1", "s1", "I need help with my order"))
	m.step() // an idle chat alerts nobody: the bot handles it
	if n := len(m.fcm.Messages()) + len(m.apns.Notifications()); n != 0 {
		t.Fatalf("%d pushes for a bot-handled chat", n)
	}
	res := m.event(tm.key, bot.ID, openChat("e2", "s1"))
	m.step()
	// Unassigned: every admin and employee; not the follower, who does not follow it.
	for _, tok := range []string{"admin-phone", "emp1-phone"} {
		got := m.fcmTo(tok)
		if len(got) != 1 {
			t.Fatalf("%s got %d pushes, want 1", tok, len(got))
		}
		r := got[0]
		if r.Notification == nil || r.Notification.Title != "Sub s1" || r.Notification.Body != "I need help with my order" ||
			r.CollapseKey != "chat-"+res.ConversationID || r.Notification.Tag != "chat-"+res.ConversationID ||
			r.Data["conversation_id"] != res.ConversationID || r.Data["badge"] != "1" || *r.Notification.NotificationCount != 1 {
			t.Fatalf("%s push %+v / %+v", tok, r, r.Notification)
		}
	}
	if len(m.fcmTo("follower-phone")) != 0 {
		t.Fatal("a follower was alerted of a chat they do not follow")
	}
	ios := m.apnsTo(apnsToken(2))
	if len(ios) != 1 || ios[0].Header.Get("apns-collapse-id") != "chat-"+res.ConversationID || ios[0].Header.Get("apns-topic") != "com.example.sb" {
		t.Fatalf("APNs got %+v", ios)
	}
	aps := ios[0].Payload["aps"].(map[string]any)
	if aps["badge"] != float64(1) || ios[0].Payload["conversation_id"] != res.ConversationID {
		t.Fatalf("APNs payload %v", ios[0].Payload)
	}
	// The admin sees each device's outcome.
	alerts := m.alerts(tm.admin.AccessToken, "?conversation_id="+res.ConversationID)
	if len(alerts) != 1 || alerts[0].Event != models.EventNewChat || alerts[0].State != models.AlertDone || len(alerts[0].Deliveries) != 3 {
		t.Fatalf("alerts %+v", alerts)
	}
	for _, d := range alerts[0].Deliveries {
		if d.State != models.DeliveryDone || d.ProviderID == "" || d.Attempts != 1 {
			t.Fatalf("delivery %+v", d)
		}
	}
	if m.counter("fcm", "sent") != 2 || m.counter("apns", "sent") != 1 {
		t.Fatalf("counters fcm %v apns %v", m.counter("fcm", "sent"), m.counter("apns", "sent"))
	}

	// The same events again (a redelivery) create nothing new.
	m.event(tm.key, bot.ID, openChat("e2", "s1"))
	m.step()
	if n := len(m.fcm.Messages()); n != 2 {
		t.Fatalf("a repeated event sent again: %d FCM pushes", n)
	}

	// The subscriber writes again: the chat is unassigned, so only followers would hear;
	// emp1 follows it now and gets a followed_message alert. emp2 is the one who added him.
	wantStatus(t, m.call("PUT", "/v1/conversations/"+res.ConversationID+"/followers/"+tm.emp1.Member.ID, tm.emp2.AccessToken, nil), http.StatusOK)
	m.event(tm.key, bot.ID, say("e3", "s1", "Hello?"))
	m.step()
	got := m.fcmTo("emp1-phone")
	if len(got) != 2 || got[1].Notification.Body != "Hello?" || got[1].Data["event"] != "followed_message" {
		t.Fatalf("emp1 after following: %+v", got)
	}

	// emp2 reads the chat: everyone's apps get a silent badge update, emp2's own included.
	wantStatus(t, m.call("POST", "/v1/conversations/"+res.ConversationID+"/read", tm.emp2.AccessToken, nil), http.StatusOK)
	m.step()
	silent := m.fcmTo("admin-phone")
	if len(silent) != 2 || silent[1].Notification != nil || silent[1].Data["badge"] != "0" {
		t.Fatalf("admin's badge update %+v", silent)
	}
	ios = m.apnsTo(apnsToken(2))
	if len(ios) != 2 || ios[1].Header.Get("apns-push-type") != "background" || ios[1].Payload["aps"].(map[string]any)["badge"] != float64(0) {
		t.Fatalf("emp2's badge update %+v", ios)
	}
	// Reading an already read chat changes nothing and pushes nothing.
	before := len(m.fcm.Messages())
	wantStatus(t, m.call("POST", "/v1/conversations/"+res.ConversationID+"/read", tm.emp1.AccessToken, nil), http.StatusOK)
	m.step()
	if len(m.fcm.Messages()) != before {
		t.Fatal("reading a read chat pushed a badge update")
	}
}

func TestPushRespectsActorMuteAndPreferences(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.admin.AccessToken, map[string]any{"kind": "fcm", "token": "admin-phone"})
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.device(tm.emp2.AccessToken, map[string]any{"kind": "fcm", "token": "emp2-phone"})
	// emp2 turns off new chats on the app.
	wantStatus(t, m.call("PATCH", "/v1/push/preferences", tm.emp2.AccessToken, map[string]any{"events": map[string]any{"new_chat": map[string]bool{"push": false}}}), http.StatusOK)
	// emp1 opens a chat by hand: emp1 caused it, so emp1 is not alerted.
	sub := m.event(tm.key, bot.ID, say("e1", "s1", "hi")).SubscriberID
	r := m.call("POST", "/v1/conversations", tm.emp1.AccessToken, map[string]any{"subscriber_id": sub})
	wantStatus(t, r, http.StatusOK)
	var c models.Conversation
	r.JSON(t, &c)
	m.step()
	if len(m.fcmTo("emp1-phone")) != 0 || len(m.fcmTo("emp2-phone")) != 0 || len(m.fcmTo("admin-phone")) != 1 {
		t.Fatalf("pushes: admin %d emp1 %d emp2 %d; want 1, 0 (actor), 0 (preference)",
			len(m.fcmTo("admin-phone")), len(m.fcmTo("emp1-phone")), len(m.fcmTo("emp2-phone")))
	}
	// The admin assigns it to emp2 (who keeps "assigned" on), after muting it for emp2: nothing.
	wantStatus(t, m.call("PUT", "/v1/conversations/"+c.ID+"/mute", tm.emp2.AccessToken, nil), http.StatusOK)
	wantStatus(t, m.call("PUT", "/v1/conversations/"+c.ID+"/assignee", tm.admin.AccessToken, map[string]string{"member_id": tm.emp2.Member.ID}), http.StatusOK)
	m.step()
	if len(m.fcmTo("emp2-phone")) != 0 {
		t.Fatal("a muted chat alerted")
	}
	wantStatus(t, m.call("DELETE", "/v1/conversations/"+c.ID+"/mute", tm.emp2.AccessToken, nil), http.StatusOK)
	m.event(tm.key, bot.ID, say("e2", "s1", "still there?"))
	m.step()
	got := m.fcmTo("emp2-phone")
	if len(got) != 1 || got[0].Data["event"] != "message" || got[0].Notification.Body != "still there?" {
		t.Fatalf("emp2, the assignee, after unmuting: %+v", got)
	}
	// Assigned by someone else: the assignee hears; assigned to oneself: nobody.
	wantStatus(t, m.call("PUT", "/v1/conversations/"+c.ID+"/assignee", tm.admin.AccessToken, map[string]string{"member_id": tm.emp1.Member.ID}), http.StatusOK)
	m.step()
	if got := m.fcmTo("emp1-phone"); len(got) != 1 || got[0].Data["event"] != "assigned" {
		t.Fatalf("emp1 after being assigned: %+v", got)
	}
}

func TestPushTokenHygieneAndRetries(t *testing.T) {
	t.Parallel() // independent and long: overlaps the rest of the package
	m := newMobileEnv(t, push.Config{TTL: time.Hour})
	tm, bot := m.shop()
	tokens := map[string]string{"gone": "t-unregistered", "mismatch": "t-mismatch", "quota": "t-quota", "bad": "t-invalid", "down": "t-unavailable", "ok": "t-ok"}
	for _, tok := range tokens {
		m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": tok})
	}
	iosGone, iosBad, iosTopic, iosBusy, iosDown := apnsToken(1), apnsToken(3), apnsToken(4), apnsToken(5), apnsToken(6)
	for _, tok := range []string{iosGone, iosBad, iosTopic, iosBusy, iosDown} {
		m.device(tm.emp1.AccessToken, map[string]any{"kind": "apns", "token": tok, "topic": "com.example.sb"})
	}
	m.fcm.Answer("t-unregistered", fcmfake.Answer{Code: fcmfake.Unregistered})
	m.fcm.Answer("t-mismatch", fcmfake.Answer{Code: fcmfake.SenderIDMismatch})
	m.fcm.Answer("t-quota", fcmfake.Answer{Code: fcmfake.QuotaExceeded, RetryAfter: 90 * time.Second, Times: 1})
	m.fcm.Answer("t-invalid", fcmfake.Answer{Code: fcmfake.InvalidArgument})
	m.fcm.Answer("t-unavailable", fcmfake.Answer{Code: fcmfake.Unavailable})
	m.apns.Answer(iosGone, apnsfake.Unregistered(time.Now()))
	m.apns.Answer(iosBad, apnsfake.BadDeviceToken)
	m.apns.Answer(iosTopic, apnsfake.DeviceTokenNotForTopic)
	m.apns.Answer(iosBusy, apnsfake.TooManyRequests)
	m.apns.Answer(iosDown, apnsfake.InternalServerError)

	m.event(tm.key, bot.ID, say("e1", "s1", "hi"))
	res := m.event(tm.key, bot.ID, openChat("e2", "s1"))
	m.step()
	a := m.alerts(tm.admin.AccessToken, "?conversation_id="+res.ConversationID)[0]
	// Gone devices are removed at once; 429 and 5xx keep the device and retry; a permanent error is not retried.
	left := map[string]bool{}
	for _, d := range m.devices(tm.emp1.AccessToken) {
		left[d.ID] = true
	}
	if len(left) != 6 {
		t.Fatalf("%d devices left, want 6 (5 gone: FCM UNREGISTERED, SENDER_ID_MISMATCH; APNs 410, BadDeviceToken, DeviceTokenNotForTopic)", len(left))
	}
	counts := map[models.DeliveryState]int{}
	for _, d := range a.Deliveries {
		counts[d.State]++
		if d.State == models.DeliveryPending && (d.NextAt == nil || d.Reason == "") {
			t.Fatalf("a retry without a time or reason: %+v", d)
		}
	}
	if counts[models.DeliveryRemoved] != 5 || counts[models.DeliveryGaveUp] != 1 || counts[models.DeliveryPending] != 4 || counts[models.DeliveryDone] != 1 {
		t.Fatalf("outcomes %v, want removed 5, failed 1 (INVALID_ARGUMENT), queued 4 (429, 503, APNs 429 and 500), sent 1", counts)
	}
	// Retry-After is honoured: nothing is retried before it.
	quotaCalls := m.fcm.SendRequests()
	m.inboxClock.Advance(60 * time.Second)
	m.step()
	a = m.alerts(tm.admin.AccessToken, "?conversation_id="+res.ConversationID)[0]
	for _, d := range a.Deliveries {
		if d.Attempts > 1 && d.Reason == "QUOTA_EXCEEDED" {
			t.Fatalf("retried before Retry-After: %+v", d)
		}
	}
	// After it, the quota token succeeds; the always-failing ones keep retrying until the TTL, then give up.
	for i := 0; i < 40; i++ {
		m.inboxClock.Advance(5 * time.Minute)
		m.step()
	}
	a = m.alerts(tm.admin.AccessToken, "?conversation_id="+res.ConversationID)[0]
	if a.State != models.AlertDone {
		t.Fatalf("alert still %s after its TTL", a.State)
	}
	counts = map[models.DeliveryState]int{}
	for _, d := range a.Deliveries {
		counts[d.State]++
		if d.State == models.DeliveryGaveUp && d.Reason != "INVALID_ARGUMENT" && !strings.Contains(d.Reason, "expired") {
			t.Fatalf("gave up with reason %q", d.Reason)
		}
	}
	if counts[models.DeliveryDone] != 2 || counts[models.DeliveryGaveUp] != 4 {
		t.Fatalf("final outcomes %v, want sent 2 (ok, quota after its wait), failed 4 (invalid, and 3 expired)", counts)
	}
	if m.fcm.SendRequests() <= quotaCalls {
		t.Fatal("nothing was retried")
	}
	if len(m.fcmTo("t-invalid")) != 0 && m.counter("fcm", "failed") != 1 {
		t.Fatal("a permanent error was retried")
	}
	if m.counter("fcm", "expired")+m.counter("apns", "expired") != 3 || m.counter("fcm", "gone") != 2 || m.counter("apns", "gone") != 3 {
		t.Fatalf("counters: expired %v, gone fcm %v apns %v", m.counter("fcm", "expired")+m.counter("apns", "expired"), m.counter("fcm", "gone"), m.counter("apns", "gone"))
	}
}

// TestPushNewChatQuotesTheLastMessageOfItsPage: a chat opened in the same
// read of the log as its messages quotes the last of them.
func TestPushNewChatQuotesTheLastMessageOfItsPage(t *testing.T) {
	m := newMobileEnv(t, push.Config{})
	tm, bot := m.shop()
	m.device(tm.emp1.AccessToken, map[string]any{"kind": "fcm", "token": "emp1-phone"})
	m.event(tm.key, bot.ID, say("e1", "s1", "first"))
	m.event(tm.key, bot.ID, say("e2", "s1", "second"))
	m.event(tm.key, bot.ID, openChat("e3", "s1"))
	m.event(tm.key, bot.ID, say("e4", "s2", "another chat"))
	m.step()
	if got := m.fcmTo("emp1-phone"); len(got) != 1 || got[0].Notification == nil || got[0].Notification.Body != "second" {
		t.Fatalf("emp1 got %+v, want one push quoting \"second\"", got)
	}
}
