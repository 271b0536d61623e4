// Package telegram is the notifications bot's side of Telegram: the
// push.Sender that turns alerts into messages with action buttons, and the
// parsing of those buttons' presses. The Bot API client is package
// telegram at the module's top level.
package telegram

import (
	"net/url"
	"strings"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// Telegram's limits.
const (
	// MaxMessageLen is the most a message's text may hold (see
	// tg.MaxMessageLen).
	MaxMessageLen = tg.MaxMessageLen
	// MaxCallbackData is the most bytes a button's callback_data may hold.
	MaxCallbackData = 64
)

// Bounds on the header's parts, so that the preview always has room.
const (
	maxNameLen = 128
	maxBotLen  = 64
)

// ellipsis ends a cut text; it is one UTF-16 code unit.
const ellipsis = tg.Ellipsis

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
func AlertMessage(chatID int64, n *push.Notification) tg.SendMessageParams {
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
	return tg.SendMessageParams{ChatID: chatID, Text: text, ParseMode: "HTML",
		LinkPreviewOptions: &tg.LinkPreviewOptions{IsDisabled: true}, ReplyMarkup: alertKeyboard(n)}
}

// alertKeyboard is an alert's buttons, nil when it has none.
func alertKeyboard(n *push.Notification) *tg.InlineKeyboardMarkup {
	var rows [][]tg.InlineKeyboardButton
	if buttonURL(n.URL) {
		rows = append(rows, []tg.InlineKeyboardButton{{Text: "Open", URL: n.URL}})
	}
	if id := n.ConversationID; id != "" && len(CallbackData(ActionAssign, id)) <= MaxCallbackData {
		rows = append(rows, []tg.InlineKeyboardButton{
			{Text: "Assign to me", CallbackData: CallbackData(ActionAssign, id)},
			{Text: "Close", CallbackData: CallbackData(ActionClose, id)},
			{Text: "+60 min", CallbackData: CallbackData(ActionPause, id)},
		})
	}
	if len(rows) == 0 {
		return nil
	}
	return &tg.InlineKeyboardMarkup{InlineKeyboard: rows}
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

// cut is tg.Cut.
func cut(s string, max int) string { return tg.Cut(s, max) }

// utf16Len is the length Telegram measures.
func utf16Len(s string) int { return tg.UTF16Len(s) }

// valid replaces invalid UTF-8.
func valid(s string) string { return tg.Valid(s) }

// oneLine collapses runs of white space (new lines included) to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(valid(s)), " ")
}
