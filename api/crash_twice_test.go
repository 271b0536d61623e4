package api_test

import (
	"context"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// TestOneEventDeliveredToTwoInstancesAtOnce: the same subscriber message
// delivered to two instances at once (each found it not yet applied, and
// the second begins it while the first has it under way) is applied
// once: one unread message, nothing left pending.
func TestOneEventDeliveredToTwoInstancesAtOnce(t *testing.T) {
	t.Parallel()
	r := newAlertRig(t)
	conv := r.opened("twice")
	before := r.conv(r.tm.admin.AccessToken, conv).UnreadCount
	db := r.db
	other := inbox.New(inbox.Stores{Members: db, Bots: db, Subscribers: db, Conversations: db, Messages: db, Notes: db, Events: db,
		CRM: db, Flows: db, Stats: db, Files: db}, r.inboxClock.Now)
	checked, begun := make(chan struct{}), make(chan struct{})
	// The other instance checks the message is new, then waits for this
	// one to begin it; this one checks after the other did.
	other.WithFaults(func(point string) error {
		if point == "message:checked" {
			close(checked)
			<-begun
		}
		return nil
	})
	var once sync.Once
	otherDone := make(chan struct{})
	r.inbox.WithFaults(func(point string) error {
		switch point {
		case "message:checked":
			<-checked
		case "message:begun":
			once.Do(func() { close(begun); <-otherDone })
		}
		return nil
	})
	defer r.inbox.WithFaults(nil)
	p := models.Principal{WS: r.ws, APIKeyID: "key"}
	ev := inbox.Event{ID: "twice-ev", Type: inbox.EventMessage, Subscriber: inbox.SubscriberInfo{ExternalID: "twice"},
		Message: &inbox.InboundMessage{ExternalID: "m-twice-ev", Text: "only once"}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*inbox.Service{r.inbox, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Ingest(context.Background(), p, r.bot.ID, ev)
			if s == other {
				close(otherDone)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := db.Conversation(context.Background(), r.ws, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.UnreadCount != before+1 || c.PendingN != 0 || len(c.Pending) != 0 {
		t.Fatalf("unread %d (was %d), pending %d %v: want one more unread and nothing pending", c.UnreadCount, before, c.PendingN, c.Pending)
	}
}
