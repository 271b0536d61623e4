package fcm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"golang.org/x/oauth2"

	"github.com/switchboardhq/switchboard/push"
)

// fcmErrorType is the @type of the error detail that carries FCM's own
// error code.
const fcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

// outcome classifies an FCM answer by its HTTP status and FCM error code
// (the FcmError detail, else the error status): 429 and 5xx always retry,
// whatever the code; UNREGISTERED and SENDER_ID_MISMATCH mean the device
// is gone; QUOTA_EXCEEDED, UNAVAILABLE and INTERNAL retry; anything else
// is a permanent failure.
func outcome(status int, code string) push.Outcome {
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return push.OutcomeRetry
	case code == "UNREGISTERED" || code == "SENDER_ID_MISMATCH":
		return push.OutcomeGone
	case code == "QUOTA_EXCEEDED" || code == "UNAVAILABLE" || code == "INTERNAL":
		return push.OutcomeRetry
	}
	return push.OutcomeFailed
}

// httpResult is the Result of an HTTP error answer.
func httpResult(status int, h http.Header, code string, now time.Time) push.Result {
	reason := code
	if reason == "" {
		reason = "HTTP " + strconv.Itoa(status)
	}
	return push.Result{
		Outcome:    outcome(status, code),
		Reason:     reason,
		Status:     status,
		RetryAfter: push.ParseRetryAfter(h.Get("Retry-After"), now),
	}
}

// errorResult classifies an error returned by the SDK's Send.
func errorResult(err error, now time.Time) push.Result {
	resp := errorutils.HTTPResponse(err)
	if resp == nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
			errorutils.IsUnavailable(err) || errorutils.IsDeadlineExceeded(err) || errorutils.IsUnknown(err) {
			return transportResult(err)
		}
		// The SDK refused the message before sending it.
		return push.Result{Outcome: push.OutcomeFailed, Reason: err.Error()}
	}
	code := codeOf(err)
	if code == "" && resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		code = errorCodeOf(body)
	}
	return httpResult(resp.StatusCode, resp.Header, code, now)
}

// codeOf names the FCM error code the SDK recognised in err, or "".
func codeOf(err error) string {
	for _, c := range []struct {
		is   func(error) bool
		code string
	}{
		{messaging.IsUnregistered, "UNREGISTERED"},
		{messaging.IsSenderIDMismatch, "SENDER_ID_MISMATCH"},
		{messaging.IsQuotaExceeded, "QUOTA_EXCEEDED"},
		{messaging.IsUnavailable, "UNAVAILABLE"},
		{messaging.IsInternal, "INTERNAL"},
		{messaging.IsInvalidArgument, "INVALID_ARGUMENT"},
		{messaging.IsThirdPartyAuthError, "THIRD_PARTY_AUTH_ERROR"},
	} {
		if c.is(err) {
			return c.code
		}
	}
	return ""
}

// errorCodeOf reads an FCM error body: the FcmError detail's errorCode,
// else the error's status ("UNAUTHENTICATED"), else "".
func errorCodeOf(body []byte) string {
	var e struct {
		Error struct {
			Status  string `json:"status"`
			Details []struct {
				Type      string `json:"@type"`
				ErrorCode string `json:"errorCode"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	for _, d := range e.Error.Details {
		if d.Type == fcmErrorType && d.ErrorCode != "" {
			return d.ErrorCode
		}
	}
	return e.Error.Status
}

// transportResult is the Result of a Send that got no FCM answer: a
// network error retries; a refused token exchange fails unless the token
// endpoint asked to retry (429, 5xx). The reason leaves out request URLs.
func transportResult(err error) push.Result {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		code := re.ErrorCode
		if code == "" {
			var body struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(re.Body, &body)
			code = body.Error
		}
		if code == "" {
			code = "HTTP " + strconv.Itoa(re.Response.StatusCode)
		}
		r := push.Result{Outcome: push.OutcomeFailed, Status: re.Response.StatusCode,
			Reason: "oauth2 token exchange: " + code}
		if s := re.Response.StatusCode; s == http.StatusTooManyRequests || s >= 500 {
			r.Outcome = push.OutcomeRetry
		}
		return r
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return push.Result{Outcome: push.OutcomeRetry, Reason: err.Error()}
}
