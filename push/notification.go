package push

import (
	"context"
	"slices"
	"sync"

	"github.com/switchboardhq/switchboard/models"
)

// notification is what delivery d of alert a carries to its member.
func (g *Gateway) notification(a *models.Alert, d *models.Delivery, m *models.Member) *Notification {
	n := &Notification{AlertID: a.ID, Event: a.Event, ConversationID: a.ConversationID, SubscriberName: a.SubscriberName,
		Channel: a.Channel, BotName: a.BotName, Preview: a.Preview, Badge: d.Badge, Silent: a.Event == models.EventBadge,
		CollapseKey: CollapseKey(a), URL: g.cfg.ChatURL(a.ConversationID), Expires: a.ExpiresAt}
	if d.Event != "" {
		n.Event = d.Event
	}
	if n.Silent {
		n.URL = ""
	}
	if a.BotID != "" {
		n.BotID, n.SubscriberName = a.BotID, BotBrokenTitle
	}
	if m != nil {
		n.Email, n.MemberName = m.Email, m.Name
	}
	return n
}

// CollapseKey is the provider dedupe key of an alert: one per chat, so an
// alert repeated (a retry after a timeout that did arrive) or superseded
// by the chat's next alert replaces the previous one on the device; badge
// updates share one key per member device; an alert about a bot has one
// per bot, so a badge update never replaces it.
func CollapseKey(a *models.Alert) string {
	if a.BotID != "" {
		return "bot-" + a.BotID
	}
	if a.Event == models.EventBadge || a.ConversationID == "" {
		return "badge"
	}
	return "chat-" + a.ConversationID
}

// unread is what a badge is counted from: the chats with unread subscriber
// messages, and who follows each.
type unread []models.ConversationTally

// of is member m's badge: the unread chats they see (a follower sees the
// chats they follow).
func (u unread) of(m *models.Member, id string) int {
	n := 0
	for _, t := range u {
		if m == nil || m.Role != models.RoleFollower || slices.Contains(t.Followers, id) {
			n += int(t.Chats())
		}
	}
	return n
}

// wsReads are the reads of a workspace that every batch of one listing
// shares: its unread chats (for the badges) and its members. Batches
// started together read them once; a later listing reads them afresh.
type wsReads struct {
	mu sync.Mutex
	ws map[string]*wsRead
}

type wsRead struct {
	once    sync.Once
	unread  unread
	members map[string]*models.Member
	err     error
}

func newWSReads() *wsReads { return &wsReads{ws: map[string]*wsRead{}} }

// of returns ws's unread chats and members, reading them on first use.
func (r *wsReads) of(ctx context.Context, g *Gateway, ws string) (*wsRead, error) {
	r.mu.Lock()
	w := r.ws[ws]
	if w == nil {
		w = &wsRead{}
		r.ws[ws] = w
	}
	r.mu.Unlock()
	w.once.Do(func() {
		t, err := g.st.Conversations.ConversationTallies(ctx, ws, models.ConversationFilter{UnreadOnly: true})
		if err != nil {
			w.err = err
			return
		}
		list, _, err := g.st.Members.Members(ctx, ws, models.MemberFilter{Page: models.Page{Limit: 100_000}})
		if err != nil {
			w.err = err
			return
		}
		w.unread, w.members = unread(t), make(map[string]*models.Member, len(list))
		for _, m := range list {
			w.members[m.ID] = m
		}
	})
	return w, w.err
}
