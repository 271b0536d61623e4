package push

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func member(id string, role models.Role, status models.MemberStatus) *models.Member {
	return &models.Member{ID: id, Role: role, Status: status}
}

func TestAudience(t *testing.T) {
	members := map[string]*models.Member{
		"admin":    member("admin", models.RoleAdmin, models.MemberActive),
		"emp":      member("emp", models.RoleEmployee, models.MemberActive),
		"emp2":     member("emp2", models.RoleEmployee, models.MemberActive),
		"follower": member("follower", models.RoleFollower, models.MemberActive),
		"other":    member("other", models.RoleFollower, models.MemberActive),
		"gone":     member("gone", models.RoleEmployee, models.MemberDeactivated),
	}
	type want map[string]models.AlertEvent
	cases := []struct {
		name          string
		ev            models.AlertEvent
		c             models.Conversation
		actor, target string
		want          want
	}{
		{"unassigned new chat: every admin and employee, active only; followers only of chats they follow",
			models.EventNewChat, models.Conversation{}, "", "",
			want{"admin": models.EventNewChat, "emp": models.EventNewChat, "emp2": models.EventNewChat}},
		{"assigned new chat: the assignee and the followers",
			models.EventNewChat, models.Conversation{AssigneeID: "emp", Followers: []string{"follower"}}, "", "",
			want{"emp": models.EventNewChat, "follower": models.EventNewChat}},
		{"never the actor",
			models.EventNewChat, models.Conversation{}, "admin", "",
			want{"emp": models.EventNewChat, "emp2": models.EventNewChat}},
		{"muted chats are respected",
			models.EventNewChat, models.Conversation{MutedBy: []string{"emp2"}}, "", "",
			want{"admin": models.EventNewChat, "emp": models.EventNewChat}},
		{"a deactivated assignee gets nothing",
			models.EventNewChat, models.Conversation{AssigneeID: "gone"}, "", "", want{}},
		{"message: assignee (message) and followers (followed_message)",
			models.EventChatMessage, models.Conversation{AssigneeID: "emp", Followers: []string{"follower", "emp"}}, "", "",
			want{"emp": models.EventChatMessage, "follower": models.EventFollowedMessage}},
		{"message in an unassigned chat: followers only",
			models.EventChatMessage, models.Conversation{Followers: []string{"admin"}}, "", "",
			want{"admin": models.EventFollowedMessage}},
		{"assigned: the target",
			models.EventAssigned, models.Conversation{AssigneeID: "emp2"}, "admin", "emp2", want{"emp2": models.EventAssigned}},
		{"assigned to oneself: nobody",
			models.EventAssigned, models.Conversation{AssigneeID: "emp"}, "emp", "emp", want{}},
		{"a follower-role member cannot be an assignee target",
			models.EventAssigned, models.Conversation{}, "admin", "follower", want{}},
		{"badge: everyone who sees the chat, muted and actor included",
			models.EventBadge, models.Conversation{Followers: []string{"follower"}, MutedBy: []string{"admin"}}, "emp", "",
			want{"admin": models.EventBadge, "emp": models.EventBadge, "emp2": models.EventBadge, "follower": models.EventBadge}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Audience(tc.ev, &tc.c, tc.actor, tc.target, members)
			if !maps.Equal(got, map[string]models.AlertEvent(tc.want)) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveries(t *testing.T) {
	devices := []*models.Device{
		{ID: "a1", MemberID: "a", Kind: models.DeviceFCM},
		{ID: "a2", MemberID: "a", Kind: models.DeviceWebPush},
		{ID: "a3", MemberID: "a", Kind: models.DeviceTelegram},
		{ID: "b1", MemberID: "b", Kind: models.DeviceAPNs},
		{ID: "c1", MemberID: "c", Kind: models.DeviceFCM},
	}
	all := func(Provider) bool { return true }
	noAPNs := func(p Provider) bool { return p != ProviderAPNs }
	prefs := map[string]*models.PushPrefs{"a": {Off: []string{"new_chat:web_push"}}}
	ids := func(ds []models.Delivery) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.DeviceID)
		}
		return out
	}
	cases := []struct {
		name    string
		aud     map[string]models.AlertEvent
		enabled func(Provider) bool
		want    []string
	}{
		{"every device of the audience; preferences respected", map[string]models.AlertEvent{"a": models.EventNewChat, "b": models.EventNewChat}, all, []string{"a1", "a3", "b1"}},
		{"a preference is per event", map[string]models.AlertEvent{"a": models.EventChatMessage}, all, []string{"a1", "a2", "a3"}},
		{"a disabled provider's devices are kept but not sent to", map[string]models.AlertEvent{"b": models.EventNewChat, "c": models.EventNewChat}, noAPNs, []string{"c1"}},
		{"badge updates go to the mobile apps only", map[string]models.AlertEvent{"a": models.EventBadge, "b": models.EventBadge}, all, []string{"a1", "b1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(Deliveries(tc.aud, devices, prefs, tc.enabled)); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	base, max := 2*time.Second, time.Minute
	cases := []struct {
		attempt    int
		retryAfter time.Duration
		r          float64
		want       time.Duration
	}{
		{1, 0, 0, time.Second},                     // half of base, no jitter
		{1, 0, 0.999999, 2 * time.Second},          // up to base
		{3, 0, 0, 4 * time.Second},                 // 8s: half fixed
		{3, 0, 0.5, 6 * time.Second},               // half fixed plus half of the other half
		{10, 0, 1, max},                            // capped
		{1, 30 * time.Second, 0, 30 * time.Second}, // Retry-After wins when longer
		{10, time.Second, 0, 30 * time.Second},     // and not when shorter
	}
	for _, tc := range cases {
		got := Backoff(tc.attempt, base, max, tc.retryAfter, tc.r)
		if d := got - tc.want; d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("Backoff(%d, retryAfter %v, r %v) = %v, want %v", tc.attempt, tc.retryAfter, tc.r, got, tc.want)
		}
	}
}

func TestEventsOf(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	msg := func(id string, m models.Message) *models.Message {
		m.ID, m.ConversationID, m.CreatedAt = id, "c1", at
		return &m
	}
	changes := []models.Change{
		{Seq: 1, Created: true, Record: msg("m1", models.Message{Sender: models.SenderSubscriber, Kind: models.KindText, Text: "hi"})},
		{Seq: 2, Created: true, Record: msg("m2", models.Message{Sender: models.SenderSystem, Kind: models.KindEvent, Event: "opened"})},
		{Seq: 3, Created: true, Record: msg("m3", models.Message{Sender: models.SenderSystem, Kind: models.KindEvent, Event: "assigned", AuthorID: "x", Target: "y"})},
		{Seq: 4, Created: false, Record: msg("m1", models.Message{Sender: models.SenderSubscriber, Kind: models.KindText, Text: "hi"})}, // an update: not an event
		{Seq: 5, Created: true, Record: msg("m4", models.Message{Sender: models.SenderAgent, Kind: models.KindText, Text: "hello"})},    // agents' messages alert nobody
		{Seq: 6, Record: &models.Conversation{ID: "c1", ReadSeq: 6}},
		{Seq: 7, Record: &models.Conversation{ID: "c1", ReadSeq: 6}}, // a later write of a read chat is no read
		{Seq: 8, Created: true, Record: msg("m5", models.Message{Sender: models.SenderSystem, Kind: models.KindEvent, Event: "closed"})},
	}
	var got []string
	for _, e := range eventsOf(changes) {
		got = append(got, string(e.kind)+":"+e.source+":"+e.actor+":"+e.target)
	}
	want := []string{"new_chat:m2::", "assigned:m3:x:y", "message:m1::", "badge:c1@6::"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
