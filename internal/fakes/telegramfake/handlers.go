package telegramfake

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
)

// handlers are the methods the fake implements.
var handlers = map[string]handler{
	"getMe":                  getMe,
	"sendMessage":            sendMessage,
	"answerCallbackQuery":    answerCallbackQuery,
	"editMessageReplyMarkup": editMessageReplyMarkup,
	"getUpdates":             getUpdates,
	"setWebhook":             setWebhook,
	"deleteWebhook":          deleteWebhook,
	"getWebhookInfo":         getWebhookInfo,
	"getFile":                getFile,
	"sendPhoto":              sendPhoto,
	"sendDocument":           sendDocument,
	"deleteMessage":          deleteMessage,
	"getChat":                getChat,
	"getChatMemberCount":     getChatMemberCount,
	"getUserProfilePhotos":   getUserProfilePhotos,
}

func getMe(s *Server, _ *http.Request, _ params) (any, *apiError) {
	return botUser{User: s.bot, CanJoinGroups: true}, nil
}

// chatIDParam reads chat_id; a "@username" names no chat of the fake.
func chatIDParam(p params) (int64, *apiError) {
	id, ok := p.int64("chat_id")
	if !ok || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

func sendMessage(s *Server, _ *http.Request, p params) (any, *apiError) {
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	plain, err := plainText(p.str("text"), p.str("parse_mode"))
	if err != nil {
		return nil, badRequest(err.Error())
	}
	if strings.TrimSpace(plain) == "" {
		return nil, badRequest("message text is empty")
	}
	if utf16Len(plain) > maxMessageLen {
		return nil, badRequest("message is too long")
	}
	markup, e := inlineMarkup(p)
	if e != nil {
		return nil, e
	}
	reply := replyParams(p)
	var preview struct {
		Disabled bool `json:"is_disabled"`
	}
	p.decode("link_preview_options", &preview)

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	replied, e := c.replied(reply)
	if e != nil {
		return nil, e
	}
	bot := s.bot
	m := &Message{MessageID: c.nextID(), From: &bot, Chat: c.info(), Date: s.now().Unix(), Text: plain,
		ReplyToMessage: snapshot(replied, false), ReplyMarkup: markup}
	c.messages[m.MessageID] = m
	c.sent = append(c.sent, SentMessage{ChatID: chatID, MessageID: m.MessageID, Text: p.str("text"), Plain: plain,
		ParseMode: p.str("parse_mode"), ReplyMarkup: markup, ReplyTo: reply.MessageID,
		DisableNotification: p.boolean("disable_notification"), LinkPreviewDisabled: preview.Disabled})
	return snapshot(m, true), nil
}

// inlineMarkup reads reply_markup when it is an inline keyboard, checking
// its buttons as Telegram does; nil when there is none.
func inlineMarkup(p params) (*InlineKeyboardMarkup, *apiError) {
	raw, ok := p["reply_markup"].(map[string]any)
	if !ok || raw["inline_keyboard"] == nil {
		return nil, nil
	}
	rows, _ := raw["inline_keyboard"].([]any)
	for _, row := range rows {
		buttons, _ := row.([]any)
		for _, b := range buttons {
			if e := checkButton(b.(map[string]any)); e != nil {
				return nil, e
			}
		}
	}
	var m InlineKeyboardMarkup
	p.decode("reply_markup", &m)
	for _, row := range m.InlineKeyboard {
		if len(row) > 0 {
			return &m, nil
		}
	}
	return nil, nil // an empty keyboard removes the buttons
}

// buttonKinds are the fields that make a button do something; exactly one
// must be used.
var buttonKinds = []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"}

func checkButton(b map[string]any) *apiError {
	if t, _ := b["text"].(string); strings.TrimSpace(t) == "" {
		return badRequest("can't parse inline keyboard button: Text must be non-empty")
	}
	n := 0
	for _, k := range buttonKinds {
		if _, ok := b[k]; ok {
			n++
		}
	}
	if n != 1 {
		return badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
	}
	if d, ok := b["callback_data"].(string); ok && (len(d) < 1 || len(d) > 64) {
		return badRequest("BUTTON_DATA_INVALID")
	}
	if raw, ok := b["url"].(string); ok {
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			return badRequest("inline keyboard button URL '" + raw + "' is invalid: Wrong URL")
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg":
			return badRequest("inline keyboard button URL '" + raw + "' is invalid: Unsupported URL protocol")
		case u.Scheme != "tg" && !strings.Contains(u.Hostname(), "."):
			return badRequest("BUTTON_URL_INVALID") // Telegram refuses hosts without a dot, such as localhost
		}
	}
	return nil
}

