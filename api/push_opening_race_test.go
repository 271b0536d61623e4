package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// TestPushMessageAfterTheOpeningEntryAlerts: a subscriber message written
// while an opening is still finishing, but after its "opened" entry (the
// message's delivery read the chat before the opening began), alerts on
// its own when the dispatcher already read the opening: the new-chat
// alert went out without it.
func TestPushMessageAfterTheOpeningEntryAlerts(t *testing.T) {
	t.Parallel()
	r := newAlertRig(t)
	sub := r.event(r.tm.key, r.bot.ID, say("race-1", "race", "hello")).SubscriberID
	r.flush()
	db := r.db
	other := inbox.New(inbox.Stores{Members: db, Bots: db, Subscribers: db, Conversations: db, Messages: db, Notes: db, Events: db,
		CRM: db, Flows: db, Stats: db, Files: db}, r.inboxClock.Now)
	checked, entered, said := make(chan struct{}), make(chan struct{}), make(chan struct{})
	other.WithFaults(func(point string) error {
		if point == "message:checked" { // read the chat idle, before the opening
			close(checked)
			<-entered
		}
		return nil
	})
	var once sync.Once
	r.inbox.WithFaults(func(point string) error {
		if point == "open:opened" {
			once.Do(func() {
				r.g.DispatchAll(context.Background()) // the new chat's alert goes out
				close(entered)
				<-said
			})
		}
		return nil
	})
	defer r.inbox.WithFaults(nil)
	go func() {
		defer close(said)
		p := models.Principal{WS: r.ws, APIKeyID: "key"}
		ev := inbox.Event{ID: "race-2", Type: inbox.EventMessage, Subscriber: inbox.SubscriberInfo{ExternalID: "race"},
			Message: &inbox.InboundMessage{ExternalID: "m-race-2", Text: "are you there?"}}
		if _, err := other.Ingest(context.Background(), p, r.bot.ID, ev); err != nil {
			t.Error(err)
		}
	}()
	<-checked
	res := r.call("POST", "/v1/conversations", r.tm.admin.AccessToken, map[string]any{"subscriber_id": sub})
	wantStatus(t, res, http.StatusOK)
	var c models.Conversation
	res.JSON(t, &c)
	r.flush()
	got, _ := r.got(c.ID, nil)
	c = r.conv(r.tm.admin.AccessToken, c.ID).Conversation
	want := map[string][]string{c.AssigneeID: {"message: are you there?", "new_chat: hello"}}
	if !equalAlerts(got, want) {
		t.Fatalf("phones got %v, want %v", got, want)
	}
}
