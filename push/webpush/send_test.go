package webpush

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/webpush/webpushfake"
)

var fixedNow = time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)

// newSender is a Sender with fresh keys whose clock is fixedNow (the
// VAPID JWT's expiry is still taken by webpush-go from the real clock).
// It allows private addresses: the fake push service is on loopback.
func newSender(t *testing.T) *Sender {
	t.Helper()
	return newSenderWith(t, Config{AllowPrivate: true})
}

// newSenderWith is newSender with c's policy and client.
func newSenderWith(t *testing.T, c Config) *Sender {
	t.Helper()
	pub, priv, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	c.PublicKey, c.PrivateKey, c.Subject = pub, priv, "mailto:ops@switchboard.example"
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return fixedNow }
	return s
}

func sendNote() *push.Notification {
	n := note("Where is my order? 🙂")
	n.Expires = fixedNow.Add(2 * time.Hour)
	return n
}

func TestSendThroughFake(t *testing.T) {
	fake := webpushfake.New(t)
	s := newSender(t)
	fake.ExpectKey(s.PublicKey())
	sub := fake.Subscribe()
	n := sendNote()
	r := s.Send(context.Background(), sub.Device(), n)
	if r.Outcome != push.OutcomeSent || r.Status != 201 || r.ProviderID == "" {
		t.Fatalf("Send = %+v; rejections %v", r, fake.Rejections())
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the fake got %d messages", len(msgs))
	}
	m := msgs[0]
	if string(m.Plaintext) != string(Payload(n)) {
		t.Errorf("decrypted payload\n%s\nwant\n%s", m.Plaintext, Payload(n))
	}
	o := Options(n, fixedNow)
	if m.SubscriptionID != sub.ID || m.TTL != 7200 || m.TTL != o.TTL || m.Urgency != "high" || m.Topic != "chat-c1" {
		t.Errorf("headers: %+v", m)
	}
	if m.VAPIDKey != s.PublicKey() || m.Subject != "mailto:ops@switchboard.example" || r.ProviderID != m.Location {
		t.Errorf("VAPID key %q subject %q location %q, provider id %q", m.VAPIDKey, m.Subject, m.Location, r.ProviderID)
	}
}

func TestSendLongPreviewFits(t *testing.T) {
	fake := webpushfake.New(t)
	s := newSender(t)
	sub := fake.Subscribe()
	n := sendNote()
	n.Preview = strings.Repeat("Ünïcødé ", 2000)
	n.CollapseKey = "chat-550e8400-e29b-41d4-a716-446655440000"
	if r := s.Send(context.Background(), sub.Device(), n); r.Outcome != push.OutcomeSent {
		t.Fatalf("Send = %+v; rejections %v", r, fake.Rejections())
	}
	m := fake.Messages()[0]
	if len(m.Plaintext) > MaxPayload || string(m.Plaintext) != string(Payload(n)) || m.Topic != Topic(n.CollapseKey) {
		t.Errorf("got %d bytes, topic %q", len(m.Plaintext), m.Topic)
	}
}

func TestSendAnswers(t *testing.T) {
	date := fixedNow.Add(45 * time.Second).Format(http.TimeFormat)
	cases := []struct {
		name  string
		reply webpushfake.Reply
		want  push.Outcome
		after time.Duration
	}{
		{"404", webpushfake.Reply{Status: 404}, push.OutcomeGone, 0},
		{"410", webpushfake.Reply{Status: 410}, push.OutcomeGone, 0},
		{"429 seconds", webpushfake.Reply{Status: 429, RetryAfter: "17"}, push.OutcomeRetry, 17 * time.Second},
		{"429 date", webpushfake.Reply{Status: 429, RetryAfter: date}, push.OutcomeRetry, 45 * time.Second},
		{"500", webpushfake.Reply{Status: 500}, push.OutcomeRetry, 0},
		{"503", webpushfake.Reply{Status: 503, RetryAfter: "3"}, push.OutcomeRetry, 3 * time.Second},
		{"413", webpushfake.Reply{Status: 413}, push.OutcomeFailed, 0},
		{"400", webpushfake.Reply{Status: 400}, push.OutcomeFailed, 0},
	}
	fake := webpushfake.New(t)
	s := newSender(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := fake.Subscribe()
			fake.Reply(sub, c.reply)
			r := s.Send(context.Background(), sub.Device(), sendNote())
			if r.Outcome != c.want || r.Status != c.reply.Status || r.RetryAfter != c.after || r.Reason == "" || strings.Contains(r.Reason, "programmed answer") {
				t.Errorf("Send = %+v, want %s after %v", r, c.want, c.after)
			}
		})
	}
	if len(fake.Messages()) != 0 {
		t.Errorf("programmed answers recorded %d messages", len(fake.Messages()))
	}
}

