package telegramfake

import (
	"fmt"
	"strings"
)

// Inbound is what a simulated user sends: a text, or a file or place with
// an optional Caption. Zero fields are absent.
type Inbound struct {
	Text    string
	Caption string
	// ReplyTo quotes message ReplyTo of the chat.
	ReplyTo int64
	// Photo is stored in three sizes, the largest being the spec.
	Photo    *FileSpec
	Document *FileSpec
	Audio    *FileSpec
	Voice    *FileSpec
	Video    *FileSpec
	// Sticker is a regular sticker with StickerEmoji.
	Sticker      *FileSpec
	StickerEmoji string
	Location     *Location
	Venue        *Venue
	Contact      *Contact
}

// fill puts in's content into m, storing its files; s.mu is held.
func (s *Server) fill(m *Message, in Inbound) {
	m.Text, m.Caption = in.Text, in.Caption
	if cmd, _, _ := strings.Cut(in.Text, " "); strings.HasPrefix(cmd, "/") && len(cmd) > 1 {
		m.Entities = []MessageEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
	}
	media := func(folder string, f *FileSpec, video bool) *Media {
		sf := s.addFile(folder, *f)
		md := &Media{FileID: sf.FileID, FileUniqueID: sf.FileUniqueID, Duration: 7, FileName: f.Name, MimeType: f.MimeType, FileSize: f.announced()}
		if video {
			md.Width, md.Height = 1280, 720
		}
		return md
	}
	switch {
	case in.Photo != nil:
		m.Photo = s.photoSizes(*in.Photo)
	case in.Document != nil:
		sf := s.addFile("documents", *in.Document)
		m.Document = &Document{FileID: sf.FileID, FileUniqueID: sf.FileUniqueID, FileName: in.Document.Name,
			MimeType: in.Document.MimeType, FileSize: in.Document.announced()}
	case in.Audio != nil:
		m.Audio = media("music", in.Audio, false)
	case in.Voice != nil:
		m.Voice = media("voice", in.Voice, false)
		m.Voice.FileName = "" // a voice note has no name
	case in.Video != nil:
		m.Video = media("videos", in.Video, true)
	case in.Sticker != nil:
		sf := s.addFile("stickers", *in.Sticker)
		m.Sticker = &Sticker{FileID: sf.FileID, FileUniqueID: sf.FileUniqueID, Type: "regular", Width: 512, Height: 512,
			Emoji: in.StickerEmoji, FileSize: in.Sticker.announced()}
	case in.Venue != nil:
		v := *in.Venue
		m.Venue, m.Location = &v, &v.Location // Telegram sends a venue's location too
	case in.Location != nil:
		l := *in.Location
		m.Location = &l
	case in.Contact != nil:
		c := *in.Contact
		m.Contact = &c
	}
}

// UserStarts simulates the user opening the bot by a deep link
// t.me/<bot>?start=<payload> ("/start" alone without a payload).
func (s *Server) UserStarts(chatID int64, from User, payload string) Update {
	text := "/start"
	if payload != "" {
		text += " " + payload
	}
	return s.UserSendsMessage(chatID, from, Inbound{Text: text})
}

// UserEdits simulates the user editing the text (or caption) of their
// message messageID, and returns the queued edited_message update.
func (s *Server) UserEdits(chatID int64, from User, messageID int64, text string) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	m := c.messages[messageID]
	if m == nil || m.From == nil || m.From.ID != from.ID {
		s.bugs = append(s.bugs, fmt.Sprintf("UserEdits: chat %d has no message %d of user %d", chatID, messageID, from.ID))
		return Update{}
	}
	edited := *m
	if edited.Text != "" || edited.Caption == "" && edited.Photo == nil && edited.Document == nil {
		edited.Text = text
	} else {
		edited.Caption = text
	}
	edited.EditDate = s.now().Unix()
	c.messages[messageID] = &edited
	return s.enqueue(Update{EditedMessage: snapshot(&edited, true)})
}

// UserReacts simulates the user setting their reaction to message
// messageID to emoji ("" removes it). Telegram sends the update only to a
// bot whose allowed_updates names message_reaction, and only for chats
// where the bot is an administrator or private chats; the fake delivers
// it for any chat.
func (s *Server) UserReacts(chatID int64, from User, messageID int64, emoji string) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	if c.reactions[messageID] == nil {
		c.reactions[messageID] = map[int64][]ReactionType{}
	}
	old := c.reactions[messageID][from.ID]
	now := []ReactionType{}
	if emoji != "" {
		now = []ReactionType{{Type: "emoji", Emoji: emoji}}
	}
	c.reactions[messageID][from.ID] = now
	if old == nil {
		old = []ReactionType{}
	}
	u := from
	return s.enqueue(Update{MessageReaction: &MessageReactionUpdated{Chat: c.info(), MessageID: messageID, User: &u,
		Date: s.now().Unix(), OldReaction: old, NewReaction: now}})
}

// UserBlocks simulates the user blocking the bot: a my_chat_member update
// (member to kicked) and 403 on every later send to the chat.
func (s *Server) UserBlocks(chatID int64, from User) Update {
	return s.membership(chatID, from, "member", "kicked", func(c *chatState) { c.blocked = true })
}

// UserUnblocks simulates the user unblocking (restarting) the bot.
func (s *Server) UserUnblocks(chatID int64, from User) Update {
	return s.membership(chatID, from, "kicked", "member", func(c *chatState) { c.blocked = false })
}

// BotAddedToGroup simulates user by adding the bot to group chatID (see
// Group).
func (s *Server) BotAddedToGroup(chatID int64, by User) Update {
	return s.membership(chatID, by, "left", "member", func(c *chatState) { c.kicked = false })
}

// BotRemovedFromGroup simulates user by removing the bot from group
// chatID: later sends answer 403.
func (s *Server) BotRemovedFromGroup(chatID int64, by User) Update {
	return s.membership(chatID, by, "member", "left", func(c *chatState) { c.kicked = true })
}

func (s *Server) membership(chatID int64, by User, from, to string, apply func(*chatState)) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	if c.typ == "private" {
		c.user = by
	}
	apply(c)
	member := func(status string) ChatMember {
		m := ChatMember{Status: status, User: s.bot}
		if status == "kicked" {
			m.UntilDate = new(int64)
		}
		return m
	}
	return s.enqueue(Update{MyChatMember: &ChatMemberUpdated{Chat: c.info(), From: by, Date: s.now().Unix(),
		OldChatMember: member(from), NewChatMember: member(to)}})
}

// ChannelPosts simulates a post in channel chatID (a kind Switchboard
// does not handle), delivered when allowed_updates names channel_post or
// is empty.
func (s *Server) ChannelPosts(chatID int64, title, text string) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	c.typ, c.title = "channel", title
	m := &Message{MessageID: c.nextID(), Chat: c.info(), Date: s.now().Unix(), Text: text}
	c.messages[m.MessageID] = m
	return s.enqueue(Update{ChannelPost: snapshot(m, false)})
}
