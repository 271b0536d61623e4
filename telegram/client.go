// Package telegram is the Telegram Bot API client shared by the
// notifications bot (push/telegram) and the messenger adapter
// (channels/telegram): JSON and multipart calls over net/http, rate-limited
// per chat and globally, file downloads bounded in size, long polling and
// the webhook secret. Its errors never hold the bot's token.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Bot API server.
const DefaultBaseURL = "https://api.telegram.org"

// callTimeout bounds a call whose context has no deadline; long polls get
// their own timeout on top of it.
const callTimeout = 30 * time.Second

// maxResponse bounds an answer's body.
const maxResponse = 16 << 20

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// Token is the bot's token from @BotFather. It is a secret: it is
	// never logged nor put in an error.
	Token string
	// BaseURL is the Bot API server (DefaultBaseURL).
	BaseURL string
	// HTTPClient makes the calls (a client without a timeout: each call
	// is bounded by its context, or by 30 s).
	HTTPClient *http.Client
	// GlobalRate is the most messages a second to all chats (30).
	GlobalRate float64
	// PerChatRate is the most messages a second to one chat (1).
	PerChatRate float64
	// Now is the clock of the rate limits (time.Now).
	Now func() time.Time
}

// Client calls the Bot API for one bot. It is safe for concurrent use.
type Client struct {
	token string
	base  string
	http  *http.Client
	lim   *limiter
}

// New returns a client for c.
func New(c Config) *Client {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.GlobalRate <= 0 {
		c.GlobalRate = 30
	}
	if c.PerChatRate <= 0 {
		c.PerChatRate = 1
	}
	lim := newLimiter(c.GlobalRate, c.PerChatRate, maxIdleChats)
	if c.Now != nil {
		lim.now = c.Now
	}
	return &Client{token: c.Token, base: strings.TrimRight(c.BaseURL, "/"), http: c.HTTPClient, lim: lim}
}

// APIError is an error answer of the Bot API.
type APIError struct {
	// Code is the error_code, the HTTP status (or the status alone when
	// the answer was not the API's JSON).
	Code int
	// Description is Telegram's own text, such as "Forbidden: bot was
	// blocked by the user".
	Description string
	// RetryAfter is parameters.retry_after, the wait a 429 asks for.
	RetryAfter time.Duration
	// MigrateToChatID is parameters.migrate_to_chat_id: the group became
	// this supergroup.
	MigrateToChatID int64
}

// Error describes the answer; it never holds the token.
func (e *APIError) Error() string {
	return fmt.Sprintf("telegram: %d %s", e.Code, e.Description)
}

// NetworkError is a call that got no answer from the Bot API. Its text is
// free of the token (net/http's errors name the URL, which holds it).
type NetworkError struct {
	Method string
	err    error
	msg    string
}

// Error describes the failure without the token.
func (e *NetworkError) Error() string { return "telegram " + e.Method + ": " + e.msg }

// Unwrap gives the cause (context.Canceled, a *net.OpError, ...), never
// the *url.Error that names the URL.
func (e *NetworkError) Unwrap() error { return e.err }

// envelope is every Bot API answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call POSTs params (nil: no body) as JSON to method and decodes the
// result into out (nil: ignored).
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	var body io.Reader
	ct := ""
	if params != nil {
		data, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("telegram %s: %w", method, err)
		}
		body, ct = bytes.NewReader(data), "application/json"
	}
	return c.post(ctx, method, ct, body, out, callTimeout)
}

// post POSTs body of content type ct ("" none) to method and decodes the
// result into out (nil: ignored); timeout bounds a call whose context has
// no deadline.
func (c *Client) post(ctx context.Context, method, ct string, body io.Reader, out any, timeout time.Duration) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/bot"+c.token+"/"+method, body)
	if err != nil {
		return &NetworkError{Method: method, err: errors.New(c.scrub(err.Error())), msg: c.scrub(err.Error())}
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.networkError(method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return c.networkError(method, err)
	}
	env, apiErr := c.decode(resp, data)
	if apiErr != nil {
		return apiErr
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("telegram %s: decoding the result: %w", method, err)
	}
	return nil
}

// decode reads an answer's envelope; an error answer is an *APIError (a
// 429 also pauses every message for its retry_after).
func (c *Client) decode(resp *http.Response, data []byte) (*envelope, *APIError) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || (!env.OK && env.ErrorCode == 0 && env.Description == "") {
		if resp.StatusCode != http.StatusOK {
			return nil, &APIError{Code: resp.StatusCode, Description: "HTTP " + resp.Status}
		}
		return nil, &APIError{Code: resp.StatusCode, Description: "malformed answer from the Bot API"}
	}
	if !env.OK {
		e := &APIError{Code: env.ErrorCode, Description: c.scrub(env.Description)}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if p := env.Parameters; p != nil {
			e.RetryAfter = time.Duration(p.RetryAfter) * time.Second
			e.MigrateToChatID = p.MigrateToChatID
		}
		if e.Code == http.StatusTooManyRequests && e.RetryAfter > 0 {
			c.lim.pause(c.lim.now().Add(e.RetryAfter))
		}
		return nil, e
	}
	return &env, nil
}

// networkError strips the URL (and so the token) from err.
func (c *Client) networkError(method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &NetworkError{Method: method, err: err, msg: c.scrub(err.Error())}
}

// scrub removes the token from s, in every form a URL may carry it.
func (c *Client) scrub(s string) string {
	if c.token == "" {
		return s
	}
	for _, form := range []string{c.token, url.PathEscape(c.token), url.QueryEscape(c.token)} {
		s = strings.ReplaceAll(s, form, "<token>")
	}
	return s
}
