package webpush

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/switchboardhq/switchboard/push"
)

// MaxPayload is the largest plaintext webpush-go can send. It pads every
// message into a single aes128gcm record of webpush.MaxRecordSize (4096)
// bytes, which holds the 86-byte header (16 salt, 4 record size, 1 key
// length, 65 key), the 16-byte AES-GCM tag and the 1-byte padding
// delimiter besides the plaintext.
const MaxPayload = int(webpush.MaxRecordSize) - 86 - 16 - 1

// DefaultTTL is the TTL of a notification that names no expiry.
const DefaultTTL = 24 * time.Hour

// maxTopic is the longest Topic header RFC 8030 allows.
const maxTopic = 32

// ellipsis ends a cut text.
const ellipsis = "…"

// message is the JSON the service worker receives.
type message struct {
	Title          string `json:"title"`
	Body           string `json:"body"`
	ConversationID string `json:"conversation_id,omitempty"`
	Event          string `json:"event"`
	Badge          *int   `json:"badge,omitempty"`
	BotID          string `json:"bot_id,omitempty"`
	URL            string `json:"url,omitempty"`
	Tag            string `json:"tag,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Bot            string `json:"bot,omitempty"`
}

// Payload is the JSON the browser's service worker receives for n:
// title (the subscriber's name), body (the preview), conversation_id,
// event, badge, url (opens the chat), tag (n.CollapseKey), channel and
// bot. An alert about a bot (n.AboutBot) has no badge, no url and no
// conversation_id, and names the bot as bot_id. Invalid UTF-8 becomes U+FFFD. The preview, and when that is not enough the title, is cut on a
// rune boundary and ended with an ellipsis so that the encoded JSON is
// at most MaxPayload bytes.
func Payload(n *push.Notification) []byte {
	title, body := valid(n.SubscriberName), valid(n.Preview)
	badge := n.Badge
	m := message{Title: title, Body: body, ConversationID: n.ConversationID, Event: string(n.Event),
		Badge: &badge, URL: n.URL, Tag: n.CollapseKey, Channel: string(n.Channel), Bot: valid(n.BotName)}
	if n.AboutBot() {
		m.Badge, m.BotID = nil, n.BotID
	}
	if b := encode(m); len(b) <= MaxPayload {
		return b
	}
	m.Body = shorten(body, MaxPayload, func(s string) int { m.Body = s; return len(encode(m)) })
	if b := encode(m); len(b) <= MaxPayload {
		return b
	}
	m.Title = shorten(title, MaxPayload, func(s string) int { m.Title = s; return len(encode(m)) })
	return encode(m)
}

// valid replaces each run of invalid UTF-8 in s by U+FFFD.
func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// encode is m's JSON without HTML escaping, which would only make it longer.
func encode(m message) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(m) // a struct of strings and an int always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// shorten returns s when size(s) <= limit, else the longest prefix of s cut
// on a rune boundary and ended with an ellipsis for which size is at most
// limit, or "" when even the bare ellipsis is too long. size must not
// shrink as its argument grows.
func shorten(s string, limit int, size func(string) int) string {
	if size(s) <= limit {
		return s
	}
	var cuts []int // where each rune of s starts
	for i := 0; i < len(s); {
		cuts = append(cuts, i)
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	k := sort.Search(len(cuts), func(i int) bool { return size(s[:cuts[i]]+ellipsis) > limit })
	if k == 0 {
		return ""
	}
	return s[:cuts[k-1]] + ellipsis
}

// Options are the delivery headers of n at now: TTL the seconds until
// n.Expires (never below 0; DefaultTTL when n names no expiry), Urgency
// high (normal for a silent update) and Topic derived from n.CollapseKey,
// so that the push service replaces an undelivered message of the same
// chat. The keys, subscriber and HTTP client are left to the Sender.
func Options(n *push.Notification, now time.Time) webpush.Options {
	o := webpush.Options{Urgency: webpush.UrgencyHigh, Topic: Topic(n.CollapseKey)}
	if n.Silent {
		o.Urgency = webpush.UrgencyNormal
	}
	ttl := DefaultTTL
	if !n.Expires.IsZero() {
		ttl = max(n.Expires.Sub(now), 0)
	}
	o.TTL = int(ttl / time.Second)
	return o
}

// Topic is the Web Push Topic header for a collapse key: the key itself
// when it already is at most 32 characters of the URL-safe base64
// alphabet, else the unpadded base64url of the first 24 bytes of its
// SHA-256 (32 characters). "" has no topic.
func Topic(key string) string {
	if key == "" {
		return ""
	}
	if ValidTopic(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

// ValidTopic reports whether t may be sent as a Topic header: 1 to 32
// characters of the URL-safe base64 alphabet (RFC 8030, section 5.4).
func ValidTopic(t string) bool {
	if t == "" || len(t) > maxTopic {
		return false
	}
	for _, c := range []byte(t) {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
