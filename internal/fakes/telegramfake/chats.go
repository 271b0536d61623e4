package telegramfake

import (
	"net/http"
	"time"
)

// deleteWindow is how long after sending a bot may delete a message.
const deleteWindow = 48 * time.Hour

// Group makes chatID (negative) a group, or a supergroup, with a title,
// a member count and an invite link ("" none) that getChat and
// getChatMemberCount answer.
func (s *Server) Group(chatID int64, title string, supergroup bool, members int, inviteLink string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	c.typ, c.title, c.members, c.inviteLink = "group", title, members, inviteLink
	if supergroup {
		c.typ = "supergroup"
	}
}

// SetProfilePhotos sets user userID's profile photos, newest first, each
// stored in three sizes like a sent photo; getUserProfilePhotos answers
// them. It returns the sizes.
func (s *Server) SetProfilePhotos(userID int64, photos ...FileSpec) [][]PhotoSize {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(userID)
	c.photos = nil
	for _, f := range photos {
		c.photos = append(c.photos, s.photoSizes(f))
	}
	return c.photos
}

func deleteMessage(s *Server, _ *http.Request, p params) (any, *apiError) {
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	id, _ := p.int64("message_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	m := c.messages[id]
	switch {
	case m == nil:
		return nil, badRequest("message to delete not found")
	case s.now().Unix()-m.Date > int64(deleteWindow/time.Second):
		return nil, badRequest("message can't be deleted for everyone")
	case c.typ != "private" && (m.From == nil || m.From.ID != s.bot.ID):
		return nil, badRequest("message can't be deleted") // the fake's bot is no group admin
	}
	delete(c.messages, id)
	for i := range c.sent {
		if c.sent[i].MessageID == id {
			c.sent[i].Deleted = true
		}
	}
	return true, nil
}

// known finds a chat the fake has seen; s.mu is held.
func (s *Server) known(p params) (*chatState, *apiError) {
	id, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// chatFullInfo is getChat's answer.
type chatFullInfo struct {
	Chat
	InviteLink        string            `json:"invite_link,omitempty"`
	AccentColorID     int               `json:"accent_color_id"`
	MaxReactionCount  int               `json:"max_reaction_count"`
	AcceptedGiftTypes acceptedGiftTypes `json:"accepted_gift_types"`
}

type acceptedGiftTypes struct {
	Unlimited bool `json:"unlimited_gifts"`
	Limited   bool `json:"limited_gifts"`
	Unique    bool `json:"unique_gifts"`
	Premium   bool `json:"premium_subscription"`
	Channels  bool `json:"gifts_from_channels"`
}

func getChat(s *Server, _ *http.Request, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.known(p)
	if e != nil {
		return nil, e
	}
	info := c.info()
	return chatFullInfo{Chat: info, InviteLink: c.inviteLink, MaxReactionCount: 11}, nil
}

func getChatMemberCount(s *Server, _ *http.Request, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.known(p)
	if e != nil {
		return nil, e
	}
	return c.members, nil
}

func getUserProfilePhotos(s *Server, _ *http.Request, p params) (any, *apiError) {
	id, _ := p.int64("user_id")
	offset, _ := p.int64("offset")
	limit, ok := p.int64("limit")
	if !ok || limit < 1 || limit > 100 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[id]
	if c == nil || c.typ != "private" {
		return nil, badRequest("user not found")
	}
	photos := [][]PhotoSize{}
	for i := offset; i < int64(len(c.photos)) && int64(len(photos)) < limit; i++ {
		photos = append(photos, c.photos[i])
	}
	return map[string]any{"total_count": len(c.photos), "photos": photos}, nil
}
