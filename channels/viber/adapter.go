// Package viber is Switchboard's native Viber connection: a
// channels.Adapter (and channels.Profiler) over Viber's REST Bot API.
// Viber has no long polling: a bot needs a public HTTPS webhook.
package viber

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/channels"
	api "github.com/switchboardhq/switchboard/viber"
)

// CredAuthToken is the credentials key of the bot's auth token.
const CredAuthToken = "auth_token"

// EventTypes are the callbacks Switchboard registers for ("message" and
// "webhook" always come).
var EventTypes = []string{api.EventDelivered, api.EventSeen, api.EventFailed,
	api.EventSubscribed, api.EventUnsubscribed, api.EventConversationStarted}

// Adapter is the Viber adapter. Client calls the Bot API; Files fetches
// inbound media (nil: http.DefaultClient; production should pass a client
// that refuses private addresses).
type Adapter struct {
	Client *api.Client
	Files  *http.Client
}

var (
	_ channels.Adapter  = (*Adapter)(nil)
	_ channels.Profiler = (*Adapter)(nil)
)

// New returns an adapter of the API at baseURL ("" the real one) through
// hc for API calls and media downloads (nil http.DefaultClient).
func New(baseURL string, hc *http.Client) *Adapter {
	return &Adapter{Client: api.NewClient(baseURL, hc), Files: hc}
}

func token(creds map[string]string) (string, error) {
	t := strings.TrimSpace(creds[CredAuthToken])
	if t == "" {
		return "", &channels.Error{Reason: "unauthorized", Description: "the auth_token credential is missing", Permanent: true}
	}
	return t, nil
}

// Check verifies the auth token with get_account_info; the account's URI
// is its Username.
func (a *Adapter) Check(ctx context.Context, creds map[string]string) (*channels.Account, error) {
	t, err := token(creds)
	if err != nil {
		return nil, err
	}
	acc, err := a.Client.AccountInfo(ctx, t)
	if err != nil {
		return nil, classify(err)
	}
	return &channels.Account{ID: acc.ID, Name: acc.Name, Username: acc.URI}, nil
}

// SetWebhook registers url for EventTypes with users' names and photos;
// Viber calls it back at once (the caller must answer that "webhook"
// callback 200). Viber carries no secret: callbacks are signed with the
// auth token instead, so secret is ignored.
func (a *Adapter) SetWebhook(ctx context.Context, creds map[string]string, url, _ string) error {
	t, err := token(creds)
	if err != nil {
		return err
	}
	req := api.WebhookRequest{URL: url, EventTypes: EventTypes, SendName: true, SendPhoto: true}
	return classify(a.Client.SetWebhook(ctx, t, req))
}

// DeleteWebhook removes the webhook (set_webhook with an empty URL).
func (a *Adapter) DeleteWebhook(ctx context.Context, creds map[string]string) error {
	t, err := token(creds)
	if err != nil {
		return err
	}
	return classify(a.Client.SetWebhook(ctx, t, api.WebhookRequest{URL: ""}))
}

// Verify checks X-Viber-Content-Signature, the hex HMAC-SHA256 of the raw
// body keyed with the auth token, in constant time. secret is unused.
func (a *Adapter) Verify(creds map[string]string, _ string, h http.Header, body []byte) bool {
	return api.VerifySignature(creds[CredAuthToken], h.Get(api.SignatureHeader), body)
}

// Split returns the one update of a callback body, keyed by its
// message_token (as decimal text) for a "message" callback and by
// "<message_token>:<event>" for the others: Viber reports delivered and
// seen of one message under that message's token, so the token alone
// would make the second look like a redelivery of the first. The
// "webhook" check gives no update; a body that is not a JSON callback is
// an error.
func (a *Adapter) Split(body []byte) ([]channels.RawUpdate, error) {
	var cb struct {
		Event        string      `json:"event"`
		Timestamp    int64       `json:"timestamp"`
		MessageToken json.Number `json:"message_token"`
		UserID       string      `json:"user_id"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, errors.New("viber: the body is not a JSON callback")
	}
	if cb.Event == "" {
		return nil, errors.New("viber: the callback names no event")
	}
	if cb.Event == api.EventWebhook {
		return nil, nil
	}
	key := cb.MessageToken.String()
	if key == "" {
		return nil, errors.New("viber: the callback has no message_token")
	}
	if cb.Event != api.EventMessage {
		key += ":" + cb.Event
	}
	return []channels.RawUpdate{{Key: key, Raw: append([]byte(nil), body...)}}, nil
}

// Delete always fails: Viber cannot delete a sent message.
func (a *Adapter) Delete(context.Context, map[string]string, string, string) error {
	return &channels.Error{Reason: "not_supported", Description: "Viber cannot delete a sent message", Permanent: true}
}
