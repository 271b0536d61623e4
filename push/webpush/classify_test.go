package webpush

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
		body   string
		want   push.Result
	}{
		{201, h("Location", "https://push.example/m/1"), "", push.Result{Outcome: push.OutcomeSent, Status: 201, ProviderID: "https://push.example/m/1"}},
		{200, h(), "", push.Result{Outcome: push.OutcomeSent, Status: 200}},
		{202, h("Location", "/m/2"), "", push.Result{Outcome: push.OutcomeSent, Status: 202, ProviderID: "/m/2"}},
		{404, h(), "", push.Result{Outcome: push.OutcomeGone, Status: 404, Reason: "HTTP 404 Not Found"}},
		{410, h(), `{"errno": 106,` + "\n" + ` "error": "Gone"}`, push.Result{Outcome: push.OutcomeGone, Status: 410, Reason: `HTTP 410 Gone: {"errno": 106, "error": "Gone"}`}},
		{429, h("Retry-After", "30"), "", push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "HTTP 429 Too Many Requests", RetryAfter: 30 * time.Second}},
		{429, h(), "", push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "HTTP 429 Too Many Requests"}},
		{500, h(), "", push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "HTTP 500 Internal Server Error"}},
		{503, h("Retry-After", now.Add(2*time.Minute).Format(http.TimeFormat)), "", push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "HTTP 503 Service Unavailable", RetryAfter: 2 * time.Minute}},
		{413, h(), "", push.Result{Outcome: push.OutcomeFailed, Status: 413, Reason: "HTTP 413 Request Entity Too Large"}},
		{400, h(), "", push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "HTTP 400 Bad Request"}},
		{401, h("Retry-After", "5"), "", push.Result{Outcome: push.OutcomeFailed, Status: 401, Reason: "HTTP 401 Unauthorized"}},
		{403, h(), "", push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "HTTP 403 Forbidden"}},
		{301, h(), "", push.Result{Outcome: push.OutcomeFailed, Status: 301, Reason: "HTTP 301 Moved Permanently"}},
		{599, h(), "", push.Result{Outcome: push.OutcomeRetry, Status: 599, Reason: "HTTP 599"}},
	}
	for _, c := range cases {
		if got := Classify(c.status, c.h, []byte(c.body), now); got != c.want {
			t.Errorf("Classify(%d) = %+v, want %+v", c.status, got, c.want)
		}
	}
	long := Classify(500, h(), []byte(strings.Repeat("x", 1000)), now)
	if len(long.Reason) > len("HTTP 500 Internal Server Error: ")+maxReason+len(ellipsis) {
		t.Errorf("a long body makes a %d-byte reason", len(long.Reason))
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

func TestNetReasonHidesThePath(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://push.example/wpush/v2/secret-token", Err: errors.New("connection refused")}
	got := netReason(err, err.URL)
	if got != "Post push.example: connection refused" {
		t.Errorf("netReason = %q", got)
	}
}
