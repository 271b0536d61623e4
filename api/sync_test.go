package api_test

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func TestSyncFirstPullThenDelta(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	res := e.event(tm.key, b.ID, openChat("ev-1", "s1"))
	e.event(tm.key, b.ID, say("ev-2", "s1", "hello"))

	dev := newReplica()
	first := e.pull(tm.emp1.AccessToken, 0, nil)
	if first.Strategy != "" || first.HasMore {
		t.Fatalf("first sync: strategy %q has_more %v", first.Strategy, first.HasMore)
	}
	dev.apply(first)
	wantIDs(t, "bots", dev.ids(models.TableBots), []string{b.ID})
	wantIDs(t, "conversations", dev.ids(models.TableConversations), []string{res.ConversationID})
	if len(dev.tables[models.TableMembers]) != 4 {
		t.Fatalf("members: %v", dev.tables[models.TableMembers])
	}
	for _, m := range dev.tables[models.TableMembers] {
		if _, ok := m["email"]; ok {
			t.Fatalf("a member's email reached the device: %v", m)
		}
	}
	if len(dev.tables[models.TableMessages]) == 0 {
		t.Fatal("no messages in the first sync")
	}

	// Nothing new: an empty delta at the same timestamp.
	again := e.pull(tm.emp1.AccessToken, dev.last, nil)
	for tab, c := range again.Changes {
		if len(c.Created)+len(c.Updated)+len(c.Deleted) > 0 {
			t.Fatalf("unchanged workspace sent %s: %+v", tab, c)
		}
	}

	// A colleague's reply reaches the device.
	r := e.call("POST", "/v1/conversations/"+res.ConversationID+"/messages", tm.emp2.AccessToken, map[string]string{"text": "on it"})
	wantStatus(t, r, http.StatusCreated)
	var sent models.Message
	r.JSON(t, &sent)
	d := e.pull(tm.emp1.AccessToken, dev.last, nil)
	found := false
	for _, m := range d.Changes[models.TableMessages].Created {
		found = found || m["id"] == sent.ID
	}
	if !found {
		t.Fatalf("the reply is not among created messages: %+v", d.Changes[models.TableMessages])
	}
	if len(d.Changes[models.TableConversations].Updated) != 1 {
		t.Fatalf("conversation update missing: %+v", d.Changes[models.TableConversations])
	}
	if d.Timestamp <= dev.last {
		t.Fatalf("timestamp did not move: %d then %d", dev.last, d.Timestamp)
	}
}

func TestSyncPullIsCompressed(t *testing.T) {
	e := newEnv(t)
	tm, b := e.shop()
	for i := 0; i < 5; i++ {
		e.event(tm.key, b.ID, say("ev-"+string(rune('a'+i)), "s1", "hello there, a message long enough to compress"))
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync", nil)
	req.Header.Set("Authorization", "Bearer "+tm.emp1.AccessToken)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	zr, err := gzip.NewReader(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" || err != nil {
		t.Fatalf("pull answer encoding %q (%v), want gzip", res.Header.Get("Content-Encoding"), err)
	}
	var a pullAnswer
	if err := json.NewDecoder(zr).Decode(&a); err != nil || len(a.Changes[models.TableMessages].Created) == 0 {
		t.Fatalf("decompressed answer: %v %+v", err, a.Changes[models.TableMessages])
	}
}
