package webpush

import (
	"strings"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

func TestOptions(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		n       push.Notification
		ttl     int
		urgency webpush.Urgency
		topic   string
	}{
		{"an hour ahead", push.Notification{Expires: now.Add(time.Hour), CollapseKey: "chat-c1"}, 3600, webpush.UrgencyHigh, "chat-c1"},
		{"rounds down", push.Notification{Expires: now.Add(1900 * time.Millisecond)}, 1, webpush.UrgencyHigh, ""},
		{"expired", push.Notification{Expires: now.Add(-time.Minute)}, 0, webpush.UrgencyHigh, ""},
		{"no expiry", push.Notification{}, int(DefaultTTL / time.Second), webpush.UrgencyHigh, ""},
		{"silent", push.Notification{Silent: true, Event: models.EventBadge, CollapseKey: "badge", Expires: now.Add(time.Minute)}, 60, webpush.UrgencyNormal, "badge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options(&c.n, now)
			if o.TTL != c.ttl || o.Urgency != c.urgency || o.Topic != c.topic {
				t.Errorf("got TTL %d, Urgency %q, Topic %q; want %d, %q, %q", o.TTL, o.Urgency, o.Topic, c.ttl, c.urgency, c.topic)
			}
		})
	}
}

func TestTopic(t *testing.T) {
	long := "chat-" + strings.Repeat("x", 28) // 33 characters
	cases := []struct {
		key    string
		asItIs bool
	}{
		{"chat-65f1c2a9e4b0a1d2c3e4f5a6", true},
		{"badge", true},
		{strings.Repeat("a", 32), true},
		{long, false},
		{"chat-550e8400-e29b-41d4-a716-446655440000", false},
		{"chat-a.b", false},
		{"chat a", false},
		{"chat+/=", false},
		{"чат-1", false},
	}
	seen := map[string]string{}
	for _, c := range cases {
		got := Topic(c.key)
		if !ValidTopic(got) {
			t.Errorf("Topic(%q) = %q, not a valid Topic", c.key, got)
		}
		if (got == c.key) != c.asItIs {
			t.Errorf("Topic(%q) = %q, as it is: %v, want %v", c.key, got, got == c.key, c.asItIs)
		}
		if Topic(c.key) != got {
			t.Errorf("Topic(%q) is not stable", c.key)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("Topic(%q) = Topic(%q)", c.key, other)
		}
		seen[got] = c.key
	}
	if Topic("") != "" {
		t.Error(`Topic("") is not empty`)
	}
	for _, bad := range []string{"", strings.Repeat("a", 33), "a=b", "a/b", "a+b", "a b"} {
		if ValidTopic(bad) {
			t.Errorf("ValidTopic(%q) is true", bad)
		}
	}
}
