package apns

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/sideshow/apns2"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// MaxPayload is APNs's limit on a notification's payload, in bytes.
const MaxPayload = 4096

// MaxCollapseID is APNs's limit on apns-collapse-id, in bytes.
const MaxCollapseID = 64

// Category is the notification category of chat alerts in the app.
const Category = "NEW_CHAT"

// ellipsis ends a cut preview.
const ellipsis = "…"

// alertBody is the aps alert dictionary.
type alertBody struct {
	Title    string `json:"title,omitempty"`
	Subtitle string `json:"subtitle,omitempty"`
	Body     string `json:"body,omitempty"`
}

// aps is the aps dictionary.
type aps struct {
	Alert            *alertBody `json:"alert,omitempty"`
	Badge            *int       `json:"badge,omitempty"`
	Sound            string     `json:"sound,omitempty"`
	ThreadID         string     `json:"thread-id,omitempty"`
	Category         string     `json:"category,omitempty"`
	ContentAvailable int        `json:"content-available,omitempty"`
}

// payload is the whole notification payload.
type payload struct {
	APS            aps    `json:"aps"`
	ConversationID string `json:"conversation_id,omitempty"`
	Event          string `json:"event,omitempty"`
	URL            string `json:"url,omitempty"`
	BotID          string `json:"bot_id,omitempty"`
}

// Notification builds the APNs notification of n for device d. Its
// Payload is the encoded JSON ([]byte), within MaxPayload.
//
// An alert has aps {alert {title: subscriber name, subtitle: bot name and
// channel, body: preview}, badge, sound "default", thread-id: the
// conversation id, category "NEW_CHAT"} and the keys conversation_id,
// event and url; it is sent as push type alert, priority 10. An alert
// about a bot (n.AboutBot) has no badge (the app's stays as it is), no
// category (no chat actions), no thread and no conversation, and names
// the bot as bot_id. A silent
// badge update (n.Silent) is aps {content-available: 1, badge} only, push
// type background, priority 5. Both carry apns-topic d.Topic,
// apns-expiration n.Expires (none when zero) and apns-collapse-id
// n.CollapseKey, replaced by its SHA-256 in hex when longer than 64
// bytes. The preview is cut on a rune boundary, with an ellipsis, so that
// the payload fits MaxPayload; only when the rest alone is too big is it
// dropped, and APNs refuses the notification.
func Notification(d *models.Device, n *push.Notification) *apns2.Notification {
	badge := n.Badge
	out := &apns2.Notification{
		DeviceToken: d.Token,
		Topic:       d.Topic,
		CollapseID:  collapseID(n.CollapseKey),
		Expiration:  n.Expires,
		Priority:    apns2.PriorityHigh,
		PushType:    apns2.PushTypeAlert,
	}
	if n.Silent {
		out.Priority, out.PushType = apns2.PriorityLow, apns2.PushTypeBackground
		out.Payload = encode(&payload{APS: aps{ContentAvailable: 1, Badge: &badge}})
		return out
	}
	p := &payload{
		APS: aps{
			Alert:    &alertBody{Title: n.SubscriberName, Subtitle: subtitle(n.BotName, n.Channel)},
			Badge:    &badge,
			Sound:    "default",
			ThreadID: n.ConversationID,
			Category: Category,
		},
		ConversationID: n.ConversationID,
		Event:          string(n.Event),
		URL:            n.URL,
	}
	if n.AboutBot() {
		p.APS.Badge, p.APS.Category, p.BotID = nil, "", n.BotID
	}
	p.APS.Alert.Body = push.FitPreview(n.Preview, func(s string) bool {
		p.APS.Alert.Body = s
		return len(encode(p)) <= MaxPayload
	})
	out.Payload = encode(p)
	return out
}

// encode is the JSON of p; the payload types always encode.
func encode(p *payload) []byte {
	b, _ := json.Marshal(p)
	return b
}

// collapseID is key when it fits apns-collapse-id, else its SHA-256 in hex
// (64 bytes, and still one per key).
func collapseID(key string) string {
	if len(key) <= MaxCollapseID {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// channelNames are the channels as the app shows them.
var channelNames = map[models.Channel]string{
	models.ChannelTelegram:  "Telegram",
	models.ChannelWhatsApp:  "WhatsApp",
	models.ChannelInstagram: "Instagram",
	models.ChannelMessenger: "Messenger",
	models.ChannelViber:     "Viber",
	models.ChannelLiveChat:  "Live chat",
}

// subtitle names the bot and its channel: "Helpdesk · Telegram".
func subtitle(bot string, ch models.Channel) string {
	name := channelNames[ch]
	if name == "" {
		name = string(ch)
	}
	switch {
	case bot == "":
		return name
	case name == "":
		return bot
	}
	return bot + " · " + name
}
