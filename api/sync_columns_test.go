package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// wantMillis fails unless rec's column col is t in Unix milliseconds.
func wantMillis(t *testing.T, rec map[string]any, col string, want time.Time) {
	t.Helper()
	if got, _ := rec[col].(float64); int64(got) != want.UnixMilli() {
		t.Fatalf("%s = %v, want %d (%v)", col, rec[col], want.UnixMilli(), rec)
	}
}

// A synced chat carries what the REST chat shows: the exact time of the
// subscriber's last message, the reply window's end and the automation
// pause, which follows the pause controls (a change of the subscriber only).
func TestSyncChatCarriesReplyWindowAndPause(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tm := e.team()
	b := e.bot(tm.admin.AccessToken, map[string]any{"channel": "viber", "name": "Shop"})
	at := e.inboxClock.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond).Add(123 * time.Millisecond)
	ev := say("ev-1", "s1", "hello")
	ev["at"] = at.Format(time.RFC3339Nano)
	c := e.event(tm.key, b.ID, ev)
	dev := newReplica()
	dev.sync(e, tm.emp1.AccessToken, nil)
	chat := dev.tables[models.TableConversations][c.ConversationID]
	wantMillis(t, chat, "last_inbound_at", at)
	wantMillis(t, chat, "reply_window_ends_at", at.Add(24*time.Hour))
	if v, ok := chat["automation_paused_until"]; !ok || v != nil {
		t.Fatalf("automation_paused_until = %v (present %v), want null", v, ok)
	}
	if sub := dev.tables[models.TableSubscribers][c.SubscriberID]; sub["last_inbound_at"] == nil {
		t.Fatalf("subscriber without last_inbound_at: %v", sub)
	}

	// A manual reply pauses the automation; "+60 min" moves the pause on
	// by changing only the subscriber.
	wantStatus(t, e.call("POST", "/v1/conversations/"+c.ConversationID+"/messages", tm.emp1.AccessToken, map[string]string{"text": "hi"}), http.StatusCreated)
	dev.sync(e, tm.emp1.AccessToken, nil)
	var view convView
	e.call("GET", "/v1/conversations/"+c.ConversationID, tm.emp1.AccessToken, nil).JSON(t, &view)
	if view.AutomationPausedUntil == nil {
		t.Fatal("a manual reply did not pause the automation")
	}
	wantMillis(t, dev.tables[models.TableConversations][c.ConversationID], "automation_paused_until", *view.AutomationPausedUntil)
	wantStatus(t, e.call("POST", "/v1/subscribers/"+c.SubscriberID+"/automation", tm.emp1.AccessToken, map[string]string{"action": "extend"}), http.StatusOK)
	dev.sync(e, tm.emp1.AccessToken, nil)
	e.call("GET", "/v1/conversations/"+c.ConversationID, tm.emp1.AccessToken, nil).JSON(t, &view)
	wantMillis(t, dev.tables[models.TableConversations][c.ConversationID], "automation_paused_until", *view.AutomationPausedUntil)
	wantMillis(t, dev.tables[models.TableConversations][c.ConversationID], "reply_window_ends_at", *view.ReplyWindowEndsAt)
}
