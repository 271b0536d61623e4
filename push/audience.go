package push

import (
	"slices"

	"github.com/switchboardhq/switchboard/models"
)

// Audience returns who an event of chat c alerts, each with the preference
// event that applies to them:
//   - a new chat alerts its assignee, or every admin and employee when it
//     is unassigned, and its followers;
//   - a subscriber message alerts the assignee (message) and the followers
//     (followed_message);
//   - an assignment alerts the member assigned (target);
//   - a badge update goes to everyone who sees the chat.
//
// Only active members are alerted; followers only for chats they follow;
// never the actor, and never a member who muted the chat (badge updates
// excepted: a read chat changes everyone's badge).
func Audience(ev models.AlertEvent, c *models.Conversation, actor, target string, members map[string]*models.Member) map[string]models.AlertEvent {
	out := map[string]models.AlertEvent{}
	add := func(id string, e models.AlertEvent, agentOnly bool) {
		m := members[id]
		if m == nil || m.Status != models.MemberActive || (agentOnly && !m.Role.CanHandleChats()) {
			return
		}
		if _, ok := out[id]; !ok {
			out[id] = e
		}
	}
	switch ev {
	case models.EventNewChat:
		if c.AssigneeID != "" {
			add(c.AssigneeID, ev, true)
		} else {
			for id := range members {
				add(id, ev, true)
			}
		}
		for _, f := range c.Followers {
			add(f, ev, false)
		}
	case models.EventChatMessage:
		if c.AssigneeID != "" {
			add(c.AssigneeID, models.EventChatMessage, true)
		}
		for _, f := range c.Followers {
			add(f, models.EventFollowedMessage, false)
		}
	case models.EventAssigned:
		add(target, ev, true)
	case models.EventBadge:
		for id, m := range members {
			if m.Role.CanHandleChats() || slices.Contains(c.Followers, id) {
				add(id, ev, false)
			}
		}
		return out
	}
	delete(out, actor)
	for _, id := range c.MutedBy {
		delete(out, id)
	}
	return out
}

// Deliveries lists the routes of an alert: each device of each member of
// the audience whose provider is enabled and whose preference allows the
// event. Silent badge updates go to the mobile apps only (FCM, APNs):
// browsers must show every push, and Telegram and email have no badge.
func Deliveries(aud map[string]models.AlertEvent, devices []*models.Device, prefs map[string]*models.PushPrefs, enabled func(Provider) bool) []models.Delivery {
	out := []models.Delivery{}
	for _, d := range devices {
		ev, ok := aud[d.MemberID]
		if !ok || !enabled(Provider(d.Kind)) {
			continue
		}
		if ev == models.EventBadge {
			if d.Kind != models.DeviceFCM && d.Kind != models.DeviceAPNs {
				continue
			}
		} else if !prefs[d.MemberID].Enabled(ev, models.ChannelOf(d.Kind)) {
			continue
		}
		out = append(out, models.Delivery{DeviceID: d.ID, MemberID: d.MemberID, Kind: string(d.Kind), Event: ev, State: models.DeliveryPending})
	}
	return out
}

// EmailDelivery is the route of an alert to a member's email.
func EmailDelivery(memberID string, ev models.AlertEvent) models.Delivery {
	return models.Delivery{DeviceID: "email:" + memberID, MemberID: memberID, Kind: string(ProviderEmail), Event: ev, State: models.DeliveryPending}
}
