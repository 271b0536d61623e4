package webpush

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

func note(preview string) *push.Notification {
	return &push.Notification{AlertID: "a1", Event: models.EventNewChat, ConversationID: "c1", SubscriberName: "Bob",
		Channel: models.ChannelWhatsApp, BotName: "Acme", Preview: preview, Badge: 3, CollapseKey: "chat-c1",
		URL: "https://app.example/chats/c1"}
}

func TestPayloadFields(t *testing.T) {
	n := note(`Hi <b> & "you"`)
	var got map[string]any
	if err := json.Unmarshal(Payload(n), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"title": "Bob", "body": `Hi <b> & "you"`, "conversation_id": "c1", "event": "new_chat",
		"badge": float64(3), "url": "https://app.example/chats/c1", "tag": "chat-c1", "channel": "whatsapp", "bot": "Acme"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("payload has %d keys, want %d: %v", len(got), len(want), got)
	}
	badge := Payload(&push.Notification{Event: models.EventBadge, Silent: true, CollapseKey: "badge"})
	if string(badge) != `{"title":"","body":"","event":"badge","badge":0,"tag":"badge"}` {
		t.Errorf("badge payload = %s", badge)
	}
}

// overhead is the payload's size with an empty preview.
func overhead(t *testing.T) int {
	t.Helper()
	return len(Payload(note("")))
}

func TestPayloadSizeBoundary(t *testing.T) {
	room := MaxPayload - overhead(t) // bytes the preview may take when it needs no escaping
	cases := []struct {
		name    string
		preview string
		cut     bool
	}{
		{"short", "hello", false},
		{"exactly at the limit", strings.Repeat("a", room), false},
		{"one byte over", strings.Repeat("a", room+1), true},
		{"far over", strings.Repeat("a", 3*MaxPayload), true},
		{"two-byte runes at the limit", strings.Repeat("é", room/2), false},
		{"two-byte runes over, cut mid-rune", strings.Repeat("a", room-4) + strings.Repeat("é", 10), true},
		{"four-byte runes over", strings.Repeat("😀", room/4+1), true},
		{"quotes double when escaped", strings.Repeat(`"`, room/2+1), true},
		{"quotes at the limit", strings.Repeat(`"`, room/2), false},
		{"control characters take six bytes", strings.Repeat("\x01", room/6+1), true},
		{"invalid UTF-8 becomes one U+FFFD", strings.Repeat("\xff", room), false},
		{"invalid UTF-8 among text", strings.Repeat("a\xff", room), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := Payload(note(c.preview))
			preview := strings.ToValidUTF8(c.preview, "\uFFFD")
			if len(b) > MaxPayload {
				t.Fatalf("payload is %d bytes, over %d", len(b), MaxPayload)
			}
			var m message
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(m.Body) {
				t.Error("body is not valid UTF-8")
			}
			if cut := m.Body != preview; cut != c.cut {
				t.Fatalf("cut = %v, want %v (body %d bytes)", cut, c.cut, len(m.Body))
			}
			if !c.cut {
				return
			}
			if !strings.HasSuffix(m.Body, ellipsis) {
				t.Error("a cut body does not end with an ellipsis")
			}
			// The cut is the longest: one more rune would not fit.
			prefix := strings.TrimSuffix(m.Body, ellipsis)
			if !strings.HasPrefix(preview, prefix) {
				t.Error("body is not a prefix of the preview")
			}
			if next := len(prefix); next < len(preview) {
				_, w := utf8.DecodeRuneInString(preview[next:])
				m.Body = preview[:next+w] + ellipsis
				if len(encode(m)) <= MaxPayload {
					t.Errorf("the cut is not the longest: %d more bytes fit", w)
				}
			}
		})
	}
}

func TestPayloadHugeTitle(t *testing.T) {
	n := note("hello")
	n.SubscriberName = strings.Repeat("B", 2*MaxPayload)
	b := Payload(n)
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxPayload || m.Body != "" || !strings.HasSuffix(m.Title, ellipsis) {
		t.Errorf("payload %d bytes, body %q, title ends %q", len(b), m.Body, m.Title[len(m.Title)-5:])
	}
}

// noNetwork answers 201 without a network.
type noNetwork struct{ calls int }

func (s *noNetwork) Do(*http.Request) (*http.Response, error) {
	s.calls++
	return &http.Response{StatusCode: 201, Body: http.NoBody, Header: http.Header{}}, nil
}

// TestMaxPayloadIsWebpushGoLimit holds MaxPayload to what webpush-go
// really pads into its record: MaxPayload bytes go, one more does not.
func TestMaxPayloadIsWebpushGoLimit(t *testing.T) {
	pub, priv, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub := &webpush.Subscription{Endpoint: "https://push.example/x",
		Keys: webpush.Keys{P256dh: pub, Auth: "AAAAAAAAAAAAAAAAAAAAAA"}}
	for _, size := range []int{MaxPayload, MaxPayload + 1} {
		s := &noNetwork{}
		opts := &webpush.Options{HTTPClient: s, Subscriber: "ops@example.com", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 1}
		_, err := webpush.SendNotificationWithContext(context.Background(), make([]byte, size), sub, opts)
		if size == MaxPayload && (err != nil || s.calls != 1) {
			t.Errorf("%d bytes: err %v, calls %d", size, err, s.calls)
		}
		if size > MaxPayload && !errors.Is(err, webpush.ErrMaxPadExceeded) {
			t.Errorf("%d bytes: err %v, want ErrMaxPadExceeded", size, err)
		}
	}
}
