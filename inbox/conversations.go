package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// timeline records an event in the chat's history: who did what, and when.
func (s *Service) timeline(ctx context.Context, c *models.Conversation, event, by, target string, at time.Time, key string) error {
	id := models.NewID()
	if key != "" {
		id = eventMessageID(c.WS, c.BotID, key, "timeline:"+event)
	}
	m := &models.Message{ID: id, ConversationID: c.ID, SubscriberID: c.SubscriberID, BotID: c.BotID,
		Sender: models.SenderSystem, Kind: models.KindEvent, Event: event, AuthorID: by, Target: target, CreatedAt: at}
	err := s.st.Messages.CreateMessage(ctx, c.WS, m)
	if models.ErrorCode(err) == models.CodeConflict {
		return nil // recorded by an earlier delivery of the same event
	}
	return err
}

// ensureConversation returns the subscriber's chat, creating it idle, and
// keeps its copy of the subscriber's name current.
func (s *Service) ensureConversation(ctx context.Context, bot *models.Bot, sub *models.Subscriber) (*models.Conversation, error) {
	c, _, err := s.st.Conversations.EnsureConversation(ctx, &models.Conversation{ID: models.ConversationID(sub.ID),
		BotID: bot.ID, SubscriberID: sub.ID, Channel: bot.Channel, Status: models.StatusIdle,
		SubscriberName: sub.Name, Stamp: models.Stamp{WS: bot.WS}})
	if err != nil || c.SubscriberName == sub.Name {
		return c, err
	}
	return s.st.Conversations.UpdateConversation(ctx, bot.WS, c.ID, models.ConversationUpdate{SubscriberName: &sub.Name})
}

// nextManager takes the next active admin or employee of the bot's queue,
// round-robin, and moves the queue on; "" when nobody qualifies.
func (s *Service) nextManager(ctx context.Context, bot *models.Bot) (string, error) {
	n := len(bot.Queue)
	for i := 0; i < n; i++ {
		idx := (bot.QueueNext + i) % n
		m, err := s.st.Members.Member(ctx, bot.WS, bot.Queue[idx])
		if models.IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		if m.Status != models.MemberActive || !m.Role.CanHandleChats() {
			continue
		}
		next := (idx + 1) % n
		if _, err := s.st.Bots.UpdateBot(ctx, bot.WS, bot.ID, models.BotUpdate{QueueNext: &next}); err != nil {
			return "", err
		}
		bot.QueueNext = next
		return m.ID, nil
	}
	return "", nil
}

// openChat opens an idle chat: the first time it goes to the next manager
// of the bot's queue; the bot's auto-reply is queued.
func (s *Service) openChat(ctx context.Context, bot *models.Bot, sub *models.Subscriber, c *models.Conversation,
	by string, at time.Time, onReply func(*models.Message), key string) error {
	upd := models.ConversationUpdate{Status: ptr(models.StatusOpen), StartedAt: &at, Activity: &at, ExpectStatus: models.StatusIdle}
	assignee := c.AssigneeID
	if !c.EverOpened {
		upd.EverOpened = ptr(true)
		if assignee == "" {
			id, err := s.nextManager(ctx, bot)
			if err != nil {
				return err
			}
			if id != "" {
				assignee, upd.AssigneeID = id, &id
			}
		}
	}
	conv, err := s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID, upd)
	if models.IsNotFound(err) {
		return nil // opened meanwhile
	}
	if err != nil {
		return err
	}
	*c = *conv
	if err := s.timeline(ctx, c, "opened", by, "", at, key); err != nil {
		return err
	}
	if upd.AssigneeID != nil {
		if err := s.timeline(ctx, c, "assigned", by, assignee, at, key); err != nil {
			return err
		}
	}
	if upd.EverOpened != nil {
		if err := s.autoDeal(ctx, bot, sub, c); err != nil {
			return err
		}
	}
	return s.autoReply(ctx, bot, sub, c, at, onReply, key)
}

// reopen reopens a closed chat; it stays with the same manager.
func (s *Service) reopen(ctx context.Context, bot *models.Bot, sub *models.Subscriber, c *models.Conversation,
	by string, at time.Time, key string, onReply func(*models.Message)) (*models.Conversation, error) {
	conv, err := s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID,
		models.ConversationUpdate{Status: ptr(models.StatusOpen), Activity: &at, ExpectStatus: models.StatusClosed})
	if models.IsNotFound(err) {
		return c, nil // reopened meanwhile
	}
	if err != nil {
		return nil, err
	}
	if err := s.timeline(ctx, conv, "reopened", by, "", at, key); err != nil {
		return nil, err
	}
	return conv, s.autoReply(ctx, bot, sub, conv, at, onReply, key)
}

