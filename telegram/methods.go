package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// pollSlack is how much longer than its long-poll timeout a getUpdates
// call may take.
const pollSlack = 15 * time.Second

// GetMe returns the bot's own user (its username is the deep-link name).
func (c *Client) GetMe(ctx context.Context) (*User, error) {
	var u User
	if err := c.call(ctx, "getMe", nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// SendMessage sends a message after waiting for the chat's and the global
// rate limits (an error when ctx ends first), and returns it as sent.
func (c *Client) SendMessage(ctx context.Context, p SendMessageParams) (*Message, error) {
	if err := c.lim.wait(ctx, p.ChatID); err != nil {
		return nil, err
	}
	var m Message
	if err := c.call(ctx, "sendMessage", p, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Reply sends the bot's short plain-text answer (such as "Linked to
// Acme") to chatID, cut to Telegram's limit; it is rate-limited like every
// message.
func (c *Client) Reply(ctx context.Context, chatID int64, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return errors.New("telegram: empty reply")
	}
	_, err := c.SendMessage(ctx, SendMessageParams{ChatID: chatID, Text: Cut(text, MaxMessageLen),
		LinkPreviewOptions: &LinkPreviewOptions{IsDisabled: true}})
	return err
}

// AnswerCallbackQuery acknowledges a button press, showing p.Text to the
// user; every callback query must be answered, or the button spins.
func (c *Client) AnswerCallbackQuery(ctx context.Context, p AnswerCallbackQueryParams) error {
	return c.call(ctx, "answerCallbackQuery", p, nil)
}

// EditMessageReplyMarkup replaces the buttons under a message the bot
// sent; a nil markup removes them (as after an action). Removing buttons
// already gone ("message is not modified") is not an error: it returns a
// nil message then.
func (c *Client) EditMessageReplyMarkup(ctx context.Context, chatID, messageID int64, markup *InlineKeyboardMarkup) (*Message, error) {
	if err := c.lim.wait(ctx, chatID); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	err := c.call(ctx, "editMessageReplyMarkup", editMarkupParams{ChatID: chatID, MessageID: messageID, ReplyMarkup: markup}, &raw)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == 400 && strings.Contains(apiErr.Description, "message is not modified") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("true")) {
		return nil, nil // an inline-mode message
	}
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("telegram editMessageReplyMarkup: decoding the result: " + err.Error())
	}
	return &m, nil
}

// GetUpdates long-polls for updates: it waits up to p.Timeout seconds for
// one to arrive. It fails with a 409 APIError while a webhook is set.
func (c *Client) GetUpdates(ctx context.Context, p GetUpdatesParams) ([]Update, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.Timeout)*time.Second+pollSlack)
	defer cancel()
	var ups []Update
	if err := c.call(ctx, "getUpdates", p, &ups); err != nil {
		return nil, err
	}
	return ups, nil
}

// GetUpdatesRaw is GetUpdates keeping each update's own JSON in out.
func (c *Client) GetUpdatesRaw(ctx context.Context, p GetUpdatesParams, out *[]json.RawMessage) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.Timeout)*time.Second+pollSlack)
	defer cancel()
	return c.call(ctx, "getUpdates", p, out)
}

// SetWebhook makes Telegram POST updates to p.URL (HTTPS) instead of
// answering getUpdates.
func (c *Client) SetWebhook(ctx context.Context, p SetWebhookParams) error {
	return c.call(ctx, "setWebhook", p, nil)
}

// DeleteWebhook goes back to getUpdates; dropPending forgets the updates
// not delivered yet.
func (c *Client) DeleteWebhook(ctx context.Context, dropPending bool) error {
	return c.call(ctx, "deleteWebhook", deleteWebhookParams{DropPendingUpdates: dropPending}, nil)
}

// WebhookInfo is the webhook's state as Telegram sees it.
type WebhookInfo struct {
	URL                string `json:"url"`
	PendingUpdateCount int    `json:"pending_update_count"`
	// LastErrorDate (Unix time) and LastErrorMessage tell the last failed
	// delivery to the webhook; zero and empty when none.
	LastErrorDate    int64  `json:"last_error_date,omitempty"`
	LastErrorMessage string `json:"last_error_message,omitempty"`
}

// GetWebhookInfo reads the webhook's state.
func (c *Client) GetWebhookInfo(ctx context.Context) (*WebhookInfo, error) {
	var info WebhookInfo
	if err := c.call(ctx, "getWebhookInfo", nil, &info); err != nil {
		return nil, err
	}
	return &info, nil
}
