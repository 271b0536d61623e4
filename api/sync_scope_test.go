package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// chatRecords lists the ids a device holds of one chat's messages.
func chatMessages(r *replica, convID string) []string {
	var out []string
	for id, m := range r.tables[models.TableMessages] {
		if m["conversation_id"] == convID {
			out = append(out, id)
		}
	}
	return out
}

func TestSyncFollowerGetsOnlyFollowedChatsAndLosesAndGainsThem(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c1 := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	e.event(tm.key, b.ID, say("ev-2", "s1", "first chat"))
	c2 := e.event(tm.key, b.ID, openChat("ev-3", "s2"))
	e.event(tm.key, b.ID, say("ev-4", "s2", "second chat"))
	follow := func(conv string, on bool) {
		method := "PUT"
		if !on {
			method = "DELETE"
		}
		wantStatus(t, e.call(method, "/v1/conversations/"+conv+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	}
	follow(c1.ConversationID, true)
	r := e.call("POST", "/v1/subscribers/"+c1.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "VIP"})
	wantStatus(t, r, http.StatusCreated)
	var note models.Note
	r.JSON(t, &note)

	dev := newReplica()
	dev.sync(e, tm.follower.AccessToken, nil)
	wantIDs(t, "follower's chats", dev.ids(models.TableConversations), []string{c1.ConversationID})
	wantIDs(t, "follower's subscribers", dev.ids(models.TableSubscribers), []string{c1.SubscriberID})
	wantIDs(t, "follower's notes", dev.ids(models.TableNotes), []string{note.ID})
	if len(chatMessages(dev, c1.ConversationID)) == 0 || len(dev.tables[models.TableMessages]) != len(chatMessages(dev, c1.ConversationID)) {
		t.Fatalf("follower's messages: %v", dev.ids(models.TableMessages))
	}
	if len(dev.tables[models.TableBots]) != 1 || len(dev.tables[models.TableMembers]) != 4 {
		t.Fatal("a follower sees the bots and the team")
	}
	// Everyone else sees both chats.
	full := newReplica()
	full.sync(e, tm.emp1.AccessToken, nil)
	wantIDs(t, "employee's chats", full.ids(models.TableConversations), []string{c1.ConversationID, c2.ConversationID})

	// A change in a chat the follower does not follow sends them nothing of it.
	e.event(tm.key, b.ID, say("ev-5", "s2", "still second"))
	dev.sync(e, tm.follower.AccessToken, nil)
	wantIDs(t, "after a change elsewhere", dev.ids(models.TableConversations), []string{c1.ConversationID})

	// Losing the chat deletes it and its records on the next pull.
	follow(c1.ConversationID, false)
	follow(c2.ConversationID, true)
	paged := dev.clone()
	dev.sync(e, tm.follower.AccessToken, nil)
	wantIDs(t, "after the switch", dev.ids(models.TableConversations), []string{c2.ConversationID})
	wantIDs(t, "subscribers after the switch", dev.ids(models.TableSubscribers), []string{c2.SubscriberID})
	wantIDs(t, "notes after the switch", dev.ids(models.TableNotes), nil)
	if n := len(chatMessages(dev, c1.ConversationID)); n != 0 {
		t.Fatalf("%d messages of the lost chat stayed on the device", n)
	}
	// The gained chat's unchanged history arrived with it.
	got := chatMessages(dev, c2.ConversationID)
	var want []string
	for _, m := range e.history(tm.admin.AccessToken, c2.ConversationID, "") {
		want = append(want, m.ID)
	}
	wantIDs(t, "gained chat's messages", got, want)

	// A device catching up one change per page ends the same.
	paged.sync(e, tm.follower.AccessToken, url.Values{"limit": {"1"}})
	for _, tab := range models.SyncTables {
		wantIDs(t, "paged "+tab, paged.ids(tab), dev.ids(tab))
	}
}

func TestSyncRoleChangeSendsReplacement(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	c1 := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	c2 := e.event(tm.key, b.ID, openChat("ev-2", "s2"))
	dev := newReplica()
	dev.sync(e, tm.follower.AccessToken, nil)
	wantIDs(t, "no chat followed", dev.ids(models.TableConversations), nil)

	wantStatus(t, e.call("PATCH", "/v1/members/"+tm.follower.Member.ID, tm.admin.AccessToken, map[string]string{"role": "employee"}), http.StatusOK)
	a := e.pull(tm.follower.AccessToken, dev.last, nil)
	if a.Strategy != "replacement" {
		t.Fatalf("after a role change: strategy %q, want replacement", a.Strategy)
	}
	dev.apply(a)
	wantIDs(t, "an employee's chats", dev.ids(models.TableConversations), []string{c1.ConversationID, c2.ConversationID})
	// Then deltas again.
	if a := e.pull(tm.follower.AccessToken, dev.last, nil); a.Strategy != "" {
		t.Fatalf("second pull after the role change: strategy %q", a.Strategy)
	}

	// Back to follower: the replacement drops what they no longer see.
	wantStatus(t, e.call("PATCH", "/v1/members/"+tm.follower.Member.ID, tm.admin.AccessToken, map[string]string{"role": "follower"}), http.StatusOK)
	dev.sync(e, tm.follower.AccessToken, nil)
	wantIDs(t, "a follower again", dev.ids(models.TableConversations), nil)
	if len(dev.tables[models.TableMessages]) != 0 {
		t.Fatalf("messages stayed: %v", dev.ids(models.TableMessages))
	}
}

func TestSyncFirstSyncBoundsHistory(t *testing.T) {
	e := newSyncEnv(t, storetest.New(t), func() syncCfg { c := testSync; c.HistoryPerChat = 3; c.HistoryDays = 2; return c }())
	tm, b := e.shop()
	old := e.event(tm.key, b.ID, say("ev-old", "s-old", "long ago"))
	e.inboxClock.Advance(3 * 24 * time.Hour)
	c := e.event(tm.key, b.ID, openChat("ev-0", "s1"))
	for i := 0; i < 6; i++ {
		e.event(tm.key, b.ID, say("ev-"+string(rune('a'+i)), "s1", "hello"))
	}
	dev := newReplica()
	dev.apply(e.pull(tm.admin.AccessToken, 0, nil))
	hist := e.history(tm.admin.AccessToken, c.ConversationID, "")
	if len(hist) <= 3 {
		t.Fatalf("history has %d messages, the test needs more than 3", len(hist))
	}
	wantIDs(t, "newest 3 of the chat", chatMessages(dev, c.ConversationID), []string{hist[0].ID, hist[1].ID, hist[2].ID})
	if n := len(chatMessages(dev, old.ConversationID)); n != 0 {
		t.Fatalf("%d messages older than 2 days in the first sync", n)
	}
	// The chat itself is there; its older history is on the REST paging endpoint.
	wantIDs(t, "chats", dev.ids(models.TableConversations), []string{old.ConversationID, c.ConversationID})
}