func answerCallbackQuery(s *Server, _ *http.Request, p params) (any, *apiError) {
	id := p.str("callback_query_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.answers {
		if a.CallbackQueryID == id {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
	}
	if !s.queries[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cache, _ := p.int64("cache_time")
	s.answers = append(s.answers, CallbackAnswer{CallbackQueryID: id, Text: p.str("text"),
		ShowAlert: p.boolean("show_alert"), URL: p.str("url"), CacheTime: cache})
	return true, nil
}

func editMessageReplyMarkup(s *Server, _ *http.Request, p params) (any, *apiError) {
	if p.str("inline_message_id") != "" {
		return true, nil // messages sent via inline mode: not kept by the fake
	}
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	msgID, _ := p.int64("message_id")
	markup, e := inlineMarkup(p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	m := c.messages[msgID]
	switch {
	case m == nil:
		return nil, badRequest("message to edit not found")
	case m.From == nil || m.From.ID != s.bot.ID:
		return nil, badRequest("message can't be edited")
	case reflect.DeepEqual(m.ReplyMarkup, markup):
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	edited := *m
	edited.ReplyMarkup, edited.EditDate = markup, s.now().Unix()
	c.messages[msgID] = &edited
	for i := range c.sent {
		if c.sent[i].MessageID == msgID {
			c.sent[i].ReplyMarkup = markup
		}
	}
	return snapshot(&edited, true), nil
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func setWebhook(s *Server, _ *http.Request, p params) (any, *apiError) {
	raw := p.str("url")
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
	}
	secret, hasSecret := p["secret_token"]
	if hasSecret && !secretToken.MatchString(secret.(string)) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookConfig{url: raw, secret: p.str("secret_token")}
	s.webhookError, s.webhookErrorAt = "", 0
	if p.boolean("drop_pending_updates") {
		s.queue = nil
	}
	if _, ok := p["allowed_updates"]; ok {
		p.decode("allowed_updates", &s.allowed)
	}
	s.signal()
	return true, nil
}

func deleteWebhook(s *Server, _ *http.Request, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookConfig{}
	if p.boolean("drop_pending_updates") {
		s.queue = nil
	}
	s.signal()
	return true, nil
}

func getWebhookInfo(s *Server, _ *http.Request, _ params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": s.webhook.url, "has_custom_certificate": false, "pending_update_count": len(s.queue)}
	if s.webhookError != "" {
		info["last_error_date"], info["last_error_message"] = s.webhookErrorAt, s.webhookError
	}
	return info, nil
}

// replyTo is a send's reply_parameters.
type replyTo struct {
	MessageID int64 `json:"message_id"`
	Allow     bool  `json:"allow_sending_without_reply"`
}

func replyParams(p params) replyTo {
	var r replyTo
	p.decode("reply_parameters", &r)
	return r
}

// replied is the message r quotes in chat c (nil for none), or the
// Bot API's refusal of a quote of a message it does not have.
func (c *chatState) replied(r replyTo) (*Message, *apiError) {
	if r.MessageID == 0 {
		return nil, nil
	}
	m := c.messages[r.MessageID]
	if m == nil && !r.Allow {
		return nil, badRequest("message to be replied not found")
	}
	return m, nil
}
