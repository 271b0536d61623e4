package telegram

// The Bot API types the bot uses: a subset of each, with the spec's JSON
// field names.

// Update is one incoming update, of the kinds Switchboard handles (the
// others decode to an update with only UpdateID set).
type Update struct {
	UpdateID        int64                   `json:"update_id"`
	Message         *Message                `json:"message,omitempty"`
	EditedMessage   *Message                `json:"edited_message,omitempty"`
	CallbackQuery   *CallbackQuery          `json:"callback_query,omitempty"`
	MessageReaction *MessageReactionUpdated `json:"message_reaction,omitempty"`
	MyChatMember    *ChatMemberUpdated      `json:"my_chat_member,omitempty"`
}

// Message is a message. Text is the text without its formatting; a
// media message carries its Caption instead.
type Message struct {
	MessageID      int64                 `json:"message_id"`
	From           *User                 `json:"from,omitempty"`
	Chat           Chat                  `json:"chat"`
	Date           int64                 `json:"date"`
	EditDate       int64                 `json:"edit_date,omitempty"`
	Text           string                `json:"text,omitempty"`
	Caption        string                `json:"caption,omitempty"`
	ReplyToMessage *Message              `json:"reply_to_message,omitempty"`
	ReplyMarkup    *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
	// Photo lists the photo's sizes, smallest first.
	Photo    []PhotoSize `json:"photo,omitempty"`
	Document *Document   `json:"document,omitempty"`
	Audio    *Audio      `json:"audio,omitempty"`
	Voice    *Voice      `json:"voice,omitempty"`
	Video    *Video      `json:"video,omitempty"`
	Sticker  *Sticker    `json:"sticker,omitempty"`
	Location *Location   `json:"location,omitempty"`
	Venue    *Venue      `json:"venue,omitempty"`
	Contact  *Contact    `json:"contact,omitempty"`
}

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Chat is a chat: "private" (its id is the user's), "group",
// "supergroup" or "channel".
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// IsGroup reports whether the chat is a group or a supergroup.
func (c Chat) IsGroup() bool { return c.Type == "group" || c.Type == "supergroup" }

// CallbackQuery is a press on a callback button. Message is the message
// the button was under; it can be an inaccessible message (date 0) when
// the message is too old.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data,omitempty"`
}

// InlineKeyboardMarkup is the inline keyboard under a message: rows of
// buttons.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is a URL button (URL) or a callback button
// (CallbackData, 1-64 bytes); exactly one of the two is set.
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

// LinkPreviewOptions controls the preview of the first link in a message.
type LinkPreviewOptions struct {
	IsDisabled bool `json:"is_disabled,omitempty"`
}

// ReplyParameters makes a message a reply.
type ReplyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply,omitempty"`
}

// SendMessageParams are sendMessage's parameters.
type SendMessageParams struct {
	ChatID int64  `json:"chat_id"`
	Text   string `json:"text"`
	// ParseMode is "HTML" or "" (plain text).
	ParseMode           string                `json:"parse_mode,omitempty"`
	LinkPreviewOptions  *LinkPreviewOptions   `json:"link_preview_options,omitempty"`
	DisableNotification bool                  `json:"disable_notification,omitempty"`
	ReplyParameters     *ReplyParameters      `json:"reply_parameters,omitempty"`
	ReplyMarkup         *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// AnswerCallbackQueryParams are answerCallbackQuery's parameters: Text is
// shown to the user as a notification (an alert with ShowAlert).
type AnswerCallbackQueryParams struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
	ShowAlert       bool   `json:"show_alert,omitempty"`
}

// GetUpdatesParams are getUpdates' parameters. Offset is the last handled
// update_id + 1; Timeout is the long-poll wait in seconds.
type GetUpdatesParams struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout,omitempty"`
	AllowedUpdates []string `json:"allowed_updates,omitempty"`
}

// SetWebhookParams are setWebhook's parameters. SecretToken (1-256 of
// A-Z, a-z, 0-9, _ and -) comes back in the X-Telegram-Bot-Api-Secret-Token
// header of every update.
type SetWebhookParams struct {
	URL                string   `json:"url"`
	SecretToken        string   `json:"secret_token,omitempty"`
	AllowedUpdates     []string `json:"allowed_updates,omitempty"`
	MaxConnections     int      `json:"max_connections,omitempty"`
	DropPendingUpdates bool     `json:"drop_pending_updates,omitempty"`
}

// editMarkupParams are editMessageReplyMarkup's parameters.
type editMarkupParams struct {
	ChatID      int64                 `json:"chat_id"`
	MessageID   int64                 `json:"message_id"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// deleteWebhookParams are deleteWebhook's parameters.
type deleteWebhookParams struct {
	DropPendingUpdates bool `json:"drop_pending_updates,omitempty"`
}
