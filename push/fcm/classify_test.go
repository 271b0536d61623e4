package fcm

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboardhq/switchboard/push"
)

func TestOutcome(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   push.Outcome
	}{
		{404, "UNREGISTERED", push.OutcomeGone},
		{403, "SENDER_ID_MISMATCH", push.OutcomeGone},
		{400, "UNREGISTERED", push.OutcomeGone}, // older FCM answers
		{429, "QUOTA_EXCEEDED", push.OutcomeRetry},
		{500, "INTERNAL", push.OutcomeRetry},
		{503, "UNAVAILABLE", push.OutcomeRetry},
		{502, "", push.OutcomeRetry},
		{429, "UNREGISTERED", push.OutcomeRetry}, // 429 and 5xx are never gone
		{503, "SENDER_ID_MISMATCH", push.OutcomeRetry},
		{400, "INVALID_ARGUMENT", push.OutcomeFailed},
		{401, "UNAUTHENTICATED", push.OutcomeFailed},
		{403, "PERMISSION_DENIED", push.OutcomeFailed},
		{401, "THIRD_PARTY_AUTH_ERROR", push.OutcomeFailed},
		{404, "NOT_FOUND", push.OutcomeFailed},
		{418, "", push.OutcomeFailed},
	}
	for _, tc := range tests {
		if got := outcome(tc.status, tc.code); got != tc.want {
			t.Errorf("outcome(%d, %q) = %s, want %s", tc.status, tc.code, got, tc.want)
		}
	}
}

func TestErrorCodeOf(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}`, "UNREGISTERED"},
		{`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest"},{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}`, "INVALID_ARGUMENT"},
		{`{"error":{"code":401,"status":"UNAUTHENTICATED"}}`, "UNAUTHENTICATED"},
		{`<html>Bad Gateway</html>`, ""},
		{``, ""},
	}
	for _, tc := range tests {
		if got := errorCodeOf([]byte(tc.body)); got != tc.want {
			t.Errorf("errorCodeOf(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"30", 30 * time.Second},
		{"0", 0},
		{"-5", 0},
		{t0.Add(2 * time.Minute).Format(http.TimeFormat), 2 * time.Minute},
		{t0.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tc := range tests {
		if got := push.ParseRetryAfter(tc.v, t0); got != tc.want {
			t.Errorf("push.ParseRetryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestHTTPResult(t *testing.T) {
	h := http.Header{"Retry-After": {"7"}}
	got := httpResult(429, h, "QUOTA_EXCEEDED", t0)
	want := push.Result{Outcome: push.OutcomeRetry, Reason: "QUOTA_EXCEEDED", Status: 429, RetryAfter: 7 * time.Second}
	if got != want {
		t.Errorf("httpResult = %+v, want %+v", got, want)
	}
	if got := httpResult(502, nil, "", t0); got.Reason != "HTTP 502" || got.Outcome != push.OutcomeRetry {
		t.Errorf("httpResult(502) = %+v", got)
	}
}

func TestTransportResult(t *testing.T) {
	refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, Body: []byte(`{"error":"invalid_grant"}`)}
	busy := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}, Body: []byte(`oops`)}
	dial := &url.Error{Op: "Post", URL: "https://fcm.example/v1/projects/p/messages:send", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want push.Result
	}{
		{"token refused", refused, push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "oauth2 token exchange: invalid_grant"}},
		{"token endpoint busy", busy, push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "oauth2 token exchange: HTTP 503"}},
		{"network error, URL left out", dial, push.Result{Outcome: push.OutcomeRetry, Reason: "Post: connection refused"}},
	}
	for _, tc := range tests {
		if got := transportResult(tc.err); got != tc.want {
			t.Errorf("%s: transportResult = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
