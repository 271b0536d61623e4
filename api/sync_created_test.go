package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// A chat a follower gains is sent whole, as created, in the page holding
// the start of the following; changes to its records made before that
// start, in earlier pages, are not sent as updates of records the device
// does not hold, and records created after it come once, as created.
func TestSyncFollowerGainAcrossPagesSendsEachRecordCreatedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm, b := e.shop()
	c := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	e.event(tm.key, b.ID, say("ev-2", "s1", "hello"))
	dev := newReplica()
	dev.sync(e, tm.follower.AccessToken, nil)
	if len(dev.tables[models.TableSubscribers]) != 0 {
		t.Fatal("a follower following nothing holds a subscriber")
	}
	// Before the follower is added: the subscriber and the chat change.
	wantStatus(t, e.call("PATCH", "/v1/subscribers/"+c.SubscriberID, tm.emp1.AccessToken, map[string]any{"tags": []string{"vip"}}), http.StatusOK)
	r := e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "before"})
	wantStatus(t, r, http.StatusCreated)
	wantStatus(t, e.call("PUT", "/v1/conversations/"+c.ConversationID+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	// After: a new message and a note.
	e.event(tm.key, b.ID, say("ev-3", "s1", "after"))
	r = e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/notes", tm.emp1.AccessToken, map[string]string{"text": "after"})
	wantStatus(t, r, http.StatusCreated)

	for _, limit := range []string{"1", "2", "500"} {
		d := dev.clone()
		d.sync(e, tm.follower.AccessToken, url.Values{"limit": {limit}}) // fails on any WatermelonDB error
		fresh := newReplica()
		fresh.sync(e, tm.follower.AccessToken, nil)
		sameReplicas(t, "limit "+limit, d, fresh)
	}
}

// Assigning new chats round-robin moves the bot's queue on without
// changing the bot for the devices: no bot record is sent again.
func TestSyncRoundRobinDoesNotResendTheBot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "queue": ids(tm.emp1, tm.emp2)})
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	c1 := e.event(tm.key, b.ID, openChat("o1", "s1")).ConversationID
	c2 := e.event(tm.key, b.ID, openChat("o2", "s2")).ConversationID
	a := e.pull(tm.emp1.AccessToken, dev.last, nil)
	if bots := a.Changes[models.TableBots]; len(bots.Created)+len(bots.Updated) != 0 {
		t.Fatalf("round-robin assignment resent the bot: %+v", bots)
	}
	dev.apply(a)
	// The queue did move on: the two chats went to the two members.
	got := []any{dev.tables[models.TableConversations][c1]["assignee_id"], dev.tables[models.TableConversations][c2]["assignee_id"]}
	if got[0] != tm.emp1.Member.ID || got[1] != tm.emp2.Member.ID {
		t.Fatalf("assignees %v, want emp1 then emp2", got)
	}
}
