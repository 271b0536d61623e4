package inbox

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// ensureConversation returns the subscriber's chat, creating it idle, and
// keeps its copy of the subscriber's name current. A chat created for an
// event records the welcome of the new subscriber as pending (welcome not
// nil): chats are created with their subscriber's first event.
func (s *Service) ensureConversation(ctx context.Context, bot *models.Bot, sub *models.Subscriber, welcome *models.PendingOp, r *opRun) (*models.Conversation, error) {
	fresh := &models.Conversation{ID: models.ConversationID(sub.ID),
		BotID: bot.ID, SubscriberID: sub.ID, Channel: bot.Channel, Status: models.StatusIdle,
		SubscriberName: sub.Name, Stamp: models.Stamp{WS: bot.WS}}
	if welcome != nil {
		welcome.At = welcome.At.UTC().Truncate(time.Millisecond)
		fresh.Pending, fresh.PendingN = map[string]*models.PendingOp{welcome.ID: welcome}, 1
		fresh.WelcomedAt = &sub.CreatedAt
	}
	c, created, err := s.st.Conversations.EnsureConversation(ctx, fresh)
	if err != nil {
		return nil, err
	}
	if created {
		if err := s.after("conversation:created"); err != nil {
			return nil, err
		}
	}
	upd := models.ConversationUpdate{}
	if c.SubscriberName != sub.Name {
		upd.SubscriberName = &sub.Name
	}
	// A subscriber record newer than the chat (one deleted who came back)
	// and not welcomed yet is welcomed now, in the same write.
	if welcome != nil && !created && sub.CreatedAt.After(c.CreatedAt) && (c.WelcomedAt == nil || !c.WelcomedAt.Equal(sub.CreatedAt)) {
		upd.WelcomedAt = &sub.CreatedAt
		welcome.ID = opID(welcome.ID, sub.CreatedAt.Format(time.RFC3339Nano))
		return s.begin(ctx, c, welcome, upd, r)
	}
	if upd.SubscriberName == nil {
		return c, nil
	}
	return s.st.Conversations.UpdateConversation(ctx, bot.WS, c.ID, upd)
}

// nextManager picks the next active admin or employee of the bot's
// queue, round-robin: their id and where the queue moves (from, to); ""
// when nobody qualifies. Moving the queue is a step of the opening.
func (s *Service) nextManager(ctx context.Context, bot *models.Bot) (id string, from, to int, err error) {
	n := len(bot.Queue)
	for i := 0; i < n; i++ {
		idx := (bot.QueueNext + i) % n
		m, err := s.st.Members.Member(ctx, bot.WS, bot.Queue[idx])
		if models.IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", 0, 0, err
		}
		if m.Status != models.MemberActive || !m.Role.CanHandleChats() {
			continue
		}
		return m.ID, bot.QueueNext, (idx + 1) % n, nil
	}
	return "", 0, 0, nil
}

// openChat opens an idle chat: the first time it goes to the next manager
// of the bot's queue and may make a deal; the bot's auto-reply is queued.
// eventID names the event it comes from ("" for an agent's request). A
// chat that is no longer idle is returned as it is.
func (s *Service) openChat(ctx context.Context, bot *models.Bot, c *models.Conversation, by string, at time.Time, eventID string, r *opRun) (*models.Conversation, error) {
	op := &models.PendingOp{ID: models.NewID(), Kind: models.OpOpen, Actor: by, At: at, Event: eventID}
	if eventID != "" {
		op.ID = opID(c.WS, bot.ID, eventID, string(models.OpOpen))
	}
	upd := models.ConversationUpdate{Status: ptr(models.StatusOpen), StartedAt: &at, Activity: &at, ExpectStatus: models.StatusIdle}
	if !c.EverOpened {
		upd.EverOpened, op.First = ptr(true), true
		if c.AssigneeID == "" {
			id, from, to, err := s.nextManager(ctx, bot)
			if err != nil {
				return nil, err
			}
			if id != "" {
				upd.AssigneeID = &id
				op.Assigned, op.Target, op.QueueFrom, op.QueueTo, op.QueueMoves = true, id, from, to, bot.QueueMoves
			}
		}
	}
	conv, err := s.begin(ctx, c, op, upd, r)
	if models.IsNotFound(err) {
		return s.st.Conversations.Conversation(ctx, c.WS, c.ID) // opened meanwhile
	}
	return conv, err
}