func TestSendRetryThenSent(t *testing.T) {
	fake := webpushfake.New(t)
	s := newSender(t)
	sub := fake.Subscribe()
	fake.Reply(sub, webpushfake.Reply{Status: 500, Times: 2})
	var got []push.Outcome
	for range 3 {
		got = append(got, s.Send(context.Background(), sub.Device(), sendNote()).Outcome)
	}
	want := []push.Outcome{push.OutcomeRetry, push.OutcomeRetry, push.OutcomeSent}
	if strings.Join(outcomes(got), ",") != strings.Join(outcomes(want), ",") || fake.Requests() != 3 || len(fake.Messages()) != 1 {
		t.Errorf("outcomes %v, requests %d, messages %d", got, fake.Requests(), len(fake.Messages()))
	}
}

func outcomes(o []push.Outcome) []string {
	out := make([]string, len(o))
	for i, x := range o {
		out[i] = string(x)
	}
	return out
}

func TestSendRefusedByService(t *testing.T) {
	fake := webpushfake.New(t)
	fake.ExpectKey(newSender(t).PublicKey()) // subscribed with another server's key
	sub := fake.Subscribe()
	r := newSender(t).Send(context.Background(), sub.Device(), sendNote())
	if r.Outcome != push.OutcomeFailed || r.Status != 403 {
		t.Errorf("Send = %+v, want failed 403", r)
	}
	gone := *sub.Device()
	gone.Endpoint = fake.URL() + "/push/unknown"
	if r := newSender(t).Send(context.Background(), &gone, sendNote()); r.Outcome != push.OutcomeGone || r.Status != 404 {
		t.Errorf("unknown subscription: %+v, want gone 404", r)
	}
}

func TestSendNetworkError(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	fake := webpushfake.New(t)
	d := fake.Subscribe().Device()
	d.Endpoint = down.URL + "/push/secret-capability"
	r := newSender(t).Send(context.Background(), d, sendNote())
	if r.Outcome != push.OutcomeRetry || r.Status != 0 || r.Reason != ReasonUnreachable {
		t.Errorf("Send = %+v, want a retry that hides the endpoint's path", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := newSender(t).Send(ctx, fake.Subscribe().Device(), sendNote()); r.Outcome != push.OutcomeRetry {
		t.Errorf("cancelled: %+v, want retry", r)
	}
}

func TestSendBadDevice(t *testing.T) {
	fake := webpushfake.New(t)
	s := newSender(t)
	good := fake.Subscribe().Device()
	badKey := *good
	badKey.P256dh = "AAAA"
	notWeb := *good
	notWeb.Kind = models.DeviceFCM
	for name, d := range map[string]*models.Device{"bad key": &badKey, "fcm": &notWeb, "nil": nil} {
		if r := s.Send(context.Background(), d, sendNote()); r.Outcome != push.OutcomeFailed || r.Reason == "" {
			t.Errorf("%s: %+v, want failed", name, r)
		}
	}
	if fake.Requests() != 0 {
		t.Errorf("bad devices made %d requests", fake.Requests())
	}
}
