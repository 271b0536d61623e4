package inbox

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
)

// Limits of the brief; they are part of the API contract.
const (
	MaxTextLen         = 512              // agent message, in characters (emoji count as one)
	MaxNoteLen         = 2000             // note, in characters
	AutomationPause    = 60 * time.Minute // after a manual agent message, and per "+60 min"
	TelegramDeleteSpan = 48 * time.Hour   // bot messages deletable within
	HumanAgentTag      = "human_agent"    // Messenger/Instagram tag for replies up to 7 days
	// InitiatedTag marks a Viber message sent outside the reply window: a
	// chatbot-initiated message, of which Viber gives ViberFreeInitiated
	// a month free to each bot.
	InitiatedTag       = "chatbot_initiated"
	ViberFreeInitiated = 10000
)

// Month is the calendar month (UTC) chatbot-initiated messages count in.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

// Outside reports whether now is past the chat's reply window.
func Outside(ch models.Channel, lastInbound *time.Time, now time.Time) bool {
	end := WindowEnd(ch, lastInbound)
	return end != nil && !now.Before(*end)
}

// ReplyWindow is how long after the subscriber's last message an agent may
// write freely on channel; 0 means no limit.
func ReplyWindow(ch models.Channel) time.Duration {
	switch ch {
	case models.ChannelTelegram, models.ChannelLiveChat:
		return 0
	case models.ChannelInstagram:
		return 7 * 24 * time.Hour
	default: // WhatsApp, Messenger, Viber
		return 24 * time.Hour
	}
}

// WindowEnd is when the reply window of a chat closes, nil when unlimited.
// With no subscriber message yet, the window is already closed.
func WindowEnd(ch models.Channel, lastInbound *time.Time) *time.Time {
	w := ReplyWindow(ch)
	if w == 0 {
		return nil
	}
	if lastInbound == nil {
		return &time.Time{}
	}
	end := lastInbound.Add(w)
	return &end
}

// CheckWindow refuses a send outside the reply window unless the channel's
// exception applies: an approved template on WhatsApp, the human-agent tag
// on Messenger and Instagram (up to 7 days).
func CheckWindow(ch models.Channel, lastInbound *time.Time, now time.Time, template, tag string) error {
	end := WindowEnd(ch, lastInbound)
	if end == nil || now.Before(*end) {
		return nil
	}
	switch {
	case ch == models.ChannelViber: // chatbot-initiated: counted (see InitiatedTag)
		return nil
	case ch == models.ChannelWhatsApp && template != "":
		return nil
	case (ch == models.ChannelMessenger || ch == models.ChannelInstagram) && tag == HumanAgentTag &&
		lastInbound != nil && now.Before(lastInbound.Add(7*24*time.Hour)):
		return nil
	}
	hint := map[models.Channel]string{
		models.ChannelWhatsApp:  "; outside it only an approved template may be sent (field template)",
		models.ChannelMessenger: "; up to 7 days after it, send with tag human_agent",
		models.ChannelInstagram: "",
	}[ch]
	return models.Errorf(models.CodeConflict, "the %s reply window closed%s", ch, hint)
}

// CheckText enforces 1..max characters (runes, so an emoji counts as one).
func CheckText(field, text string, max int) error {
	n := utf8.RuneCountInString(text)
	if n < 1 || n > max {
		return models.Invalid("bad text", models.FieldError{Field: field, Message: "must be 1 to " + strconv.Itoa(max) + " characters"})
	}
	return nil
}

// PausedUntil is the automation pause after a manual message at now: an
// hour from that message, never shortening a longer pause.
func PausedUntil(current *time.Time, now time.Time) time.Time {
	end := now.Add(AutomationPause)
	if current != nil && current.After(end) {
		return *current
	}
	return end
}

// ExtendPause is "+60 min": an hour more than the current pause, or than now.
func ExtendPause(current *time.Time, now time.Time) time.Time {
	base := now
	if current != nil && current.After(now) {
		base = *current
	}
	return base.Add(AutomationPause)
}

// Preview shortens a message for the chat list.
func Preview(m *models.Message) string {
	text := m.Text
	switch {
	case text != "":
	case m.File != nil:
		text = "📎 " + m.File.Name
	case m.Location != nil:
		text = "📍 Location"
	case m.Contact != nil:
		text = "👤 " + m.Contact.Name
	}
	if utf8.RuneCountInString(text) > 100 {
		r := []rune(text)
		text = string(r[:100]) + "…"
	}
	return text
}
