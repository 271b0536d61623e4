package api_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/store/storetest"
)

// TestEmbeddedOperationsCommitOnce: on the embedded store an inbound
// message, a chat's opening and an agent's reply each commit once (one
// notification of a commit per operation), however many records they
// write; on MongoDB they are written one by one.
func TestEmbeddedOperationsCommitOnce(t *testing.T) {
	if storetest.Engine() != storetest.EngineSQLite {
		t.Skip("the embedded store's transactions")
	}
	e := newEnv(t)
	tm, b := e.shop()
	var mu sync.Mutex
	commits := 0
	e.db.OnChange(func(ws string) {
		e.hub.Notify(ws)
		mu.Lock()
		commits++
		mu.Unlock()
	})
	count := func(what string, do func()) {
		t.Helper()
		mu.Lock()
		commits = 0
		mu.Unlock()
		do()
		mu.Lock()
		defer mu.Unlock()
		if commits != 1 {
			t.Errorf("%s committed %d times, want once", what, commits)
		}
	}
	var conv string
	count("a new subscriber's first message", func() { conv = e.event(tm.key, b.ID, say("m1", "s1", "hello")).ConversationID })
	count("the chat's opening", func() { e.event(tm.key, b.ID, openChat("o1", "s1")) })
	count("a message in the open chat", func() { e.event(tm.key, b.ID, say("m2", "s1", "still there?")) })
	count("an agent's reply", func() {
		wantStatus(t, e.call("POST", "/v1/conversations/"+conv+"/messages", tm.admin.AccessToken, map[string]any{"text": "yes"}), http.StatusCreated)
	})
}
