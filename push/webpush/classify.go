package webpush

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/push"
)

// The reasons of Web Push results, in the protocol's terms (RFC 8030,
// RFC 8292). They never quote what an endpoint sent: an endpoint is
// chosen by a member, so its answer is reduced to one of these classes.
const (
	ReasonGone        = "the push service no longer knows this subscription (expired or unsubscribed)"
	ReasonRateLimited = "the push service asked to slow down (rate limited)"
	ReasonUnavailable = "the push service is unavailable"
	ReasonTooLarge    = "the push service refused the message as too large"
	ReasonBadRequest  = "the push service refused the message as malformed"
	ReasonVAPID       = "the push service refused the VAPID authorization (the subscription was made with another key)"
	ReasonRedirect    = "the endpoint answered with a redirect, which is not followed"
	ReasonUnexpected  = "the endpoint's answer is not a Web Push answer"
	ReasonBlocked     = "the endpoint's address is not public (refused before connecting)"
	ReasonTimeout     = "the push service did not answer in time"
	ReasonDNS         = "the push service's host name could not be resolved"
	ReasonTLS         = "no TLS connection to the push service (handshake or certificate refused)"
	ReasonUnreachable = "the push service could not be reached"
)

// Classify turns a push service's answer into a Result: 2xx is sent
// (ProviderID the Location header); 404 and 410 say the subscription is
// gone; 429 and 5xx are retried after the Retry-After header (seconds or
// an HTTP date, relative to now); a redirect (never followed), 4xx and any
// other answer failed. Reason is one of the Reason constants, whatever
// the answer's body or status text; Status is the answer's code.
func Classify(status int, h http.Header, now time.Time) push.Result {
	r := push.Result{Status: status}
	switch {
	case status >= 200 && status < 300:
		r.Outcome, r.ProviderID = push.OutcomeSent, h.Get("Location")
	case status == http.StatusNotFound || status == http.StatusGone:
		r.Outcome, r.Reason = push.OutcomeGone, ReasonGone
	case status == http.StatusTooManyRequests:
		r.Outcome, r.Reason, r.RetryAfter = push.OutcomeRetry, ReasonRateLimited, RetryAfter(h.Get("Retry-After"), now)
	case status >= 500 && status < 600:
		r.Outcome, r.Reason, r.RetryAfter = push.OutcomeRetry, ReasonUnavailable, RetryAfter(h.Get("Retry-After"), now)
	default:
		r.Outcome, r.Reason = push.OutcomeFailed, failedReason(status)
	}
	return r
}

// failedReason names a permanent refusal.
func failedReason(status int) string {
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return ReasonTooLarge
	case status == http.StatusBadRequest:
		return ReasonBadRequest
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ReasonVAPID
	case status >= 300 && status < 400:
		return ReasonRedirect
	}
	return ReasonUnexpected
}

// RetryAfter reads a Retry-After header: delay-seconds, or an HTTP date
// taken relative to now. It is 0 when h is empty, malformed or past.
func RetryAfter(h string, now time.Time) time.Duration { return push.ParseRetryAfter(h, now) }

// netResult classifies a request that got no answer: an address the
// outbound policy refused fails; anything else is retried. The Reason
// says which kind of failure it was and nothing of the endpoint (not its
// path, which is the subscription's capability, nor its address,
// certificate or the bytes it sent).
func netResult(err error) push.Result {
	if errors.Is(err, outbound.ErrBlocked) {
		return push.Result{Outcome: push.OutcomeFailed, Reason: ReasonBlocked}
	}
	return push.Result{Outcome: push.OutcomeRetry, Reason: netReason(err)}
}

// netReason is the kind of a network failure.
func netReason(err error) string {
	var (
		dns     *net.DNSError
		ne      net.Error
		verify  *tls.CertificateVerificationError
		record  tls.RecordHeaderError
		alert   tls.AlertError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &dns):
		return ReasonDNS
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &ne) && ne.Timeout():
		return ReasonTimeout
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert), errors.As(err, &unknown),
		errors.As(err, &host), errors.As(err, &invalid):
		return ReasonTLS
	}
	return ReasonUnreachable
}
