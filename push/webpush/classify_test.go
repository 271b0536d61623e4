package webpush

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/push"
)

func TestClassify(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	cases := []struct {
		status int
		h      http.Header
		want   push.Result
	}{
		{201, h("Location", "https://push.example/m/1"), push.Result{Outcome: push.OutcomeSent, Status: 201, ProviderID: "https://push.example/m/1"}},
		{200, h(), push.Result{Outcome: push.OutcomeSent, Status: 200}},
		{202, h("Location", "/m/2"), push.Result{Outcome: push.OutcomeSent, Status: 202, ProviderID: "/m/2"}},
		{404, h(), push.Result{Outcome: push.OutcomeGone, Status: 404, Reason: ReasonGone}},
		{410, h(), push.Result{Outcome: push.OutcomeGone, Status: 410, Reason: ReasonGone}},
		{429, h("Retry-After", "30"), push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: ReasonRateLimited, RetryAfter: 30 * time.Second}},
		{429, h(), push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: ReasonRateLimited}},
		{500, h(), push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: ReasonUnavailable}},
		{503, h("Retry-After", now.Add(2*time.Minute).Format(http.TimeFormat)), push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: ReasonUnavailable, RetryAfter: 2 * time.Minute}},
		{599, h(), push.Result{Outcome: push.OutcomeRetry, Status: 599, Reason: ReasonUnavailable}},
		{413, h(), push.Result{Outcome: push.OutcomeFailed, Status: 413, Reason: ReasonTooLarge}},
		{400, h(), push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: ReasonBadRequest}},
		{401, h("Retry-After", "5"), push.Result{Outcome: push.OutcomeFailed, Status: 401, Reason: ReasonVAPID}},
		{403, h(), push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: ReasonVAPID}},
		{301, h("Location", "http://169.254.169.254/"), push.Result{Outcome: push.OutcomeFailed, Status: 301, Reason: ReasonRedirect}},
		{307, h(), push.Result{Outcome: push.OutcomeFailed, Status: 307, Reason: ReasonRedirect}},
		{418, h(), push.Result{Outcome: push.OutcomeFailed, Status: 418, Reason: ReasonUnexpected}},
		{100, h(), push.Result{Outcome: push.OutcomeFailed, Status: 100, Reason: ReasonUnexpected}},
	}
	for _, c := range cases {
		if got := Classify(c.status, c.h, now); got != c.want {
			t.Errorf("Classify(%d) = %+v, want %+v", c.status, got, c.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 7 ", 7 * time.Second},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Sat, 01 Mar 2025 12:01:00 GMT", time.Minute},
		{"Saturday, 01-Mar-25 12:00:30 GMT", 30 * time.Second}, // RFC 850
	}
	for _, c := range cases {
		if got := RetryAfter(c.h, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestNetResult(t *testing.T) {
	blocked := &url.Error{Op: "Post", URL: "https://push.example/wpush/v2/secret-token",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &outbound.BlockedError{Class: "loopback"}}}
	dns := &url.Error{Op: "Post", URL: "https://push.example/x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "push.example"}}}
	refused := &url.Error{Op: "Post", URL: "https://push.example/wpush/v2/secret-token", Err: errors.New("connection refused")}
	banner := &url.Error{Op: "Post", URL: "https://push.example/x", Err: errors.New(`malformed HTTP response "SSH-2.0-OpenSSH_9.6"`)}
	cases := []struct {
		err     error
		outcome push.Outcome
		reason  string
	}{
		{blocked, push.OutcomeFailed, ReasonBlocked},
		{dns, push.OutcomeRetry, ReasonDNS},
		{refused, push.OutcomeRetry, ReasonUnreachable},
		{banner, push.OutcomeRetry, ReasonUnreachable},
		{&url.Error{Op: "Post", URL: "https://push.example/x", Err: context.DeadlineExceeded}, push.OutcomeRetry, ReasonTimeout},
		{&url.Error{Op: "Post", URL: "https://push.example/x", Err: x509.UnknownAuthorityError{}}, push.OutcomeRetry, ReasonTLS},
	}
	for _, c := range cases {
		if got := netResult(c.err); got.Outcome != c.outcome || got.Reason != c.reason {
			t.Errorf("netResult(%v) = %+v, want %s %q", c.err, got, c.outcome, c.reason)
		}
	}
}
