package viberfake

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
)

var errNotLoopback = errors.New("viberfake: only loopback URLs are called")

// KeyboardTracking is the tracking_data Switchboard puts on a message
// carrying a keyboard: a marker and the buttons' ActionBody values. Viber
// returns a message's tracking_data with the user's reply, so a reply
// whose text is one of these bodies is a button press.
func KeyboardTracking(bodies ...string) string {
	b, _ := json.Marshal(bodies)
	return "sb:kb:" + string(b)
}

// Msg is the message of a simulated "message" callback.
type Msg map[string]any

// Text is a typed text message.
func Text(text string) Msg { return Msg{"type": "text", "text": text} }

// Button is a keyboard reply: Viber sends the pressed button's ActionBody
// as the text, with the tracking_data of the message that carried the
// keyboard (see KeyboardTracking).
func Button(actionBody, tracking string) Msg {
	return Msg{"type": "text", "text": actionBody, "tracking_data": tracking}
}

// Picture is a photo at mediaURL with a caption.
func Picture(mediaURL, caption string, size int64) Msg {
	return Msg{"type": "picture", "text": caption, "media": mediaURL, "thumbnail": mediaURL, "size": size, "file_name": "IMG_2041.jpg"}
}

// Video is a video at mediaURL.
func Video(mediaURL string, size int64, seconds int) Msg {
	return Msg{"type": "video", "media": mediaURL, "thumbnail": mediaURL, "size": size, "duration": seconds}
}

// File is a document at mediaURL.
func File(mediaURL, name string, size int64) Msg {
	return Msg{"type": "file", "media": mediaURL, "file_name": name, "size": size}
}

// Sticker is a sticker (its image at mediaURL).
func Sticker(id int64, mediaURL string) Msg {
	return Msg{"type": "sticker", "sticker_id": id, "media": mediaURL}
}

// Contact is a shared contact card.
func Contact(name, phone string) Msg {
	return Msg{"type": "contact", "contact": map[string]any{"name": name, "phone_number": phone}}
}

// Location is a shared place.
func Location(lat, lon float64, address string) Msg {
	l := map[string]any{"lat": lat, "lon": lon}
	if address != "" {
		l["address"] = address
	}
	return Msg{"type": "location", "location": l}
}

// URL is a shared link.
func URL(link string) Msg { return Msg{"type": "url", "media": link} }

func (f *Fake) user(id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[id]
	if u == nil {
		return map[string]any{"id": id, "name": "Subscriber", "api_version": 10}
	}
	out := map[string]any{"id": u.ID, "name": u.Name, "avatar": u.Avatar, "api_version": 10}
	if u.Country != "" {
		out["country"] = u.Country
	}
	if u.Language != "" {
		out["language"] = u.Language
	}
	return out
}

func (f *Fake) envelope(event string, token int64) map[string]any {
	return map[string]any{"event": event, "timestamp": f.clock().UnixMilli(), "chat_hostname": "SN-FAKE_", "message_token": token}
}

func marshal(v map[string]any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Message builds a "message" callback from user id, with a new
// message_token, returned with the body.
func (f *Fake) Message(userID string, m Msg) (body []byte, token int64) {
	token = f.lockedToken()
	cb := f.envelope("message", token)
	cb["sender"], cb["message"], cb["silent"] = f.user(userID), map[string]any(m), false
	return marshal(cb), token
}

// Subscribed builds a "subscribed" callback of user id.
func (f *Fake) Subscribed(userID string) []byte {
	cb := f.envelope("subscribed", f.lockedToken())
	cb["user"] = f.user(userID)
	return marshal(cb)
}

// Unsubscribed builds an "unsubscribed" callback of user id.
func (f *Fake) Unsubscribed(userID string) []byte {
	cb := f.envelope("unsubscribed", f.lockedToken())
	cb["user_id"] = userID
	return marshal(cb)
}

// ConversationStarted builds a "conversation_started" callback: user id
// opened the chat, with context the deep link's payload ("" none).
func (f *Fake) ConversationStarted(userID, context string, subscribed bool) []byte {
	cb := f.envelope("conversation_started", f.lockedToken())
	cb["type"], cb["user"], cb["subscribed"] = "open", f.user(userID), subscribed
	if context != "" {
		cb["context"] = context
	}
	return marshal(cb)
}

// Receipt builds a "delivered" or "seen" callback of a sent message.
func (f *Fake) Receipt(event string, messageToken int64, userID string) []byte {
	cb := f.envelope(event, messageToken)
	cb["user_id"] = userID
	return marshal(cb)
}

// Failed builds a "failed" callback of a sent message, with Viber's desc.
func (f *Fake) Failed(messageToken int64, userID, desc string) []byte {
	cb := f.envelope("failed", messageToken)
	cb["user_id"], cb["desc"] = userID, desc
	return marshal(cb)
}

// Post posts a callback body, signed with token, to token's webhook and
// returns the webhook's HTTP status.
func (f *Fake) Post(ctx context.Context, token string, body []byte) (int, error) {
	hook := f.Webhook(token)
	if hook == "" {
		return 0, errors.New("viberfake: no webhook set for the token")
	}
	return f.post(ctx, hook, token, body)
}

// TokenText is a message token as the decimal text Switchboard keys by.
func TokenText(t int64) string { return strconv.FormatInt(t, 10) }
