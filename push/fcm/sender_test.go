package fcm

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

// newSender starts a fake and a Sender signed in to it as project "demo".
func newSender(t *testing.T) (*Sender, *fcmfake.Server) {
	t.Helper()
	fake := fcmfake.New(t)
	s, err := New(context.Background(), Config{CredentialsJSON: fake.ServiceAccountJSON("demo"), Endpoint: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0 }
	return s, fake
}

func TestSendThroughFirebase(t *testing.T) {
	s, fake := newSender(t)
	ctx := context.Background()

	r := s.Send(ctx, device(), alert())
	if r.Outcome != push.OutcomeSent || r.Status != 200 || r.ProviderID != "projects/demo/messages/1" {
		t.Fatalf("Send = %+v", r)
	}
	silent := alert()
	silent.Silent, silent.Badge = true, 0
	if r := s.Send(ctx, device(), silent); r.Outcome != push.OutcomeSent || r.ProviderID != "projects/demo/messages/2" {
		t.Fatalf("silent Send = %+v", r)
	}
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token exchanges = %d, want 1 (the access token is reused)", got)
	}
	if got := fake.SendRequests(); got != 2 {
		t.Errorf("send requests = %d, want 2", got)
	}

	msgs := fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("fake got %d messages", len(msgs))
	}
	m := msgs[0]
	if m.Project != "demo" || m.Token != "fcm-token-1" || m.CollapseKey != "chat-c1" || m.TTL != "5400s" || m.Priority != "high" {
		t.Errorf("message = %+v", m)
	}
	if m.Data["conversation_id"] != "c1" || m.Data["badge"] != "3" || m.Data["event"] != "new_chat" || m.Data["bot"] != "Helpdesk" {
		t.Errorf("data = %v", m.Data)
	}
	an := m.Notification
	if an == nil || an.Title != "Ann" || an.Body != "Hello there" || an.Tag != "chat-c1" || an.ChannelID != "chats" ||
		an.NotificationCount == nil || *an.NotificationCount != 3 {
		t.Errorf("android notification = %+v", an)
	}
	// The message on the wire is the builder's, byte for byte.
	want, _ := json.Marshal(Message(device(), alert(), t0))
	if string(m.Raw) != string(want) {
		t.Errorf("wire message differs from the builder's:\n%s\n%s", m.Raw, want)
	}
	if q := msgs[1]; q.Notification != nil || q.Priority != "normal" || q.Data["badge"] != "0" {
		t.Errorf("silent message = %+v", q)
	}
}

func TestSendErrorAnswers(t *testing.T) {
	s, fake := newSender(t)
	tests := []struct {
		answer fcmfake.Answer
		want   push.Result
	}{
		{fcmfake.Answer{Code: fcmfake.Unregistered}, push.Result{Outcome: push.OutcomeGone, Status: 404, Reason: "UNREGISTERED"}},
		{fcmfake.Answer{Code: fcmfake.SenderIDMismatch}, push.Result{Outcome: push.OutcomeGone, Status: 403, Reason: "SENDER_ID_MISMATCH"}},
		{fcmfake.Answer{Code: fcmfake.QuotaExceeded, RetryAfter: 42 * time.Second},
			push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "QUOTA_EXCEEDED", RetryAfter: 42 * time.Second}},
		{fcmfake.Answer{Code: fcmfake.QuotaExceeded}, push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "QUOTA_EXCEEDED"}},
		{fcmfake.Answer{Code: fcmfake.Internal}, push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "INTERNAL"}},
		{fcmfake.Answer{Code: fcmfake.Unavailable, RetryAfter: 3 * time.Second},
			push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "UNAVAILABLE", RetryAfter: 3 * time.Second}},
		{fcmfake.Answer{Code: fcmfake.Unavailable}, push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "UNAVAILABLE"}},
		{fcmfake.Answer{Code: fcmfake.InvalidArgument}, push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "INVALID_ARGUMENT"}},
	}
	for i, tc := range tests {
		t.Run(string(tc.answer.Code), func(t *testing.T) {
			d := &models.Device{Kind: models.DeviceFCM, Token: "tok-" + string(tc.answer.Code) + strings.Repeat("x", i)}
			fake.Answer(d.Token, tc.answer)
			before := fake.SendRequests()
			if got := s.Send(context.Background(), d, alert()); got != tc.want {
				t.Errorf("Send = %+v, want %+v", got, tc.want)
			}
			// One request per Send: the SDK's own retries (503) are cut.
			if n := fake.SendRequests() - before; n != 1 {
				t.Errorf("%d requests for one Send, want 1", n)
			}
		})
	}
}

func TestSendAnswerForNextCallsOnly(t *testing.T) {
	s, fake := newSender(t)
	fake.Answer("fcm-token-1", fcmfake.Answer{Code: fcmfake.Unavailable, Times: 2})
	var got []push.Outcome
	for range 3 {
		got = append(got, s.Send(context.Background(), device(), alert()).Outcome)
	}
	want := []push.Outcome{push.OutcomeRetry, push.OutcomeRetry, push.OutcomeSent}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("outcomes = %v, want %v", got, want)
		}
	}
	if n := fake.SendRequests(); n != 3 {
		t.Errorf("send requests = %d, want 3", n)
	}
}

func TestSendNetworkErrors(t *testing.T) {
	s, fake := newSender(t)
	if r := s.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeSent {
		t.Fatalf("first Send = %+v", r)
	}
	fake.Close()
	r := s.Send(context.Background(), device(), alert())
	if r.Outcome != push.OutcomeRetry || r.Status != 0 || r.Reason == "" {
		t.Errorf("Send to a closed server = %+v, want retry with status 0", r)
	}
	if strings.Contains(r.Reason, "/projects/") {
		t.Errorf("reason quotes the URL: %q", r.Reason)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := s.Send(ctx, device(), alert()); r.Outcome != push.OutcomeRetry || r.Status != 0 {
		t.Errorf("Send with a cancelled context = %+v", r)
	}
}

func TestSendTokenExchangeRefused(t *testing.T) {
	fake, other := fcmfake.New(t), fcmfake.New(t)
	// An account the fake did not make: its assertion is refused.
	var sa map[string]string
	if err := json.Unmarshal(other.ServiceAccountJSON("demo"), &sa); err != nil {
		t.Fatal(err)
	}
	sa["token_uri"] = fake.TokenURL()
	raw, _ := json.Marshal(sa)
	s, err := New(context.Background(), Config{CredentialsJSON: raw, Endpoint: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Send(context.Background(), device(), alert())
	want := push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "oauth2 token exchange: invalid_grant"}
	if r != want {
		t.Errorf("Send = %+v, want %+v", r, want)
	}
	if fake.TokenRequests() != 1 || fake.SendRequests() != 0 {
		t.Errorf("token requests %d, sends %d; want 1 and 0", fake.TokenRequests(), fake.SendRequests())
	}
}

func TestSendRefusesOtherDevices(t *testing.T) {
	s, fake := newSender(t)
	for _, d := range []*models.Device{nil, {Kind: models.DeviceAPNs, Token: "x"}, {Kind: models.DeviceFCM}} {
		if r := s.Send(context.Background(), d, alert()); r.Outcome != push.OutcomeFailed {
			t.Errorf("Send(%+v) = %+v, want failed", d, r)
		}
	}
	if fake.SendRequests() != 0 {
		t.Errorf("a request was sent")
	}
}
