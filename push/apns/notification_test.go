package apns

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sideshow/apns2"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const token1 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

func device() *models.Device {
	return &models.Device{Kind: models.DeviceAPNs, Token: token1, Topic: "com.example.switchboard"}
}

func alert() *push.Notification {
	return &push.Notification{
		AlertID: "a1", Event: models.EventNewChat, ConversationID: "c1", SubscriberName: "Ann",
		Channel: models.ChannelWhatsApp, BotName: "Helpdesk", Preview: "Hello there", Badge: 3,
		CollapseKey: "chat-c1", URL: "https://app.example/c/c1", Expires: t0.Add(time.Hour),
	}
}

func TestNotificationFields(t *testing.T) {
	silent := alert()
	silent.Silent, silent.Event, silent.CollapseKey, silent.URL, silent.Badge = true, models.EventBadge, "badge", "", 0
	longKey := alert()
	longKey.CollapseKey = "chat-" + strings.Repeat("x", 80)
	noBot := alert()
	noBot.BotName, noBot.Channel = "", models.ChannelLiveChat

	tests := []struct {
		name     string
		n        *push.Notification
		pushType apns2.EPushType
		priority int
		collapse string
		payload  string
	}{
		{"alert", alert(), apns2.PushTypeAlert, 10, "chat-c1",
			`{"aps":{"alert":{"title":"Ann","subtitle":"Helpdesk · WhatsApp","body":"Hello there"},"badge":3,` +
				`"sound":"default","thread-id":"c1","category":"NEW_CHAT"},"conversation_id":"c1","event":"new_chat",` +
				`"url":"https://app.example/c/c1"}`},
		{"silent badge", silent, apns2.PushTypeBackground, 5, "badge", `{"aps":{"badge":0,"content-available":1}}`},
		{"long collapse key is hashed", longKey, apns2.PushTypeAlert, 10, "", ""},
		{"no bot name", noBot, apns2.PushTypeAlert, 10, "chat-c1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Notification(device(), tc.n)
			if got.DeviceToken != token1 || got.Topic != "com.example.switchboard" {
				t.Errorf("token %q topic %q", got.DeviceToken, got.Topic)
			}
			if got.PushType != tc.pushType || got.Priority != tc.priority {
				t.Errorf("push type %s priority %d, want %s %d", got.PushType, got.Priority, tc.pushType, tc.priority)
			}
			if !got.Expiration.Equal(tc.n.Expires) {
				t.Errorf("expiration = %v", got.Expiration)
			}
			if len(got.CollapseID) > MaxCollapseID || (tc.collapse != "" && got.CollapseID != tc.collapse) {
				t.Errorf("collapse id = %q, want %q", got.CollapseID, tc.collapse)
			}
			raw, ok := got.Payload.([]byte)
			if !ok || !json.Valid(raw) {
				t.Fatalf("payload is not encoded JSON: %T", got.Payload)
			}
			if tc.payload != "" && string(raw) != tc.payload {
				t.Errorf("payload =\n%s\nwant\n%s", raw, tc.payload)
			}
		})
	}
	a, b := Notification(device(), longKey).CollapseID, Notification(device(), longKey).CollapseID
	other := alert()
	other.CollapseKey = "chat-" + strings.Repeat("y", 80)
	if a != b || a == Notification(device(), other).CollapseID || len(a) != 64 {
		t.Errorf("hashed collapse ids: %q %q", a, Notification(device(), other).CollapseID)
	}
	var p payload
	_ = json.Unmarshal(Notification(device(), noBot).Payload.([]byte), &p)
	if p.APS.Alert.Subtitle != "Live chat" {
		t.Errorf("subtitle without bot = %q", p.APS.Alert.Subtitle)
	}
}

func TestNotificationPreviewLimit(t *testing.T) {
	probe := alert()
	probe.Preview = "x"
	room := MaxPayload - (len(Notification(device(), probe).Payload.([]byte)) - 1)
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
		{"three-byte runes across the limit", strings.Repeat("中", room/3+1), true},
		{"four-byte runes across the limit", strings.Repeat("😀", room/4+1), true},
		{"escaped runes count as encoded", strings.Repeat("&", room/6+1), true},
		{"newlines count as encoded", strings.Repeat("\n", room/2+1), true},
		{"spaces before the cut are dropped", strings.Repeat("a ", room), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := alert()
			n.Preview = tc.preview
			raw := Notification(device(), n).Payload.([]byte)
			if len(raw) > MaxPayload {
				t.Fatalf("payload is %d bytes, limit %d", len(raw), MaxPayload)
			}
			var p payload
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			body := p.APS.Alert.Body
			if !utf8.ValidString(body) {
				t.Fatal("body is not valid UTF-8")
			}
			if !tc.cut {
				if body != tc.preview {
					t.Fatalf("preview changed: %d bytes -> %d", len(tc.preview), len(body))
				}
				if tc.name == "exactly at the limit" && len(raw) != MaxPayload {
					t.Fatalf("payload is %d bytes, want exactly %d", len(raw), MaxPayload)
				}
				return
			}
			kept := strings.TrimSuffix(body, "…")
			if kept == body || !strings.HasPrefix(tc.preview, kept) {
				t.Fatalf("body is not a cut of the preview with an ellipsis")
			}
			if strings.TrimRightFunc(kept, unicode.IsSpace) != kept {
				t.Errorf("cut keeps trailing space")
			}
			// The cut is the longest: one more rune (past dropped spaces) would
			// not fit.
			longer := kept
			for _, r := range tc.preview[len(kept):] {
				longer += string(r)
				if !unicode.IsSpace(r) {
					break
				}
			}
			p.APS.Alert.Body = longer + "…"
			if len(encode(&p)) <= MaxPayload && strings.TrimRightFunc(longer, unicode.IsSpace) == longer {
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
		s     string
		limit int
		want  string
	}{
		{"hello", 5, "hello"},
		{"hello world", 8, "hello…"},
		{"hello world", 9, "hello…"},
		{"hello world", 10, "hello w…"},
		{"héllo", 5, "h…"},
		{"héllo!!", 6, "hé…"},
		{"hello", 3, "…"},
		{"hello", 2, ""},
	}
	for _, tc := range tests {
		if got := push.FitPreview(tc.s, within(tc.limit)); got != tc.want {
			t.Errorf("push.FitPreview(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
		}
	}
}
