package apns

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sideshow/apns2"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/apns/apnsfake"
)

const (
	keyID  = "ABC123DEFG"
	teamID = "TEAM456XYZ"
)

// tokenSender starts a token-auth fake and a Sender signed in to it.
func tokenSender(t *testing.T) (*Sender, *apnsfake.Server) {
	t.Helper()
	p8, pub := apnsfake.GenerateP8(t)
	fake := apnsfake.NewToken(t, pub, keyID, teamID)
	s, err := New(Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: fake.URL(), RootCAs: fake.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	return s, fake
}

func TestSendTokenAuth(t *testing.T) {
	s, fake := tokenSender(t)
	ctx := context.Background()
	r := s.Send(ctx, device(), alert())
	if r.Outcome != push.OutcomeSent || r.Status != 200 || uuid.Validate(r.ProviderID) != nil {
		t.Fatalf("Send = %+v", r)
	}
	silent := alert()
	silent.Silent, silent.Badge = true, 0
	sandbox := device()
	sandbox.Sandbox = true
	if r := s.Send(ctx, sandbox, silent); r.Outcome != push.OutcomeSent {
		t.Fatalf("silent Send to a sandbox device = %+v", r)
	}

	got := fake.Notifications()
	if len(got) != 2 {
		t.Fatalf("fake accepted %d notifications", len(got))
	}
	h := got[0].Header
	for k, want := range map[string]string{
		"apns-topic": "com.example.switchboard", "apns-push-type": "alert", "apns-priority": "10",
		"apns-collapse-id": "chat-c1", "apns-expiration": strconv.FormatInt(alert().Expires.Unix(), 10),
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if got[0].Token != token1 || string(got[0].Raw) != string(Notification(device(), alert()).Payload.([]byte)) {
		t.Errorf("token %q, payload %s", got[0].Token, got[0].Raw)
	}
	aps, _ := got[0].Payload["aps"].(map[string]any)
	if alertBody, _ := aps["alert"].(map[string]any); alertBody["body"] != "Hello there" || aps["badge"] != 3.0 {
		t.Errorf("aps = %v", aps)
	}
	h = got[1].Header
	if h.Get("apns-push-type") != "background" || h.Get("apns-priority") != "5" || string(got[1].Raw) != `{"aps":{"badge":0,"content-available":1}}` {
		t.Errorf("silent: headers %v payload %s", h, got[1].Raw)
	}
}

func TestSendTokenRejected(t *testing.T) {
	_, fake := tokenSender(t)
	otherKey, _ := apnsfake.GenerateP8(t)
	tests := []struct {
		name string
		c    Config
	}{
		{"key the fake does not know", Config{KeyP8: otherKey, KeyID: keyID, TeamID: teamID}},
		{"wrong key id", Config{KeyP8: otherKey, KeyID: "OTHERKEYID", TeamID: teamID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Host, tc.c.RootCAs = fake.URL(), fake.CertPool()
			s, err := New(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			want := push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "InvalidProviderToken"}
			if r := s.Send(context.Background(), device(), alert()); r != want {
				t.Errorf("Send = %+v, want %+v", r, want)
			}
		})
	}
}

func TestSendWrongTeam(t *testing.T) {
	p8, pub := apnsfake.GenerateP8(t)
	fake := apnsfake.NewToken(t, pub, keyID, teamID)
	s, err := New(Config{KeyP8: p8, KeyID: keyID, TeamID: "OTHERTEAM1", Host: fake.URL(), RootCAs: fake.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeFailed || r.Reason != "InvalidProviderToken" {
		t.Errorf("Send = %+v", r)
	}
}

func TestSendCertificateAuth(t *testing.T) {
	p12, ca := apnsfake.GenerateP12(t, "com.example.switchboard", "s3cret")
	fake := apnsfake.NewCert(t, ca)
	s, err := New(Config{P12: p12, P12Password: "s3cret", Host: fake.URL(), RootCAs: fake.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeSent || r.ProviderID == "" {
		t.Fatalf("Send = %+v", r)
	}
	if n := len(fake.Notifications()); n != 1 {
		t.Fatalf("fake accepted %d notifications", n)
	}

	// Without a client certificate the handshake fails: no answer, retry.
	p8, _ := apnsfake.GenerateP8(t)
	noCert, err := New(Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: fake.URL(), RootCAs: fake.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	if r := noCert.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeRetry || r.Status != 0 {
		t.Errorf("Send without a certificate = %+v", r)
	}
	if n := len(fake.Notifications()); n != 1 {
		t.Errorf("fake accepted %d notifications, want 1", n)
	}
}

func TestHostSelection(t *testing.T) {
	p8, _ := apnsfake.GenerateP8(t)
	tests := []struct {
		host          string
		sandbox, prod string
	}{
		{"", apns2.HostDevelopment, apns2.HostProduction},
		{"https://127.0.0.1:8443/", "https://127.0.0.1:8443", "https://127.0.0.1:8443"},
	}
	for _, tc := range tests {
		s, err := New(Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Host: tc.host})
		if err != nil {
			t.Fatal(err)
		}
		sb, pr := device(), device()
		sb.Sandbox = true
		if got := s.client(sb).Host; got != tc.sandbox {
			t.Errorf("Host %q: sandbox device goes to %q, want %q", tc.host, got, tc.sandbox)
		}
		if got := s.client(pr).Host; got != tc.prod {
			t.Errorf("Host %q: production device goes to %q, want %q", tc.host, got, tc.prod)
		}
	}
}

func TestSendErrorAnswers(t *testing.T) {
	s, fake := tokenSender(t)
	gone := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	retryIn := func(a apnsfake.Answer, d time.Duration) apnsfake.Answer { a.RetryAfter = d; return a }
	tests := []struct {
		name   string
		answer apnsfake.Answer
		want   push.Result
	}{
		{"unregistered", apnsfake.Unregistered(gone), push.Result{Outcome: push.OutcomeGone, Status: 410, Reason: "Unregistered"}},
		{"bad device token", apnsfake.BadDeviceToken, push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "BadDeviceToken"}},
		{"not for topic", apnsfake.DeviceTokenNotForTopic, push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "DeviceTokenNotForTopic"}},
		{"too many requests", retryIn(apnsfake.TooManyRequests, 30*time.Second),
			push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "TooManyRequests", RetryAfter: 30 * time.Second}},
		{"internal error", apnsfake.InternalServerError, push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "InternalServerError"}},
		{"unavailable", retryIn(apnsfake.ServiceUnavailable, 5*time.Second),
			push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "ServiceUnavailable", RetryAfter: 5 * time.Second}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := device()
			d.Token = strings.Repeat("0", 62) + strconv.Itoa(10+i)
			fake.Answer(d.Token, tc.answer)
			before := fake.Requests()
			if r := s.Send(context.Background(), d, alert()); r != tc.want {
				t.Errorf("Send = %+v, want %+v", r, tc.want)
			}
			if n := fake.Requests() - before; n != 1 {
				t.Errorf("%d requests for one Send", n)
			}
		})
	}
}