// autoReply queues the bot's auto-reply for a new or reopened chat.
func (s *Service) autoReply(ctx context.Context, bot *models.Bot, sub *models.Subscriber, c *models.Conversation,
	at time.Time, onReply func(*models.Message), key string) error {
	if bot.AutoReply == "" || sub.Disabled {
		return nil
	}
	id := models.NewID()
	if key != "" {
		id = eventMessageID(c.WS, c.BotID, key, "auto-reply")
	}
	m := &models.Message{ID: id, ConversationID: c.ID, SubscriberID: c.SubscriberID, BotID: c.BotID,
		Sender: models.SenderBot, Kind: models.KindText, Text: bot.AutoReply, Status: models.DeliveryQueued, CreatedAt: at}
	err := s.st.Messages.CreateMessage(ctx, c.WS, m)
	if models.ErrorCode(err) == models.CodeConflict {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.countMessage(ctx, c.WS, m); err != nil {
		return err
	}
	if onReply != nil {
		onReply(m)
	}
	_, err = s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID, models.ConversationUpdate{
		LastMessagePreview: ptr(Preview(m)), LastMessageAt: &at, Activity: &at})
	return err
}

// ListInput selects chats: a tab (open, closed, all) or an agent group, and filters.
type ListInput struct {
	Tab        string // open, closed or all
	Group      models.Group
	BotID      string
	Channel    models.Channel
	Tag        string
	AssigneeID string
	Search     string
	Page       models.Page
}

// filter turns a tab or group into a store filter for the caller.
func filterFor(p models.Principal, in ListInput) models.ConversationFilter {
	f := models.ConversationFilter{BotID: in.BotID, Channel: in.Channel, Tag: in.Tag, NamePrefix: in.Search, Page: in.Page}
	switch in.Tab {
	case "open":
		f.Statuses = []models.ConversationStatus{models.StatusOpen}
	case "closed":
		f.Statuses = []models.ConversationStatus{models.StatusClosed}
	}
	switch in.Group {
	case models.GroupMine:
		f.Statuses, f.AssigneeID = []models.ConversationStatus{models.StatusOpen}, &p.MemberID
	case models.GroupUnassigned:
		f.Statuses, f.AssigneeID = []models.ConversationStatus{models.StatusOpen}, ptr("")
	case models.GroupOthers:
		f.Statuses, f.NotAssignee = []models.ConversationStatus{models.StatusOpen}, p.MemberID
	case models.GroupClosed:
		f.Statuses = []models.ConversationStatus{models.StatusClosed}
	}
	if in.AssigneeID != "" {
		f.AssigneeID = &in.AssigneeID
	}
	if p.Role == models.RoleFollower {
		f.FollowerID = p.MemberID
	}
	return f
}

// Conversations lists the chats the caller may see, newest activity first.
func (s *Service) Conversations(ctx context.Context, p models.Principal, in ListInput) ([]*models.Conversation, string, error) {
	if !p.IsMember() {
		return nil, "", forbidden("list chats (use a member's token)")
	}
	return s.st.Conversations.Conversations(ctx, p.WS, filterFor(p, in))
}

// Counts are the sizes of the tabs and groups for the caller, and the badge.
type Counts struct {
	Open, Closed, All        int64
	Mine, Unassigned, Others int64
	Badge                    int64 // chats with unread subscriber messages
}

// Counts sizes every tab and group the caller sees, from one query that
// returns each visible chat's status, assignee and unread flag.
func (s *Service) Counts(ctx context.Context, p models.Principal) (*Counts, error) {
	if !p.IsMember() {
		return nil, forbidden("count chats (use a member's token)")
	}
	tallies, err := s.st.Conversations.ConversationTallies(ctx, p.WS, filterFor(p, ListInput{Tab: "all"}))
	if err != nil {
		return nil, err
	}
	var c Counts
	for _, t := range tallies {
		c.All++
		if t.Unread {
			c.Badge++
		}
		switch t.Status {
		case models.StatusClosed:
			c.Closed++
		case models.StatusOpen:
			c.Open++
			switch t.AssigneeID {
			case "":
				c.Unassigned++
			case p.MemberID:
				c.Mine++
			default:
				c.Others++
			}
		}
	}
	return &c, nil
}

// Conversation returns a chat the caller may see.
func (s *Service) Conversation(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	return s.conversation(ctx, p, id)
}

// OpenManually opens the subscriber's chat by an agent's hand.
func (s *Service) OpenManually(ctx context.Context, p models.Principal, subscriberID string) (*models.Conversation, error) {
	if err := requireAgent(p, "open chats"); err != nil {
		return nil, err
	}
	sub, err := s.st.Subscribers.Subscriber(ctx, p.WS, subscriberID)
	if err != nil {
		return nil, err
	}
	bot, err := s.st.Bots.Bot(ctx, p.WS, sub.BotID)
	if err != nil {
		return nil, err
	}
	c, err := s.ensureConversation(ctx, bot, sub)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	switch c.Status {
	case models.StatusIdle:
		err = s.openChat(ctx, bot, sub, c, p.MemberID, now, nil, "")
	case models.StatusClosed:
		c, err = s.reopen(ctx, bot, sub, c, p.MemberID, now, "", nil)
	}
	if err != nil {
		return nil, err
	}
	return s.st.Conversations.Conversation(ctx, p.WS, c.ID)
}

