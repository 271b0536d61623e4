package conformance

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// runConversationUpdates checks every field of models.ConversationUpdate,
// the sequences the writes take and ExpectStatus.
func runConversationUpdates(t *testing.T, f *fixture) {
	s := f.s
	t.Run("update sets every field", func(t *testing.T) {
		w := ws()
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "ensure")
		at := f.clock.tick()
		later := at.Add(time.Minute)
		links := []models.Link{{Kind: "task", Ref: "T-1", Title: "Fix"}}
		up, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{Status: ptr(models.StatusOpen),
			SubscriberName: ptr("Ann LEE"), AssigneeID: ptr("m1"), Followers: &[]string{"m2", "m1"}, Tags: &[]string{"b", "a"},
			MutedBy: &[]string{"m2"}, Unread: ptr(true), UnreadCount: ptr(3), LastMessagePreview: ptr("hi"),
			LastMessageAt: &at, LastInboundAt: &at, StartedAt: &at, EverOpened: ptr(true), WelcomedAt: &at,
			Links: &links, Activity: &later})
		ok(t, err, "update")
		rises(t, c.Seq, up.Seq, "update")
		stamped(t, up.Stamp, w, at, false, "update")
		f.logged(t, w, models.TableConversations, c.ID, up.Seq, false)
		f.highest(t, w, up.Seq)
		for _, got := range []*models.Conversation{up, read(t, s, w, c.ID)} {
			if got.Status != models.StatusOpen || got.SubscriberName != "Ann LEE" || got.NameKey != "ann lee" || got.AssigneeID != "m1" ||
				sprint(got.Followers) != "[m2 m1]" || sprint(got.Tags) != "[b a]" || sprint(got.MutedBy) != "[m2]" || !got.Unread ||
				got.UnreadCount != 3 || got.LastMessagePreview != "hi" || !eqTime(got.LastMessageAt, at) || !eqTime(got.LastInboundAt, at) ||
				!eqTime(got.StartedAt, at) || !eqTime(got.WelcomedAt, at) || !got.EverOpened || len(got.Links) != 1 ||
				got.Links[0] != links[0] || !got.Activity.Equal(later) || got.Stamp != up.Stamp || !got.CreatedAt.Equal(c.CreatedAt) {
				t.Fatalf("updated %+v", got)
			}
		}
		// An empty assignee unassigns; the other fields stay.
		un, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AssigneeID: ptr("")})
		ok(t, err, "unassign")
		if un.AssigneeID != "" || un.Status != models.StatusOpen || sprint(un.Tags) != "[b a]" || un.UnreadCount != 3 {
			t.Fatalf("unassigned %+v", un)
		}
		rises(t, up.Seq, un.Seq, "unassign")
	})

	t.Run("followers record their sequence", func(t *testing.T) {
		w := ws()
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "ensure")
		a, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddFollower: "m1"})
		ok(t, err, "follow")
		b, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddFollower: "m2"})
		ok(t, err, "follow")
		again, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddFollower: "m1"})
		ok(t, err, "follow again")
		if sprint(again.Followers) != "[m1 m2]" || again.FollowSeq["m1"] != again.Seq || again.FollowSeq["m2"] != b.Seq || a.FollowSeq["m1"] != a.Seq {
			t.Fatalf("followers %v, follow sequences %v (writes %d, %d, %d)", again.Followers, again.FollowSeq, a.Seq, b.Seq, again.Seq)
		}
		rm, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{RemoveFollower: "m1"})
		ok(t, err, "unfollow")
		got := read(t, s, w, c.ID)
		if sprint(got.Followers) != "[m2]" || got.FollowSeq["m1"] != rm.Seq || got.FollowSeq["m2"] != b.Seq {
			t.Fatalf("after unfollowing: followers %v, follow sequences %v, want [m2], m1 at %d", got.Followers, got.FollowSeq, rm.Seq)
		}
		f.logged(t, w, models.TableConversations, c.ID, rm.Seq, false)
		for member, want := range map[string]string{"m1": "", "m2": c.ID} {
			list, _, err := s.Conversations(ctx, w, models.ConversationFilter{FollowerID: member, Page: models.Page{Limit: 10}})
			ok(t, err, "followed by "+member)
			if ids(list, convID) != sprint(nonEmpty(want)) {
				t.Fatalf("followed by %s: %s, want %v", member, ids(list, convID), nonEmpty(want))
			}
		}
	})

	t.Run("unread counts and mark read", func(t *testing.T) {
		w := ws()
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "ensure")
		for range 2 {
			_, err = s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{AddUnread: true})
			ok(t, err, "add unread")
		}
		got := read(t, s, w, c.ID)
		if !got.Unread || got.UnreadCount != 2 || got.ReadSeq != 0 {
			t.Fatalf("after two messages %+v, want unread, 2, never read", got)
		}
		r, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{MarkRead: true})
		ok(t, err, "mark read")
		if r.Unread || r.UnreadCount != 0 || r.ReadSeq != r.Seq || read(t, s, w, c.ID).ReadSeq != r.Seq {
			t.Fatalf("marked read %+v, want read, 0, the read sequence %d", r, r.Seq)
		}
		f.logged(t, w, models.TableConversations, c.ID, r.Seq, false)
	})

	t.Run("expect status refuses", func(t *testing.T) {
		w := ws()
		c, _, err := s.EnsureConversation(ctx, chat(w, "1", "Ann"))
		ok(t, err, "ensure")
		up, err := s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{Status: ptr(models.StatusClosed),
			ExpectStatus: models.StatusOpen, AddUnread: true})
		notFound(t, up, err, "close an idle chat expected open")
		f.highest(t, w, c.Seq)
		if got := read(t, s, w, c.ID); got.Status != models.StatusIdle || got.Unread || got.Seq != c.Seq {
			t.Fatalf("after a refused update %+v, want it unchanged", got)
		}
		up, err = s.UpdateConversation(ctx, w, c.ID, models.ConversationUpdate{Status: ptr(models.StatusOpen), ExpectStatus: models.StatusIdle})
		ok(t, err, "open an idle chat expected idle")
		if up.Status != models.StatusOpen {
			t.Fatalf("opened %+v", up)
		}
		f.logged(t, w, models.TableConversations, c.ID, up.Seq, false)
	})
}

func read(t *testing.T, s Store, ws, id string) *models.Conversation {
	t.Helper()
	c, err := s.Conversation(ctx, ws, id)
	ok(t, err, "read")
	return c
}

func eqTime(p *time.Time, t time.Time) bool { return p != nil && p.Equal(t) }

// nonEmpty is the list of the one id, or no id.
func nonEmpty(id string) []string {
	if id == "" {
		return []string{}
	}
	return []string{id}
}
