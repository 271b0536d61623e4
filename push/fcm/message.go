package fcm

import (
	"encoding/json"
	"strconv"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// MaxPayload is FCM's limit on a message, in bytes. Message keeps the
// whole JSON-encoded message (as the SDK sends it, token included) within
// it.
const MaxPayload = 4096

// ChannelID is the Android notification channel the app shows chats on.
const ChannelID = "chats"

// ellipsis ends a cut preview.
const ellipsis = "…"

// Message builds the FCM message of n for device d at time now.
//
// An alert is a high-priority message with an Android notification
// (title: the subscriber's name, body: the preview, tag: n.CollapseKey,
// notification_count: the badge, channel "chats") and a data map (event,
// conversation_id, badge, subscriber_name, channel, bot, url; empty values
// left out, badge always there). An alert about a bot (n.AboutBot) has
// no badge: no notification_count, and no badge or subscriber_name in
// the data map, which names the bot as bot_id. A silent badge update (n.Silent) is a
// normal-priority data-only message that carries the badge. Both use
// n.CollapseKey as the collapse key and n.Expires-now as the TTL (none
// when n.Expires is zero, never negative). The preview is cut on a rune
// boundary, with an ellipsis, so that the encoded message fits MaxPayload;
// only when the rest alone is too big is it dropped, and FCM refuses the
// message.
func Message(d *models.Device, n *push.Notification, now time.Time) *messaging.Message {
	m := &messaging.Message{
		Token: d.Token,
		Data:  data(n),
		Android: &messaging.AndroidConfig{
			CollapseKey: n.CollapseKey,
			Priority:    "high",
			TTL:         ttl(n.Expires, now),
		},
	}
	if n.Silent {
		m.Android.Priority = "normal"
		return m
	}
	count := n.Badge
	an := &messaging.AndroidNotification{
		Title:             n.SubscriberName,
		Tag:               n.CollapseKey,
		ChannelID:         ChannelID,
		NotificationCount: &count,
	}
	if n.AboutBot() {
		an.NotificationCount = nil
	}
	m.Android.Notification = an
	an.Body = push.FitPreview(n.Preview, func(p string) bool {
		an.Body = p
		return encodedLen(m) <= MaxPayload
	})
	return m
}

// data is the message's data map; FCM data values are strings.
func data(n *push.Notification) map[string]string {
	out := map[string]string{"badge": strconv.Itoa(n.Badge)}
	name := n.SubscriberName
	if n.AboutBot() {
		out, name = map[string]string{"bot_id": n.BotID}, "" // no subscriber, no badge
	}
	for k, v := range map[string]string{
		"event":           string(n.Event),
		"conversation_id": n.ConversationID,
		"subscriber_name": name,
		"channel":         string(n.Channel),
		"bot":             n.BotName,
		"url":             n.URL,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// ttl is how long FCM may keep the message: until expires, in whole
// seconds, never negative; nil (FCM's default) when expires is zero.
func ttl(expires, now time.Time) *time.Duration {
	if expires.IsZero() {
		return nil
	}
	d := max(expires.Sub(now).Truncate(time.Second), 0)
	return &d
}

// encodedLen is the size of m as the SDK encodes it.
func encodedLen(m *messaging.Message) int {
	b, err := json.Marshal(m)
	if err != nil {
		return MaxPayload + 1
	}
	return len(b)
}
