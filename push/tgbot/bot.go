// Package tgbot is the notifications bot's conversation with agents: it
// links a Telegram chat to a member (/start <code>), runs the alert
// buttons (assign to me, close, +60 min) and sends a reply to an alert to
// the subscriber as the agent's message. Updates come from the webhook or
// from long polling; both go through Handle.
package tgbot

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/telegram"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// help is the answer to anything the bot does not understand.
const help = "This bot announces new Switchboard chats. Open Switchboard and link Telegram to receive them; reply to an alert to answer the subscriber."

// Bot answers agents in their private chats with the notifications bot.
type Bot struct {
	g *push.Gateway
	c *tg.Client
}

// New returns the bot acting through gateway g and answering through c.
func New(g *push.Gateway, c *tg.Client) *Bot { return &Bot{g: g, c: c} }

// HandleJSON handles one update as the webhook received it; an update it
// cannot read is logged and dropped (Telegram would only redeliver it).
func (b *Bot) HandleJSON(ctx context.Context, raw []byte) {
	var u tg.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		slog.WarnContext(ctx, "telegram: unreadable update dropped", "error", err.Error())
		return
	}
	b.Handle(ctx, u)
}

// Handle answers one update. Only private chats are served: an alert is
// personal, and acting on it needs the member behind the chat.
func (b *Bot) Handle(ctx context.Context, u tg.Update) {
	switch {
	case u.CallbackQuery != nil:
		b.press(ctx, u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == "private":
		b.say(ctx, u.Message, b.answer(ctx, u.Message))
	}
}

func (b *Bot) answer(ctx context.Context, m *tg.Message) string {
	if code, ok := tg.ParseStart(m.Text); ok {
		username := ""
		if m.From != nil {
			username = m.From.Username
		}
		return b.g.LinkChat(ctx, m.Chat.ID, username, code)
	}
	if m.ReplyToMessage != nil && m.Text != "" {
		return b.g.ReplyFromTelegram(ctx, m.Chat.ID, m.ReplyToMessage.MessageID, m.MessageID, m.Text)
	}
	return help
}

func (b *Bot) press(ctx context.Context, q *tg.CallbackQuery) {
	text := "This button is not valid any more."
	if action, conv, ok := telegram.ParseCallback(q.Data); ok && q.Message != nil {
		text = b.g.Act(ctx, q.Message.Chat.ID, action, conv)
	}
	if err := b.c.AnswerCallbackQuery(ctx, tg.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: text}); err != nil {
		slog.WarnContext(ctx, "telegram: answer to a button failed", "error", err.Error())
	}
}

func (b *Bot) say(ctx context.Context, m *tg.Message, text string) {
	if err := b.c.Reply(ctx, m.Chat.ID, text); err != nil {
		slog.WarnContext(ctx, "telegram: answer failed", "error", err.Error())
	}
}
