package telegram

import (
	"errors"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/channels"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// classify turns a client error into a *channels.Error (nil stays nil).
// The client's errors never hold the token, so neither do these.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ce *channels.Error
	if errors.As(err, &ce) {
		return ce
	}
	var tooLarge *tg.TooLargeError
	if errors.As(err, &tooLarge) {
		return &channels.Error{Reason: "too_large", Description: "the file is larger than Telegram lets bots download (20 MB)", Permanent: true}
	}
	var api *tg.APIError
	if !errors.As(err, &api) {
		// No answer: a network error, a rate-limit wait cut short, a
		// malformed answer. Retried.
		return &channels.Error{Reason: "unavailable", Description: err.Error()}
	}
	d := api.Description
	lower := strings.ToLower(d)
	switch {
	case api.Code == http.StatusUnauthorized || api.Code == http.StatusNotFound && !strings.Contains(lower, "message"):
		// The API answers 404 to a token that is not one at all.
		return &channels.Error{Reason: "unauthorized", Permanent: true, Revoked: true,
			Description: "Telegram refused the bot token (revoked in @BotFather, or mistyped): " + d}
	case api.Code == http.StatusTooManyRequests:
		return &channels.Error{Reason: "rate_limited", Description: d, RetryAfter: api.RetryAfter}
	case api.Code == http.StatusRequestEntityTooLarge || strings.Contains(lower, "too big") || strings.Contains(lower, "entity too large"):
		return &channels.Error{Reason: "too_large", Description: d, Permanent: true}
	case api.Code == http.StatusForbidden && (strings.Contains(lower, "blocked") || strings.Contains(lower, "kicked") ||
		strings.Contains(lower, "deactivated") || strings.Contains(lower, "not a member")):
		return &channels.Error{Reason: "bot_blocked", Description: d, Permanent: true}
	case api.Code == http.StatusBadRequest && strings.Contains(lower, "chat not found"):
		return &channels.Error{Reason: "chat_not_found", Description: d, Permanent: true}
	case api.Code >= 500 || api.Code == http.StatusConflict:
		// 409: a webhook is set while polling, or another poller runs.
		return &channels.Error{Reason: "unavailable", Description: d}
	}
	return &channels.Error{Reason: "bad_request", Description: d, Permanent: true}
}
