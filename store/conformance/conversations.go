package conformance

import (
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// chat is a new chat of workspace ws with the subscriber ext of bot1.
func chat(ws, ext, name string) *models.Conversation {
	sub := models.SubscriberID(ws, "bot1", ext)
	return &models.Conversation{ID: models.ConversationID(sub), BotID: "bot1", SubscriberID: sub, Channel: models.ChannelTelegram,
		Status: models.StatusIdle, SubscriberName: name, Stamp: models.Stamp{WS: ws}}
}

func convID(c *models.Conversation) string { return c.ID }

// RunConversations checks models.ConversationStore.
func RunConversations(t *testing.T, open Open) { runConversations(t, newFixture(t, open)) }

func runConversations(t *testing.T, f *fixture) {
	s := f.s
	ensure := func(t *testing.T, c *models.Conversation) *models.Conversation {
		t.Helper()
		got, _, err := s.EnsureConversation(ctx, c)
		ok(t, err, "ensure")
		return got
	}

	t.Run("ensure creates once", func(t *testing.T) {
		w := ws()
		at := f.clock.tick()
		c, created, err := s.EnsureConversation(ctx, chat(w, "1", "Anna Smith"))
		ok(t, err, "ensure")
		if !created || c.NameKey != "anna smith" || !c.CreatedAt.Equal(at) || !c.Activity.Equal(at) || c.Followers == nil ||
			c.Tags == nil || c.MutedBy == nil || c.Links == nil || c.Unread || c.PendingN != 0 {
			t.Fatalf("ensured %+v, created %v; want it created now, name key lower-cased, empty lists not nil", c, created)
		}
		stamped(t, c.Stamp, w, at, false, "ensure")
		f.inserted(t, w, models.TableConversations, c.ID, c.Seq)
		f.clock.tick()
		again, created, err := s.EnsureConversation(ctx, chat(w, "1", "Other"))
		ok(t, err, "ensure again")
		if created || again.ID != c.ID || again.SubscriberName != "Anna Smith" || again.Stamp != c.Stamp {
			t.Fatalf("ensured again %+v, created %v; want the stored one %+v", again, created, c)
		}
		f.highest(t, w, c.Seq)
		for _, read := range []func() (*models.Conversation, error){
			func() (*models.Conversation, error) { return s.Conversation(ctx, w, c.ID) },
			func() (*models.Conversation, error) { return s.ConversationBySubscriber(ctx, w, c.SubscriberID) },
		} {
			got, err := read()
			ok(t, err, "read")
			if got.ID != c.ID || got.SubscriberID != c.SubscriberID || got.BotID != "bot1" || got.Channel != models.ChannelTelegram ||
				got.Status != models.StatusIdle || got.SubscriberName != "Anna Smith" || got.Stamp != c.Stamp ||
				!got.CreatedAt.Equal(at) || !got.Activity.Equal(at) || got.Followers == nil || got.Tags == nil || got.Links == nil {
				t.Fatalf("read %+v, want %+v", got, c)
			}
		}
		w2 := ws()
		got, err := s.Conversation(ctx, w2, c.ID)
		notFound(t, got, err, "read from another workspace")
		got, err = s.ConversationBySubscriber(ctx, w2, c.SubscriberID)
		notFound(t, got, err, "read by subscriber from another workspace")
		got, err = s.Conversation(ctx, w, models.NewID())
		notFound(t, got, err, "unknown")
		up, err := s.UpdateConversation(ctx, w2, c.ID, models.ConversationUpdate{Status: ptr(models.StatusOpen)})
		notFound(t, up, err, "update from another workspace")
		up, err = s.UpdateConversation(ctx, w, models.NewID(), models.ConversationUpdate{Status: ptr(models.StatusOpen)})
		notFound(t, up, err, "update unknown")
		f.highest(t, w, c.Seq)
	})

	// One chat per subscriber: concurrent first events of a subscriber
	// each get the chat, exactly one creates it, one insert is logged.
	t.Run("ensure concurrently creates once", func(t *testing.T) {
		w := ws()
		const n = 8
		var wg sync.WaitGroup
		convs, created, errs := make([]*models.Conversation, n), make([]bool, n), make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				convs[i], created[i], errs[i] = s.EnsureConversation(ctx, chat(w, "7", "Ann"))
			}()
		}
		wg.Wait()
		creators := 0
		for i := range n {
			ok(t, errs[i], "ensure")
			if convs[i].ID != convs[0].ID || convs[i].Seq != convs[0].Seq {
				t.Fatalf("call %d returned %+v, call 0 %+v", i, convs[i], convs[0])
			}
			if created[i] {
				creators++
			}
		}
		if creators != 1 {
			t.Fatalf("%d calls report creating the chat, want 1", creators)
		}
		if f.Log != nil {
			if entries := f.landed(t, w, 0); len(entries) != 1 || !entries[0].Created {
				t.Fatalf("change log %+v, want the one insert", entries)
			}
		}
	})

	t.Run("list by activity then id, paged", func(t *testing.T) {
		w := ws()
		var all []*models.Conversation
		for i, ext := range []string{"1", "2", "3", "4", "5"} {
			all = append(all, ensure(t, chat(w, ext, "C"+ext)))
			if i%2 == 0 { // ties: chats 2 and 3, 4 and 5 share an activity time
				f.clock.tick()
			}
		}
		// Move chat 1 to the top with a later activity.
		at := f.clock.tick()
		_, err := s.UpdateConversation(ctx, w, all[0].ID, models.ConversationUpdate{Activity: &at})
		ok(t, err, "move")
		want := sortedByActivity(t, s, w, all)
		got, next, err := s.Conversations(ctx, w, models.ConversationFilter{Page: models.Page{Limit: 10}})
		ok(t, err, "list")
		if ids(got, convID) != want || next != "" {
			t.Fatalf("list %s next %q, want %s and no cursor", ids(got, convID), next, want)
		}
		if !got[0].Activity.Equal(at) || got[0].ID != all[0].ID {
			t.Fatalf("first %+v, want the chat moved to %v", got[0], at)
		}
		for _, limit := range []int{1, 2, 4} {
			var seen []*models.Conversation
			cursor := ""
			for pages := 0; ; pages++ {
				page, next, err := s.Conversations(ctx, w, models.ConversationFilter{Page: models.Page{Limit: limit, Cursor: cursor}})
				ok(t, err, "page")
				if len(page) > limit || pages > 10 {
					t.Fatalf("limit %d: page of %d (page %d)", limit, len(page), pages)
				}
				seen = append(seen, page...)
				if next == "" {
					break
				}
				cursor = next
			}
			if ids(seen, convID) != want {
				t.Fatalf("limit %d: pages give %s, want %s", limit, ids(seen, convID), want)
			}
		}
		none, next, err := s.Conversations(ctx, w, models.ConversationFilter{Page: models.Page{Limit: 0}})
		ok(t, err, "limit 0")
		if none == nil || len(none) != 0 || next != "" {
			t.Fatalf("limit 0: %d chats, cursor %q; want an empty page", len(none), next)
		}
		for _, bad := range []string{"not-a-cursor", "bm9waXBl"} {
			_, _, err = s.Conversations(ctx, w, models.ConversationFilter{Page: models.Page{Limit: 2, Cursor: bad}})
			wantCode(t, err, models.CodeInvalid, "a forged cursor")
		}
		other, _, err := s.Conversations(ctx, ws(), models.ConversationFilter{Page: models.Page{Limit: 10}})
		ok(t, err, "another workspace")
		if other == nil || len(other) != 0 {
			t.Fatalf("another workspace lists %s", ids(other, convID))
		}
	})

	runConversationFilters(t, f)
	runConversationUpdates(t, f)
	runConversationPending(t, f)
}

// sortedByActivity reads back cs and returns their ids newest activity
// first, then by id descending: the order the list promises.
func sortedByActivity(t *testing.T, s Store, ws string, cs []*models.Conversation) string {
	t.Helper()
	var fresh []*models.Conversation
	for _, c := range cs {
		got, err := s.Conversation(ctx, ws, c.ID)
		ok(t, err, "read")
		fresh = append(fresh, got)
	}
	for i := range fresh {
		for j := i + 1; j < len(fresh); j++ {
			a, b := fresh[i], fresh[j]
			if b.Activity.After(a.Activity) || b.Activity.Equal(a.Activity) && b.ID > a.ID {
				fresh[i], fresh[j] = b, a
			}
		}
	}
	return ids(fresh, convID)
}
