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

// Chat is a chat: a private chat with a user, or a group or supergroup
// (Group).
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
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
	Entities       []MessageEntity       `json:"entities,omitempty"`
	Caption        string                `json:"caption,omitempty"`
	ReplyToMessage *Message              `json:"reply_to_message,omitempty"`
	ReplyMarkup    *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
	Photo          []PhotoSize           `json:"photo,omitempty"`
	Document       *Document             `json:"document,omitempty"`
	Audio          *Media                `json:"audio,omitempty"`
	Voice          *Media                `json:"voice,omitempty"`
	Video          *Media                `json:"video,omitempty"`
	Sticker        *Sticker              `json:"sticker,omitempty"`
	Location       *Location             `json:"location,omitempty"`
	Venue          *Venue                `json:"venue,omitempty"`
	Contact        *Contact              `json:"contact,omitempty"`
}

// MessageEntity marks a part of a text, such as a bot command.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Media is an audio, a voice note or a video: the fields of Audio, Voice
// and Video the fake fills (Width and Height only for a video).
type Media struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Duration     int    `json:"duration"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Sticker is a sticker.
type Sticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// Location is a point on the map.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Venue is a named place.
type Venue struct {
	Location Location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

// Contact is a shared contact.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// ReactionType is an emoji reaction.
type ReactionType struct {
	Type  string `json:"type"`
	Emoji string `json:"emoji"`
}

// MessageReactionUpdated is a user's change of reactions to a message.
type MessageReactionUpdated struct {
	Chat        Chat           `json:"chat"`
	MessageID   int64          `json:"message_id"`
	User        *User          `json:"user,omitempty"`
	Date        int64          `json:"date"`
	OldReaction []ReactionType `json:"old_reaction"`
	NewReaction []ReactionType `json:"new_reaction"`
}

// ChatMember is the bot's membership: status "member", "left" or
// "kicked" (UntilDate is then required; 0 is forever).
type ChatMember struct {
	Status    string `json:"status"`
	User      User   `json:"user"`
	UntilDate *int64 `json:"until_date,omitempty"`
}

// ChatMemberUpdated is a change of the bot's membership of a chat.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// File is what getFile answers.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
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
	UpdateID        int64                   `json:"update_id"`
	Message         *Message                `json:"message,omitempty"`
	EditedMessage   *Message                `json:"edited_message,omitempty"`
	CallbackQuery   *CallbackQuery          `json:"callback_query,omitempty"`
	MessageReaction *MessageReactionUpdated `json:"message_reaction,omitempty"`
	MyChatMember    *ChatMemberUpdated      `json:"my_chat_member,omitempty"`
	// ChannelPost is a post in a channel the bot administers.
	ChannelPost *Message `json:"channel_post,omitempty"`
}

// kind is the update's type as allowed_updates names it.
func (u Update) kind() string {
	switch {
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.MessageReaction != nil:
		return "message_reaction"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChannelPost != nil:
		return "channel_post"
	}
	return "message"
}

// optIn are the update kinds Telegram sends only when allowed_updates
// names them.
var optIn = map[string]bool{"message_reaction": true, "message_reaction_count": true, "chat_member": true}

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
	// File is the uploaded file of a sendPhoto or sendDocument (Text and
	// Plain are then the caption).
	File *SentFile
	// Deleted is set once deleteMessage removed the message.
	Deleted bool
}

// SentFile is a file received by sendPhoto ("photo") or sendDocument
// ("document"), as uploaded.
type SentFile struct {
	Field    string
	Name     string
	MimeType string
	Data     []byte
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
