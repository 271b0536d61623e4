package telegram

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// ReasonSilent is the Result.Reason of a silent (badge) update: Telegram
// has nothing to show for it, so it is never sent there.
const ReasonSilent = "silent updates are not sent to Telegram"

// Sender delivers alerts to members' chats with the notifications bot.
type Sender struct {
	c *tg.Client
}

var _ push.Sender = (*Sender)(nil)

// NewSender returns the push.Sender for Telegram devices, sending with c.
func NewSender(c *tg.Client) *Sender { return &Sender{c: c} }

// Send sends n to the chat of d (a models.DeviceTelegram device) as
// AlertMessage builds it, and classifies the answer with Classify. Silent
// updates and devices without a chat fail without a call.
func (s *Sender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	switch {
	case n.Silent:
		return push.Result{Outcome: push.OutcomeFailed, Reason: ReasonSilent}
	case d.Kind != models.DeviceTelegram || d.TelegramChatID == 0:
		return push.Result{Outcome: push.OutcomeFailed, Reason: "not a Telegram device"}
	}
	m, err := s.c.SendMessage(ctx, AlertMessage(d.TelegramChatID, n))
	return Classify(m, err)
}

// Classify turns a sendMessage answer into a push.Result:
//   - a message: sent, ProviderID its message_id;
//   - 429: retry after parameters.retry_after;
//   - 5xx, no answer, or a rate-limit wait cut short: retry;
//   - 403 "bot was blocked by the user" or "user is deactivated", and 400
//     "chat not found": gone (the chat no longer takes messages);
//   - any other error: failed.
//
// Reason is Telegram's description (or the network error), Status the
// HTTP status (0 without an answer).
func Classify(m *tg.Message, err error) push.Result {
	if err == nil {
		if m == nil {
			return push.Result{Outcome: push.OutcomeFailed, Reason: "no message in the answer", Status: http.StatusOK}
		}
		return push.Result{Outcome: push.OutcomeSent, Status: http.StatusOK, ProviderID: strconv.FormatInt(m.MessageID, 10)}
	}
	var api *tg.APIError
	if !errors.As(err, &api) {
		var netErr *tg.NetworkError
		var rateErr *tg.RateError
		if errors.As(err, &netErr) || errors.As(err, &rateErr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return push.Result{Outcome: push.OutcomeRetry, Reason: err.Error()}
		}
		return push.Result{Outcome: push.OutcomeFailed, Reason: err.Error()}
	}
	r := push.Result{Reason: api.Description, Status: api.Code}
	if r.Reason == "" {
		r.Reason = "HTTP " + strconv.Itoa(api.Code)
	}
	desc := strings.ToLower(api.Description)
	switch {
	case api.Code == http.StatusTooManyRequests:
		r.Outcome, r.RetryAfter = push.OutcomeRetry, api.RetryAfter
	case api.Code >= 500:
		r.Outcome, r.RetryAfter = push.OutcomeRetry, api.RetryAfter
	case api.Code == http.StatusForbidden &&
		(strings.Contains(desc, "bot was blocked by the user") || strings.Contains(desc, "user is deactivated")):
		r.Outcome = push.OutcomeGone
	case api.Code == http.StatusBadRequest && strings.Contains(desc, "chat not found"):
		r.Outcome = push.OutcomeGone
	default:
		r.Outcome = push.OutcomeFailed
	}
	return r
}
