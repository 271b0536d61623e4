// Package telegram is Switchboard's native Telegram connection: a
// channels.Adapter (with Poller, Profiler and Answerer) over the Bot API
// client of package telegram. A bot's credentials are {"token": <the
// token from @BotFather>}; the token is never logged nor put in an error.
package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/models"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// CredToken is the credentials key of the bot token.
const CredToken = "token"

// AllowedUpdates are the update types Switchboard asks Telegram for, by
// webhook or long polling (message_reaction is only sent when named).
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "message_reaction", "my_chat_member"}

// Config configures an Adapter. Zero values take the defaults.
type Config struct {
	// BaseURL is the Bot API server of every bot (tg.DefaultBaseURL).
	BaseURL string
	// HTTPClient makes the calls.
	HTTPClient *http.Client
	// GlobalRate and PerChatRate are each bot's rate limits (30/s and 1/s).
	GlobalRate, PerChatRate float64
}

// Adapter is the Telegram connection of every bot. It keeps one client
// per token, which carries that bot's rate limits. It is safe for
// concurrent use.
type Adapter struct {
	cfg     Config
	mu      sync.Mutex
	clients map[[32]byte]*tg.Client // by the token's hash
}

// New returns an adapter for c.
func New(c Config) *Adapter {
	return &Adapter{cfg: c, clients: map[[32]byte]*tg.Client{}}
}

var (
	_ channels.Adapter  = (*Adapter)(nil)
	_ channels.Poller   = (*Adapter)(nil)
	_ channels.Profiler = (*Adapter)(nil)
	_ channels.Answerer = (*Adapter)(nil)
)

// client is the token's client, made on first use.
func (a *Adapter) client(creds map[string]string) (*tg.Client, error) {
	token := creds[CredToken]
	if token == "" {
		return nil, &channels.Error{Reason: "unauthorized", Description: "the bot has no Telegram token", Permanent: true}
	}
	key := sha256.Sum256([]byte(token))
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.clients[key]
	if c == nil {
		c = tg.New(tg.Config{Token: token, BaseURL: a.cfg.BaseURL, HTTPClient: a.cfg.HTTPClient,
			GlobalRate: a.cfg.GlobalRate, PerChatRate: a.cfg.PerChatRate})
		a.clients[key] = c
	}
	return c, nil
}

// Check calls getMe: the bot's id, name and @username.
func (a *Adapter) Check(ctx context.Context, creds map[string]string) (*channels.Account, error) {
	c, err := a.client(creds)
	if err != nil {
		return nil, err
	}
	u, err := c.GetMe(ctx)
	if err != nil {
		return nil, classify(err)
	}
	return &channels.Account{ID: strconv.FormatInt(u.ID, 10), Name: u.FirstName, Username: u.Username}, nil
}

// SetWebhook calls setWebhook with url, the secret Telegram sends back in
// X-Telegram-Bot-Api-Secret-Token, and AllowedUpdates.
func (a *Adapter) SetWebhook(ctx context.Context, creds map[string]string, url, secret string) error {
	c, err := a.client(creds)
	if err != nil {
		return err
	}
	return classify(c.SetWebhook(ctx, tg.SetWebhookParams{URL: url, SecretToken: secret, AllowedUpdates: AllowedUpdates}))
}

// DeleteWebhook calls deleteWebhook, keeping the pending updates for
// getUpdates.
func (a *Adapter) DeleteWebhook(ctx context.Context, creds map[string]string) error {
	c, err := a.client(creds)
	if err != nil {
		return err
	}
	return classify(c.DeleteWebhook(ctx, false))
}

// Verify compares the secret header with secret in constant time; an
// empty secret never verifies.
func (a *Adapter) Verify(_ map[string]string, secret string, h http.Header, _ []byte) bool {
	return tg.VerifySecret(h.Get(tg.SecretHeader), secret)
}

// Split returns the one update a webhook body holds, keyed by its
// update_id in decimal.
func (a *Adapter) Split(body []byte) ([]channels.RawUpdate, error) {
	var head struct {
		UpdateID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, errors.New("the body is not a Telegram update: " + err.Error())
	}
	if head.UpdateID == nil {
		return nil, errors.New("the body is not a Telegram update: no update_id")
	}
	raw := append([]byte(nil), body...)
	return []channels.RawUpdate{{Key: strconv.FormatInt(*head.UpdateID, 10), Raw: raw}}, nil
}

// Poll calls getUpdates after offset, waiting up to wait (whole seconds),
// for AllowedUpdates; each update's Raw is its own JSON.
func (a *Adapter) Poll(ctx context.Context, creds map[string]string, offset int64, wait time.Duration) ([]channels.RawUpdate, error) {
	c, err := a.client(creds)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := c.GetUpdatesRaw(ctx, tg.GetUpdatesParams{Offset: offset, Timeout: int(wait / time.Second), AllowedUpdates: AllowedUpdates}, &raws); err != nil {
		return nil, classify(err)
	}
	out := make([]channels.RawUpdate, 0, len(raws))
	for _, r := range raws {
		ups, err := a.Split(r)
		if err != nil {
			return nil, err
		}
		out = append(out, ups...)
	}
	return out, nil
}

// Answer answers a callback_query update (answerCallbackQuery) so that
// the button stops spinning; other updates need no answer. A query
// Telegram no longer knows (answered, or too old) is not an error.
func (a *Adapter) Answer(ctx context.Context, creds map[string]string, u *models.InboundUpdate) error {
	var up struct {
		CallbackQuery *struct {
			ID string `json:"id"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(u.Raw, &up); err != nil || up.CallbackQuery == nil || up.CallbackQuery.ID == "" {
		return nil
	}
	c, err := a.client(creds)
	if err != nil {
		return err
	}
	err = c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: up.CallbackQuery.ID})
	var apiErr *tg.APIError
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusBadRequest {
		return nil // "query is too old ... or query ID is invalid"
	}
	return classify(err)
}