func TestSendAnswerForNextCallsOnly(t *testing.T) {
	s, fake := tokenSender(t)
	fake.Answer(token1, apnsfake.Answer{Status: 503, Reason: "ServiceUnavailable", Times: 1})
	if r := s.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeRetry {
		t.Fatalf("first Send = %+v", r)
	}
	if r := s.Send(context.Background(), device(), alert()); r.Outcome != push.OutcomeSent {
		t.Fatalf("second Send = %+v", r)
	}
}

func TestSendNetworkError(t *testing.T) {
	s, fake := tokenSender(t)
	fake.Close()
	r := s.Send(context.Background(), device(), alert())
	if r.Outcome != push.OutcomeRetry || r.Status != 0 || r.Reason == "" {
		t.Errorf("Send to a closed server = %+v", r)
	}
	if strings.Contains(r.Reason, token1) {
		t.Errorf("reason quotes the device token: %q", r.Reason)
	}
}

func TestSendRefusesOtherDevices(t *testing.T) {
	s, fake := tokenSender(t)
	noTopic := device()
	noTopic.Topic = ""
	for _, d := range []*models.Device{nil, {Kind: models.DeviceFCM, Token: token1, Topic: "x"}, noTopic} {
		if r := s.Send(context.Background(), d, alert()); r.Outcome != push.OutcomeFailed {
			t.Errorf("Send(%+v) = %+v, want failed", d, r)
		}
	}
	if fake.Requests() != 0 {
		t.Errorf("a request was sent")
	}
}
