package fcm

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func device() *models.Device {
	return &models.Device{Kind: models.DeviceFCM, Token: "fcm-token-1"}
}

func alert() *push.Notification {
	return &push.Notification{
		AlertID: "a1", Event: models.EventNewChat, ConversationID: "c1", SubscriberName: "Ann",
		Channel: models.ChannelTelegram, BotName: "Helpdesk", Preview: "Hello there", Badge: 3,
		CollapseKey: "chat-c1", URL: "https://app.example/c/c1", Expires: t0.Add(90 * time.Minute),
	}
}

func TestMessageFields(t *testing.T) {
	silent := alert()
	silent.Silent, silent.Event, silent.CollapseKey, silent.URL, silent.Badge = true, models.EventBadge, "badge", "", 0
	expired := alert()
	expired.Expires = t0.Add(-time.Minute)
	noExpiry := alert()
	noExpiry.Expires = time.Time{}
	fraction := alert()
	fraction.Expires = t0.Add(10*time.Second + 300*time.Millisecond)

	tests := []struct {
		name     string
		n        *push.Notification
		priority string
		ttl      string // "" when none
		notif    bool
		data     map[string]string
	}{
		{"alert", alert(), "high", "5400s", true, map[string]string{
			"event": "new_chat", "conversation_id": "c1", "badge": "3", "subscriber_name": "Ann",
			"channel": "telegram", "bot": "Helpdesk", "url": "https://app.example/c/c1"}},
		{"silent badge", silent, "normal", "5400s", false, map[string]string{
			"event": "badge", "conversation_id": "c1", "badge": "0", "subscriber_name": "Ann",
			"channel": "telegram", "bot": "Helpdesk"}},
		{"expired: ttl 0", expired, "high", "0s", true, nil},
		{"no expiry: no ttl", noExpiry, "high", "", true, nil},
		{"ttl in whole seconds", fraction, "high", "10s", true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Message(device(), tc.n, t0)
			wire := encode(t, m)
			if m.Token != "fcm-token-1" || wire.Token != "fcm-token-1" {
				t.Errorf("token = %q", m.Token)
			}
			if wire.Android.CollapseKey != tc.n.CollapseKey {
				t.Errorf("collapse_key = %q, want %q", wire.Android.CollapseKey, tc.n.CollapseKey)
			}
			if wire.Android.Priority != tc.priority {
				t.Errorf("priority = %q, want %q", wire.Android.Priority, tc.priority)
			}
			if wire.Android.TTL != tc.ttl {
				t.Errorf("ttl = %q, want %q", wire.Android.TTL, tc.ttl)
			}
			if wire.Notification != nil {
				t.Errorf("top-level notification set: %+v", wire.Notification)
			}
			if tc.data != nil && !equalMaps(wire.Data, tc.data) {
				t.Errorf("data = %v, want %v", wire.Data, tc.data)
			}
			an := wire.Android.Notification
			if !tc.notif {
				if an != nil {
					t.Errorf("silent message has a notification: %+v", an)
				}
				return
			}
			if an == nil {
				t.Fatal("no android notification")
			}
			if an.Title != "Ann" || an.Body != "Hello there" || an.Tag != "chat-c1" || an.ChannelID != "chats" ||
				an.NotificationCount == nil || *an.NotificationCount != 3 {
				t.Errorf("android notification = %+v", an)
			}
		})
	}
}

func TestMessageLeavesEmptyDataOut(t *testing.T) {
	n := &push.Notification{Event: models.EventTest, Badge: 0}
	got := Message(device(), n, t0).Data
	want := map[string]string{"event": "test", "badge": "0"}
	if !equalMaps(got, want) {
		t.Errorf("data = %v, want %v", got, want)
	}
}

