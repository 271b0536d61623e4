package telegram

import (
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// Parse maps one stored update to inbox events. Event ids are
// "tg:<update_id>"; a message's external id is "<chat_id>:<message_id>"
// (Telegram numbers messages per chat). The subscriber is the chat: a
// private chat's user, or a group or supergroup as a whole, whose
// members' texts are prefixed with their first name ("Ann: hello").
func (a *Adapter) Parse(_ *models.Bot, u *models.InboundUpdate) (*channels.Parsed, error) {
	return Parse(u.Raw)
}

// Parse is Adapter.Parse on an update's JSON.
func Parse(raw []byte) (*channels.Parsed, error) {
	var up tg.Update
	if err := json.Unmarshal(raw, &up); err != nil {
		return nil, errors.New("the update is not Telegram's JSON: " + err.Error())
	}
	id := "tg:" + strconv.FormatInt(up.UpdateID, 10)
	switch {
	case up.Message != nil:
		return events(messageEvent(id, up.Message)), nil
	case up.EditedMessage != nil:
		m := up.EditedMessage
		at := m.EditDate
		if at == 0 {
			at = m.Date
		}
		return events(inbox.Event{ID: id, Type: inbox.EventEdit, At: unix(at), Subscriber: subscriber(m.Chat, m.From),
			Message: &inbox.InboundMessage{ExternalID: messageID(m.Chat.ID, m.MessageID), Text: text(m, content(m))}}), nil
	case up.CallbackQuery != nil:
		return events(buttonEvent(id, up.CallbackQuery)), nil
	case up.MessageReaction != nil:
		return reaction(id, up.MessageReaction), nil
	case up.MyChatMember != nil:
		return membership(id, up.MyChatMember), nil
	}
	return &channels.Parsed{Ignored: updateType(raw) + " updates are not handled"}, nil
}

func events(evs ...inbox.Event) *channels.Parsed { return &channels.Parsed{Events: evs} }

// updateType names the update's kind: its field other than update_id.
func updateType(raw []byte) string {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields) // raw decoded as an Update already
	var names []string
	for k := range fields {
		if k != "update_id" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "empty"
	}
	return names[0]
}

func unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// messageID is Switchboard's external id of message msgID of chat chatID.
func messageID(chatID, msgID int64) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(msgID, 10)
}

// subscriber is the chat as a subscriber.
func subscriber(chat tg.Chat, from *tg.User) inbox.SubscriberInfo {
	s := inbox.SubscriberInfo{ExternalID: strconv.FormatInt(chat.ID, 10)}
	switch {
	case chat.IsGroup():
		s.Name = chat.Title
		s.TelegramGroup = &models.TelegramGroup{}
	case chat.Type == "private" && from != nil:
		s.Name = strings.TrimSpace(from.FirstName + " " + from.LastName)
		s.Username = from.Username
	default:
		s.Name = strings.TrimSpace(chat.FirstName + " " + chat.LastName)
		if s.Name == "" {
			s.Name = chat.Title
		}
		s.Username = chat.Username
	}
	return s
}

// text is body as the subscriber wrote it: in a group, after the member's
// name.
func text(m *tg.Message, body string) string {
	if !m.Chat.IsGroup() || m.From == nil || body == "" {
		return body
	}
	return memberName(m.From) + ": " + body
}

func memberName(u *tg.User) string {
	if n := strings.TrimSpace(u.FirstName); n != "" {
		return n
	}
	if u.Username != "" {
		return "@" + u.Username
	}
	return strconv.FormatInt(u.ID, 10)
}

// content is the message's text or caption.
func content(m *tg.Message) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

