package apns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sideshow/apns2"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// Sender sends notifications to APNs devices over one shared HTTP/2
// connection pool. It is safe for concurrent use; apns2 signs a new
// provider token when the current one is 50 minutes old.
type Sender struct {
	dev, prod *apns2.Client
}

var _ push.Sender = (*Sender)(nil)

// client is the apns2 client of d's environment: development for a
// sandbox device, production otherwise (both the Host override if given).
func (s *Sender) client(d *models.Device) *apns2.Client {
	if d.Sandbox {
		return s.dev
	}
	return s.prod
}

// Send delivers n to the APNs device d (d.Token in hex, d.Topic the app's
// bundle id) once, and classifies the answer as the push package
// documents; ProviderID is the apns-id APNs returned.
func (s *Sender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	if d == nil || d.Kind != models.DeviceAPNs || d.Token == "" || d.Topic == "" {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "not an APNs device with a token and topic"}
	}
	if n == nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "no notification"}
	}
	meta := &answerMeta{}
	resp, err := s.client(d).PushWithContext(context.WithValue(ctx, metaKey{}, meta), Notification(d, n))
	now := time.Now()
	switch {
	case err == nil:
		return result(resp.StatusCode, resp.Reason, resp.ApnsID, push.ParseRetryAfter(meta.retryAfter, now))
	case meta.status != 0: // an answer whose body was not APNs JSON (a proxy's page)
		return result(meta.status, "", meta.apnsID, push.ParseRetryAfter(meta.retryAfter, now))
	}
	return transportResult(err)
}

// outcome classifies an APNs answer: 200 is sent; 429 and 5xx retry;
// 410 and 400 BadDeviceToken or DeviceTokenNotForTopic mean the device is
// gone; everything else (403 provider-token and certificate errors, other
// 4xx) is a permanent failure.
func outcome(status int, reason string) push.Outcome {
	switch {
	case status == http.StatusOK:
		return push.OutcomeSent
	case status == http.StatusTooManyRequests || status >= 500:
		return push.OutcomeRetry
	case status == http.StatusGone:
		return push.OutcomeGone
	case status == http.StatusBadRequest &&
		(reason == apns2.ReasonBadDeviceToken || reason == apns2.ReasonDeviceTokenNotForTopic):
		return push.OutcomeGone
	}
	return push.OutcomeFailed
}

// result is the Result of an APNs answer.
func result(status int, reason, apnsID string, retryAfter time.Duration) push.Result {
	r := push.Result{Outcome: outcome(status, reason), Reason: reason, Status: status}
	if r.Outcome == push.OutcomeSent {
		r.Reason, r.ProviderID = "", apnsID
		return r
	}
	if r.Reason == "" {
		r.Reason = "HTTP " + strconv.Itoa(status)
	}
	if r.Outcome == push.OutcomeRetry {
		r.RetryAfter = retryAfter
	}
	return r
}

// transportResult is the Result of a push that got no answer: a retry.
// The reason leaves out the request URL, which holds the device token.
func transportResult(err error) push.Result {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return push.Result{Outcome: push.OutcomeRetry, Reason: err.Error()}
}

// answerMeta is what headerKeeper saw of one push's answer, beyond what
// apns2.Response carries. RoundTrip writes it on the goroutine of Send
// (http.Client.Do calls it synchronously), so it needs no lock.
type answerMeta struct {
	status     int
	apnsID     string
	retryAfter string
}

// metaKey is the context key of a push's *answerMeta.
type metaKey struct{}

// headerKeeper keeps the status and headers apns2 drops (Retry-After).
type headerKeeper struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (h headerKeeper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if m, ok := req.Context().Value(metaKey{}).(*answerMeta); ok && err == nil {
		m.status, m.apnsID, m.retryAfter = resp.StatusCode, resp.Header.Get("apns-id"), resp.Header.Get("Retry-After")
	}
	return resp, err
}

// CloseIdleConnections closes idle connections, as apns2 expects of its
// transport.
func (h headerKeeper) CloseIdleConnections() {
	if c, ok := h.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
