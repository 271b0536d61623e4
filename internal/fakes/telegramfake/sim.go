package telegramfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// chatState is one chat with the bot: a private chat with user, or a
// group (typ "group" or "supergroup").
type chatState struct {
	id       int64
	user     User
	lastID   int64
	messages map[int64]*Message
	sent     []SentMessage

	typ, title, inviteLink string
	members                int
	// photos are the user's profile photos, newest first.
	photos [][]PhotoSize
	// reactions are each user's reactions by message.
	reactions map[int64]map[int64][]ReactionType

	blocked, notFound, kicked bool
	rate, fail                failure
}

// chat returns the state of chat id, creating it; s.mu is held.
func (s *Server) chat(id int64) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{id: id, user: User{ID: id, FirstName: "User"}, messages: map[int64]*Message{}, typ: "private",
			members: 2, reactions: map[int64]map[int64][]ReactionType{}}
		s.chats[id] = c
	}
	return c
}

// nextID is the chat's next message id: both sides share the sequence.
func (c *chatState) nextID() int64 {
	c.lastID++
	return c.lastID
}

func (c *chatState) info() Chat {
	if c.typ != "private" {
		return Chat{ID: c.id, Type: c.typ, Title: c.title}
	}
	return Chat{ID: c.id, Type: "private", FirstName: c.user.FirstName, LastName: c.user.LastName, Username: c.user.Username}
}

// snapshot copies m for an answer or an update, with the message it
// replies to (Telegram does not nest replies further) when withReply.
// Keyboards are never changed in place, so they are shared.
func snapshot(m *Message, withReply bool) *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.ReplyToMessage = nil
	if withReply && m.ReplyToMessage != nil {
		c.ReplyToMessage = snapshot(m.ReplyToMessage, false)
	}
	return &c
}

// signal wakes long polls and webhook delivery; s.mu is held.
func (s *Server) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// enqueue gives u the next update id and queues it; s.mu is held.
func (s *Server) enqueue(u Update) Update {
	u.UpdateID = s.nextUpdate
	s.nextUpdate++
	if s.isAllowed(u) {
		s.queue = append(s.queue, u)
		s.signal()
	}
	return u
}

// isAllowed applies allowed_updates (empty: every kind but the opt-in
// ones, as Telegram does).
func (s *Server) isAllowed(u Update) bool {
	if len(s.allowed) == 0 {
		return !optIn[u.kind()]
	}
	for _, k := range s.allowed {
		if k == u.kind() {
			return true
		}
	}
	return false
}

// UserSends simulates the user of chatID writing text to the bot, and
// returns the queued update.
func (s *Server) UserSends(chatID int64, from User, text string) Update {
	return s.userMessage(chatID, from, 0, text)
}

// UserReplies simulates the user replying to message replyToMessageID of
// the chat (usually one the bot sent), and returns the queued update.
func (s *Server) UserReplies(chatID int64, from User, replyToMessageID int64, text string) Update {
	return s.userMessage(chatID, from, replyToMessageID, text)
}

func (s *Server) userMessage(chatID int64, from User, replyTo int64, text string) Update {
	return s.UserSendsMessage(chatID, from, Inbound{Text: text, ReplyTo: replyTo})
}

// UserSendsMessage simulates the user sending in to chat chatID (their
// private chat with the bot, or a group made by Group), and returns the
// queued update. Files are stored for getFile.
func (s *Server) UserSendsMessage(chatID int64, from User, in Inbound) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	if c.typ == "private" {
		c.user = from
	}
	replyTo := in.ReplyTo
	m := &Message{MessageID: c.nextID(), From: &from, Chat: c.info(), Date: s.now().Unix()}
	s.fill(m, in)
	if replyTo != 0 {
		r := c.messages[replyTo]
		if r == nil {
			s.bugs = append(s.bugs, fmt.Sprintf("UserReplies: chat %d has no message %d", chatID, replyTo))
			r = &Message{MessageID: replyTo, Chat: c.info(), Date: m.Date}
		}
		m.ReplyToMessage = r
	}
	c.messages[m.MessageID] = m
	return s.enqueue(Update{Message: snapshot(m, true)})
}

// UserPresses simulates the user pressing a callback button carrying data
// under message messageID of the chat, and returns the queued update. The
// callback query carries the message as it is now (an inaccessible
// message when the fake does not know it).
func (s *Server) UserPresses(chatID int64, from User, messageID int64, data string) Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	c.user = from
	m := snapshot(c.messages[messageID], true)
	if m == nil {
		m = &Message{MessageID: messageID, Chat: c.info(), Date: 0} // InaccessibleMessage
	}
	id := strconv.FormatInt(s.nextQuery, 10)
	s.nextQuery++
	s.queries[id] = true
	q := &CallbackQuery{ID: id, From: from, Message: m, ChatInstance: strconv.FormatInt(-chatID*7919, 10), Data: data}
	return s.enqueue(Update{CallbackQuery: q})
}

// Sent lists the messages the bot sent to chatID, oldest first.
func (s *Server) Sent(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return append([]SentMessage(nil), c.sent...)
	}
	return nil
}

// Answers lists the answerCallbackQuery calls, oldest first.
func (s *Server) Answers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// Block makes calls to chatID answer 403 "Forbidden: bot was blocked by
// the user", as after the user blocked the bot.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chatID).blocked = true
}

// ChatNotFound makes calls to chatID answer 400 "Bad Request: chat not found".
func (s *Server) ChatNotFound(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chatID).notFound = true
}

// RateLimit answers the next n calls to chatID with 429 "Too Many
// Requests: retry after N" and parameters.retry_after N.
func (s *Server) RateLimit(chatID int64, retryAfterSeconds, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chatID).rate = failure{status: http.StatusTooManyRequests, retryAfter: retryAfterSeconds, n: n}
}

// Fail answers the next n calls to chatID with status (such as 500).
func (s *Server) Fail(chatID int64, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chatID).fail = failure{status: status, n: n}
}

// programmed is the programmed answer for a call, if any: per method
// first, then per chat for calls with a chat_id.
func (s *Server) programmed(method string, p params) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.methodFails[method]; f != nil && f.n > 0 {
		f.n--
		return failureError(*f)
	}
	id, ok := p.int64("chat_id")
	if !ok {
		return nil
	}
	c := s.chats[id]
	switch {
	case c == nil:
		return nil
	case c.notFound:
		return badRequest("chat not found")
	case c.blocked:
		return &apiError{status: http.StatusForbidden, description: "Forbidden: bot was blocked by the user"}
	case c.kicked:
		return &apiError{status: http.StatusForbidden, description: "Forbidden: bot was kicked from the " + c.typ + " chat"}
	case c.rate.n > 0:
		c.rate.n--
		return failureError(c.rate)
	case c.fail.n > 0:
		c.fail.n--
		return failureError(c.fail)
	}
	return nil
}

func failureError(f failure) *apiError {
	switch {
	case f.status == http.StatusTooManyRequests:
		return &apiError{status: f.status, retryAfter: f.retryAfter,
			description: "Too Many Requests: retry after " + strconv.Itoa(f.retryAfter)}
	case f.status == http.StatusBadRequest:
		return badRequest("simulated failure")
	}
	return &apiError{status: f.status, description: http.StatusText(f.status)}
}
