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