func TestMessagePreviewLimit(t *testing.T) {
	// room is how many bytes of plain ASCII preview fit exactly.
	probe := alert()
	probe.Preview = "x"
	room := MaxPayload - (len(encodeRaw(t, Message(device(), probe, t0))) - 1)
	if room < 100 {
		t.Fatalf("room = %d", room)
	}
	tests := []struct {
		name    string
		preview string
		cut     bool
	}{
		{"empty", "", false},
		{"one byte under", strings.Repeat("a", room-1), false},
		{"exactly at the limit", strings.Repeat("a", room), false},
		{"one byte over", strings.Repeat("a", room+1), true},
		{"far over", strings.Repeat("a", 10*MaxPayload), true},
		{"two-byte runes across the limit", strings.Repeat("é", room/2+1), true},
		{"two-byte runes at the limit", strings.Repeat("é", room/2), false},
		{"four-byte runes across the limit", strings.Repeat("😀", room/4+1), true},
		{"escaped runes count as encoded", strings.Repeat("<", room/6+1), true},
		{"escaped quotes", strings.Repeat(`"`, room/2+1), true},
		{"spaces before the cut are dropped", strings.Repeat("a ", room), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := alert()
			n.Preview = tc.preview
			m := Message(device(), n, t0)
			size := len(encodeRaw(t, m))
			if size > MaxPayload {
				t.Fatalf("encoded message is %d bytes, limit %d", size, MaxPayload)
			}
			body := m.Android.Notification.Body
			if !utf8.ValidString(body) {
				t.Fatalf("body is not valid UTF-8")
			}
			if !tc.cut {
				if body != tc.preview {
					t.Fatalf("preview changed: %d bytes -> %d", len(tc.preview), len(body))
				}
				return
			}
			if !strings.HasSuffix(body, "…") || !strings.HasPrefix(tc.preview, strings.TrimSuffix(body, "…")) {
				t.Fatalf("body %q is not a cut of the preview with an ellipsis", head(body))
			}
			if strings.HasSuffix(strings.TrimSuffix(body, "…"), " ") {
				t.Errorf("cut keeps trailing space")
			}
			// The cut is the longest: one more rune (past any dropped spaces)
			// would not fit.
			longer := strings.TrimSuffix(body, "…")
			for _, r := range tc.preview[len(longer):] {
				longer += string(r)
				if !unicode.IsSpace(r) {
					break
				}
			}
			m.Android.Notification.Body = longer + "…"
			if len(encodeRaw(t, m)) <= MaxPayload {
				t.Errorf("a longer cut (%d bytes) also fits", len(longer))
			}
		})
	}
}

func TestFitPreview(t *testing.T) {
	within := func(limit int) func(string) bool {
		return func(s string) bool { return len(s) <= limit }
	}
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
	}{
		{"fits", "hello", 5, "hello"},
		{"cut ascii", "hello world", 8, "hello…"},
		{"cut drops trailing space", "hello world", 9, "hello…"},
		{"cut keeps word", "hello world", 10, "hello w…"},
		{"rune boundary", "héllo", 5, "h…"},
		{"only the ellipsis fits", "hello", 3, "…"},
		{"nothing fits", "hello", 2, ""},
		{"empty", "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := push.FitPreview(tc.s, within(tc.limit)); got != tc.want {
				t.Errorf("push.FitPreview(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
			}
		})
	}
}

// wireMessage is the JSON form of a message, as FCM reads it.
type wireMessage struct {
	Token        string            `json:"token"`
	Data         map[string]string `json:"data"`
	Notification any               `json:"notification"`
	Android      struct {
		CollapseKey  string `json:"collapse_key"`
		Priority     string `json:"priority"`
		TTL          string `json:"ttl"`
		Notification *struct {
			Title             string `json:"title"`
			Body              string `json:"body"`
			Tag               string `json:"tag"`
			ChannelID         string `json:"channel_id"`
			NotificationCount *int   `json:"notification_count"`
		} `json:"notification"`
	} `json:"android"`
}

func encodeRaw(t *testing.T, m any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(t *testing.T, m any) wireMessage {
	t.Helper()
	var w wireMessage
	if err := json.Unmarshal(encodeRaw(t, m), &w); err != nil {
		t.Fatal(err)
	}
	return w
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func head(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
