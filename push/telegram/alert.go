package telegram

import (
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// Telegram's limits.
const (
	// MaxMessageLen is the most a message's text may hold: UTF-16 code
	// units, counted after entity parsing (what the user sees).
	MaxMessageLen = 4096
	// MaxCallbackData is the most bytes a button's callback_data may hold.
	MaxCallbackData = 64
)

// Bounds on the header's parts, so that the preview always has room.
const (
	maxNameLen = 128
	maxBotLen  = 64
)

// ellipsis ends a cut text; it is one UTF-16 code unit.
const ellipsis = "…"

var eventLabels = map[models.AlertEvent]string{
	models.EventNewChat:         "New chat",
	models.EventChatMessage:     "New message",
	models.EventAssigned:        "Assigned to you",
	models.EventFollowedMessage: "New message in a chat you follow",
	models.EventTest:            "Test alert",
}

var channelNames = map[models.Channel]string{
	models.ChannelTelegram: "Telegram", models.ChannelWhatsApp: "WhatsApp", models.ChannelInstagram: "Instagram",
	models.ChannelMessenger: "Messenger", models.ChannelViber: "Viber", models.ChannelLiveChat: "Live chat",
}

// AlertMessage is the message announcing n in chatID, in the HTML parse
// mode with every text escaped: the subscriber's name in bold and the
// event, the bot and channel, then the preview, cut (on a rune boundary,
// with an ellipsis) so that the text the user sees stays within
// MaxMessageLen. Its keyboard has an [Open] button to n.URL (when it is
// an http(s) URL Telegram accepts) and [Assign to me] [Close] [+60 min]
// buttons for n.ConversationID (when their callback data fits); it has
// no keyboard when neither row applies.
func AlertMessage(chatID int64, n *push.Notification) SendMessageParams {
	name := cut(oneLine(n.SubscriberName), maxNameLen)
	if name == "" {
		name = "Subscriber"
	}
	head := name
	if l := eventLabels[n.Event]; l != "" {
		head += " · " + l
	}
	var from []string
	if b := cut(oneLine(n.BotName), maxBotLen); b != "" {
		from = append(from, b)
	}
	if n.Channel != "" {
		c := channelNames[n.Channel]
		if c == "" {
			c = cut(oneLine(string(n.Channel)), maxBotLen)
		}
		from = append(from, c)
	}
	// visible is what the user sees of the header; text is its HTML.
	visible := head
	text := "<b>" + escapeHTML(name) + "</b>" + escapeHTML(strings.TrimPrefix(head, name))
	if len(from) > 0 {
		line := strings.Join(from, " · ")
		visible += "\n" + line
		text += "\n" + escapeHTML(line)
	}
	if preview := strings.TrimSpace(valid(n.Preview)); preview != "" {
		visible += "\n\n"
		text += "\n\n" + escapeHTML(cut(preview, MaxMessageLen-utf16Len(visible)))
	}
	return SendMessageParams{ChatID: chatID, Text: text, ParseMode: "HTML",
		LinkPreviewOptions: &LinkPreviewOptions{IsDisabled: true}, ReplyMarkup: alertKeyboard(n)}
}

// alertKeyboard is an alert's buttons, nil when it has none.
func alertKeyboard(n *push.Notification) *InlineKeyboardMarkup {
	var rows [][]InlineKeyboardButton
	if buttonURL(n.URL) {
		rows = append(rows, []InlineKeyboardButton{{Text: "Open", URL: n.URL}})
	}
	if id := n.ConversationID; id != "" && len(CallbackData(ActionAssign, id)) <= MaxCallbackData {
		rows = append(rows, []InlineKeyboardButton{
			{Text: "Assign to me", CallbackData: CallbackData(ActionAssign, id)},
			{Text: "Close", CallbackData: CallbackData(ActionClose, id)},
			{Text: "+60 min", CallbackData: CallbackData(ActionPause, id)},
		})
	}
	if len(rows) == 0 {
		return nil
	}
	return &InlineKeyboardMarkup{InlineKeyboard: rows}
}

// buttonURL reports whether Telegram takes u in a URL button: http or
// https, and a host with a dot (it refuses "localhost" and the like).
func buttonURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && strings.Contains(p.Hostname(), ".") &&
		!strings.ContainsAny(u, " \t\r\n")
}

// escapeHTML escapes what Telegram's HTML mode gives a meaning to.
func escapeHTML(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// cut returns s when it fits in max UTF-16 code units; otherwise its
// longest prefix of whole runes that fits with an ellipsis after it.
func cut(s string, max int) string {
	s = valid(s)
	if utf16Len(s) <= max {
		return s
	}
	room := max - utf16Len(ellipsis)
	if room < 0 {
		return ""
	}
	used, end := 0, 0
	for i, r := range s {
		if used += utf16.RuneLen(r); used > room {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	return s[:end] + ellipsis
}

// utf16Len is the length Telegram measures.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// valid replaces invalid UTF-8 (which Telegram refuses, and the JSON
// encoder would replace byte by byte) so that what is measured is what is
// sent.
func valid(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// oneLine collapses runs of white space (new lines included) to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(valid(s)), " ")
}
