package viber

import (
	"context"
	"errors"
	"net/http"

	"github.com/switchboardhq/switchboard/channels"
	api "github.com/switchboardhq/switchboard/viber"
)

// classify turns a client error into a *channels.Error (nil stays nil):
//   - invalidAuthToken, and an account blocked, not found, suspended or
//     not authorized: the bot is broken (Revoked, permanent);
//   - receiverNotRegistered: chat_not_found; receiverNotSubscribed (the
//     user unsubscribed, which is how Viber users block a bot, or never
//     subscribed): bot_blocked; receiverNoSuitableDevice:
//     unsupported_device; all permanent;
//   - tooManyRequests, HTTP 429: rate_limited, retried;
//   - badData, missingData, invalidUrl, API version mismatches, other 4xx:
//     bad_request, permanent;
//   - freeMessagesExceeded, noBalance: quota_exceeded, permanent;
//   - HTTP 5xx, network failures, unlisted statuses: unavailable, retried.
//
// A context canceled by the caller is returned as it is.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ae *api.APIError
	if !errors.As(err, &ae) {
		return &channels.Error{Reason: "unavailable", Description: err.Error()}
	}
	desc := ae.Status.String()
	if ae.Message != "" {
		desc = ae.Message
	}
	if ae.HTTPStatus != 0 {
		desc = http.StatusText(ae.HTTPStatus)
		switch {
		case ae.HTTPStatus == http.StatusTooManyRequests:
			return &channels.Error{Reason: "rate_limited", Description: desc}
		case ae.HTTPStatus >= 500:
			return &channels.Error{Reason: "unavailable", Description: desc}
		case ae.HTTPStatus == http.StatusUnauthorized || ae.HTTPStatus == http.StatusForbidden:
			return &channels.Error{Reason: "unauthorized", Description: desc, Permanent: true, Revoked: true}
		default:
			return &channels.Error{Reason: "bad_request", Description: desc, Permanent: true}
		}
	}
	e := &channels.Error{Description: desc, Permanent: true}
	switch ae.Status {
	case api.StatusInvalidAuthToken, api.StatusPublicAccountNotFound, api.StatusPublicAccountNotAuthorized:
		e.Reason, e.Revoked = "unauthorized", true
	case api.StatusPublicAccountBlocked, api.StatusPublicAccountSuspended:
		e.Reason, e.Revoked = "account_blocked", true
	case api.StatusReceiverNotRegistered:
		e.Reason = "chat_not_found"
	case api.StatusReceiverNotSubscribed:
		e.Reason = "bot_blocked"
	case api.StatusReceiverNoSuitableDevice:
		e.Reason = "unsupported_device"
	case api.StatusTooManyRequests:
		e.Reason, e.Permanent = "rate_limited", false
	case api.StatusWebhookNotSet:
		e.Reason = "webhook_not_set"
	case api.StatusFreeMessagesExceeded, api.StatusNoBalance:
		e.Reason = "quota_exceeded"
	case api.StatusInvalidURL, api.StatusBadData, api.StatusMissingData, api.StatusAPIVersionNotSupported,
		api.StatusIncompatibleWithVersion, api.StatusUnsupportedCountry:
		e.Reason = "bad_request"
	default:
		e.Reason, e.Permanent = "unavailable", false
	}
	return e
}
