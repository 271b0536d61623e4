package telegramfake

import "fmt"

// User is a Telegram user or bot, as the Bot API sends it.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// botUser is the bot as getMe describes it.
type botUser struct {
	User
	CanJoinGroups           bool `json:"can_join_groups"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool `json:"supports_inline_queries"`
}

// Chat is a chat; the fake's chats are private chats with a user.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Message is a message as the Bot API sends it. Text is the text after
// entity parsing (what the user sees).
type Message struct {
	MessageID      int64                 `json:"message_id"`
	From           *User                 `json:"from,omitempty"`
	Chat           Chat                  `json:"chat"`
	Date           int64                 `json:"date"`
	EditDate       int64                 `json:"edit_date,omitempty"`
	Text           string                `json:"text,omitempty"`
	ReplyToMessage *Message              `json:"reply_to_message,omitempty"`
	ReplyMarkup    *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// InlineKeyboardMarkup is an inline keyboard.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is an inline button: a URL or a callback button
// (other kinds are accepted and kept as their text).
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

// CallbackQuery is a press on a callback button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// Update is one incoming update.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// kind is the update's type as allowed_updates names it.
func (u Update) kind() string {
	if u.CallbackQuery != nil {
		return "callback_query"
	}
	return "message"
}

// SentMessage is a message the bot sent, as the fake recorded it.
type SentMessage struct {
	ChatID    int64
	MessageID int64
	// Text is the text as sent; Plain is what the user sees after entity
	// parsing (the same without a parse mode).
	Text      string
	Plain     string
	ParseMode string
	// ReplyMarkup is the inline keyboard; editMessageReplyMarkup changes
	// it, and nil means none.
	ReplyMarkup *InlineKeyboardMarkup
	// ReplyTo is the message replied to (reply_parameters), 0 for none.
	ReplyTo             int64
	DisableNotification bool
	LinkPreviewDisabled bool
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	CallbackQueryID string
	Text            string
	ShowAlert       bool
	URL             string
	CacheTime       int64
}

// Violation is a call that broke the Bot API spec.
type Violation struct {
	Method string
	// Param is the parameter, "" when the call as a whole was bad.
	Param   string
	Problem string
}

// String describes the violation for a test failure.
func (v Violation) String() string {
	if v.Param == "" {
		return fmt.Sprintf("%s: %s", v.Method, v.Problem)
	}
	return fmt.Sprintf("%s: parameter %q: %s", v.Method, v.Param, v.Problem)
}

// envelope is every Bot API answer.
type envelope struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

type responseParameters struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}
