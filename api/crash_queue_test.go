package api_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
)

// TestCrashAfterTheQueueMovedMovesItOnce: an opening whose process died
// right after it moved the bot's round-robin queue, finished by its
// redelivery after another chat opened meanwhile, does not move the queue
// a second time (which would skip the next member in turn).
func TestCrashAfterTheQueueMovedMovesItOnce(t *testing.T) {
	t.Parallel()
	r := newAlertRig(t)
	var mu sync.Mutex
	armed := false
	r.inbox.WithFaults(func(point string) error {
		mu.Lock()
		defer mu.Unlock()
		if armed && point == "open:queue" {
			armed = false
			return errors.New("process died")
		}
		return nil
	})
	defer r.inbox.WithFaults(nil)
	opened := func(sub string) string {
		t.Helper()
		r.event(r.tm.key, r.bot.ID, say("hi-"+sub, sub, "hello"))
		c := r.event(r.tm.key, r.bot.ID, openChat("open-"+sub, sub)).ConversationID
		return r.conv(r.tm.admin.AccessToken, c).AssigneeID
	}
	r.event(r.tm.key, r.bot.ID, say("hi-a", "a", "hello"))
	mu.Lock()
	armed = true
	mu.Unlock()
	res := r.call("POST", "/v1/bots/"+r.bot.ID+"/events", r.tm.key, openChat("open-a", "a"))
	wantStatus(t, res, http.StatusInternalServerError)
	if got := opened("b"); got != r.tm.emp2.Member.ID {
		t.Fatalf("the chat opened meanwhile went to %s, want emp2 (the queue had moved past emp1)", got)
	}
	a := r.event(r.tm.key, r.bot.ID, openChat("open-a", "a")) // the redelivery
	if got := r.conv(r.tm.admin.AccessToken, a.ConversationID).AssigneeID; got != r.tm.emp1.Member.ID {
		t.Fatalf("the redelivered opening went to %s, want emp1", got)
	}
	if got := opened("c"); got != r.tm.emp1.Member.ID {
		t.Fatalf("the next chat went to %s, want emp1 (emp2 had the last one): the queue moved twice", got)
	}
}
