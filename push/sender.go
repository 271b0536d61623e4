package push

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Provider names a delivery route.
type Provider string

// The providers. A device's kind names its provider; email is per member.
const (
	ProviderFCM      Provider = "fcm"
	ProviderAPNs     Provider = "apns"
	ProviderWebPush  Provider = "webpush"
	ProviderTelegram Provider = "telegram"
	ProviderEmail    Provider = "email"
)

// Notification is one alert as one device receives it. Payload builders
// cut Preview to fit their provider's limit; the rest is sent as it is.
type Notification struct {
	AlertID        string
	Event          models.AlertEvent
	ConversationID string
	// SubscriberName heads the notification: the subscriber's name, or,
	// for an alert about a bot, what happened (BotBrokenTitle).
	SubscriberName string
	// BotID is the bot an alert about a bot (bot_broken) is about. Such
	// an alert has no chat: no chat link, no chat actions, and no badge
	// (the app's badge stays as it is).
	BotID   string
	Channel models.Channel
	BotName string
	Preview string
	// Badge is the member's number of chats with unread subscriber messages.
	Badge int
	// Silent asks for a badge-only update that shows nothing.
	Silent bool
	// CollapseKey is per chat: alerts of one chat replace each other on
	// the device (apns-collapse-id, FCM collapse key and tag, Web Push Topic).
	CollapseKey string
	// URL opens the chat in the web app.
	URL string
	// Expires is when the provider may drop an undelivered notification.
	Expires time.Time
	// Email is the member's address, for the email provider.
	Email string
	// MemberName greets the member in an email.
	MemberName string
}

// AboutBot reports whether n is about a bot rather than a chat (see BotID).
func (n *Notification) AboutBot() bool { return n.BotID != "" }

// Outcome classifies a provider's answer.
type Outcome string

// Outcomes. Retry covers 429, 5xx and network errors; Failed is a
// permanent error for this message; Gone says the device no longer exists
// and must be removed.
const (
	OutcomeSent   Outcome = "sent"
	OutcomeRetry  Outcome = "retry"
	OutcomeFailed Outcome = "failed"
	OutcomeGone   Outcome = "gone"
)

// Result is what the provider answered for one device.
type Result struct {
	Outcome Outcome
	// Reason says why a send was not delivered ("" when sent). For APNs,
	// FCM and Telegram it is the provider's own words ("BadDeviceToken",
	// "UNREGISTERED", "Forbidden: bot was blocked by the user"), "HTTP
	// <status>" when the answer named none, or a network error; for email
	// the mail server's reply or the connection's error. For Web Push it
	// is this server's own words (a webpush.Reason* sentence, or why the
	// subscription or payload was refused before sending): a member
	// chooses the endpoint, so nothing it sent, not even its status,
	// appears in the reason.
	Reason string
	// Status is the HTTP status, 0 when no answer came. A test push
	// reports it for every provider but Web Push (see TestResult).
	Status int
	// RetryAfter is the wait the provider asked for (Retry-After,
	// Telegram's retry_after); 0 when it named none.
	RetryAfter time.Duration
	// ProviderID is the provider's id of the sent message (apns-id, FCM
	// message name, Telegram message id).
	ProviderID string
}

// Sender delivers one notification to one device. It never panics on a
// provider's answer; every answer becomes a Result.
type Sender interface {
	Send(ctx context.Context, d *models.Device, n *Notification) Result
}
