package apns

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/push"
)

func TestResult(t *testing.T) {
	tests := []struct {
		status int
		reason string
		want   push.Result
	}{
		{200, "", push.Result{Outcome: push.OutcomeSent, Status: 200, ProviderID: "ID"}},
		{410, "Unregistered", push.Result{Outcome: push.OutcomeGone, Status: 410, Reason: "Unregistered"}},
		{410, "ExpiredToken", push.Result{Outcome: push.OutcomeGone, Status: 410, Reason: "ExpiredToken"}},
		{400, "BadDeviceToken", push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "BadDeviceToken"}},
		{400, "DeviceTokenNotForTopic", push.Result{Outcome: push.OutcomeGone, Status: 400, Reason: "DeviceTokenNotForTopic"}},
		{429, "TooManyRequests", push.Result{Outcome: push.OutcomeRetry, Status: 429, Reason: "TooManyRequests", RetryAfter: time.Minute}},
		{500, "InternalServerError", push.Result{Outcome: push.OutcomeRetry, Status: 500, Reason: "InternalServerError", RetryAfter: time.Minute}},
		{503, "ServiceUnavailable", push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "ServiceUnavailable", RetryAfter: time.Minute}},
		{503, "Shutdown", push.Result{Outcome: push.OutcomeRetry, Status: 503, Reason: "Shutdown", RetryAfter: time.Minute}},
		{502, "", push.Result{Outcome: push.OutcomeRetry, Status: 502, Reason: "HTTP 502", RetryAfter: time.Minute}},
		{403, "InvalidProviderToken", push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "InvalidProviderToken"}},
		{403, "ExpiredProviderToken", push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "ExpiredProviderToken"}},
		{403, "BadCertificate", push.Result{Outcome: push.OutcomeFailed, Status: 403, Reason: "BadCertificate"}},
		{400, "BadCollapseId", push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "BadCollapseId"}},
		{400, "MissingTopic", push.Result{Outcome: push.OutcomeFailed, Status: 400, Reason: "MissingTopic"}},
		{413, "PayloadTooLarge", push.Result{Outcome: push.OutcomeFailed, Status: 413, Reason: "PayloadTooLarge"}},
		{404, "", push.Result{Outcome: push.OutcomeFailed, Status: 404, Reason: "HTTP 404"}},
	}
	for _, tc := range tests {
		if got := result(tc.status, tc.reason, "ID", time.Minute); got != tc.want {
			t.Errorf("result(%d, %q) = %+v, want %+v", tc.status, tc.reason, got, tc.want)
		}
	}
}

func TestTransportResult(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://api.push.apple.com/3/device/" + token1, Err: errors.New("connection refused")}
	got := transportResult(err)
	want := push.Result{Outcome: push.OutcomeRetry, Reason: "Post: connection refused"}
	if got != want {
		t.Errorf("transportResult = %+v, want %+v", got, want)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"12", 12 * time.Second},
		{"-1", 0},
		{t0.Add(time.Minute).Format(http.TimeFormat), time.Minute},
		{t0.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"later", 0},
	}
	for _, tc := range tests {
		if got := push.ParseRetryAfter(tc.v, t0); got != tc.want {
			t.Errorf("push.ParseRetryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
