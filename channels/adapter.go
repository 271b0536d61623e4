package channels

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// Account is what a messenger says of a bot's account.
type Account struct {
	ID       string
	Name     string
	Username string // Telegram's @username, without the @
}

// RawUpdate is one update of a webhook body or a long poll, with the
// messenger's own key for it (Telegram update_id, Viber message_token).
type RawUpdate struct {
	Key string
	Raw []byte
}

// Parsed is what one stored update means: the inbox events to apply in
// order (each with an id derived from the update, so a second processing
// applies nothing twice) and the files to fetch.
type Parsed struct {
	Events []inbox.Event
	// Ignored says why the update carries nothing for the inbox (an
	// update type Switchboard does not handle); it is acknowledged.
	Ignored string
}

// Outgoing is one message to send to a subscriber.
type Outgoing struct {
	// ChatID is the subscriber's id on the messenger.
	ChatID string
	Text   string
	// SenderName is the agent's name (Viber shows it as the sender).
	SenderName string
	// ReplyTo is the messenger's id of the quoted message ("" none).
	ReplyTo string
	// File is an attachment (Text is then its caption).
	File *OutgoingFile
}

// OutgoingFile is an attachment's bytes, with a signed URL for the
// messengers that fetch files themselves (Viber).
type OutgoingFile struct {
	Name     string
	MimeType string
	Size     int64
	Photo    bool
	// Open streams the bytes (Telegram uploads them as multipart).
	Open func(ctx context.Context) (io.ReadCloser, error)
	// URL is a signed, expiring URL of the bytes under the public URL.
	URL string
}

// Download is an inbound file's bytes.
type Download struct {
	Body     io.ReadCloser
	Name     string
	MimeType string
	// Size is the size the messenger announced (-1 unknown).
	Size int64
}

// Error is a messenger's refusal, classified. Reason is a short, stable
// code for apps and the problem answers ("bot_blocked", "chat_not_found",
// "window_closed", "unauthorized", "too_large", "rate_limited",
// "unavailable", "bad_request"); Description is the messenger's own text.
type Error struct {
	Reason      string
	Description string
	// Permanent errors are never retried; others are retried with backoff.
	Permanent bool
	// RetryAfter is the wait the messenger asked for (429 retry_after).
	RetryAfter time.Duration
	// Revoked says the credentials are refused: the bot is broken.
	Revoked bool
}

func (e *Error) Error() string { return e.Reason + ": " + e.Description }

// Adapter is one messenger's native connection. Its methods take the
// bot's credentials; none logs or returns them.
type Adapter interface {
	// Check verifies credentials with the messenger (Telegram getMe,
	// Viber get_account_info); a refusal is an *Error naming the problem.
	Check(ctx context.Context, creds map[string]string) (*Account, error)
	// SetWebhook registers url as the bot's webhook, with secret where
	// the messenger carries one back (Telegram secret_token).
	SetWebhook(ctx context.Context, creds map[string]string, url, secret string) error
	// DeleteWebhook removes the bot's webhook.
	DeleteWebhook(ctx context.Context, creds map[string]string) error
	// Verify checks a webhook request on its raw body, in constant time,
	// before anything parses it.
	Verify(creds map[string]string, secret string, h http.Header, body []byte) bool
	// Split returns the updates one verified webhook body holds (none for
	// a messenger's own handshake, such as Viber's "webhook" event), or an
	// error for a body that is not the messenger's JSON.
	Split(body []byte) ([]RawUpdate, error)
	// Parse maps one stored update to inbox events (a pure function of
	// the update and the bot).
	Parse(bot *models.Bot, u *models.InboundUpdate) (*Parsed, error)
	// Send delivers a message and returns the messenger's id for it.
	Send(ctx context.Context, creds map[string]string, out Outgoing) (externalID string, err error)
	// Delete removes a sent message from the subscriber's chat.
	Delete(ctx context.Context, creds map[string]string, chatID, externalID string) error
	// Fetch opens an inbound file by the messenger's reference.
	Fetch(ctx context.Context, creds map[string]string, ref string) (*Download, error)
}

// Poller is an Adapter that can receive updates without a public URL
// (Telegram's getUpdates).
type Poller interface {
	// Poll waits up to wait for updates after offset (the last key
	// stored plus one) and returns them in order.
	Poll(ctx context.Context, creds map[string]string, offset int64, wait time.Duration) ([]RawUpdate, error)
}

// Profiler is an Adapter that can say more of a subscriber than its
// updates do (Telegram group member counts and invite links, avatars).
type Profiler interface {
	// Profile returns what the messenger knows of chat chatID and, when
	// it has one, the reference of its avatar (for Fetch).
	Profile(ctx context.Context, creds map[string]string, chatID string) (models.SubscriberProfile, string, error)
}

// Answerer is an Adapter that acknowledges an update to the messenger
// once it is applied (Telegram's answerCallbackQuery stops a pressed
// button's spinner). It is called after processing, best effort.
type Answerer interface {
	Answer(ctx context.Context, creds map[string]string, u *models.InboundUpdate) error
}

// WebhookChecker is an Adapter that can tell whether the messenger
// manages to deliver to the bot's webhook (Telegram's getWebhookInfo).
type WebhookChecker interface {
	// WebhookHealth returns the messenger's last failure to deliver, with
	// its time (zero when none).
	WebhookHealth(ctx context.Context, creds map[string]string) (lastError string, at time.Time, err error)
}