// messageEvent maps a new message.
func messageEvent(id string, m *tg.Message) inbox.Event {
	in := &inbox.InboundMessage{ExternalID: messageID(m.Chat.ID, m.MessageID), Kind: models.KindText}
	body := content(m)
	switch {
	case len(m.Photo) > 0:
		p := largest(m.Photo)
		in.Kind = models.KindPhoto
		in.File = &models.Attachment{Name: "photo.jpg", MimeType: "image/jpeg", Size: p.FileSize, Pending: true, Ref: p.FileID}
	case m.Document != nil:
		d := m.Document
		in.Kind = models.KindFile
		in.File = pending(d.FileName, "file", d.MimeType, "application/octet-stream", d.FileSize, d.FileID)
	case m.Audio != nil:
		au := m.Audio
		in.Kind = models.KindAudio
		in.File = pending(au.FileName, "audio.mp3", au.MimeType, "audio/mpeg", au.FileSize, au.FileID)
	case m.Voice != nil:
		in.Kind = models.KindVoice
		in.File = pending("", "voice.ogg", m.Voice.MimeType, "audio/ogg", m.Voice.FileSize, m.Voice.FileID)
	case m.Video != nil:
		in.Kind = models.KindVideo
		in.File = pending(m.Video.FileName, "video.mp4", m.Video.MimeType, "video/mp4", m.Video.FileSize, m.Video.FileID)
	case m.Sticker != nil:
		st := m.Sticker
		name, mime := "sticker.webp", "image/webp"
		switch {
		case st.IsAnimated:
			name, mime = "sticker.tgs", "application/x-tgsticker"
		case st.IsVideo:
			name, mime = "sticker.webm", "video/webm"
		}
		in.Kind = models.KindSticker
		in.File = pending("", name, "", mime, st.FileSize, st.FileID)
		if body == "" {
			body = st.Emoji
		}
	case m.Venue != nil:
		v := m.Venue
		in.Kind = models.KindLocation
		in.Location = &models.Location{Latitude: v.Location.Latitude, Longitude: v.Location.Longitude, Title: v.Title, Address: v.Address}
		if body == "" {
			body = v.Title
		}
	case m.Location != nil:
		in.Kind = models.KindLocation
		in.Location = &models.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
	case m.Contact != nil:
		c := m.Contact
		in.Kind = models.KindContact
		in.Contact = &models.Contact{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Phone: c.PhoneNumber}
	}
	if in.Kind == models.KindText {
		if code, ok := tg.ParseStart(m.Text); ok {
			in.Referral = &models.Referral{Campaign: code}
		}
	}
	in.Text = text(m, body)
	if r := m.ReplyToMessage; r != nil {
		in.ReplyToExternalID = messageID(m.Chat.ID, r.MessageID)
	}
	return inbox.Event{ID: id, Type: inbox.EventMessage, At: unix(m.Date), Subscriber: subscriber(m.Chat, m.From), Message: in}
}

// pending is an attachment still to fetch from Telegram.
func pending(name, defName, mime, defMime string, size int64, ref string) *models.Attachment {
	if strings.TrimSpace(name) == "" {
		name = defName
	}
	if mime == "" {
		mime = defMime
	}
	return &models.Attachment{Name: name, MimeType: mime, Size: size, Pending: true, Ref: ref}
}

// largest is the biggest size of a photo (by pixels, then bytes).
func largest(sizes []tg.PhotoSize) tg.PhotoSize {
	best := sizes[0]
	for _, p := range sizes[1:] {
		if p.Width*p.Height > best.Width*best.Height || p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize {
			best = p
		}
	}
	return best
}

// buttonEvent maps a press on an inline button: the button's text (found
// by its data under the message), else the data.
func buttonEvent(id string, q *tg.CallbackQuery) inbox.Event {
	label := q.Data
	chat := tg.Chat{ID: q.From.ID, Type: "private", FirstName: q.From.FirstName, LastName: q.From.LastName, Username: q.From.Username}
	if m := q.Message; m != nil {
		if m.Chat.ID != 0 {
			chat = m.Chat
		}
		if m.ReplyMarkup != nil {
		rows:
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.CallbackData != "" && b.CallbackData == q.Data {
						label = b.Text
						break rows
					}
				}
			}
		}
	}
	from := q.From
	msg := &tg.Message{Chat: chat, From: &from}
	in := &inbox.InboundMessage{ExternalID: "cb:" + q.ID, Kind: models.KindButton, Text: text(msg, label)}
	if q.Message != nil && q.Message.MessageID != 0 {
		in.ReplyToExternalID = messageID(chat.ID, q.Message.MessageID)
	}
	// A callback query has no date: the worker stamps it.
	return inbox.Event{ID: id, Type: inbox.EventMessage, Subscriber: subscriber(chat, &from), Message: in}
}

// reaction maps a change of a user's reactions: the first new emoji, ""
// when the reactions were removed. Custom-emoji and paid reactions alone
// are ignored.
func reaction(id string, r *tg.MessageReactionUpdated) *channels.Parsed {
	emoji := ""
	for _, x := range r.NewReaction {
		if x.Type == "emoji" && x.Emoji != "" {
			emoji = x.Emoji
			break
		}
	}
	if emoji == "" && len(r.NewReaction) > 0 {
		return &channels.Parsed{Ignored: "custom emoji and paid reactions are not handled"}
	}
	return events(inbox.Event{ID: id, Type: inbox.EventReaction, At: unix(r.Date), Subscriber: subscriber(r.Chat, r.User),
		Reaction: &inbox.Reaction{MessageExternalID: messageID(r.Chat.ID, r.MessageID), Emoji: emoji}})
}

// membership maps a change of the bot's own membership: blocked or
// removed from a group unsubscribes the chat; unblocked or added
// subscribes it.
func membership(id string, m *tg.ChatMemberUpdated) *channels.Parsed {
	was, is := m.OldChatMember.In(), m.NewChatMember.In()
	var t inbox.EventType
	switch {
	case was && !is:
		t = inbox.EventUnsubscribed
	case !was && is:
		t = inbox.EventSubscribed
	default:
		return &channels.Parsed{Ignored: "my_chat_member updates that change no membership (" +
			m.OldChatMember.Status + " to " + m.NewChatMember.Status + ") are not handled"}
	}
	from := m.From
	return events(inbox.Event{ID: id, Type: t, At: unix(m.Date), Subscriber: subscriber(m.Chat, &from)})
}
