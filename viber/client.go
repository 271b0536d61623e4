// Package viber is a thin client of Viber's REST Bot API
// (https://chatapi.viber.com/pa): set_webhook, get_account_info,
// send_message, get_user_details, the status codes as a typed error and
// the callback signature. No maintained Go library exists for it. The
// auth token travels in the X-Viber-Auth-Token header only; it never
// appears in an error.
package viber

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// DefaultBaseURL is Viber's API root.
const DefaultBaseURL = "https://chatapi.viber.com/pa"

// maxResponse bounds an API answer read into memory.
const maxResponse = 1 << 20

// Client calls the Bot API. The zero value uses DefaultBaseURL and
// http.DefaultClient; it is safe for concurrent use.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// NewClient returns a client of the API at baseURL ("" the real one)
// through hc (nil http.DefaultClient).
func NewClient(baseURL string, hc *http.Client) *Client {
	return &Client{BaseURL: baseURL, HTTP: hc}
}

type envelope struct {
	Status        Status `json:"status"`
	StatusMessage string `json:"status_message"`
}

// call posts req as JSON to method and decodes the answer into out. A
// refusal is an *APIError; a transport failure is returned as it is
// (without the token, which is only ever in a header).
func (c *Client) call(ctx context.Context, token, method string, req, out any) error {
	var body io.Reader = http.NoBody
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/"+method, body)
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set(AuthHeader, token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &APIError{Method: method, HTTPStatus: resp.StatusCode}
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return errors.New("viber " + method + ": the answer is not JSON")
	}
	if env.Status != StatusOK {
		return &APIError{Method: method, Status: env.Status, Message: env.StatusMessage}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return errors.New("viber " + method + ": unexpected answer: " + err.Error())
		}
	}
	return nil
}

// SetWebhook registers the webhook (an empty URL removes it). Viber
// calls the URL back at once and refuses unless it answers 200.
func (c *Client) SetWebhook(ctx context.Context, token string, req WebhookRequest) error {
	return c.call(ctx, token, "set_webhook", req, nil)
}

// AccountInfo returns what Viber says of the bot (get_account_info).
func (c *Client) AccountInfo(ctx context.Context, token string) (*Account, error) {
	var a Account
	if err := c.call(ctx, token, "get_account_info", struct{}{}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// SendMessage sends m and returns Viber's message_token as decimal text.
func (c *Client) SendMessage(ctx context.Context, token string, m *Message) (string, error) {
	var out struct {
		MessageToken json.Number `json:"message_token"`
	}
	if err := c.call(ctx, token, "send_message", m, &out); err != nil {
		return "", err
	}
	return out.MessageToken.String(), nil
}

// UserDetails returns a subscriber's details (get_user_details).
func (c *Client) UserDetails(ctx context.Context, token, id string) (*User, error) {
	var out struct {
		User User `json:"user"`
	}
	if err := c.call(ctx, token, "get_user_details", map[string]string{"id": id}, &out); err != nil {
		return nil, err
	}
	return &out.User, nil
}