// reopenChat reopens a closed chat; it stays with the same manager. A chat
// that is no longer closed is returned as it is.
func (s *Service) reopenChat(ctx context.Context, bot *models.Bot, c *models.Conversation, by string, at time.Time, eventID string, r *opRun) (*models.Conversation, error) {
	op := &models.PendingOp{ID: models.NewID(), Kind: models.OpReopen, Actor: by, At: at, Event: eventID}
	if eventID != "" {
		op.ID = opID(c.WS, bot.ID, eventID, string(models.OpReopen))
	}
	conv, err := s.begin(ctx, c, op, models.ConversationUpdate{Status: ptr(models.StatusOpen), Activity: &at, ExpectStatus: models.StatusClosed}, r)
	if models.IsNotFound(err) {
		return s.st.Conversations.Conversation(ctx, c.WS, c.ID) // reopened meanwhile
	}
	return conv, err
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
		n := t.Chats()
		c.All += n
		if t.Unread {
			c.Badge += n
		}
		switch t.Status {
		case models.StatusClosed:
			c.Closed += n
		case models.StatusOpen:
			c.Open += n
			switch t.AssigneeID {
			case "":
				c.Unassigned += n
			case p.MemberID:
				c.Mine += n
			default:
				c.Others += n
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
	r := &opRun{bot: bot, sub: sub}
	c, err := s.ensureConversation(ctx, bot, sub, nil, r)
	if err != nil {
		return nil, err
	}
	if c, err = s.settle(ctx, c, r); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	switch c.Status {
	case models.StatusIdle:
		return s.openChat(ctx, bot, c, p.MemberID, now, "", r)
	case models.StatusClosed:
		return s.reopenChat(ctx, bot, c, p.MemberID, now, "", r)
	}
	return c, nil
}

// Close closes an open chat. A retry of a close that died half-way
// finishes it and answers as the first attempt would have.
func (s *Service) Close(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	if err := requireAgent(p, "close chats"); err != nil {
		return nil, err
	}
	c, r, err := s.settled(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == models.StatusClosed && r.finished(models.OpClose, p.MemberID) {
		return c, nil
	}
	if c.Status != models.StatusOpen {
		return nil, models.Errorf(models.CodeConflict, "only an open chat can be closed (this one is %s)", c.Status)
	}
	op := &models.PendingOp{ID: models.NewID(), Kind: models.OpClose, Actor: p.MemberID, At: s.now()}
	return s.begin(ctx, c, op, models.ConversationUpdate{Status: ptr(models.StatusClosed), ExpectStatus: models.StatusOpen}, r)
}

// Reopen reopens a closed chat by an agent's hand, with the same manager.
// A retry of a reopening that died half-way finishes it.
func (s *Service) Reopen(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
	if err := requireAgent(p, "reopen chats"); err != nil {
		return nil, err
	}
	c, r, err := s.settled(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.Status == models.StatusOpen && r.finished(models.OpReopen, p.MemberID) {
		return c, nil
	}
	if c.Status != models.StatusClosed {
		return nil, models.Errorf(models.CodeConflict, "only a closed chat can be reopened (this one is %s)", c.Status)
	}
	bot, err := s.runBot(ctx, c, r)
	if err != nil {
		return nil, err
	}
	return s.reopenChat(ctx, bot, c, p.MemberID, s.now().UTC(), "", r)
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
	c, r, err := s.settled(ctx, p, id)
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
	op := &models.PendingOp{ID: models.NewID(), Kind: models.OpAssign, Actor: p.MemberID, Target: memberID, At: s.now()}
	if memberID == "" {
		op.Kind, op.Target = models.OpUnassign, c.AssigneeID
	}
	return s.begin(ctx, c, op, models.ConversationUpdate{AssigneeID: &memberID}, r)
}

// SetFollower adds or removes a follower (any member of the workspace).
func (s *Service) SetFollower(ctx context.Context, p models.Principal, id, memberID string, follow bool) (*models.Conversation, error) {
	if err := requireAgent(p, "change followers"); err != nil {
		return nil, err
	}
	c, r, err := s.settled(ctx, p, id)
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
	op := &models.PendingOp{ID: models.NewID(), Kind: models.OpFollow, Actor: p.MemberID, Target: memberID, At: s.now()}
	if !follow {
		upd = models.ConversationUpdate{RemoveFollower: memberID}
		op.Kind = models.OpUnfollow
	}
	return s.begin(ctx, c, op, upd, r)
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
