package fcm

import (
	"context"
	"fmt"
	"net/http"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
	"google.golang.org/api/option"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// defaultTimeout bounds one HTTP exchange when no HTTPClient is given.
const defaultTimeout = 30 * time.Second

// Sender sends notifications to FCM devices. It is safe for concurrent
// use; access tokens are fetched once and reused until they expire.
type Sender struct {
	client *messaging.Client
	now    func() time.Time
}

var _ push.Sender = (*Sender)(nil)

// New checks c and builds a Sender. It reaches no server: the first
// access token is fetched on the first Send. Its errors never quote the
// private key.
func New(ctx context.Context, c Config) (*Sender, error) {
	sa, err := parseServiceAccount(c.CredentialsJSON)
	if err != nil {
		return nil, err
	}
	base := c.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: defaultTimeout}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	jc := &jwt.Config{
		Email:        sa.ClientEmail,
		PrivateKey:   []byte(sa.PrivateKey),
		PrivateKeyID: sa.PrivateKeyID,
		Scopes:       []string{scopeMessaging},
		TokenURL:     sa.TokenURI,
	}
	// The token source outlives ctx; it fetches through base. jwt's source
	// is wrapped in oauth2.ReuseTokenSource, so a token is reused until it
	// is about to expire.
	tctx := context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, base)
	hc := &http.Client{
		Timeout:   base.Timeout,
		Transport: oneShot{base: &oauth2.Transport{Source: jc.TokenSource(tctx), Base: rt}},
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if c.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(c.Endpoint))
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: sa.ProjectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm: firebase app: %w", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("fcm: messaging client: %w", err)
	}
	return &Sender{client: client, now: time.Now}, nil
}

// Send delivers n to the FCM device d once: the SDK's own retries are cut
// short (see oneShot) so that the caller's backoff is the only one. The
// answer is classified as the push package documents; ProviderID is the
// message name FCM returned.
func (s *Sender) Send(ctx context.Context, d *models.Device, n *push.Notification) push.Result {
	if d == nil || d.Kind != models.DeviceFCM || d.Token == "" {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "not an FCM device with a token"}
	}
	if n == nil {
		return push.Result{Outcome: push.OutcomeFailed, Reason: "no notification"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a := &attempt{cancel: cancel}
	ctx = context.WithValue(ctx, attemptKey{}, a)

	name, err := s.client.Send(ctx, Message(d, n, s.now()))
	now := s.now()
	switch {
	case a.cut:
		return a.result(now)
	case err == nil:
		return push.Result{Outcome: push.OutcomeSent, Status: http.StatusOK, ProviderID: name}
	}
	return errorResult(err, now)
}
