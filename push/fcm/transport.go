package fcm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/switchboardhq/switchboard/push"
)

// The Firebase Admin SDK (firebase.google.com/go/v4, messaging) wraps its
// HTTP client in a retry loop of its own: internal.WithDefaultRetryConfig
// retries every network error (token-exchange failures included) and every
// HTTP 503 up to 4 times with exponential backoff (0s, 1s, 2s, 4s), waiting
// out a Retry-After of up to 2 minutes. The loop is set in an unexported
// constructor and no public option turns it off. Since the dispatcher
// retries with its own backoff, oneShot cuts that loop short: when the
// first exchange of a Send ends in a network error or a 503, it records
// the answer and cancels the Send's context, so the SDK's wait before its
// second try returns at once and the recorded answer becomes the Result.

// attempt is what oneShot saw of one Send's first HTTP exchange. It is
// written by RoundTrip, which http.Client.Do calls on the goroutine of
// Send, so it needs no lock.
type attempt struct {
	cancel context.CancelFunc
	cut    bool // the SDK would have retried; the Send was cut short
	status int
	header http.Header
	body   []byte
	err    error
}

// attemptKey is the context key of a Send's *attempt.
type attemptKey struct{}

// maxErrorBody bounds how much of an error answer is kept.
const maxErrorBody = 64 << 10

// oneShot is the round tripper under the SDK: it records the answers the
// SDK would retry and stops the retry (see above).
type oneShot struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (o oneShot) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a == nil {
		return o.base.RoundTrip(req)
	}
	resp, err := o.base.RoundTrip(req)
	if err != nil {
		a.cut, a.err = true, err
		a.cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		return resp, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if rerr != nil {
		a.cut, a.err = true, rerr
		a.cancel()
		return nil, rerr
	}
	a.cut, a.status, a.header, a.body = true, resp.StatusCode, resp.Header.Clone(), body
	a.cancel()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// result turns the recorded answer into a Result.
func (a *attempt) result(now time.Time) push.Result {
	if a.err != nil {
		return transportResult(a.err)
	}
	return httpResult(a.status, a.header, errorCodeOf(a.body), now)
}