// Close closes an open chat.
func (s *Service) Close(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	if err := requireAgent(p, "close chats"); err != nil {
		return nil, err
	}
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status != models.StatusOpen {
		return nil, models.Errorf(models.CodeConflict, "only an open chat can be closed (this one is %s)", c.Status)
	}
	now := s.now().UTC()
	conv, err := s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{Status: ptr(models.StatusClosed), ExpectStatus: models.StatusOpen})
	if err != nil {
		return nil, err
	}
	return conv, s.timeline(ctx, conv, "closed", p.MemberID, "", now, "")
}

// Reopen reopens a closed chat by an agent's hand, with the same manager.
func (s *Service) Reopen(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	if err := requireAgent(p, "reopen chats"); err != nil {
		return nil, err
	}
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status != models.StatusClosed {
		return nil, models.Errorf(models.CodeConflict, "only a closed chat can be reopened (this one is %s)", c.Status)
	}
	bot, err := s.st.Bots.Bot(ctx, p.WS, c.BotID)
	if err != nil {
		return nil, err
	}
	sub, err := s.st.Subscribers.Subscriber(ctx, p.WS, c.SubscriberID)
	if err != nil {
		return nil, err
	}
	return s.reopen(ctx, bot, sub, c, p.MemberID, s.now().UTC(), "", nil)
}

// MarkRead clears the chat's red dot. Followers may mark what they see.
func (s *Service) MarkRead(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !c.Unread && c.UnreadCount == 0 {
		return c, nil // already read: no write, no badge update
	}
	return s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{MarkRead: true})
}

// Assign gives the chat to an admin or employee; "" unassigns.
func (s *Service) Assign(ctx context.Context, p models.Principal, id, memberID string) (*models.Conversation, error) {
	if err := requireAgent(p, "assign chats"); err != nil {
		return nil, err
	}
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if memberID != "" {
		m, err := s.st.Members.Member(ctx, p.WS, memberID)
		if models.IsNotFound(err) {
			return nil, models.Invalid("bad assignee", models.FieldError{Field: "member_id", Message: "is not a member of this workspace"})
		}
		if err != nil {
			return nil, err
		}
		if !m.Role.CanHandleChats() || m.Status != models.MemberActive {
			return nil, models.Invalid("bad assignee", models.FieldError{Field: "member_id", Message: "must be an active admin or employee"})
		}
	}
	if c.AssigneeID == memberID {
		return c, nil
	}
	conv, err := s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{AssigneeID: &memberID})
	if err != nil {
		return nil, err
	}
	event, target := "assigned", memberID
	if memberID == "" {
		event, target = "unassigned", c.AssigneeID
	}
	return conv, s.timeline(ctx, conv, event, p.MemberID, target, s.now().UTC(), "")
}

// SetFollower adds or removes a follower (any member of the workspace).
func (s *Service) SetFollower(ctx context.Context, p models.Principal, id, memberID string, follow bool) (*models.Conversation, error) {
	if err := requireAgent(p, "change followers"); err != nil {
		return nil, err
	}
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.st.Members.Member(ctx, p.WS, memberID); err != nil {
		return nil, err
	}
	if _, changed := setMember(c.Followers, memberID, follow); !changed {
		return c, nil
	}
	// In place: two changes at once must not drop one another.
	upd := models.ConversationUpdate{AddFollower: memberID}
	if !follow {
		upd = models.ConversationUpdate{RemoveFollower: memberID}
	}
	conv, err := s.st.Conversations.UpdateConversation(ctx, p.WS, id, upd)
	if err != nil {
		return nil, err
	}
	event := "follower_added"
	if !follow {
		event = "follower_removed"
	}
	return conv, s.timeline(ctx, conv, event, p.MemberID, memberID, s.now().UTC(), "")
}

// SetTags replaces the chat's tags.
func (s *Service) SetTags(ctx context.Context, p models.Principal, id string, tags []string) (*models.Conversation, error) {
	if err := requireAgent(p, "tag chats"); err != nil {
		return nil, err
	}
	if _, err := s.conversation(ctx, p, id); err != nil {
		return nil, err
	}
	return s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{Tags: &tags})
}

// SetMuted turns the caller's notifications for this chat off or on.
func (s *Service) SetMuted(ctx context.Context, p models.Principal, id string, muted bool) (*models.Conversation, error) {
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.IsMember() {
		return nil, forbidden("mute chats (use a member's token)")
	}
	list, changed := setMember(c.MutedBy, p.MemberID, muted)
	if !changed {
		return c, nil
	}
	return s.st.Conversations.UpdateConversation(ctx, p.WS, id, models.ConversationUpdate{MutedBy: &list})
}

// setMember adds or removes id from list, reporting whether it changed.
func setMember(list []string, id string, present bool) ([]string, bool) {
	out := make([]string, 0, len(list)+1)
	found := false
	for _, x := range list {
		if x == id {
			found = true
			if !present {
				continue
			}
		}
		out = append(out, x)
	}
	if present && !found {
		out = append(out, id)
	}
	return out, found != present
}
