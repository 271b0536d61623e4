// Package webpush delivers alerts to browsers by Web Push (RFC 8030) with
// VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), through
// github.com/SherClockHolmes/webpush-go.
package webpush

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/outbound"
	"github.com/switchboardhq/switchboard/push"
)

// DefaultTimeout bounds one request when Config.HTTPClient is nil.
const DefaultTimeout = 30 * time.Second

// maxBody is how much of an answer's body is read before it is closed.
const maxBody = 64 << 10

// maxProviderID bounds the message URL kept from a push service's answer.
const maxProviderID = 512

// Config is the application server's VAPID identity.
type Config struct {
	// PublicKey and PrivateKey are the VAPID key pair, in base64url as
	// GenerateKeys makes them.
	PublicKey, PrivateKey string
	// Subject is the contact the push services see in the VAPID JWT: a
	// "mailto:" address or an "https:" URL.
	Subject string
	// AllowPrivate lets subscriptions point at loopback and private
	// addresses (outbound.Policy): for tests and private deployments only.
	AllowPrivate bool
	// HTTPClient sends the requests; nil is the guarded client of
	// outbound.NewClient under the same policy, with DefaultTimeout. A
	// client given here must guard its connections itself (tests give an
	// outbound client with their own resolver or roots).
	HTTPClient *http.Client
}

// Sender delivers notifications to Web Push subscriptions. It is safe for
// concurrent use.
type Sender struct {
	public, private string
	sub             string // Subject as webpush-go wants it
	client          *http.Client
	policy          outbound.Policy
	now             func() time.Time
}

var _ push.Sender = (*Sender)(nil)

// New checks c and returns its Sender: the keys must be a matching P-256
// pair (the error names the bad key and never contains it) and Subject a
// mailto: address or an https: URL.
func New(c Config) (*Sender, error) {
	pub, priv, err := parseKeys(strings.TrimSpace(c.PublicKey), strings.TrimSpace(c.PrivateKey))
	if err != nil {
		return nil, err
	}
	sub, err := subject(strings.TrimSpace(c.Subject))
	if err != nil {
		return nil, err
	}
	policy := outbound.Policy{AllowPrivate: c.AllowPrivate}
	client := c.HTTPClient
	if client == nil {
		client = outbound.NewClient(outbound.Options{Policy: policy, Timeout: DefaultTimeout, MaxBody: maxBody})
	}
	return &Sender{public: pub, private: priv, sub: sub, client: client, policy: policy, now: time.Now}, nil
}

// ValidSubscription checks a browser's PushSubscription under the
// sender's policy (see CheckSubscription): what device registration uses.
func (s *Sender) ValidSubscription(endpoint, p256dh, auth string) error {
	return checkSubscription(s.policy, endpoint, p256dh, auth)
}

// subject checks a VAPID subject and returns it as webpush-go takes it:
// webpush-go prefixes "mailto:" to anything that is not an https: URL, so
// a mailto: subject loses its prefix.
func subject(s string) (string, error) {
	if addr, ok := strings.CutPrefix(s, "mailto:"); ok {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return "", errors.New("webpush: the VAPID subject's mailto: address is not an email address")
		}
		return addr, nil
	}
	if u, err := url.Parse(s); err == nil && u.Scheme == "https" && u.Host != "" {
		return s, nil
	}
	return "", errors.New("webpush: the VAPID subject must be a mailto: address or an https: URL")
}

// PublicKey is the VAPID public key in unpadded base64url: the
// applicationServerKey browsers subscribe with.
func (s *Sender) PublicKey() string { return s.public }

// Send posts Payload(n) to the Web Push subscription of d with the headers
// of Options(n) and classifies the answer (see Classify). A device that is
// not a valid Web Push subscription under the sender's policy, a payload
// that cannot fit, or an endpoint that resolves to an address the policy
// refuses fails; a request that got no answer is retried. No Reason holds
// anything the endpoint sent (its body, status text, banner or
// certificate): an endpoint is chosen by a member.
func (s *Sender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	if d == nil || d.Kind != models.DeviceWebPush {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "not a web push device"}
	}
	if err := s.ValidSubscription(d.Endpoint, d.P256dh, d.Auth); err != nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: invalidReason(err)}
	}
	body := Payload(n)
	if len(body) > MaxPayload {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "payload too large for web push"}
	}
	opts := Options(n, s.now())
	rec := &recorder{c: s.client}
	opts.HTTPClient, opts.Subscriber = rec, s.sub
	opts.VAPIDPublicKey, opts.VAPIDPrivateKey = s.public, s.private
	sub := &webpush.Subscription{Endpoint: d.Endpoint, Keys: webpush.Keys{P256dh: d.P256dh, Auth: d.Auth}}
	resp, err := webpush.SendNotificationWithContext(ctx, body, sub, &opts)
	if err != nil {
		if !rec.called {
			return push.Result{Outcome: push.OutcomeFailed, Reason: "webpush: " + err.Error()}
		}
		return netResult(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	r := Classify(resp.StatusCode, resp.Header, s.now())
	r.ProviderID = messageURL(r.ProviderID, d.Endpoint)
	return r
}

// messageURL is loc, the message URL a push service answered with, when
// it is a URL on the endpoint's own origin (RFC 8030 puts it there) of at
// most maxProviderID bytes; else "".
func messageURL(loc, endpoint string) string {
	if loc == "" || len(loc) > maxProviderID {
		return ""
	}
	e, err1 := url.Parse(endpoint)
	l, err2 := url.Parse(loc)
	if err1 != nil || err2 != nil {
		return ""
	}
	l = e.ResolveReference(l)
	if l.Scheme != e.Scheme || l.Host != e.Host || l.User != nil {
		return ""
	}
	return l.String()
}

// invalidReason is the message of a ValidSubscription error.
func invalidReason(err error) string {
	var me *models.Error
	if errors.As(err, &me) && len(me.Fields) > 0 {
		return "invalid subscription: " + me.Fields[0].Field + " " + me.Fields[0].Message
	}
	return err.Error()
}

// recorder notes whether webpush-go got as far as sending the request, so
// that Send tells a bad request (failed) from a lost one (retried).
type recorder struct {
	c      *http.Client
	called bool
}

// Do sends req.
func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.called = true
	return r.c.Do(req)
}
