package webpush

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/push"
)

// maxReason bounds the part of an error answer's body kept in a Reason.
const maxReason = 200

// Classify turns a push service's answer into a Result: 2xx is sent
// (ProviderID the Location header); 404 and 410 say the subscription is
// gone; 429 and 5xx are retried after the Retry-After header (seconds or
// an HTTP date, relative to now); 413 and any other answer failed.
// Reason is "HTTP <status> <text>" followed by the start of body.
func Classify(status int, h http.Header, body []byte, now time.Time) push.Result {
	r := push.Result{Status: status}
	if status >= 200 && status < 300 {
		r.Outcome, r.ProviderID = push.OutcomeSent, h.Get("Location")
		return r
	}
	r.Reason = reason(status, body)
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		r.Outcome = push.OutcomeGone
	case status == http.StatusTooManyRequests || status >= 500 && status < 600:
		r.Outcome, r.RetryAfter = push.OutcomeRetry, RetryAfter(h.Get("Retry-After"), now)
	default:
		r.Outcome = push.OutcomeFailed
	}
	return r
}

// reason is "HTTP 410 Gone", with the start of body on one line after it.
func reason(status int, body []byte) string {
	s := strings.TrimSpace(fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)))
	b := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if len(b) > maxReason {
		b = strings.ToValidUTF8(b[:maxReason], "") + ellipsis
	}
	if b != "" {
		s += ": " + b
	}
	return s
}

// RetryAfter reads a Retry-After header: delay-seconds, or an HTTP date
// taken relative to now. It is 0 when h is empty, malformed or past.
func RetryAfter(h string, now time.Time) time.Duration { return push.ParseRetryAfter(h, now) }

// netReason describes a failed request without its URL: an endpoint's
// path is the subscription's capability, so only its host is named.
func netReason(err error, endpoint string) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err.Error()
	}
	host := "push service"
	if u, perr := url.Parse(endpoint); perr == nil && u.Host != "" {
		host = u.Host
	}
	return fmt.Sprintf("%s %s: %v", ue.Op, host, ue.Err)
}
