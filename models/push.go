package models

import (
	"context"
	"slices"
	"time"
)

// DeviceKind is the route a device is reached by.
type DeviceKind string

// Device kinds. Telegram is the member's chat with the notifications bot.
const (
	DeviceFCM      DeviceKind = "fcm"      // Android: an FCM registration token
	DeviceAPNs     DeviceKind = "apns"     // iOS: an APNs device token, topic and sandbox flag
	DeviceWebPush  DeviceKind = "webpush"  // a browser's Web Push subscription
	DeviceTelegram DeviceKind = "telegram" // the member's chat with the notifications bot
)

// Device is one place a member's alerts are sent to.
type Device struct {
	ID       string     `json:"id" bson:"_id"`
	WS       string     `json:"-" bson:"ws"`
	MemberID string     `json:"member_id" bson:"member_id"`
	Kind     DeviceKind `json:"kind" bson:"kind"`
	// Name is the member's label for the device ("Pixel 8", "Firefox at work").
	Name string `json:"name,omitempty" bson:"name,omitempty"`
	// Token is the FCM registration token or the APNs device token (hex).
	Token string `json:"-" bson:"token,omitempty"`
	// Topic is the APNs topic (the app's bundle id); Sandbox selects the
	// APNs development environment.
	Topic   string `json:"topic,omitempty" bson:"topic,omitempty"`
	Sandbox bool   `json:"sandbox,omitempty" bson:"sandbox,omitempty"`
	// Endpoint, P256dh and Auth are the Web Push subscription.
	Endpoint string `json:"-" bson:"endpoint,omitempty"`
	P256dh   string `json:"-" bson:"p256dh,omitempty"`
	Auth     string `json:"-" bson:"auth,omitempty"`
	// TelegramChatID is the member's private chat with the notifications bot.
	TelegramChatID   int64  `json:"-" bson:"telegram_chat_id,omitempty"`
	TelegramUsername string `json:"telegram_username,omitempty" bson:"telegram_username,omitempty"`
	// Key identifies the address (token, endpoint or chat) so that
	// registering the same device twice updates it instead of adding one.
	Key       string    `json:"-" bson:"key"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	// LastOutcome is the last delivery's result ("sent", "failed: ...").
	LastOutcome string     `json:"last_outcome,omitempty" bson:"last_outcome,omitempty"`
	LastSentAt  *time.Time `json:"last_sent_at,omitempty" bson:"last_sent_at,omitempty"`
}

// AlertEvent is what an alert is about; members choose which they receive.
type AlertEvent string

// Alert events. Badge is the silent badge update after a chat is read;
// test is a member's test push. Bot broken is about a bot, not a chat: it
// tells every admin once per break that the messenger refused the bot's
// credentials.
const (
	EventNewChat         AlertEvent = "new_chat"         // a chat opened or reopened
	EventChatMessage     AlertEvent = "message"          // a subscriber wrote in a chat assigned to me
	EventAssigned        AlertEvent = "assigned"         // a chat was assigned to me
	EventFollowedMessage AlertEvent = "followed_message" // a subscriber wrote in a chat I follow
	EventBotBroken       AlertEvent = "bot_broken"       // a bot's messenger refused its credentials (admins)
	EventBadge           AlertEvent = "badge"
	EventTest            AlertEvent = "test"
)

// PrefEvents lists the events a member can turn on or off, in order.
var PrefEvents = []AlertEvent{EventNewChat, EventChatMessage, EventAssigned, EventFollowedMessage, EventBotBroken}

// PushChannel is how a member is reached; each maps to device kinds.
type PushChannel string

// Push channels of the preferences.
const (
	RoutePush     PushChannel = "push"     // the mobile apps: FCM and APNs devices
	RouteWebPush  PushChannel = "web_push" // browsers
	RouteTelegram PushChannel = "telegram" // the notifications bot
	RouteEmail    PushChannel = "email"    // at most one email an hour
)

// PushChannels lists the channels, in order.
var PushChannels = []PushChannel{RoutePush, RouteWebPush, RouteTelegram, RouteEmail}

// ChannelOf returns the preference channel a device kind belongs to.
func ChannelOf(k DeviceKind) PushChannel {
	switch k {
	case DeviceWebPush:
		return RouteWebPush
	case DeviceTelegram:
		return RouteTelegram
	}
	return RoutePush
}

// PushPrefs are one member's alert preferences: Off lists the event and
// channel pairs turned off ("new_chat:email"); everything else is on.
type PushPrefs struct {
	MemberID  string    `json:"-" bson:"_id"`
	WS        string    `json:"-" bson:"ws"`
	Off       []string  `json:"-" bson:"off"`
	UpdatedAt time.Time `json:"-" bson:"updated_at"`
}

// ChangeOff is the list cur after turning the pairs on on and the pairs
// off off (a pair in both ends off): in order, without repeats, never nil.
func ChangeOff(cur, on, off []string) []string {
	out := []string{}
	for _, k := range append(slices.Clone(cur), off...) {
		if slices.Contains(on, k) && !slices.Contains(off, k) || slices.Contains(out, k) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// Enabled reports whether the member receives event on channel.
func (p *PushPrefs) Enabled(event AlertEvent, ch PushChannel) bool {
	if p == nil {
		return true
	}
	key := string(event) + ":" + string(ch)
	for _, o := range p.Off {
		if o == key {
			return false
		}
	}
	return true
}

// DeliveryState is where one device's delivery of an alert stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "queued"  // not sent yet, or waiting to retry
	DeliveryDone    DeliveryState = "sent"    // the provider accepted it
	DeliveryGaveUp  DeliveryState = "failed"  // a permanent error, or the alert's TTL passed
	DeliveryRemoved DeliveryState = "removed" // the provider said the device is gone; it was removed
)

// Delivery is one alert's route to one device, or to a member's email.
type Delivery struct {
	// DeviceID is the device, or "email:<member>" for the member's email.
	DeviceID string `json:"device_id" bson:"device_id"`
	MemberID string `json:"member_id" bson:"member_id"`
	Kind     string `json:"provider" bson:"kind"` // fcm, apns, webpush, telegram, email
	// Event is what the alert is to this member (a follower hears of a
	// subscriber message as followed_message).
	Event    AlertEvent    `json:"event,omitempty" bson:"event,omitempty"`
	State    DeliveryState `json:"state" bson:"state"`
	Attempts int           `json:"attempts" bson:"attempts"`
	// Reason is the provider's answer when it failed or asked to retry.
	Reason string     `json:"reason,omitempty" bson:"reason,omitempty"`
	NextAt *time.Time `json:"next_attempt_at,omitempty" bson:"next_at,omitempty"`
	SentAt *time.Time `json:"sent_at,omitempty" bson:"sent_at,omitempty"`
	// ProviderID is the provider's id for the message (apns-id, FCM name,
	// Telegram message id).
	ProviderID string `json:"provider_id,omitempty" bson:"provider_id,omitempty"`
	// Badge is the member's badge carried by this delivery.
	Badge int `json:"badge" bson:"badge"`
}

// AlertState says whether an alert still has deliveries to make.
type AlertState string

// Alert states.
const (
	AlertPending AlertState = "pending"
	AlertDone    AlertState = "done"
)

// Alert is one event's fan-out: it is stored, with every delivery it
// makes, before anything is sent, and it is finished by whichever
// instance holds its lease.
type Alert struct {
	ID             string     `json:"id" bson:"_id"`
	WS             string     `json:"-" bson:"ws"`
	Event          AlertEvent `json:"event" bson:"event"`
	ConversationID string     `json:"conversation_id,omitempty" bson:"conversation_id,omitempty"`
	// BotID is the bot a bot_broken alert is about (it has no chat).
	BotID string `json:"bot_id,omitempty" bson:"bot_id,omitempty"`
	// Source is the change the alert was made from: a message id, or for
	// a bot's break "<bot>@connected:<ms>" (the connection it ended).
	Source string `json:"source,omitempty" bson:"source,omitempty"`
	// ActorID is the member who caused the event; they are never alerted.
	ActorID        string     `json:"actor_id,omitempty" bson:"actor_id,omitempty"`
	SubscriberName string     `json:"subscriber_name,omitempty" bson:"subscriber_name,omitempty"`
	Channel        Channel    `json:"channel,omitempty" bson:"channel,omitempty"`
	BotName        string     `json:"bot_name,omitempty" bson:"bot_name,omitempty"`
	Preview        string     `json:"preview,omitempty" bson:"preview,omitempty"`
	State          AlertState `json:"state" bson:"state"`
	Deliveries     []Delivery `json:"deliveries" bson:"deliveries"`
	CreatedAt      time.Time  `json:"created_at" bson:"created_at"`
	// ExpiresAt is when undelivered routes are given up (the alert's TTL).
	ExpiresAt time.Time `json:"expires_at" bson:"expires_at"`
	// DueAt is when the next delivery is due.
	DueAt time.Time `json:"-" bson:"due_at"`
	// Claims is the number of the lease held (in memory), or of the last
	// one finished or passed as abandoned (stored): the next claim is
	// Claims+1, unless that one is held.
	Claims int `json:"-" bson:"claims"`
	// TelegramRefs are "<chat>:<message>" of the Telegram messages sent,
	// so that a reply to one finds the chat.
	TelegramRefs []string `json:"-" bson:"telegram_refs,omitempty"`
}

// AlertFilter selects a workspace's alerts, newest first.
type AlertFilter struct {
	ConversationID string
	MemberID       string
	Limit          int
}

// DeviceStore persists members' devices and preferences.
type DeviceStore interface {
	// SaveDevice inserts d, or updates the member's device with the same
	// Key; it returns the stored device. A key held by another member of
	// the workspace moves to this member (the phone changed hands).
	SaveDevice(ctx context.Context, d *Device) (*Device, error)
	Device(ctx context.Context, ws, id string) (*Device, error)
	// Devices lists the devices of the given members (nil: all of ws).
	Devices(ctx context.Context, ws string, memberIDs []string) ([]*Device, error)
	// DeleteDevices removes devices by id; member "" skips the owner check.
	DeleteDevices(ctx context.Context, ws, memberID string, ids []string) (int, error)
	// DeviceByTelegramChat finds the Telegram device of a chat in any workspace.
	DeviceByTelegramChat(ctx context.Context, chatID int64) (*Device, error)
	// NoteOutcomes records the last outcome of each device (by id).
	NoteOutcomes(ctx context.Context, ws string, outcomes map[string]string, at time.Time) error
	PushPrefs(ctx context.Context, ws string, memberIDs []string) (map[string]*PushPrefs, error)
	SavePushPrefs(ctx context.Context, p *PushPrefs) error
	// ChangePushPrefs turns member's "event:channel" pairs on and off in
	// one change and returns the preferences as saved: concurrent changes
	// of other pairs all survive (none reads, then writes back, the whole).
	ChangePushPrefs(ctx context.Context, ws, memberID string, on, off []string) (*PushPrefs, error)
}

// AlertStore persists alerts and leases them to workers.
type AlertStore interface {
	// CreateAlerts inserts alerts and queues the pending ones; an alert
	// whose id exists already is not an error (the same event seen twice):
	// its created[i] is false.
	CreateAlerts(ctx context.Context, alerts []*Alert) (created []bool, err error)
	Alert(ctx context.Context, ws, id string) (*Alert, error)
	Alerts(ctx context.Context, ws string, f AlertFilter) ([]*Alert, error)
	// DueAlerts lists up to limit pending alerts due at or before now,
	// soonest first, leaving out those skip names (nil: none); its work
	// grows with the pending alerts, not with the finished ones.
	DueAlerts(ctx context.Context, now time.Time, limit int, skip func(id string) bool) ([]*Alert, error)
	// ClaimAlerts takes the lease, until now+d, on each of the listed
	// alerts that no other worker holds, and returns those it took, each
	// as it is stored now. It works without atomic read-modify-write.
	ClaimAlerts(ctx context.Context, listed []*Alert, now time.Time, d time.Duration) ([]*Alert, error)
	// FinishAttempts writes each claimed alert's deliveries, next due time
	// and state, releasing its lease.
	FinishAttempts(ctx context.Context, alerts []*Alert) error
	// AlertByTelegramRef finds the alert that sent Telegram message ref.
	AlertByTelegramRef(ctx context.Context, ws, ref string) (*Alert, error)
	// RequeuePending queues the pending alerts missing from the due
	// listing (left out by a crash) and returns how many; it reads every
	// pending alert, so it runs rarely.
	RequeuePending(ctx context.Context) (int, error)
	// PurgeAlerts deletes finished alerts created before cutoff.
	PurgeAlerts(ctx context.Context, cutoff time.Time) (int, error)
}

// PushStateStore keeps the dispatcher's small durable state.
type PushStateStore interface {
	// PushCursor is how far the alert dispatcher read ws's change log.
	PushCursor(ctx context.Context, ws string) (int64, error)
	SavePushCursor(ctx context.Context, ws string, seq int64) error
	// TakeLease takes the named lease for the time slot holding now, of
	// length d; false when another holder has it.
	TakeLease(ctx context.Context, name, holder string, now time.Time, d time.Duration) (bool, error)
	// TakeEmailSlot reserves member's hourly email: false when one was
	// taken less than every ago.
	// owner is the alert it is for; the same owner asking again gets it.
	TakeEmailSlot(ctx context.Context, ws, memberID, owner string, now time.Time, every time.Duration) (bool, error)
	// Setting returns the value saved under name, saving value first when
	// there is none (the first writer wins).
	Setting(ctx context.Context, name, value string) (string, error)
	// LinkCode stores a one-time Telegram link code's hash for member;
	// TakeLinkCode consumes it once, before it expires.
	SaveLinkCode(ctx context.Context, hash, ws, memberID string, expires time.Time) error
	TakeLinkCode(ctx context.Context, hash string, now time.Time) (ws, memberID string, err error)
	// PurgePushState deletes leases, email slots and link codes that ran
	// out before cutoff.
	PurgePushState(ctx context.Context, cutoff time.Time) error
}
